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
        for (String f : List.of("summary.json", "jobs.csv", "utilization.png", "queue.png", "jct-cdf.png", "report.html")) {
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
        assertThat(SimCommand.Run.parseSiteFailure("site-b@3600+7200").downForSeconds()).isEqualTo(7200);
        r = exec("run", "--trace", "x.csv", "--fail-site", "b@soon", "--nodes", "n.csv", "--out", dir.toString());
        assertThat(r.err()).contains("--fail-site must be SITE@AT_SECONDS[+DOWN_SECONDS], got 'b@soon'");
        assertThat(exec().code()).isEqualTo(2);
    }
}
