package dev.atoll.simulator.engine;

import dev.atoll.protocol.SiteSpec;
import dev.atoll.simulator.DataFiles;
import dev.atoll.simulator.metrics.SimSummary;
import dev.atoll.simulator.topology.FleetNode;
import dev.atoll.simulator.topology.FleetSplitter;
import dev.atoll.simulator.trace.OpenbTraceReader;
import dev.atoll.simulator.trace.TraceReadResult;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The openb trace on the openb fleet, through the placement module. */
class RealTraceSimulationTest {
    @Test
    void openbOnItsOwnFleetRunsEveryTaskWithoutWaiting() {
        TraceReadResult trace = OpenbTraceReader.readPods(DataFiles.require("alibaba-gpu-v2023/openb_pod_list_default.csv"));
        List<FleetNode> fleet = OpenbTraceReader.readNodes(DataFiles.require("alibaba-gpu-v2023/openb_node_list_gpu_node.csv"));
        List<SiteSpec> sites = FleetSplitter.split(fleet, List.of("a", "b", "c"));
        SimResult r = new Simulation(sites, SimConfig.of("best-fit")).run(trace.tasks());
        SimSummary s = SimSummary.of(r);
        assertThat(s.jobs()).isEqualTo(7063);
        // The real cluster ran this load, so a third of it per site absorbs it.
        assertThat(s.completed()).isEqualTo(7063);
        assertThat(s.queueingDelay().max()).isZero();
        assertThat(s.makespanSeconds()).isEqualTo(12_902_960);
        assertThat(s.sites()).extracting(SimSummary.SiteFigures::devices).containsExactly(2087, 2058, 2067);
    }

    @Test
    void openbOnATenthOfItsFleetQueuesAndKeepsInvariants() {
        TraceReadResult trace = OpenbTraceReader.readPods(DataFiles.require("alibaba-gpu-v2023/openb_pod_list_default.csv"));
        List<FleetNode> fleet = OpenbTraceReader.readNodes(DataFiles.require("alibaba-gpu-v2023/openb_node_list_gpu_node.csv"));
        List<SiteSpec> sites = FleetSplitter.split(fleet, List.of("a", "b", "c", "d", "e", "f", "g", "h", "i", "j"))
                .subList(0, 2);
        List<dev.atoll.simulator.trace.TraceTask> first = trace.tasks().subList(0, 1500);
        SimResult r = new Simulation(sites, SimConfig.of("first-fit").withInvariantChecks(true)
                .withFailures(List.of(new Failure.SiteDown("a", 500_000, 86_400), new Failure.NodeDown("b", 3, 600_000, 3600))))
                .run(first);
        SimSummary s = SimSummary.of(r);
        assertThat(s.jobs()).isEqualTo(1500);
        assertThat(s.completed() + s.neverRan()).isEqualTo(1500);
        assertThat(s.neverRanByReason()).doesNotContainKey("still-waiting");
        assertThat(s.queueingDelay().max()).isPositive();
        assertThat(s.restarts()).isPositive();
        for (JobOutcome o : r.jobs()) {
            if (o.state() == JobOutcome.State.COMPLETED) {
                assertThat(o.endSeconds() - o.startSeconds()).isEqualTo(o.task().durationSeconds());
            }
        }
    }
}
