package dev.atoll.federationnode;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
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
}
