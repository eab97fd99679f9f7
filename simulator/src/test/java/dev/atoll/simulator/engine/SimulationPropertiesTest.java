package dev.atoll.simulator.engine;

import dev.atoll.placement.PackingPolicy;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.WorkloadKind;
import dev.atoll.simulator.trace.TraceTask;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Random traces and failures on small sites, with every ledger invariant checked after every change. */
class SimulationPropertiesTest {
    static final List<SiteSpec> SITES = List.of(
            new SiteSpec(SiteId.of("x"), "r", List.of(PoolSpec.of("T4", 2, 4, 16), PoolSpec.of("H800", 1, 8, 80))),
            new SiteSpec(SiteId.of("y"), "r", List.of(PoolSpec.of("H800", 2, 8, 80))));

    @Provide
    Arbitrary<List<TraceTask>> traces() {
        Arbitrary<TraceTask> task = Combinators.combine(
                Arbitraries.longs().between(0, 200),
                Arbitraries.longs().between(1, 100),
                Arbitraries.of(1, 1, 2, 4, 8, 16, 40),
                Arbitraries.of(1000, 1000, 300, 700),
                Arbitraries.of("*", "T4", "H800", "A100", "T4|H800"),
                Arbitraries.of(PriorityClass.values())).as((at, dur, dev, milli, models, prio) ->
                new TraceTask("j", "t", at, dur, dev, dev == 1 ? milli : 1000, ModelSet.parse(models),
                        WorkloadKind.BATCH, prio, 0));
        return task.list().ofMinSize(1).ofMaxSize(60).map(l -> {
            List<TraceTask> out = new ArrayList<>();
            for (int i = 0; i < l.size(); i++) {
                TraceTask t = l.get(i);
                out.add(new TraceTask("j" + i, "t" + (i % 3), t.arrivalSeconds(), t.durationSeconds(), t.devices(),
                        t.gpuMilli(), t.models(), t.kind(), t.priority(), i + 2));
            }
            return out;
        });
    }

    @Provide
    Arbitrary<List<Failure>> failures() {
        Arbitrary<Failure> site = Combinators.combine(Arbitraries.of("x", "y"), Arbitraries.longs().between(0, 300),
                Arbitraries.longs().between(1, 100)).as(Failure.SiteDown::new);
        Arbitrary<Failure> node = Combinators.combine(Arbitraries.of("x", "y"), Arbitraries.integers().between(0, 1),
                Arbitraries.longs().between(0, 300), Arbitraries.longs().between(1, 100)).as(Failure.NodeDown::new);
        return Arbitraries.oneOf(site, node).list().ofMaxSize(4);
    }

    @Property(tries = 150)
    void everyJobEndsAndRunsForItsDuration(@ForAll("traces") List<TraceTask> tasks, @ForAll("failures") List<Failure> failures,
                                           @ForAll @IntRange(min = 0, max = 2) int policy) {
        SimConfig cfg = new SimConfig(PackingPolicy.byName(List.of("first-fit", "best-fit", "fgd").get(policy)),
                dev.atoll.placement.SiteChoicePolicy.byName(policy == 0 ? "lowest-price" : "default"), false, failures, true);
        SimResult r = new Simulation(SITES, cfg).run(tasks);
        assertThat(r.jobs()).hasSize(tasks.size());
        for (JobOutcome o : r.jobs()) {
            TraceTask t = o.task();
            // Largest single-model capacity at one site: T4 8 (x), H800 16 (y), A100 none.
            int cap = t.models().isAny() || t.models().accepts(dev.atoll.protocol.AcceleratorModel.of("H800")) ? 16
                    : t.models().accepts(dev.atoll.protocol.AcceleratorModel.of("T4")) ? 8 : 0;
            boolean tooBig = t.devices() > cap;
            if (tooBig) {
                assertThat(o.state()).as(t.id()).isEqualTo(JobOutcome.State.NEVER_RAN);
                assertThat(o.reason()).startsWith("no site can ever run it");
                assertThat(o.attempts()).isZero();
            } else {
                // All failures recover, so everything that can fit somewhere completes.
                assertThat(o.state()).as(t.id()).isEqualTo(JobOutcome.State.COMPLETED);
                assertThat(o.startSeconds()).isGreaterThanOrEqualTo(t.arrivalSeconds());
                assertThat(o.endSeconds() - o.startSeconds()).isEqualTo(t.durationSeconds());
                assertThat(o.gpuSeconds()).isGreaterThanOrEqualTo(t.deviceEquivalents() * t.durationSeconds() - 1e-9);
                if (failures.isEmpty()) {
                    assertThat(o.attempts()).isEqualTo(1);
                }
            }
        }
        for (StepSeries u : r.utilization()) {
            for (int i = 0; i < u.size(); i++) {
                assertThat(u.value(i)).isBetween(0.0, 1.0);
            }
        }
        // Deterministic.
        assertThat(new Simulation(SITES, cfg).run(tasks).jobs()).isEqualTo(r.jobs());
    }
}
