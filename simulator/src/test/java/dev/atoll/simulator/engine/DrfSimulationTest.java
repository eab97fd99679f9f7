package dev.atoll.simulator.engine;

import dev.atoll.placement.PackingPolicy;
import dev.atoll.placement.SiteChoicePolicy;
import dev.atoll.placement.TenantQuota;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.TenantId;
import dev.atoll.protocol.WorkloadKind;
import dev.atoll.simulator.trace.TraceTask;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Hand-checked runs of {@code --queue drf} (placement's QueueScheduler makes every pass) on one site S of one
 * node with 8 H800 devices, first-fit packing. Each test's comment gives the expected timeline.
 */
class DrfSimulationTest {
    static final SiteSpec S = new SiteSpec(SiteId.of("S"), "r1", List.of(PoolSpec.of("H800", 1, 8, 80)));
    static final PriorityClass P = PriorityClass.PRODUCTION;
    static final PriorityClass BE = PriorityClass.BEST_EFFORT;
    static final PriorityClass INF = PriorityClass.INFERENCE;

    static TraceTask t(String id, String tenant, long at, long dur, int dev, PriorityClass p) {
        return new TraceTask(id, tenant, at, dur, dev, 1000, ModelSet.ANY, WorkloadKind.BATCH, p, 0);
    }

    static SimConfig config(QueueDiscipline q) {
        return new SimConfig(PackingPolicy.byName("first-fit"), SiteChoicePolicy.liveDefault(), false, List.of(),
                true, 0, q, 0);
    }

    static Map<String, JobOutcome> byId(SimResult r) {
        return r.jobs().stream().collect(Collectors.toMap(o -> o.task().id(), Function.identity()));
    }

    static Map<String, JobOutcome> run(Simulation sim, List<TraceTask> tasks) {
        return byId(sim.run(tasks));
    }

    static void assertRan(JobOutcome o, long start, long end) {
        assertThat(o.state()).as(o.task().id()).isEqualTo(JobOutcome.State.COMPLETED);
        assertThat(o.startSeconds()).as(o.task().id() + " start").isEqualTo(start);
        assertThat(o.endSeconds()).as(o.task().id() + " end").isEqualTo(end);
    }

    /**
     * Tenant a queues a1..a4 (4 devices, 10 s) at t=0, tenant b queues b1, b2 (same) at t=1.
     * FIFO (greedy): a1, a2 [0,10]; a3, a4 [10,20]; b1, b2 [20,30].
     * DRF: a1, a2 [0,10]. t=10 both shares 0, FIFO tie-break: a3 [10,20]; then a has 0.5, b 0: b1 [10,20];
     * tie again: a4 is the head (reserved at 20), b2 cannot backfill. t=20: a4, b2 [20,30].
     */
    @Test
    void drfAlternatesTenantsWhereFifoServesTheFirstTenantFirst() {
        List<TraceTask> tasks = List.of(t("a1", "a", 0, 10, 4, P), t("a2", "a", 0, 10, 4, P), t("a3", "a", 0, 10, 4, P),
                t("a4", "a", 0, 10, 4, P), t("b1", "b", 1, 10, 4, P), t("b2", "b", 1, 10, 4, P));
        Map<String, JobOutcome> fifo = run(new Simulation(List.of(S), config(QueueDiscipline.FIFO)), tasks);
        assertRan(fifo.get("a3"), 10, 20);
        assertRan(fifo.get("a4"), 10, 20);
        assertRan(fifo.get("b1"), 20, 30);
        assertRan(fifo.get("b2"), 20, 30);
        Map<String, JobOutcome> drf = run(new Simulation(List.of(S), config(QueueDiscipline.DRF)), tasks);
        assertRan(drf.get("a1"), 0, 10);
        assertRan(drf.get("a2"), 0, 10);
        assertRan(drf.get("a3"), 10, 20);
        assertRan(drf.get("b1"), 10, 20);
        assertRan(drf.get("a4"), 20, 30);
        assertRan(drf.get("b2"), 20, 30);
    }

    /**
     * Tenant a: 4 H800 guaranteed, borrow limit 0. a1, a2 (4 devices, 10 s) at t=0: a1 [0,10]; a2 is held back by
     * the quota (not by devices), so it reserves nothing and b1 (4 devices, 5 s, t=1) starts at once [1,6];
     * a2 starts when a1 ends [10,20]. Without quotas a2 would start at 0.
     */
    @Test
    void quotaLimitHoldsATenantBackAndLeavesRoomForOthers() {
        TenantQuota a = new TenantQuota(TenantId.of("a"), 1, Map.of(AcceleratorModel.of("H800"), 4),
                Map.of(AcceleratorModel.of("H800"), 0), -1);
        List<TraceTask> tasks = List.of(t("a1", "a", 0, 10, 4, P), t("a2", "a", 0, 10, 4, P), t("b1", "b", 1, 5, 4, P));
        Map<String, JobOutcome> drf = run(new Simulation(List.of(S), config(QueueDiscipline.DRF))
                .withDrf(new DrfSimulation.Settings(List.of(a), 3)), tasks);
        assertRan(drf.get("a1"), 0, 10);
        assertRan(drf.get("b1"), 1, 6);
        assertRan(drf.get("a2"), 10, 20);
        Map<String, JobOutcome> free = run(new Simulation(List.of(S), config(QueueDiscipline.DRF)), tasks);
        assertRan(free.get("a2"), 0, 10);
        assertRan(free.get("b1"), 10, 15);
    }

    /**
     * EASY backfill. r1 (6 devices, 100 s) at t=0 -> [0,100]. h (8 devices, 10 s) at t=1 waits: head, reserved at
     * 100. s1 (2 devices, 50 s) at t=2 ends by 100: backfilled [2,52]. s2 (2 devices, 200 s) at t=60 fits now but
     * would still run at 100 where the head needs all 8: it waits. t=100 h [100,110]; t=110 s2 [110,310].
     * FIFO (greedy) starts s2 at 60 [60,260] and so delays h to 260 [260,270].
     */
    @Test
    void backfillJumpsAheadOnlyWithoutDelayingTheHead() {
        List<TraceTask> tasks = List.of(t("r1", "a", 0, 100, 6, P), t("h", "a", 1, 10, 8, P),
                t("s1", "a", 2, 50, 2, P), t("s2", "a", 60, 200, 2, P));
        Simulation sim = new Simulation(List.of(S), config(QueueDiscipline.DRF));
        Map<String, JobOutcome> drf = run(sim, tasks);
        assertRan(drf.get("r1"), 0, 100);
        assertRan(drf.get("s1"), 2, 52);
        assertRan(drf.get("h"), 100, 110);
        assertRan(drf.get("s2"), 110, 310);
        assertThat(sim.drfRun().backfilled()).isEqualTo(1);
        assertThat(sim.drfRun().preemptions()).isZero();
        Map<String, JobOutcome> fifo = run(new Simulation(List.of(S), config(QueueDiscipline.FIFO)), tasks);
        assertRan(fifo.get("s1"), 2, 52);
        assertRan(fifo.get("s2"), 60, 260);
        assertRan(fifo.get("h"), 260, 270);
    }

    /**
     * be1 (best effort, tenant a, 8 devices, 100 s) [0,100]. inf1 (inference, tenant b, 4 devices, 20 s) at t=10
     * fits nowhere and outranks be1: be1 is preempted (10 s x 8 devices = 80 device-seconds lost) and requeued;
     * inf1 [10,30]; be1 restarts from the beginning when 8 devices are free again: [30,130], attempt 2,
     * 80 + 800 device-seconds in all. A job of 16 devices can never run anywhere and is rejected at arrival.
     */
    @Test
    void inferencePreemptsBestEffortWhichIsRequeuedAndItsLostWorkCounted() {
        List<TraceTask> tasks = List.of(t("be1", "a", 0, 100, 8, BE), t("inf1", "b", 10, 20, 4, INF),
                t("huge", "b", 11, 5, 16, P));
        Simulation sim = new Simulation(List.of(S), config(QueueDiscipline.DRF));
        SimResult r = sim.run(tasks);
        Map<String, JobOutcome> drf = byId(r);
        assertRan(drf.get("inf1"), 10, 30);
        assertRan(drf.get("be1"), 30, 130);
        assertThat(drf.get("be1").attempts()).isEqualTo(2);
        assertThat(drf.get("be1").gpuSeconds()).isEqualTo(880.0);
        assertThat(sim.drfRun().preemptions()).isEqualTo(1);
        assertThat(sim.drfRun().lostGpuSeconds()).isEqualTo(80.0);
        assertThat(drf.get("huge").state()).isEqualTo(JobOutcome.State.NEVER_RAN);
        assertThat(drf.get("huge").reason()).startsWith("no site can ever run it");
        assertThat(r.jobs()).extracting(o -> o.task().id()).containsExactly("be1", "inf1", "huge");
    }

    @Test
    void unsupportedCombinationsAreRefusedNamingTheOptions() {
        SimConfig failing = config(QueueDiscipline.DRF).withFailures(List.of(new Failure.SiteDown("S", 5, 10)));
        assertThatThrownBy(() -> new Simulation(List.of(S), failing).run(List.of(t("x", "a", 0, 1, 1, P))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--fail-site")
                .hasMessageContaining("--queue drf");
        assertThatThrownBy(() -> new Simulation(List.of(S), config(QueueDiscipline.DRF)).withCfpFanout(1)
                .run(List.of(t("x", "a", 0, 1, 1, P))))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--cfp-fanout 1");
        assertThatThrownBy(() -> new Simulation(List.of(S), config(QueueDiscipline.DRF))
                .run(List.of(t("x", "a", 0, 1, 1, P)).iterator(), o -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("--queue drf");
        assertThat(QueueDiscipline.byName("DRF")).isEqualTo(QueueDiscipline.DRF);
        assertThatThrownBy(() -> QueueDiscipline.byName("edf")).hasMessageContaining("fifo, sjf or drf");
    }

    @Test
    void quotaFileIsReadAndBadRowsAreNamed() {
        List<TenantQuota> q = TenantQuotaFile.parse("tenant,weight,model,guaranteed,borrow_limit\n"
                + "a,2,H800,4,0\na,2,A100,8,\nb,,,,\n", "q.csv");
        assertThat(q).extracting(TenantQuota::tenant).containsExactly(TenantId.of("a"), TenantId.of("b"));
        assertThat(q.get(0).weight()).isEqualTo(2.0);
        assertThat(q.get(0).limitOf(AcceleratorModel.of("H800"))).isEqualTo(4);
        assertThat(q.get(0).guaranteedOf(AcceleratorModel.of("A100"))).isEqualTo(8);
        assertThat(q.get(0).limitOf(AcceleratorModel.of("A100"))).isEqualTo(Integer.MAX_VALUE);
        assertThat(q.get(1)).isEqualTo(TenantQuota.bestEffort(TenantId.of("b")));
        assertThatThrownBy(() -> TenantQuotaFile.parse("tenant,weight,model,guaranteed,borrow_limit\na,1,H800,-3,\n",
                "q.csv")).hasMessageContaining("q.csv line 2").hasMessageContaining("guaranteed")
                .hasMessageContaining("'-3'");
        assertThatThrownBy(() -> TenantQuotaFile.parse("tenant,weight\na,1\n", "q.csv"))
                .hasMessageContaining("lacks column 'model'");
        assertThatThrownBy(() -> TenantQuotaFile.parse("tenant,weight,model,guaranteed,borrow_limit\na,1,,,\na,2,,,\n",
                "q.csv")).hasMessageContaining("weight of tenant a");
    }
}
