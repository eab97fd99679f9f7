package dev.atoll.simulator.engine;

import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.simulator.DataFiles;
import dev.atoll.simulator.metrics.SimSummary;
import dev.atoll.simulator.trace.PhillyTraceReader;
import dev.atoll.simulator.trace.SyntheticTrace;
import dev.atoll.simulator.trace.TraceTask;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Streaming a trace gives the same outcomes and summary as the list run, holding only live jobs. */
class StreamingRunTest {
    private static List<SiteSpec> sites() {
        return List.of(new SiteSpec(SiteId.of("a"), "r1", List.of(PoolSpec.of("H800", 12, 8, 80))),
                new SiteSpec(SiteId.of("b"), "r2", List.of(PoolSpec.of("H800", 20, 8, 80))));
    }

    @Test
    void streamingEqualsTheListRunAndHoldsOnlyLiveJobs() {
        SyntheticTrace fitted = SyntheticTrace.fit(PhillyTraceReader.read(DataFiles.require("philly/philly.csv")))
                .scaledToLoad(1.5, 256);
        List<TraceTask> tasks = fitted.generate(3000, 11).toList();
        SimConfig cfg = SimConfig.of("best-fit").withQueue(QueueDiscipline.SJF);
        SimResult listRun = new Simulation(sites(), cfg).run(tasks);
        List<JobOutcome> streamed = new ArrayList<>();
        SimSummary.Accumulator acc = new SimSummary.Accumulator();
        Simulation s = new Simulation(sites(), cfg);
        SimResult r = s.run(tasks.iterator(), o -> {
            streamed.add(o);
            acc.accept(o);
        });
        assertThat(r.jobs()).isEmpty();
        assertThat(streamed).hasSize(3000);
        streamed.sort(Comparator.comparing(o -> Integer.parseInt(o.task().id().substring(4))));
        assertThat(streamed).isEqualTo(listRun.jobs());
        SimSummary a = acc.summary(r);
        SimSummary b = SimSummary.of(listRun);
        assertThat(a.jct()).isEqualTo(b.jct());
        assertThat(a.queueingDelay()).isEqualTo(b.queueingDelay());
        assertThat(a.sites()).isEqualTo(b.sites());
        assertThat(a.makespanSeconds()).isEqualTo(b.makespanSeconds());
        assertThat(a.queueingDelay().mean()).isPositive();
        // GPU-hours are summed in completion order here, in task order there: equal up to rounding.
        assertThat(a.gpuHoursByTenant().keySet()).isEqualTo(b.gpuHoursByTenant().keySet());
        a.gpuHoursByTenant().forEach((t, h) -> assertThat(h).isCloseTo(b.gpuHoursByTenant().get(t),
                org.assertj.core.api.Assertions.within(1e-6)));
        assertThat(s.jobsSeen()).isEqualTo(3000);
        assertThat(s.jobsHeld()).isZero();
        assertThat(s.peakJobsHeld()).isBetween(10L, 2999L);
    }

    @Test
    void streamingRejectsArrivalsOutOfOrder() {
        SyntheticTrace fitted = SyntheticTrace.fit(PhillyTraceReader.read(DataFiles.require("philly/philly.csv")));
        List<TraceTask> tasks = new ArrayList<>(fitted.generate(50, 1).toList());
        java.util.Collections.reverse(tasks);
        assertThatThrownBy(() -> new Simulation(sites(), SimConfig.of("first-fit")).run(tasks.iterator(), o -> { }))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("arrival order")
                .hasMessageContaining(tasks.get(1).id());
    }
}
