package dev.atoll.federationnode.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atoll.federationnode.NodeMain;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A wrong site file stops a node before it starts: in a child JVM (the class {@code bin/atoll} runs,
 * {@link AtollCli}, and the bare {@link NodeMain}), {@code node --site <file>} exits with code 2 and prints
 * {@code <file>: <key>: <reason>} on stderr, for a wrong value and for a missing file. No actor system is
 * started, so each child exits within seconds.
 */
class NodeStartFailureProcessTest {
    private static final String GOOD = """
            atoll.site {
              id = "site-a"
              port = 25521
              http-port = 8081
              pools = [ { model = "H800", nodes = 4, devices-per-node = 8 } ]
            }
            """;

    @TempDir
    Path dir;

    private record Exit(int code, String stdout, String stderr) {
    }

    /** Runs {@code mainClass args} in a child JVM with the test class path; at most 120 s. */
    private Exit run(String mainClass, String... args) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        List<String> cmd = new ArrayList<>(List.of(java, "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", cp, mainClass));
        cmd.addAll(List.of(args));
        Path out = dir.resolve("out.txt");
        Path err = dir.resolve("err.txt");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectOutput(out.toFile())
                .redirectError(err.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .start();
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly().waitFor();
            throw new AssertionError(mainClass + " " + String.join(" ", args) + " still running after 120 s; stderr: "
                    + Files.readString(err, StandardCharsets.UTF_8));
        }
        return new Exit(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
                Files.readString(err, StandardCharsets.UTF_8));
    }

    private Path write(String name, String text) throws IOException {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void cliNodeWithAWrongValueExitsTwoNamingFileKeyAndReason() throws Exception {
        write("bad.conf", GOOD.replace("port = 25521", "port = 70000"));
        Exit e = run(AtollCli.class.getName(), "node", "--site", "bad.conf");
        assertThat(e.code()).as("exit code; stderr: %s", e.stderr()).isEqualTo(2);
        assertThat(e.stderr()).contains("bad.conf: atoll.site.port: must be in [1, 65535], got 70000");
        assertThat(e.stdout()).doesNotContain(" up: ");
    }

    @Test
    void cliNodeWithAMissingFileExitsTwoNamingFileKeyAndReason() throws Exception {
        Exit e = run(AtollCli.class.getName(), "node", "--site", "nope.conf");
        assertThat(e.code()).as("exit code; stderr: %s", e.stderr()).isEqualTo(2);
        assertThat(e.stderr()).contains("nope.conf: atoll.site: file not found: " + dir.resolve("nope.conf"));
    }

    @Test
    void nodeMainWithAWrongPoolValueExitsTwoNamingFileKeyAndReason() throws Exception {
        write("pools.conf", GOOD.replace("devices-per-node = 8", "devices-per-node = 0"));
        Exit e = run(NodeMain.class.getName(), "--site", "pools.conf");
        assertThat(e.code()).as("exit code; stderr: %s", e.stderr()).isEqualTo(2);
        assertThat(e.stderr()).contains("pools.conf: atoll.site.pools[0].devices-per-node: must be in [1, 64], got 0");
    }

    @Test
    void nodeMainWithAMissingFileExitsTwoNamingFileKeyAndReason() throws Exception {
        Exit e = run(NodeMain.class.getName(), "--site", "gone.conf");
        assertThat(e.code()).as("exit code; stderr: %s", e.stderr()).isEqualTo(2);
        assertThat(e.stderr()).contains("gone.conf: atoll.site: file not found: " + dir.resolve("gone.conf"));
    }
}
