package dev.atoll.simulator.trace;

import dev.atoll.simulator.topology.FleetNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FleetFileTest {
    @TempDir
    Path dir;

    @Test
    void detectsFormatByHeader() throws Exception {
        Path openb = Files.writeString(dir.resolve("a.csv"), "sn,cpu_milli,memory_mib,gpu,model\nn0,1000,1024,2,P100\n");
        Path spot = Files.writeString(dir.resolve("b.csv"), "gpu_model,gpu_capacity_num,cpu_num,node_name\nH800,8,96,7\n");
        Path other = Files.writeString(dir.resolve("c.csv"), "host,gpus\nx,1\n");
        assertThat(FleetFile.read(openb)).extracting(FleetNode::name).containsExactly("n0");
        assertThat(FleetFile.read(spot)).extracting(FleetNode::name).containsExactly("spot-7");
        assertThatThrownBy(() -> FleetFile.read(other)).hasMessageContaining("[host, gpus]").hasMessageContaining("sn");
    }
}
