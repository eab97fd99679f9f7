package dev.atoll.simulator.topology;

import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FleetSplitterTest {
    @Test
    void dealsEachModelRoundRobinAndGroupsPools() {
        List<FleetNode> nodes = List.of(
                FleetNode.of("a0", "T4", 1),    // T4 #0 -> x
                FleetNode.of("b0", "H800", 8),  // H800 #0 -> x
                FleetNode.of("a1", "T4", 2),    // T4 #1 -> y
                FleetNode.of("a2", "T4", 1),    // T4 #2 -> x
                new FleetNode("cpu", null, 0, 1000, 0), // skipped
                FleetNode.of("b1", "H800", 8),  // H800 #1 -> y
                FleetNode.of("b2", "H800", 4),  // H800 #2 -> x
                FleetNode.of("a3", "T4", 1));   // T4 #3 -> y
        List<SiteFleet> sites = FleetSplitter.assign(nodes, List.of("x", "y"), "cn-east");
        SiteSpec x = sites.get(0).spec();
        SiteSpec y = sites.get(1).spec();
        assertThat(x.region()).isEqualTo("cn-east");
        assertThat(x.pools()).containsExactly(
                new PoolSpec(dev.atoll.protocol.AcceleratorModel.of("H800"), 1, 4, 80, 1.0, 1.0),
                new PoolSpec(dev.atoll.protocol.AcceleratorModel.of("H800"), 1, 8, 80, 1.0, 1.0),
                new PoolSpec(dev.atoll.protocol.AcceleratorModel.of("T4"), 2, 1, 16, 1.0, 1.0));
        assertThat(sites.get(0).nodes()).extracting(FleetNode::name).containsExactly("b2", "b0", "a0", "a2");
        assertThat(y.pools()).containsExactly(
                PoolSpec.of("H800", 1, 8, 80),
                PoolSpec.of("T4", 1, 1, 16),
                PoolSpec.of("T4", 1, 2, 16));
        assertThat(sites.get(1).nodes()).extracting(FleetNode::name).containsExactly("b1", "a3", "a1");
        assertThat(x.deviceCount() + y.deviceCount()).isEqualTo(1 + 8 + 2 + 1 + 8 + 4 + 1);
    }

    @Test
    void unknownModelHasZeroMemoryAndDefaultRegion() {
        List<SiteSpec> s = FleetSplitter.split(List.of(FleetNode.of("n", "G2", 8)), List.of("only"));
        assertThat(s.get(0).pools()).containsExactly(PoolSpec.of("G2", 1, 8, 0));
        assertThat(s.get(0).region()).isEqualTo("default");
    }

    @Test
    void rejectsBadSiteLists() {
        List<FleetNode> one = List.of(FleetNode.of("n", "T4", 1));
        assertThatThrownBy(() -> FleetSplitter.split(one, List.of("a", "b")))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("'b'");
        assertThatThrownBy(() -> FleetSplitter.split(one, List.of("a", "a"))).hasMessageContaining("duplicate");
        assertThatThrownBy(() -> FleetSplitter.split(one, List.of())).hasMessageContaining("siteIds");
        assertThat(FleetSplitter.defaultSiteIds(3)).containsExactly("site-a", "site-b", "site-c");
    }
}
