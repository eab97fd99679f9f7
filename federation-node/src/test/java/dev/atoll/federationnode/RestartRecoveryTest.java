package dev.atoll.federationnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stops a node and starts it again on the same H2 journal: its SiteAgent recovers the allocations exactly,
 * its running Jobs keep their placements, and a waiting Job (a remembered entity nobody asks about) resumes
 * and is placed once devices free up.
 */
class RestartRecoveryTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode get(String url) throws Exception {
        return JSON.readTree(TestNodes.get(url).body());
    }

    @Test
    void siteAgentAndJobsRecoverAfterRestart() throws Exception {
        List<SiteSpec> sites = List.of(
                new SiteSpec(SiteId.of("site-a"), "east", List.of(PoolSpec.of("H800", 2, 8, 80))),
                new SiteSpec(SiteId.of("site-b"), "west", List.of(PoolSpec.of("T4", 1, 4, 16))));
        try (LocalCluster cluster = new LocalCluster(sites, dir, 1.0, Duration.ofSeconds(3),
                TestNodes.testOverrides()).start()) {
            String b = cluster.nodes.get(1).url();
            for (int i = 1; i <= 4; i++) {
                assertThat(TestNodes.post(b + "/v1/jobs", "{\"id\":\"t" + i + "\",\"tenant\":\"vc\",\"devices\":1,"
                        + "\"models\":\"T4\",\"durationSeconds\":36000}").statusCode()).isEqualTo(202);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> get(b + "/v1/sites/site-b/ledger").get("allocations").size() == 4);
            assertThat(TestNodes.post(b + "/v1/jobs", "{\"id\":\"waiter\",\"tenant\":\"vc\",\"devices\":1,"
                    + "\"models\":\"T4\",\"durationSeconds\":36000}").statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                JsonNode w = get(b + "/v1/jobs/waiter");
                return w.get("state").asText().equals("queued") && !w.get("reason").asText().equals("submitted");
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> get(b + "/v1/sites/site-b/ledger").get("holds").asInt() == 0);
            JsonNode before = get(b + "/v1/sites/site-b/ledger");
            JsonNode t1Before = get(b + "/v1/jobs/t1");

            NodeHandle restarted = cluster.restart(1);
            String b2 = restarted.url();
            cluster.awaitConverged();
            await().atMost(Duration.ofSeconds(30)).until(() -> TestNodes.get(b2 + "/v1/sites/site-b/ledger").statusCode() == 200);
            JsonNode after = get(b2 + "/v1/sites/site-b/ledger");
            assertThat(after.get("allocations")).isEqualTo(before.get("allocations"));
            assertThat(after.get("version").asLong()).isGreaterThanOrEqualTo(before.get("version").asLong());
            JsonNode t1After = get(b2 + "/v1/jobs/t1");
            assertThat(t1After.get("state").asText()).isEqualTo("running");
            assertThat(t1After.get("nodes")).isEqualTo(t1Before.get("nodes"));
            assertThat(t1After.get("placedAt")).isEqualTo(t1Before.get("placedAt"));

            // Free a device without touching the waiting job: the remembered entity must place itself.
            assertThat(TestNodes.delete(b2 + "/v1/jobs/t2").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(30)).until(() -> get(b2 + "/v1/sites/site-b/ledger").get("allocations")
                    .toString().contains("\"job\":\"waiter\""));
            assertThat(get(b2 + "/v1/jobs/waiter").get("state").asText()).isEqualTo("running");
        }
    }
}
