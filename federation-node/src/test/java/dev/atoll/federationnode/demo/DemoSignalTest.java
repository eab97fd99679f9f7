package dev.atoll.federationnode.demo;

import dev.atoll.federationnode.cli.AtollCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code atoll demo} as a child JVM (as {@code bin/atoll demo} runs it) with stand-in node processes
 * ({@link FakeNodeMain}): a SIGINT sent to the demo alone, while its nodes are starting or while it replays,
 * ends the demo and every process it started ({@link ProcessHandle#descendants()}).
 */
class DemoSignalTest {
    @TempDir
    Path dir;

    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    /** Starts the demo JVM with stand-in nodes in {@code fakeMode}; extra demo options appended. */
    private Process demo(String fakeMode, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx128m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
                "-cp", classpath(), AtollCli.class.getName(), "demo",
                "--run-dir", dir.resolve("run").toString(), "--classpath", classpath(),
                "--node-main", FakeNodeMain.class.getName(),
                "--node-jvm-opt", "-Xmx32m", "--node-jvm-opt", "-XX:+UseSerialGC",
                "--node-jvm-opt", "-XX:TieredStopAtLevel=1"));
        cmd.addAll(List.of(extra));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectOutput(dir.resolve("out.txt").toFile())
                .redirectError(dir.resolve("err.txt").toFile());
        pb.environment().put("ATOLL_FAKE_MODE", fakeMode);
        return pb.start();
    }

    private String stderr() throws Exception {
        Path p = dir.resolve("err.txt");
        return Files.exists(p) ? Files.readString(p) : "";
    }

    /** SIGINT to the demo only (not its process group, unlike Ctrl-C in a terminal): the harder case. */
    private static void sigint(Process p) throws Exception {
        Process kill = new ProcessBuilder("kill", "-INT", Long.toString(p.pid())).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
    }

    private void assertEverythingEnds(Process demo, List<ProcessHandle> started) throws Exception {
        await().atMost(Duration.ofSeconds(60)).until(() -> !demo.isAlive());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(started.stream().filter(ProcessHandle::isAlive).map(ProcessHandle::pid).toList())
                        .as("processes the demo started that are still alive").isEmpty());
        assertThat(stderr()).contains("demo: interrupted: stopping nodes");
    }

    @Test
    void sigintWhileTheNodesStartStopsEveryNode() throws Exception {
        Process demo = demo("never-up");
        try {
            // all three nodes spawned and printing, none up yet: the demo is inside the start phase
            await().atMost(Duration.ofSeconds(60)).until(() -> demo.descendants().filter(ProcessHandle::isAlive)
                    .count() == 3 && Files.exists(dir.resolve("run/site-c.log"))
                    && Files.readString(dir.resolve("run/site-c.log")).contains("starting site-c"));
            List<ProcessHandle> started = demo.descendants().toList();
            assertThat(stderr()).doesNotContain("replaying");

            sigint(demo);

            assertEverythingEnds(demo, started);
            assertThat(stderr()).doesNotContain(" up at ");
        } finally {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
    }

    @Test
    void sigintDuringTheReplayStopsEveryNode() throws Exception {
        // speedup 1: the built-in workload's arrivals span hours, so the replay is still running when signalled
        Process demo = demo("http", "--speedup", "1");
        try {
            await().atMost(Duration.ofSeconds(90)).until(() -> stderr().contains("replaying"));
            List<ProcessHandle> started = demo.descendants().toList();
            assertThat(started).hasSize(3);

            sigint(demo);

            assertEverythingEnds(demo, started);
            assertThat(stderr()).contains("demo: all 3 sites see each other");
        } finally {
            demo.descendants().forEach(ProcessHandle::destroyForcibly);
            demo.destroyForcibly();
        }
    }
}
