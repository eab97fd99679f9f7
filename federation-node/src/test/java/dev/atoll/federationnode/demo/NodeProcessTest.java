package dev.atoll.federationnode.demo;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeProcessTest {
    @TempDir
    Path dir;

    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    private NodeProcess start(String site) throws Exception {
        // the fake reads the site id from the --site argument
        return NodeProcess.start(site, classpath(), List.of("-Xmx32m", "-XX:+UseSerialGC"),
                FakeNodeMain.class.getName(), Path.of(site), dir.resolve(site + ".log"), dir);
    }

    @Test
    void upLineGivesTheUrlAndStopEndsTheProcess() throws Exception {
        NodeProcess n = start("site-x");
        try {
            assertThat(n.awaitUp(Duration.ofSeconds(30))).isEqualTo("http://127.0.0.1:1");
            assertThat(n.isAlive()).isTrue();
        } finally {
            assertThat(n.stop(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(ProcessHandle.of(n.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(Files.readAllLines(dir.resolve("site-x.log"))).contains("starting site-x",
                "atoll node site-x up: http://127.0.0.1:1");
    }

    @Test
    void aProcessThatIgnoresSigtermIsKilledAfterTheGracePeriod() throws Exception {
        NodeProcess n = start("stubborn");
        n.awaitUp(Duration.ofSeconds(30));
        assertThat(n.stop(Duration.ofMillis(500))).isFalse();
        assertThat(n.isAlive()).isFalse();
        assertThat(ProcessHandle.of(n.pid()).map(ProcessHandle::isAlive).orElse(false)).isFalse();
    }

    @Test
    void aNodeThatExitsBeforeItIsUpIsReportedWithItsLog() throws Exception {
        NodeProcess n = start("crash");
        assertThatThrownBy(() -> n.awaitUp(Duration.ofSeconds(30)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("node crash exited with code 3 before it was up; log " + dir.resolve("crash.log"))
                .hasMessageContaining("boom: cannot start crash");
        n.stop(Duration.ofSeconds(1));
    }

    @Test
    void freePortsAreDistinct() throws Exception {
        int[] ports = LocalFederation.freePorts(6);
        assertThat(ports).hasSize(6).doesNotHaveDuplicates();
        assertThat(java.util.Arrays.stream(ports).boxed().toList()).allMatch(p -> p > 0 && p < 65536);
    }
}
