package dev.atoll.simulator.trace;

import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.WorkloadKind;
import dev.atoll.simulator.DataFiles;
import org.junit.jupiter.api.Test;

import java.time.ZoneId;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class OtherReadersTest {
    static final ZoneId LA = ZoneId.of("America/Los_Angeles");

    @Test
    void phillyRebasesToEarliestSubmitAndReportsBadRows() {
        TraceReadResult r = PhillyTraceReader.read("timestamp,duration,num_gpus,gpu_time,cluster\n"
                + "2017-10-09 07:01:55,66.0,1,66.0,11cb48\n"      // 2
                + "2017-10-09 06:01:55,2951.5,4,11806.0,6214e9\n" // 3: earliest
                + "2017-03-12 02:30:00,10.0,1,10.0,6214e9\n"      // 4: DST gap in Los Angeles
                + "2017-10-09 07:01:55,0.0,1,0.0,6214e9\n"        // 5: zero duration
                + "2017-10-09 07:01:55,5.0,-2,0.0,6214e9\n"       // 6: negative gpus
                + "2017-10-09 07:01:55,5.0,1,5.0,\n"              // 7: empty cluster
                + "2017-11-05 01:30:00,5.0,1,5.0,abc\n"           // 8: overlap hour, earlier offset (PDT)
                + "09/10/2017 07:01,5.0,1,5.0,abc\n", LA);        // 9: bad time
        assertThat(r.problems()).containsExactly(
                new RowProblem(4, "timestamp", "2017-03-12 02:30:00", "dst-gap"),
                new RowProblem(5, "duration", "0.0", "non-positive-duration"),
                new RowProblem(6, "num_gpus", "-2", "negative-count"),
                new RowProblem(7, "cluster", "", "missing-value"),
                new RowProblem(9, "timestamp", "09/10/2017 07:01", "bad-time"));
        assertThat(r.tasks()).hasSize(3);
        TraceTask first = r.tasks().get(0);
        assertThat(first).isEqualTo(new TraceTask("philly-3", "6214e9", 0, 2952, 4, 1000, ModelSet.ANY,
                WorkloadKind.TRAINING, PriorityClass.PRODUCTION, 3));
        assertThat(r.tasks().get(1).arrivalSeconds()).isEqualTo(3600);
        // 2017-11-05 01:30 PDT (UTC-7) is 26 days 19:28:05 after 2017-10-09 06:01:55 PDT
        assertThat(r.tasks().get(2).arrivalSeconds()).isEqualTo(26 * 86400 + 19 * 3600 + 28 * 60 + 5);
        // Same rows in UTC: the March time exists.
        assertThat(PhillyTraceReader.read("timestamp,duration,num_gpus,gpu_time,cluster\n"
                + "2017-03-12 02:30:00,10.0,1,10.0,x\n", ZoneId.of("UTC")).problems()).isEmpty();
    }

    @Test
    void heliosReportsNeverStartedAndEndBeforeStart() {
        String h = "job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue\n";
        TraceReadResult r = HeliosTraceReader.read(h
                + "101,u1,vcA,8,32,1,COMPLETED,2020-04-01 00:00:00,2020-04-01 00:00:10,2020-04-01 01:00:10,3600,10\n" // 2
                + "102,u1,vcA,0,4,1,COMPLETED,2020-04-01 00:00:05,2020-04-01 00:00:10,2020-04-01 00:10:10,600,5\n"   // 3 cpu
                + "103,u2,vcB,1,4,1,CANCELLED,2020-04-01 00:01:00,,,0,0\n"                                          // 4
                + "104,u2,vcB,2,4,1,FAILED,2020-04-01 00:02:00,2020-04-01 00:05:00,2020-04-01 00:04:00,0,0\n"     // 5
                + "105,u2,vcB,-1,4,1,FAILED,2020-04-01 00:02:00,2020-04-01 00:05:00,2020-04-01 00:06:00,60,0\n"   // 6
                + "106,u2,vcB,2,4,1,TIMEOUT,2020-04-01 00:03:00,2020-04-01 00:03:00,2020-04-01 00:03:30,30,0\n", // 7
                ZoneId.of("Asia/Shanghai"));
        assertThat(r.problems()).containsExactly(
                new RowProblem(4, "start_time", "", "never-started"),
                new RowProblem(5, "end_time", "2020-04-01 00:04:00", "end-before-start"),
                new RowProblem(6, "gpu_num", "-1", "negative-count"));
        assertThat(r.skipped("cpu-only")).isEqualTo(1);
        assertThat(r.tasks()).extracting(TraceTask::id, TraceTask::arrivalSeconds, TraceTask::durationSeconds,
                        TraceTask::devices, TraceTask::tenant)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("helios-101", 0L, 3600L, 8, "vcA"),
                        org.assertj.core.groups.Tuple.tuple("helios-106", 180L, 30L, 2, "vcB"));
        assertThat(r.rowCount()).isEqualTo(6);
    }

    @Test
    void alibaba2025FillsMissingTimesFromTraceBounds() {
        String h = "instance_sn,role,app_name,cpu_request,cpu_limit,gpu_request,gpu_limit,rdma_request,rdma_limit,"
                + "memory_request,memory_limit,disk_request,disk_limit,max_instance_per_node,creation_time,scheduled_time,deletion_time\n";
        TraceReadResult r = Alibaba2025TraceReader.read(h
                + "i0,HN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,8,,,\n"                        // 2: whole trace
                + "i1,CN,app_1,64,64,0,0,1,1,320.0,320.0,544.0,640.0,-1,475.00000000000006,623.0,\n"  // 3: cpu
                + "i2,HN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,8,100.0,120.0,1000.0\n"        // 4
                + "i3,HN,app_0,12,12,1,1,25,25,120.0,120.0,640.0,800.0,8,500,,400\n"                  // 5: bad
                + "i4,HN,app_2,12,12,-1,1,25,25,120.0,120.0,640.0,800.0,8,500,,600\n");               // 6: negative
        assertThat(r.skipped("cpu-only")).isEqualTo(1);
        assertThat(r.problems()).containsExactly(
                new RowProblem(5, "deletion_time", "400", "end-before-start"),
                new RowProblem(6, "gpu_request", "-1", "negative-count"));
        assertThat(r.tasks()).extracting(TraceTask::id, TraceTask::arrivalSeconds, TraceTask::durationSeconds)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("i0", 0L, 1000L),
                        org.assertj.core.groups.Tuple.tuple("i2", 100L, 900L));
        assertThat(r.tasks().get(0).priority()).isEqualTo(PriorityClass.INFERENCE);
        assertThat(r.tasks().get(0).tenant()).isEqualTo("app_0");
    }

    @Test
    void genericFormatWithOptionalColumns() {
        TraceReadResult r = GenericTraceReader.read("id,tenant,arrival_seconds,duration_seconds,devices,models,gpu_milli,kind,priority\n"
                + "a,t1,0,60,8,H800|A100-80GB,,training,production\n"
                + "b,t2,5,30,1,,250,inference,inference\n"
                + "c,t2,-5,30,1,,,,\n"
                + "d,t2,5,0,1,,,,\n"
                + "e,t2,5,3,0,,,,\n"
                + "f,t2,5,3,1,,,cooking,\n"
                + "g,t 2,5,3,1,,,,\n");
        assertThat(r.tasks()).containsExactly(
                new TraceTask("a", "t1", 0, 60, 8, 1000, ModelSet.of("A100-80GB", "H800"), WorkloadKind.TRAINING,
                        PriorityClass.PRODUCTION, 2),
                new TraceTask("b", "t2", 5, 30, 1, 250, ModelSet.ANY, WorkloadKind.INFERENCE, PriorityClass.INFERENCE, 3));
        assertThat(r.problems()).containsExactly(
                new RowProblem(4, "arrival_seconds", "-5", "negative-count"),
                new RowProblem(5, "duration_seconds", "0", "non-positive-duration"),
                new RowProblem(6, "devices", "0", "zero-devices"),
                new RowProblem(7, "kind", "cooking", "bad-value"),
                new RowProblem(8, "tenant", "t 2", "bad-value"));
        assertThatThrownBy(() -> GenericTraceReader.read("id,tenant\n")).hasMessageContaining("arrival_seconds");
        assertThat(TraceFormat.byName("Philly")).isEqualTo(TraceFormat.PHILLY);
        assertThatThrownBy(() -> TraceFormat.byName("slurm")).hasMessageContaining("'slurm'").hasMessageContaining("helios");
    }

    @Test
    void realPhillyTrace() {
        TraceReadResult r = PhillyTraceReader.read(DataFiles.require("philly/philly.csv"));
        assertThat(r.rowCount()).isEqualTo(82_247);
        assertThat(r.problems()).isEmpty();
        assertThat(r.tasks()).hasSize(82_247);
        Map<String, Long> byVc = r.tasks().stream().collect(
                java.util.stream.Collectors.groupingBy(TraceTask::tenant, java.util.stream.Collectors.counting()));
        assertThat(byVc).hasSize(15).containsEntry("6214e9", 41_226L).containsEntry("11cb48", 16_091L)
                .containsEntry("6c71a0", 9_953L).containsEntry("b436b2", 7_423L);
        assertThat(r.tasks().get(0).arrivalSeconds()).isZero();
    }

    @Test
    void realAlibaba2025Trace() {
        TraceReadResult r = Alibaba2025TraceReader.read(DataFiles.require("alibaba-gpu-v2025/disaggregated_DLRM_trace.csv"));
        assertThat(r.rowCount()).isEqualTo(23_871);
        assertThat(r.skipped("cpu-only")).isEqualTo(16_485);
        // 15 GPU instances were deleted the second they were created.
        assertThat(r.problems()).hasSize(15).allMatch(p -> p.reason().equals("zero-duration"));
        assertThat(r.problems().get(0)).isEqualTo(new RowProblem(17765, "deletion_time", "1799786.0", "zero-duration"));
        assertThat(r.tasks()).hasSize(7_386 - 15);
        assertThat(r.tasks().stream().map(TraceTask::tenant).distinct().count()).isLessThanOrEqualTo(156);
    }
}
