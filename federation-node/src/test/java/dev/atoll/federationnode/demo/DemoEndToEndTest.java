package dev.atoll.federationnode.demo;

import dev.atoll.federationnode.cli.AtollCli;
import dev.atoll.federationnode.cli.DemoCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs {@code atoll demo --limit 200} in this JVM against three real node processes and checks the last
 * line and that no node process is left behind.
 */
class DemoEndToEndTest {
    @TempDir
    Path dir;

    @Test
    @Timeout(value = 170, unit = TimeUnit.SECONDS)
    void builtInDemoPlacesTasksAndLeavesNoProcessBehind() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = AtollCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        Path runDir = dir.resolve("run");

        int code = cl.execute("demo", "--limit", "200", "--speedup", "800", "--settle-seconds", "30",
                "--run-dir", runDir.toString(), "--classpath", cp);

        assertThat(code).as("stderr:%n%s", err).isZero();
        String[] lines = out.toString().split("\n");
        String last = lines[lines.length - 1];
        Matcher m = Pattern.compile("demo: placed (\\d+) of (\\d+) submitted tasks \\((\\d+) rejected\\) in (\\d+\\.\\d) s")
                .matcher(last);
        assertThat(m.matches()).as("last line: %s", last).isTrue();
        int placed = Integer.parseInt(m.group(1));
        int submitted = Integer.parseInt(m.group(2));
        int rejected = Integer.parseInt(m.group(3));
        assertThat(submitted).isEqualTo(200);
        // the first 200 built-in tasks ask twice for something no site has (a V100 and a 256-device gang)
        long impossible = WorkloadGenerator.generate(42, 600).limit(200).tasks().stream()
                .filter(t -> t.devices() > 192 || t.models().toString().equals("V100")).count();
        assertThat(rejected).isGreaterThanOrEqualTo((int) impossible);
        assertThat(placed).isGreaterThanOrEqualTo(150).isLessThanOrEqualTo(200 - rejected);

        DemoRunner.Result result = ((DemoCommand) cl.getSubcommands().get("demo").getCommand()).result();
        assertThat(result.nodePids()).hasSize(3);
        for (long pid : result.nodePids()) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("node pid %d", pid).isFalse();
        }
        assertThat(ProcessHandle.current().children().filter(ProcessHandle::isAlive).toList()).isEmpty();
        assertThat(Files.readString(runDir.resolve("site-b.conf"))).contains("id = \"site-b\"");
        assertThat(Files.readAllLines(runDir.resolve("site-a.log"))).anyMatch(l -> l.startsWith("atoll node site-a up: "));
        List<String> summary = List.of(lines);
        assertThat(summary).anyMatch(l -> l.startsWith("site-a ")).anyMatch(l -> l.startsWith("site-c "));
    }
}
