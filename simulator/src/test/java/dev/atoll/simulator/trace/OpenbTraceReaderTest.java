package dev.atoll.simulator.trace;

import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.WorkloadKind;
import dev.atoll.simulator.topology.FleetNode;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OpenbTraceReaderTest {
    private static final String HEADER =
            "name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,creation_time,deletion_time,scheduled_time\n";

    @Test
    void readsTasksAndMapsQosModelsAndTimes() {
        TraceReadResult r = OpenbTraceReader.readPods(HEADER
                + "p0,12000,16384,1,460,,LS,Running,100,400,100\n"           // line 2
                + "p1,6000,12288,2,1000,V100M16|V100M32,BE,Failed,50,60,50\n" // line 3
                + "p2,6000,12288,0,0,,LS,Running,0,10,0\n"                     // line 4: cpu-only
                + "p3,6000,12288,8,1000,nan,Guaranteed,Running,7,8,7\n"       // line 5
                + "p4,6000,12288,1,1000,G2,Burstable,Pending,9,19,\n");       // line 6
        assertThat(r.rowCount()).isEqualTo(5);
        assertThat(r.problems()).isEmpty();
        assertThat(r.skippedByReason()).containsExactly(java.util.Map.entry("cpu-only", 1));
        assertThat(r.tasks()).extracting(TraceTask::id).containsExactly("p3", "p4", "p1", "p0");
        TraceTask p0 = r.tasks().get(3);
        assertThat(p0).isEqualTo(new TraceTask("p0", "qos-ls", 100, 300, 1, 460, ModelSet.ANY,
                WorkloadKind.INFERENCE, PriorityClass.PRODUCTION, 2));
        TraceTask p1 = r.tasks().get(2);
        assertThat(p1.models()).isEqualTo(ModelSet.of("V100M16", "V100M32"));
        assertThat(p1.priority()).isEqualTo(PriorityClass.BEST_EFFORT);
        assertThat(p1.tenant()).isEqualTo("qos-be");
        assertThat(p1.durationSeconds()).isEqualTo(10);
        assertThat(r.tasks().get(0).devices()).isEqualTo(8);
        assertThat(r.tasks().get(0).priority()).isEqualTo(PriorityClass.PRODUCTION);
        assertThat(r.tasks().get(1).priority()).isEqualTo(PriorityClass.PRODUCTION);
    }

    @Test
    void reportsRowsThatMakeNoSenseWithLineNumbers() {
        TraceReadResult r = OpenbTraceReader.readPods(HEADER
                + "a,1,1,1,1000,,LS,Running,10,5,10\n"      // 2 end before start
                + "b,1,1,1,1000,,LS,Running,10,10,10\n"     // 3 zero duration
                + "c,1,1,-1,1000,,LS,Running,10,20,10\n"    // 4 negative count
                + "d,1,1,1,1000,,XX,Running,10,20,10\n"     // 5 unknown qos
                + "e,1,1,2,500,,LS,Running,10,20,10\n"      // 6 fractional multi-gpu
                + "f,1,1,1,1000,,LS,Running,abc,20,10\n"    // 7 not a number
                + "g,1,1,1,1000,,LS,Running,,20,10\n"       // 8 missing
                + "h,1,1,1,1000,,LS,Running,1,2,1\n");      // 9 fine
        assertThat(r.tasks()).extracting(TraceTask::id).containsExactly("h");
        assertThat(r.problems()).containsExactly(
                new RowProblem(2, "deletion_time", "5", "end-before-start"),
                new RowProblem(3, "deletion_time", "10", "zero-duration"),
                new RowProblem(4, "num_gpu", "-1", "negative-count"),
                new RowProblem(5, "qos", "XX", "unknown-qos"),
                new RowProblem(6, "gpu_milli", "500", "bad-gpu-milli"),
                new RowProblem(7, "creation_time", "abc", "not-a-number"),
                new RowProblem(8, "creation_time", "", "missing-value"));
        assertThat(r.rowCount()).isEqualTo(8);
        assertThat(r.skipped("negative-count")).isEqualTo(1);
    }

    @Test
    void missingColumnNamesIt() {
        assertThatThrownBy(() -> OpenbTraceReader.readPods("name,cpu_milli,memory_mib,num_gpu,gpu_milli\np,1,1,1,1000\n"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("gpu_spec").hasMessageContaining("creation_time");
    }

    @Test
    void toJobSpecCarriesFieldsAndRoundsUpForWholeNodes() {
        TraceTask t = new TraceTask("j1", "t1", 5, 60, 1, 250, ModelSet.of("T4"), WorkloadKind.BATCH,
                PriorityClass.BEST_EFFORT, 3);
        JobSpec s = t.toJobSpec(false);
        assertThat(s.id().value()).isEqualTo("j1");
        assertThat(s.tenant().value()).isEqualTo("t1");
        assertThat(s.gpuMilli()).isEqualTo(250);
        assertThat(s.durationSeconds()).isEqualTo(60);
        assertThat(s.preemptible()).isTrue();
        assertThat(s.wholeNodes()).isFalse();
        JobSpec w = t.toJobSpec(true);
        assertThat(w.gpuMilli()).isEqualTo(1000);
        assertThat(w.wholeNodes()).isTrue();
        assertThat(t.toJobSpec(false).models()).isEqualTo(ModelSet.of("T4"));
    }

    @Test
    void traceTaskRejectsBadValuesNamingTheField() {
        assertThatThrownBy(() -> new TraceTask("j", "t", 0, 0, 1, 1000, ModelSet.ANY, WorkloadKind.BATCH,
                PriorityClass.PRODUCTION, 1)).hasMessageContaining("durationSeconds").hasMessageContaining("0");
        assertThatThrownBy(() -> new TraceTask("j", "t", 0, 5, 2, 500, ModelSet.ANY, WorkloadKind.BATCH,
                PriorityClass.PRODUCTION, 1)).hasMessageContaining("gpuMilli");
    }

    @Test
    void readsNodes() {
        List<FleetNode> nodes = OpenbTraceReader.readNodes(new StringReader("sn,cpu_milli,memory_mib,gpu,model\n"
                + "n0,64000,262144,2,P100\nn1,96000,786432,8,G2\nn2,32000,1000,0,\n"), "<inline>");
        assertThat(nodes).containsExactly(
                new FleetNode("n0", dev.atoll.protocol.AcceleratorModel.of("P100"), 2, 64000, 262144),
                new FleetNode("n1", dev.atoll.protocol.AcceleratorModel.of("G2"), 8, 96000, 786432),
                new FleetNode("n2", null, 0, 32000, 1000));
        assertThatThrownBy(() -> OpenbTraceReader.readNodes(new StringReader("sn,cpu_milli,memory_mib,gpu,model\n"
                + "n0,64000,262144,-2,P100\n"), "f.csv"))
                .hasMessage("f.csv line 2: gpu='-2': negative-count");
    }

    @Test
    void readsSpotNodes() {
        List<FleetNode> nodes = SpotFleetReader.readNodes(new StringReader(
                "gpu_model,gpu_capacity_num,cpu_num,node_name\nH800,8,192,0\nA10,1,128,1\n"), "<inline>");
        assertThat(nodes).extracting(FleetNode::name, FleetNode::devices, FleetNode::cpuMilli)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("spot-0", 8, 192000),
                        org.assertj.core.groups.Tuple.tuple("spot-1", 1, 128000));
    }
}
