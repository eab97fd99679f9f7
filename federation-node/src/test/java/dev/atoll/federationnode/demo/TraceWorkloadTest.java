package dev.atoll.federationnode.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TraceWorkloadTest {
    @TempDir
    Path dir;

    private Path nodes() throws Exception {
        return Files.writeString(dir.resolve("nodes.csv"), """
                sn,cpu_milli,memory_mib,gpu,model
                n0,64000,262144,8,V100M16
                n1,64000,262144,8,V100M16
                n2,64000,262144,8,V100M16
                n3,32000,131072,1,T4
                n4,32000,131072,1,T4
                n5,32000,131072,1,T4
                n6,32000,131072,0,
                """);
    }

    private Path pods() throws Exception {
        return Files.writeString(dir.resolve("pods.csv"), """
                name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time
                p0,1000,1024,1,1000,,LS,Running,100,400,100
                p1,1000,1024,0,0,,BE,Running,120,500,120
                p2,1000,1024,1,460,,BE,Running,150,160,150
                p3,1000,1024,8,1000,V100M16|V100M32,Burstable,Running,90,190,90
                p4,1000,1024,2,1000,,LS,Running,200,200,200
                """);
    }

    @Test
    void splitsTheFleetAndConvertsTasks() throws Exception {
        Workload w = TraceWorkload.load(nodes(), pods(), List.of("site-a", "site-b", "site-c"));
        assertThat(w.sites()).extracting(s -> s.deviceCount()).containsExactly(9, 9, 9);
        assertThat(w.tasks()).extracting(DemoTask::id).containsExactly("p3", "p0", "p2");
        DemoTask p3 = w.tasks().get(0);
        assertThat(p3.arrivalSeconds()).isEqualTo(90);
        assertThat(p3.durationSeconds()).isEqualTo(100);
        assertThat(p3.devices()).isEqualTo(8);
        assertThat(p3.models().toString()).isEqualTo("V100M16|V100M32");
        assertThat(w.cpuOnlySkipped()).isEqualTo(1);
        assertThat(w.fractionalRounded()).isEqualTo(1);
        assertThat(w.otherSkipped()).containsEntry("zero-duration", 1);
        assertThat(w.tasks().get(2).toJson().get("gpuMilli").asInt()).isEqualTo(1000);
        assertThat(w.tasks().get(2).toJson().get("devices").asInt()).isEqualTo(1);
        assertThat(w.tasks().get(1).toJson().has("models")).isFalse();
        assertThat(w.arrivalSpanSeconds()).isEqualTo(60);
    }

    @Test
    void missingFilesNameTheOption() throws Exception {
        Path pods = pods();
        assertThatThrownBy(() -> TraceWorkload.load(dir.resolve("x.csv"), pods, List.of("site-a")))
                .hasMessage("--nodes: file not found: " + dir.resolve("x.csv"));
        Path nodes = nodes();
        assertThatThrownBy(() -> TraceWorkload.load(nodes, Path.of("y.csv"), List.of("site-a")))
                .hasMessage("--trace: file not found: y.csv");
    }
}
