package dev.atoll.placement;

import static dev.atoll.placement.Fixtures.commit;
import static dev.atoll.placement.Fixtures.on;
import static dev.atoll.placement.Fixtures.site;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atoll.placement.QueueScheduler.Decision;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.TenantId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class QueueSchedulerTest {
    private static final AcceleratorModel G = AcceleratorModel.of("G");

    private static JobSpec job(String id, String tenant, int devices, long seconds) {
        return JobSpec.builder(id, tenant).devices(devices).models("G").durationSeconds(seconds).build();
    }

    private static QueueScheduler scheduler(List<SiteLedger> sites, List<TenantQuota> quotas, int maxPreemptions) {
        return new QueueScheduler(sites, quotas, new BestFit(), SiteChoicePolicy.liveDefault(), maxPreemptions);
    }

    private static int allocated(QueueScheduler q) {
        int n = 0;
        for (SiteLedger l : q.sites()) {
            l.checkInvariants();
            assertThat(l.holds()).isEmpty();
            n += l.usedDevices();
        }
        return n;
    }

    private static List<String> summary(List<Decision> ds) {
        return ds.stream().map(d -> {
            if (d instanceof Decision.Started s) {
                return "start " + s.job() + "@" + s.site() + (s.backfilled() ? " backfill" : "");
            }
            if (d instanceof Decision.Preempted p) {
                return "preempt " + p.job() + " for " + p.by();
            }
            if (d instanceof Decision.Reserved r) {
                return "reserve " + r.job() + "@" + r.site() + " t=" + r.startSeconds();
            }
            return d.toString();
        }).toList();
    }

    @Test
    void threeTenantsGuaranteedFourEachOneBorrowsAllTheOtherTwoGetTheirGuarantee() {
        SiteLedger pool = new SiteLedger(site("s", PoolSpec.of("G", 3, 4, 32)));
        QueueScheduler q = scheduler(List.of(pool), List.of(TenantQuota.guaranteed("A", "G", 4),
                TenantQuota.guaranteed("B", "G", 4), TenantQuota.guaranteed("C", "G", 4)), 3);
        for (String id : List.of("a1", "a2", "a3")) {
            q.submit(job(id, "A", 4, 1000), 0);
        }
        List<Decision> first = q.schedule(0);
        assertThat(summary(first)).containsExactly("start a1@s", "start a2@s", "start a3@s");
        // The first 4 devices are A's guarantee, the other 8 are borrowed.
        assertThat(first).extracting(d -> ((Decision.Started) d).borrowed()).containsExactly(false, true, true);
        assertThat(allocated(q)).isEqualTo(12);

        q.submit(job("b1", "B", 4, 1000), 10);
        q.submit(job("c1", "C", 4, 1000), 10);
        List<Decision> ds = q.schedule(10);
        assertThat(summary(ds)).containsExactly(
                "preempt a1 for b1", "start b1@s",
                "preempt a2 for c1", "start c1@s");
        assertThat(ds).filteredOn(d -> d instanceof Decision.Started)
                .extracting(d -> ((Decision.Started) d).borrowed()).containsExactly(false, false);
        // Victims go back to their old place in A's queue; they are considered from the next pass on.
        assertThat(summary(q.schedule(11))).containsExactly("reserve a1@s t=1000");
        assertThat(allocated(q)).isEqualTo(12);
        for (String t : List.of("A", "B", "C")) {
            assertThat(q.usage(TenantId.of(t), G)).as(t).isEqualTo(4);
        }
        assertThat(q.queued()).extracting(JobSpec::id).containsExactly(JobId.of("a1"), JobId.of("a2"));
        assertThat(q.running().get(JobId.of("a3")).preemptions()).isZero();

        // A newcomer beyond its guarantee cannot reclaim: b2 waits.
        q.submit(job("b2", "B", 4, 1000), 20);
        assertThat(summary(q.schedule(20))).containsExactly("reserve a1@s t=1000");
        assertThat(allocated(q)).isEqualTo(12);
    }

    @Test
    void twoEightDeviceGangsAtTwoSitesWithFourFreeEachBothWaitHoldingNothing() {
        SiteLedger s1 = new SiteLedger(site("s1", PoolSpec.of("G", 1, 8, 32)));
        SiteLedger s2 = new SiteLedger(site("s2", PoolSpec.of("G", 1, 8, 32)));
        commit(s1, "other-1", on(s1, 0, 0, 4));
        commit(s2, "other-2", on(s2, 0, 0, 4));
        QueueScheduler q = scheduler(List.of(s1, s2), List.of(), 3);
        q.submit(job("g1", "X", 8, 100), 0);
        q.submit(job("g2", "Y", 8, 100), 0);
        assertThat(q.schedule(0)).isEmpty();
        assertThat(s1.usedDevices()).isEqualTo(4);
        assertThat(s2.usedDevices()).isEqualTo(4);
        assertThat(allocated(q)).isEqualTo(8);
        assertThat(q.running()).isEmpty();
        assertThat(q.queued()).hasSize(2);
    }

    @Test
    void twoEightDeviceGangsWhenOneSiteHasEightFreeExactlyOneRuns() {
        SiteLedger s1 = new SiteLedger(site("s1", PoolSpec.of("G", 1, 8, 32)));
        SiteLedger s2 = new SiteLedger(site("s2", PoolSpec.of("G", 1, 8, 32)));
        commit(s1, "other-1", on(s1, 0, 0, 4));
        QueueScheduler q = scheduler(List.of(s1, s2), List.of(), 3);
        q.submit(job("g1", "X", 8, 100), 0);
        q.submit(job("g2", "Y", 8, 100), 0);
        assertThat(summary(q.schedule(0))).containsExactly("start g1@s2", "reserve g2@s2 t=100");
        assertThat(s1.usedDevices()).isEqualTo(4);
        assertThat(s2.usedDevices()).isEqualTo(8);
        assertThat(allocated(q)).isEqualTo(12);
    }

    @Test
    void easyBackfillNeverDelaysTheHeadsReservedStart() {
        SiteLedger s = new SiteLedger(site("s", PoolSpec.of("G", 1, 8, 32)));
        QueueScheduler q = scheduler(List.of(s), List.of(), 3);
        q.submit(job("r1", "T", 4, 100), 0);
        q.submit(job("r2", "T", 2, 1000), 0);
        assertThat(summary(q.schedule(0))).containsExactly("start r1@s", "start r2@s");
        q.submit(job("head", "T", 6, 50), 0);
        q.submit(job("long", "T", 2, 500), 0);  // would still run at t=100 and leave only 4 free
        q.submit(job("short", "T", 2, 80), 0);  // ends at 80, before the reservation
        assertThat(summary(q.schedule(0))).containsExactly("reserve head@s t=100", "start short@s backfill");
        q.finish(JobId.of("short"), 80);
        assertThat(summary(q.schedule(80))).containsExactly("reserve head@s t=100");
        q.finish(JobId.of("r1"), 100);
        assertThat(summary(q.schedule(100))).containsExactly("start head@s", "reserve long@s t=150");
        assertThat(q.running().get(JobId.of("head")).startSeconds()).isEqualTo(100);
        assertThat(allocated(q)).isEqualTo(8);
    }

    @Test
    void backfillMayRunPastTheReservationOnDevicesTheHeadDoesNotNeed() {
        SiteLedger s = new SiteLedger(site("s", PoolSpec.of("G", 1, 8, 32)));
        QueueScheduler q = scheduler(List.of(s), List.of(), 3);
        q.submit(job("r1", "T", 6, 100), 0);
        q.schedule(0);
        q.submit(job("head", "T", 4, 50), 0);
        q.submit(job("extra", "T", 2, 5000), 0); // at t=100: 8 - 2 = 6 free >= 4, the head is not delayed
        assertThat(summary(q.schedule(0))).containsExactly("reserve head@s t=100", "start extra@s backfill");
    }

    @Test
    void higherPriorityPreemptsTheVictimLosingLeastWorkSinceItsCheckpoint() {
        SiteLedger s = new SiteLedger(site("s", PoolSpec.of("G", 2, 4, 32)));
        QueueScheduler q = scheduler(List.of(s), List.of(), 1);
        q.submit(JobSpec.builder("ckpt", "T").devices(4).models("G").durationSeconds(10_000)
                .priority(PriorityClass.BEST_EFFORT).checkpointIntervalSeconds(100).build(), 0);
        q.submit(JobSpec.builder("nockpt", "T").devices(4).models("G").durationSeconds(10_000)
                .priority(PriorityClass.BEST_EFFORT).build(), 0);
        q.schedule(0);
        // At t=250: ckpt loses 50 s x 4 devices, nockpt 250 s x 4.
        JobSpec inf = JobSpec.builder("inf", "U").kind(dev.atoll.protocol.WorkloadKind.INFERENCE).devices(4)
                .models("G").durationSeconds(10_000).priority(PriorityClass.INFERENCE).build();
        q.submit(inf, 250);
        assertThat(summary(q.schedule(250))).containsExactly("preempt ckpt for inf", "start inf@s");
        assertThat(summary(q.schedule(251))).containsExactly("reserve ckpt@s t=10000");
        assertThat(q.running().get(JobId.of("inf")).placement())
                .isEqualTo(s.allocation(JobId.of("inf")).placement());
        // The preemptor took exactly the victim's devices.
        assertThat(q.running().get(JobId.of("inf")).placement().nodes()).containsExactly(0);
        // ckpt has used its one allowed preemption: after it restarts, another inference job cannot stop it.
        q.finish(JobId.of("inf"), 300);
        assertThat(summary(q.schedule(300))).containsExactly("start ckpt@s");
        q.submit(JobSpec.builder("inf2", "U").devices(8).models("G").durationSeconds(10).priority(PriorityClass.INFERENCE)
                .build(), 400);
        List<String> later = summary(q.schedule(400));
        assertThat(later).doesNotContain("preempt ckpt for inf2");
        // inf2 needs both nodes: nockpt could go, ckpt may not, so it waits for ckpt's end (300 + 10000).
        assertThat(later).containsExactly("reserve inf2@s t=10300");
        assertThat(allocated(q)).isEqualTo(8);
    }

    @Test
    void preemptionFreesTheFewestDevicesBeyondTheNeed() {
        SiteLedger s = new SiteLedger(site("s", PoolSpec.of("G", 2, 8, 32)));
        QueueScheduler q = scheduler(List.of(s), List.of(), 3);
        // big: 8 devices from t=50 (lost 8 x 50 = 400 at t=100); small: 4 from t=0 (lost 4 x 100 = 400).
        q.submit(JobSpec.builder("small", "T").devices(4).models("G").durationSeconds(9999)
                .priority(PriorityClass.BEST_EFFORT).build(), 0);
        q.submit(JobSpec.builder("filler", "T").devices(4).models("G").durationSeconds(9999)
                .priority(PriorityClass.INFERENCE).build(), 0);
        q.schedule(0);
        q.submit(JobSpec.builder("big", "T").devices(8).models("G").durationSeconds(9999)
                .priority(PriorityClass.BEST_EFFORT).build(), 50);
        q.schedule(50);
        assertThat(q.running()).containsKeys(JobId.of("small"), JobId.of("filler"), JobId.of("big"));
        q.submit(JobSpec.builder("urgent", "U").devices(4).models("G").durationSeconds(10)
                .priority(PriorityClass.INFERENCE).build(), 100);
        // small (node 0, next to filler) and big (node 1) both lose 400 device-seconds; small frees exactly 4.
        assertThat(summary(q.schedule(100))).containsExactly("preempt small for urgent", "start urgent@s");
        assertThat(q.running().get(JobId.of("urgent")).placement().nodes()).containsExactly(0);
        assertThat(q.running()).containsKey(JobId.of("big"));
    }

    @Test
    void priorityClassesThenWeightedDominantShareOrderTheQueue() {
        SiteLedger s = new SiteLedger(site("s", PoolSpec.of("G", 3, 4, 32)));
        QueueScheduler q = scheduler(List.of(s), List.of(
                new TenantQuota(TenantId.of("A"), 1, Map.of(), Map.of(), -1),
                new TenantQuota(TenantId.of("B"), 2, Map.of(), Map.of(), -1)), 3);
        q.submit(job("a-run", "A", 4, 1000), 0);
        q.submit(job("b-run", "B", 4, 1000), 0);
        q.schedule(0);
        assertThat(q.dominantShare(TenantId.of("A"))).isEqualTo(4 / 12.0);
        assertThat(q.dominantShare(TenantId.of("B"))).isEqualTo(4 / 12.0 / 2);
        q.submit(job("a-next", "A", 4, 10), 1);
        q.submit(job("b-next", "B", 4, 10), 1);
        q.submit(JobSpec.builder("a-be", "A").devices(4).models("G").priority(PriorityClass.BEST_EFFORT).build(), 1);
        // B's weighted share is lower, so b-next goes first and takes the last 4 devices.
        assertThat(summary(q.schedule(1))).containsExactly("start b-next@s", "reserve a-next@s t=11");
        // Inference outranks everything regardless of share.
        q.submit(JobSpec.builder("a-inf", "A").devices(4).models("G").durationSeconds(5)
                .priority(PriorityClass.INFERENCE).build(), 2);
        assertThat(summary(q.schedule(2))).containsExactly("preempt b-next for a-inf", "start a-inf@s",
                "reserve a-next@s t=7");
        assertThat(q.running().get(JobId.of("a-inf")).placement()).isEqualTo(s.allocation(JobId.of("a-inf")).placement());
    }

    @Test
    void quotaLimitsBorrowingAndUnknownOrImpossibleJobsAreRejected() {
        SiteLedger s = new SiteLedger(site("s", PoolSpec.of("G", 2, 4, 32)));
        QueueScheduler q = scheduler(List.of(s), List.of(
                new TenantQuota(TenantId.of("A"), 1, Map.of(G, 2), Map.of(G, 2), -1)), 3);
        q.submit(job("a1", "A", 4, 100), 0);
        q.submit(job("a2", "A", 1, 100), 0);
        q.submit(job("z", "Z", 1, 100), 0);
        // A may use 2 + 2 = 4: a1 takes them all, a2 is held back by the quota and reserves nothing.
        List<Decision> ds = q.schedule(0);
        assertThat(summary(ds)).containsExactly("start a1@s", "start z@s");
        assertThat(ds).extracting(d -> ((Decision.Started) d).borrowed()).containsExactly(true, true);
        Decision r = q.submit(job("huge", "A", 64, 100), 0);
        assertThat(r).isInstanceOf(Decision.Rejected.class);
        assertThat(((Decision.Rejected) r).reason()).contains("at most 8 devices");
        Decision t = q.submit(JobSpec.builder("tpu", "A").models("TPU").build(), 0);
        assertThat(((Decision.Rejected) t).reason()).isEqualTo("site s has no device of model TPU");
        // 3 replicas at most 1 per node can never fit on 2 nodes: rejected with the reason.
        Decision rep = q.submit(JobSpec.builder("svc", "A").replicas(3).maxReplicasPerNode(1).models("G").build(), 0);
        assertThat(((Decision.Rejected) rep).reason()).contains("at most 2 replicas even when idle")
                .contains("3 replicas of 1 devices of G, at most 1 per node");
        assertThat(q.submit(job("a2", "A", 1, 100), 0)).isEqualTo(new Decision.Queued(JobId.of("a2")));
        assertThat(q.queued()).extracting(JobSpec::id).containsExactly(JobId.of("a2"));
        assertThat(SiteId.of("s")).isEqualTo(s.site());
    }

    @Test
    void aServiceStartsAllReplicasAtOneSiteOneReplicaPerNodeOrWaitsHoldingNothing() {
        SiteLedger s1 = new SiteLedger(site("s1", PoolSpec.of("G", 2, 4, 32)));
        SiteLedger s2 = new SiteLedger(site("s2", PoolSpec.of("G", 3, 4, 32)));
        QueueScheduler q = scheduler(List.of(s1, s2), List.of(), 3);
        JobSpec svc = JobSpec.builder("svc", "A").kind(dev.atoll.protocol.WorkloadKind.INFERENCE).devices(2)
                .replicas(3).maxReplicasPerNode(1).models("G").durationSeconds(100).build();
        assertThat(q.submit(svc, 0)).isEqualTo(new Decision.Queued(JobId.of("svc")));
        List<Decision> ds = q.schedule(0);
        assertThat(summary(ds)).containsExactly("start svc@s2");
        Decision.Started st = (Decision.Started) ds.get(0);
        assertThat(st.placement().nodes()).containsExactly(0, 1, 2);
        assertThat(st.placement().deviceCount()).isEqualTo(6);
        assertThat(q.usage(TenantId.of("A"), G)).isEqualTo(6);
        assertThat(s1.usedDevices()).isZero();
        assertThat(s2.usedDevices()).isEqualTo(6);
        // The per-node limit is per service: a second service of the same shape takes the other 2 devices of
        // each s2 node (s1 has only 2 nodes, so it cannot take 3 replicas at 1 per node).
        JobSpec svc2 = JobSpec.builder("svc2", "A").devices(2).replicas(3).maxReplicasPerNode(1).models("G")
                .durationSeconds(100).build();
        q.submit(svc2, 0);
        assertThat(summary(q.schedule(0))).containsExactly("start svc2@s2");
        JobSpec svc3 = JobSpec.builder("svc3", "A").devices(1).replicas(3).maxReplicasPerNode(1).models("G")
                .durationSeconds(50).build();
        q.submit(svc3, 10);
        // s2 is full, s1 has only 2 nodes: svc3 waits until svc (ends at 100) frees s2, holding nothing.
        assertThat(summary(q.schedule(10))).containsExactly("reserve svc3@s2 t=100");
        assertThat(allocated(q)).isEqualTo(12);
        q.finish(JobId.of("svc"), 100);
        assertThat(summary(q.schedule(100))).containsExactly("start svc3@s2");
        assertThat(q.running().get(JobId.of("svc3")).placement().nodes()).containsExactly(0, 1, 2);
        assertThat(allocated(q)).isEqualTo(9);
    }

    @Test
    void quotaLimitsSaturateInsteadOfOverflowing() {
        TenantId a = TenantId.of("A");
        assertThat(new TenantQuota(a, 1, Map.of(G, 2), Map.of(G, 3), 0).limitOf(G)).isEqualTo(5);
        assertThat(new TenantQuota(a, 1, Map.of(G, 2_000_000_000), Map.of(G, 2_000_000_000), 0).limitOf(G))
                .isEqualTo(Integer.MAX_VALUE);
        assertThat(new TenantQuota(a, 1, Map.of(G, Integer.MAX_VALUE), Map.of(), Integer.MAX_VALUE).limitOf(G))
                .isEqualTo(Integer.MAX_VALUE);
        assertThat(new TenantQuota(a, 1, Map.of(G, 7), Map.of(), -1).limitOf(G)).isEqualTo(Integer.MAX_VALUE);
        assertThat(new TenantQuota(a, 1, Map.of(G, 7), Map.of(), 0).limitOf(G)).isEqualTo(7);
        // With the old int sum the limit was negative and this tenant could run nothing.
        SiteLedger s = new SiteLedger(site("s", PoolSpec.of("G", 1, 4, 32)));
        QueueScheduler q = scheduler(List.of(s), List.of(
                new TenantQuota(a, 1, Map.of(G, 2_000_000_000), Map.of(G, 2_000_000_000), 0)), 3);
        q.submit(job("a1", "A", 4, 100), 0);
        assertThat(summary(q.schedule(0))).containsExactly("start a1@s");
    }

    @Test
    void sjfOrdersEachTenantsQueueByRequestedDurationFifoBySubmission() {
        // One 4-device node: one job at a time, so the start order is the queue order.
        for (QueueOrder order : QueueOrder.values()) {
            SiteLedger pool = new SiteLedger(site("s", PoolSpec.of("G", 1, 4, 32)));
            QueueScheduler q = new QueueScheduler(List.of(pool), List.of(), new BestFit(),
                    SiteChoicePolicy.liveDefault(), 0, order);
            q.submit(job("long", "A", 4, 9000), 0);
            q.submit(job("short", "A", 4, 100), 0);
            q.submit(job("mid", "A", 4, 500), 0);
            q.submit(JobSpec.builder("urgent-long", "A").devices(4).models("G").durationSeconds(20000)
                    .priority(PriorityClass.INFERENCE).build(), 0);
            StringBuilder started = new StringBuilder();
            long now = 0;
            for (int round = 0; round < 4; round++) {
                for (Decision d : q.schedule(now)) {
                    if (d instanceof Decision.Started s) {
                        started.append(s.job()).append(' ');
                        now += q.running().get(s.job()).spec().durationSeconds();
                        q.finish(s.job(), now);
                    }
                }
            }
            assertThat(started.toString().trim()).as(order.cliName()).isEqualTo(order == QueueOrder.SJF
                    ? "urgent-long short mid long" : "urgent-long long short mid");
        }
    }

    @Test
    void queueOrderComparesPriorityThenDurationForSjfThenSequence() {
        assertThat(QueueOrder.FIFO.compare(1, 900, 1, 1, 10, 2)).isNegative();
        assertThat(QueueOrder.SJF.compare(1, 900, 1, 1, 10, 2)).isPositive();
        assertThat(QueueOrder.SJF.compare(2, 900, 5, 1, 10, 2)).isNegative();
        assertThat(QueueOrder.SJF.compare(1, 10, 5, 1, 10, 2)).isPositive();
        assertThat(QueueOrder.byName(" SJF ")).isEqualTo(QueueOrder.SJF);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> QueueOrder.byName("lifo"))
                .hasMessage("queue order must be fifo or sjf, got 'lifo'");
    }
}
