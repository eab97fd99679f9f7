package dev.atoll.simulator.trace;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.simulator.DataFiles;
import dev.atoll.simulator.topology.FleetNode;
import dev.atoll.simulator.topology.FleetSplitter;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Reads the real traces in ../shared/data and checks counts published in its README. */
class RealTraceFilesTest {
    @Test
    void openbDefaultPodList() {
        TraceReadResult r = OpenbTraceReader.readPods(DataFiles.require("alibaba-gpu-v2023/openb_pod_list_default.csv"));
        assertThat(r.rowCount()).isEqualTo(8152);
        assertThat(r.skipped("cpu-only")).isEqualTo(1088);
        // openb-pod-7285 (a Pending pod) has deletion_time == creation_time.
        assertThat(r.problems()).containsExactly(new RowProblem(7287, "deletion_time", "12774042", "zero-duration"));
        assertThat(r.tasks()).hasSize(8152 - 1088 - 1);
        assertThat(r.tasks().stream().filter(t -> t.gpuMilli() < 1000).count()).isEqualTo(3078 - 1); // 3,078 fractional rows, one of them the zero-duration pod
    }

    @Test
    void openbGpuNodesAndSplit() {
        List<FleetNode> nodes = OpenbTraceReader.readNodes(DataFiles.require("alibaba-gpu-v2023/openb_node_list_gpu_node.csv"));
        assertThat(nodes).hasSize(1213);
        assertThat(nodes.stream().mapToInt(FleetNode::devices).sum()).isEqualTo(6212);
        assertThat(nodes.stream().filter(n -> n.model().equals(AcceleratorModel.of("G2")))
                .mapToInt(FleetNode::devices).sum()).isEqualTo(4392);
        List<SiteSpec> sites = FleetSplitter.split(nodes, List.of("a", "b", "c"));
        assertThat(sites.stream().mapToInt(SiteSpec::deviceCount).sum()).isEqualTo(6212);
        assertThat(sites.stream().mapToInt(SiteSpec::nodeCount).sum()).isEqualTo(1213);
        // G2: 549 nodes of 8 -> 183 each
        for (SiteSpec s : sites) {
            assertThat(s.pools().stream().filter(p -> p.model().name().equals("G2"))
                    .mapToInt(p -> p.capacity()).sum()).isEqualTo(183 * 8);
        }
    }

    @Test
    void spotFleet() {
        List<FleetNode> nodes = SpotFleetReader.readNodes(DataFiles.require("alibaba-spot-gpu-v2026/node_info_df.csv"));
        assertThat(nodes).hasSize(4278);
        assertThat(nodes.stream().mapToInt(FleetNode::devices).sum()).isEqualTo(3456 + 176 + 2494 + 1558 + 1752 + 976);
        assertThat(nodes.stream().map(FleetNode::model).distinct().count()).isEqualTo(6);
    }
}
