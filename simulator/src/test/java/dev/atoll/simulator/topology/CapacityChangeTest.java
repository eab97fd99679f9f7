package dev.atoll.simulator.topology;

import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteSpec;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CapacityChangeTest {
    @Test
    void addsAPoolAfterTheExistingOnes() {
        List<SiteSpec> sites = FleetSplitter.split(List.of(FleetNode.of("n0", "T4", 4), FleetNode.of("n1", "T4", 4)),
                List.of("a", "b"));
        CapacityChange c = CapacityChange.parse("b:H800:64x8");
        assertThat(c.nodes() * c.devicesPerNode()).isEqualTo(512);
        List<SiteSpec> after = c.applyTo(sites);
        assertThat(after.get(0)).isEqualTo(sites.get(0));
        assertThat(after.get(1).pools()).containsExactly(PoolSpec.of("T4", 1, 4, 16), PoolSpec.of("H800", 64, 8, 80));
        assertThat(after.get(1).deviceCount()).isEqualTo(516);
    }

    @Test
    void badTextIsNamed() {
        assertThatThrownBy(() -> CapacityChange.parse("b:H800:64")).hasMessageContaining("'b:H800:64'");
        assertThatThrownBy(() -> CapacityChange.parse("b:H800:1x65")).hasMessageContaining("devicesPerNode");
        assertThatThrownBy(() -> CapacityChange.parse("b:H 800:1x8")).hasMessageContaining("accelerator model");
    }
}
