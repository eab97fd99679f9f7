package dev.atoll.federationnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One site run by two nodes: Jobs are sharded over both (their commands cross nodes, serialized), the
 * SiteAgent runs once as a singleton, and when the node hosting it leaves the other node takes it over,
 * recovers the same ledger and keeps placing jobs.
 */
class MultiNodeSiteTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode get(String url) throws Exception {
        return JSON.readTree(TestNodes.get(url).body());
    }

    @Test
    void twoNodesShareJobsAndHandOverTheSiteAgent() throws Exception {
        int seedPort = TestNodes.freePort();
        String seed = "pekko://atoll@127.0.0.1:" + seedPort;
        List<NodeHandle> nodes = new ArrayList<>();
        try {
            for (int i = 0; i < 2; i++) {
                NodeConfig c = new NodeConfig("site-a-" + i + ".conf", SiteId.of("site-a"), "east", "127.0.0.1",
                        i == 0 ? seedPort : TestNodes.freePort(), TestNodes.freePort(), List.of(seed),
                        dir.resolve("site-a-" + i), "h2", dir.resolve("journal"), 1.0, "first-fit",
                        Duration.ofSeconds(3), List.of(PoolSpec.of("H800", 4, 8, 80)));
                nodes.add(NodeMain.start(c, TestNodes.testOverrides()));
            }
            String first = nodes.get(0).url();
            String second = nodes.get(1).url();
            await().atMost(Duration.ofSeconds(30)).until(() -> TestNodes.get(second + "/v1/health").body()
                    .contains("\"members\":2") && TestNodes.get(second + "/v1/health").body().contains("\"sitesSeen\":1"));
            for (int i = 0; i < 6; i++) {
                String url = i % 2 == 0 ? first : second;
                assertThat(TestNodes.post(url + "/v1/jobs", "{\"id\":\"m" + i + "\",\"tenant\":\"vc\",\"devices\":4,"
                        + "\"durationSeconds\":36000}").statusCode()).isEqualTo(202);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> get(second + "/v1/sites/site-a/ledger")
                    .get("allocations").size() == 6);
            // either node answers for any job of the site: the entity may live on the other one
            for (int i = 0; i < 6; i++) {
                assertThat(get(first + "/v1/jobs/m" + i).get("state").asText()).isEqualTo("running");
                assertThat(get(second + "/v1/jobs/m" + i).get("state").asText()).isEqualTo("running");
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> get(second + "/v1/sites/site-a/ledger").get("holds").asInt() == 0);
            JsonNode before = get(second + "/v1/sites/site-a/ledger");

            // the oldest node hosts the singleton; it leaves and the second node takes over
            nodes.get(0).stop();
            nodes.remove(0);
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                var r = TestNodes.get(second + "/v1/sites/site-a/ledger");
                return r.statusCode() == 200 && JSON.readTree(r.body()).get("allocations").equals(before.get("allocations"));
            });
            assertThat(TestNodes.post(second + "/v1/jobs", "{\"id\":\"m6\",\"tenant\":\"vc\",\"devices\":8,"
                    + "\"durationSeconds\":36000}").statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> get(second + "/v1/jobs/m6").get("state").asText()
                    .equals("running"));
            assertThat(get(second + "/v1/sites/site-a/ledger").get("allocations")).hasSize(7);
        } finally {
            for (NodeHandle n : nodes) {
                n.stop();
            }
        }
    }
}
