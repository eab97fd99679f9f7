package dev.atoll.federationnode;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.Config;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeMainTest {
    @TempDir
    Path dir;

    @Test
    void singleNodeJoinsItselfAndServesHealth() {
        int port = TestNodes.freePort();
        int http = TestNodes.freePort();
        NodeConfig cfg = NodeConfig.parse(TestNodes.siteFile("site-a", port, http, "pekko://atoll@127.0.0.1:" + port,
                dir, "{ model = \"H800\", nodes = 2, devices-per-node = 8 }", 1.0, "5s"), "site-a.conf");
        NodeHandle node = NodeMain.start(cfg, TestNodes.testOverrides());
        try {
            HttpResponse<String> r = TestNodes.get(node.url() + "/v1/health");
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).contains("\"site\":\"site-a\"").contains("\"members\":1");
        } finally {
            node.stop();
        }
    }

    @Test
    void siteFileSectionsReachTheActorSystem() {
        int port = TestNodes.freePort();
        int http = TestNodes.freePort();
        String file = TestNodes.siteFile("site-a", port, http, "pekko://atoll@127.0.0.1:" + port, dir,
                "{ model = \"H800\", nodes = 1, devices-per-node = 8 }", 1.0, "5s") + """
                datastax-java-driver.advanced.auth-provider {
                  class = PlainTextAuthProvider
                  username = "atoll"
                  password = "s3cret"
                }
                pekko.cluster.distributed-data.gossip-interval = 750ms
                """;
        NodeHandle node = NodeMain.start(NodeConfig.parse(file, "site-a.conf"), TestNodes.testOverrides());
        try {
            Config sys = node.system().settings().config();
            assertThat(sys.getString("datastax-java-driver.advanced.auth-provider.class")).isEqualTo("PlainTextAuthProvider");
            assertThat(sys.getString("datastax-java-driver.advanced.auth-provider.username")).isEqualTo("atoll");
            assertThat(sys.getString("datastax-java-driver.advanced.auth-provider.password")).isEqualTo("s3cret");
            assertThat(sys.getDuration("pekko.cluster.distributed-data.gossip-interval")).isEqualTo(Duration.ofMillis(750));
            assertThat(TestNodes.get(node.url() + "/v1/health").statusCode()).isEqualTo(200);
        } finally {
            node.stop();
        }
    }
}
