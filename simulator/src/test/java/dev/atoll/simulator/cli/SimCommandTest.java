package dev.atoll.simulator.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class SimCommandTest {
    @TempDir
    Path dir;

    record Outcome(int code, String out, String err) {
    }

    private Outcome exec(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = new CommandLine(new SimCommand());
        cl.setOut(new PrintWriter(out));
        cl.setErr(new PrintWriter(err));
        int code = cl.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void runWritesSummaryJobsChartsAndReport() throws Exception {
        Path trace = dir.resolve("t.csv");
        Files.writeString(trace, "id,tenant,arrival_seconds,duration_seconds,devices,models\n"
                + "a,t1,0,100,4,T4\n"
                + "b,t1,0,50,4,T4\n"
                + "c,t2,10,10,8,*\n"
                + "d,t2,10,10,64,*\n"
                + "e,t2,-1,10,1,*\n");
        Path nodes = dir.resolve("n.csv");
        Files.writeString(nodes, "sn,cpu_milli,memory_mib,gpu,model\nn0,1,1,4,T4\nn1,1,1,4,T4\nn2,1,1,8,V100M32\n");
        Path out = dir.resolve("out");
        Outcome r = exec("run", "--trace", trace.toString(), "--trace-format", "generic", "--nodes", nodes.toString(),
                "--sites", "2", "--policy", "first-fit", "--out", out.toString());
        assertThat(r.err()).isEmpty();
        assertThat(r.code()).isZero();
        // Sites: site-a gets n0 (T4 #0) and n2 (V100M32 #0); site-b gets n1 (T4 #1).
        // a -> site-a n0 [0,100]; b -> site-b n1 [0,50]; c (8 any) -> site-a n2 [10,20]; d never fits; e bad row.
        assertThat(r.out()).contains("5 rows, 4 tasks").contains("line 6: arrival_seconds='-1': negative-count")
                .contains("jobs 4  completed 3  never ran 1 {never-fits=1}");
        for (String f : List.of("summary.json", "jobs.csv", "utilization.png", "queue.png", "fragmentation.png", "jct-cdf.png", "report.html")) {
            assertThat(out.resolve(f)).isNotEmptyFile();
        }
        JsonNode s = new ObjectMapper().readTree(out.resolve("summary.json").toFile()).get("summary");
        assertThat(s.get("completed").asInt()).isEqualTo(3);
        assertThat(s.get("makespanSeconds").asLong()).isEqualTo(100);
        assertThat(s.get("jct").get("max").asLong()).isEqualTo(100);
        assertThat(s.get("jct").get("p50").asLong()).isEqualTo(50);
        assertThat(s.get("gpuHoursByTenant").get("t1").asDouble()).isEqualTo((400 + 200) / 3600.0);
        assertThat(s.get("gpuHoursByTenant").get("t2").asDouble()).isEqualTo(80 / 3600.0);
        List<String> jobs = Files.readAllLines(out.resolve("jobs.csv"));
        assertThat(jobs).hasSize(5);
        assertThat(jobs.get(1)).startsWith("a,t1,0,100,4,1000,T4,production,completed,site-a,T4,0,100,100,0,1,");
        assertThat(jobs.get(3)).startsWith("c,t2,10,10,8,1000,*,production,completed,site-a,V100M32,10,20,10,0,1,");
        assertThat(jobs.get(4)).contains("never_ran").contains("no site can ever run it");
        assertThat(Files.readString(out.resolve("report.html"))).contains("<img src=\"utilization.png\"");
    }

    @Test
    void badOptionValuesAreNamed() {
        Outcome r = exec("run", "--trace", "x.csv", "--trace-format", "slurm", "--nodes", "n.csv", "--out", dir.toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("trace format must be one of").contains("'slurm'");
        r = exec("run", "--trace", "x.csv", "--policy", "worst-fit", "--nodes", "n.csv", "--out", dir.toString());
        assertThat(r.err()).contains("packing policy must be one of").contains("'worst-fit'");
        assertThat(SimCommand.parseSiteFailure("site-b@3600+7200").downForSeconds()).isEqualTo(7200);
        r = exec("run", "--trace", "x.csv", "--fail-site", "b@soon", "--nodes", "n.csv", "--out", dir.toString());
        assertThat(r.err()).contains("--fail-site must be SITE@AT_SECONDS[+DOWN_SECONDS], got 'b@soon'");
        assertThat(exec().code()).isEqualTo(2);
    }

    @Test
    void sweepComparesPoliciesInParallelWithTheSameResultsAsSequential() throws Exception {
        Path trace = dir.resolve("t.csv");
        StringBuilder sb = new StringBuilder("id,tenant,arrival_seconds,duration_seconds,devices,gpu_milli\n");
        for (int i = 0; i < 200; i++) {
            int dev = new int[] {1, 1, 2, 4, 8}[i % 5];
            sb.append("j").append(i).append(",t").append(i % 3).append(',').append(i * 7).append(',')
                    .append(30 + (i * 37) % 500).append(',').append(dev).append(',').append(dev == 1 && i % 2 == 0 ? 300 : 1000).append('\n');
        }
        Files.writeString(trace, sb.toString());
        Path nodes = dir.resolve("n.csv");
        Files.writeString(nodes, "gpu_model,gpu_capacity_num,cpu_num,node_name\nH800,8,96,0\nH800,8,96,1\nA10,1,32,2\nA10,1,32,3\nH800,4,96,4\n");
        Path out1 = dir.resolve("s1");
        Path out2 = dir.resolve("s2");
        String[] common = {"--trace", trace.toString(), "--trace-format", "generic", "--nodes", nodes.toString(),
                "--sites", "1,2", "--policy", "first-fit,best-fit", "--site-policy", "default",
                "--site-policy", "earliest-start:2,lowest-price:1"};
        Outcome a = exec(concat(new String[] {"sweep", "--threads", "3", "--out", out1.toString()}, common));
        Outcome b = exec(concat(new String[] {"sweep", "--threads", "1", "--out", out2.toString()}, common));
        assertThat(a.err()).isEmpty();
        assertThat(a.code()).isZero();
        assertThat(a.out()).contains("8 simulations on 3 threads");
        List<String> rows1 = Files.readAllLines(out1.resolve("sweep.csv"));
        List<String> rows2 = Files.readAllLines(out2.resolve("sweep.csv"));
        assertThat(rows1).hasSize(9);
        assertThat(rows1.get(1)).startsWith("base,1,first-fit,default,200,200,0,");
        assertThat(rows1.get(2)).startsWith("base,1,first-fit,\"earliest-start:2,lowest-price:1\",200,200,0,");
        // Everything but the wall-clock column is identical whatever the thread count.
        for (int i = 0; i < rows1.size(); i++) {
            assertThat(rows1.get(i).substring(0, rows1.get(i).lastIndexOf(',')))
                    .isEqualTo(rows2.get(i).substring(0, rows2.get(i).lastIndexOf(',')));
        }
        assertThat(out1.resolve("sweep.json")).isNotEmptyFile();
    }

    @Test
    void addedCapacityIsUsed() throws Exception {
        Path trace = dir.resolve("t.csv");
        Files.writeString(trace, "id,tenant,arrival_seconds,duration_seconds,devices,models\nbig,t,0,10,16,H800\n");
        Path nodes = dir.resolve("n.csv");
        Files.writeString(nodes, "sn,cpu_milli,memory_mib,gpu,model\nn0,1,1,8,H800\nn1,1,1,8,H800\n");
        Outcome r = exec("run", "--trace", trace.toString(), "--trace-format", "generic", "--nodes", nodes.toString(),
                "--sites", "2", "--out", dir.resolve("o1").toString());
        assertThat(r.out()).contains("never ran 1 {never-fits=1}");
        r = exec("run", "--trace", trace.toString(), "--trace-format", "generic", "--nodes", nodes.toString(),
                "--sites", "2", "--add", "site-b:H800:1x8", "--out", dir.resolve("o2").toString());
        assertThat(r.out()).contains("completed 1  never ran 0");
        assertThat(Files.readAllLines(dir.resolve("o2/jobs.csv")).get(1)).contains(",site-b,H800,0,10,");
        r = exec("run", "--trace", trace.toString(), "--trace-format", "generic", "--nodes", nodes.toString(),
                "--add", "site-z:H800:1x8", "--out", dir.resolve("o3").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("unknown site 'site-z'");
        r = exec("run", "--trace", dir.resolve("missing.csv").toString(), "--nodes", nodes.toString(),
                "--out", dir.resolve("o4").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("missing.csv");
    }

    @Test
    void sweepOverCapacityVariants() throws Exception {
        Path trace = dir.resolve("t.csv");
        Files.writeString(trace, "id,tenant,arrival_seconds,duration_seconds,devices\n"
                + "a,t,0,100,8\nb,t,0,100,8\nc,t,0,100,8\n");
        Path nodes = dir.resolve("n.csv");
        Files.writeString(nodes, "sn,cpu_milli,memory_mib,gpu,model\nn0,1,1,8,H800\n");
        Outcome r = exec("sweep", "--trace", trace.toString(), "--trace-format", "generic", "--nodes", nodes.toString(),
                "--sites", "1", "--variant", "base=", "--variant", "plus16=site-a:H800:2x8", "--threads", "2",
                "--out", dir.resolve("v").toString());
        assertThat(r.err()).isEmpty();
        List<String> rows = Files.readAllLines(dir.resolve("v/sweep.csv"));
        // base: one node runs a, b, c one after the other: JCTs 100, 200, 300 (mean 200, wait mean 100);
        // plus16: three nodes run all at once: JCT 100 each, no wait.
        assertThat(rows.get(1)).startsWith("base,1,best-fit,default,3,3,0,200.0000,200,300,300,100.0000,");
        assertThat(rows.get(2)).startsWith("plus16,1,best-fit,default,3,3,0,100.0000,100,100,100,0.0000,");
        r = exec("sweep", "--trace", trace.toString(), "--nodes", nodes.toString(), "--variant", "x",
                "--out", dir.resolve("w").toString());
        assertThat(r.code()).isEqualTo(2);
        assertThat(r.err()).contains("--variant must be NAME=SITE:MODEL:NxD");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }

    @Test
    void runReadsSiteFilesAndOrdersTheQueueFifoOrSjf() throws Exception {
        // One site of one 4-device node; a (100 s), b (50 s), c (10 s), 4 devices each, all arrive at 0.
        // FIFO: a [0,100], b [100,150], c [150,160] -> waits 0 + 100 + 150 = 250, mean 250/3.
        // SJF: c [0,10], b [10,60], a [60,160] -> waits 0 + 10 + 60 = 70, mean 70/3.
        Path trace = dir.resolve("t.csv");
        Files.writeString(trace, "id,tenant,arrival_seconds,duration_seconds,devices\n"
                + "a,t1,0,100,4\nb,t1,0,50,4\nc,t1,0,10,4\n");
        Path site = dir.resolve("a.conf");
        Files.writeString(site, "atoll.site { id = \"site-x\", region = \"r\", pools = [ { model = \"H800\", nodes = 1, devices-per-node = 4 } ] }\n");
        Outcome fifo = exec("run", "--trace", trace.toString(), "--trace-format", "generic", "--sites", site.toString(),
                "--queue", "fifo", "--out", dir.resolve("f").toString());
        assertThat(fifo.err()).isEmpty();
        assertThat(fifo.out()).contains("site files: 1 sites, 4 devices");
        JsonNode f = new ObjectMapper().readTree(dir.resolve("f/summary.json").toFile()).get("summary");
        assertThat(f.get("queueingDelay").get("mean").asDouble()).isEqualTo(250.0 / 3);
        Outcome sjf = exec("run", "--trace", trace.toString(), "--trace-format", "generic", "--sites", site.toString(),
                "--queue", "sjf", "--out", dir.resolve("s").toString());
        assertThat(sjf.err()).isEmpty();
        JsonNode s = new ObjectMapper().readTree(dir.resolve("s/summary.json").toFile()).get("summary");
        assertThat(s.get("queueingDelay").get("mean").asDouble()).isEqualTo(70.0 / 3);
        Outcome bad = exec("run", "--trace", trace.toString(), "--trace-format", "generic", "--sites", site.toString(),
                "--queue", "lifo", "--out", dir.resolve("b").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("queue discipline must be fifo, sjf or drf, got 'lifo'");
        Outcome noFile = exec("run", "--trace", trace.toString(), "--trace-format", "generic", "--sites",
                dir.resolve("missing.conf").toString(), "--out", dir.resolve("m").toString());
        assertThat(noFile.code()).isEqualTo(2);
        assertThat(noFile.err()).contains("missing.conf: atoll.site: file not found");
    }

    /**
     * {@code --queue drf} from the command line: a 40-job, 3-tenant trace with best-effort and inference jobs
     * and a quota file; two runs with the same seed give byte-identical jobs.csv, and the summary prints the
     * preemption figures (also in summary.json).
     */
    @Test
    void drfRunIsDeterministicAndReportsPreemptions() throws Exception {
        StringBuilder csv = new StringBuilder("id,tenant,arrival_seconds,duration_seconds,devices,models,priority\n");
        for (int i = 0; i < 40; i++) {
            String prio = i % 7 == 3 ? "inference" : i % 3 == 0 ? "best_effort" : "production";
            csv.append("j").append(i).append(",vc").append(i % 3).append(',').append(i * 5).append(',')
                    .append(30 + (i * 37) % 200).append(',').append(1 << (i % 4)).append(",*,").append(prio).append('\n');
        }
        Path trace = dir.resolve("d.csv");
        Files.writeString(trace, csv.toString());
        Path nodes = dir.resolve("dn.csv");
        Files.writeString(nodes, "sn,cpu_milli,memory_mib,gpu,model\nn0,1,1,8,T4\nn1,1,1,8,T4\n");
        Path quotas = dir.resolve("q.csv");
        Files.writeString(quotas, "tenant,weight,model,guaranteed,borrow_limit\nvc0,2,T4,4,\nvc1,1,T4,4,4\n");
        String[] first = null;
        for (String name : List.of("d1", "d2")) {
            Outcome r = exec("run", "--trace", trace.toString(), "--trace-format", "generic", "--nodes", nodes.toString(),
                    "--sites", "1", "--queue", "drf", "--quotas", quotas.toString(), "--seed", "7",
                    "--out", dir.resolve(name).toString());
            assertThat(r.err()).isEmpty();
            assertThat(r.code()).isZero();
            assertThat(r.out()).contains("jobs 40  completed 40").containsPattern("preemptions \\d+, lost GPU-hours");
            String[] now = {r.out(), Files.readString(dir.resolve(name).resolve("jobs.csv"))};
            if (first != null) {
                assertThat(now[1]).isEqualTo(first[1]);
            }
            first = now;
        }
        JsonNode run = new ObjectMapper().readTree(dir.resolve("d1").resolve("summary.json").toFile()).get("run");
        assertThat(run.get("queue").asText()).isEqualTo("drf");
        assertThat(run.has("preemptions")).isTrue();
        assertThat(run.get("lostGpuHours").asDouble()).isGreaterThanOrEqualTo(0);
        Outcome bad = exec("run", "--trace", trace.toString(), "--trace-format", "generic", "--nodes", nodes.toString(),
                "--queue", "fifo", "--quotas", quotas.toString(), "--out", dir.resolve("d3").toString());
        assertThat(bad.code()).isEqualTo(2);
        assertThat(bad.err()).contains("--quotas needs --queue drf");
        Outcome sweep = exec("sweep", "--trace", trace.toString(), "--trace-format", "generic", "--nodes",
                nodes.toString(), "--queue", "drf", "--quotas", quotas.toString(), "--out", dir.resolve("d4").toString());
        assertThat(sweep.code()).isEqualTo(2);
        assertThat(sweep.err()).contains("sim sweep does not take --quotas yet");
    }
}
