package dev.atoll.federationnode.demo;

import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link LocalFederation} with stand-in node processes ({@link FakeNodeMain}): start order, failure, stop. */
class LocalFederationTest {
    @TempDir
    Path dir;

    private static SiteSpec site(String id) {
        return new SiteSpec(SiteId.of(id), "r", List.of(PoolSpec.of("H800", 1, 8, 80)));
    }

    private static String classpath() {
        return System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    }

    @Test
    void aNodeThatDiesAtStartIsReportedAndEveryNodeIsStopped() throws Exception {
        LocalFederation fed = LocalFederation.start(List.of(site("site-a"), site("crash-b"), site("site-c")), dir,
                10.0, classpath(), List.of("-Xmx32m", "-XX:+UseSerialGC"), FakeNodeMain.class.getName());
        List<Long> pids = fed.pids();
        assertThat(pids).hasSize(3);
        try {
            assertThatThrownBy(() -> fed.awaitUp(Duration.ofSeconds(30)))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("node crash-b exited with code 3 before it was up")
                    .hasMessageContaining("boom: cannot start crash-b");
        } finally {
            fed.close();
        }
        for (long pid : pids) {
            assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).as("pid %d", pid).isFalse();
        }
        // every site got its file, with all three nodes as seeds and the shared journal in the run dir
        String conf = Files.readString(dir.resolve("site-c.conf"));
        assertThat(conf).contains("id = \"site-c\"", "h2-file = \"" + dir.resolve("atoll-journal").toAbsolutePath() + "\"");
        assertThat(conf.split("pekko://atoll@127.0.0.1:", -1)).hasSize(4);
        assertThat(fed.endpoints()).extracting(NodeEndpoint::httpPort).doesNotHaveDuplicates();
    }
}
