package dev.atoll.federationnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Two sites on loopback, jobs submitted at one of them: the cheaper site wins under {@code lowest-price},
 * the other takes the overflow, a third job waits with a reason and is placed when a device frees up, and
 * a site that leaves is withdrawn from the candidates.
 */
class CrossSiteNegotiationTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode get(String url) throws Exception {
        return JSON.readTree(TestNodes.get(url).body());
    }

    private static String job(String id) {
        return "{\"id\":\"" + id + "\",\"tenant\":\"vc\",\"devices\":8,\"models\":\"H800\",\"durationSeconds\":36000}";
    }

    @Test
    void jobsGoWhereTheyAreCheapestThenWhereThereIsRoom() throws Exception {
        AcceleratorModel h800 = AcceleratorModel.of("H800");
        List<SiteSpec> sites = List.of(
                new SiteSpec(SiteId.of("site-a"), "east", List.of(new PoolSpec(h800, 1, 8, 80, 3.0, 1.0))),
                new SiteSpec(SiteId.of("site-b"), "west", List.of(new PoolSpec(h800, 1, 8, 80, 1.0, 1.0))));
        try (LocalCluster cluster = new LocalCluster(sites, dir, 1.0, Duration.ofSeconds(3),
                TestNodes.testOverrides().withFallback(ConfigFactory.parseString("""
                        atoll.job.site-choice = "lowest-price"
                        atoll.job.retry-max = 500ms
                        atoll.job.bid-timeout = 12s
                        """))).start()) {
            String a = cluster.nodes.get(0).url();
            // The price rule is only tested when both sites are candidates: wait until site-a's registry sees both
            // reachable with their 8 devices free. Convergence counts adverts, not reachability or free devices; in
            // one CI run the first job was placed at site-a within 4 s, most likely because site-b was not a
            // candidate yet (the Job waits for every called site's reply, so a late bid was not the cause).
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                JsonNode s = get(a + "/v1/sites");
                int ready = 0;
                for (JsonNode site : s) {
                    if (site.get("reachable").asBoolean() && site.get("free").asInt() == 8) {
                        ready++;
                    }
                }
                return ready == 2;
            });
            assertThat(TestNodes.post(a + "/v1/jobs", job("cheap")).statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> get(a + "/v1/jobs/cheap").get("state").asText()
                    .equals("running"));
            assertThat(get(a + "/v1/jobs/cheap").get("site").asText()).isEqualTo("site-b");

            assertThat(TestNodes.post(a + "/v1/jobs", job("overflow")).statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> get(a + "/v1/jobs/overflow").get("state").asText()
                    .equals("running"));
            assertThat(get(a + "/v1/jobs/overflow").get("site").asText()).isEqualTo("site-a");

            assertThat(TestNodes.post(a + "/v1/jobs", job("later")).statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                JsonNode st = get(a + "/v1/jobs/later");
                return st.get("state").asText().equals("queued") && st.get("reason").asText().contains("free");
            });

            assertThat(get(a + "/v1/jobs/cheap").get("queueingDelaySeconds").asDouble()).isLessThan(20);
            assertThat(TestNodes.delete(a + "/v1/jobs/cheap").statusCode()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(20)).until(() -> get(a + "/v1/jobs/later").get("state").asText()
                    .equals("running"));
            JsonNode later = get(a + "/v1/jobs/later");
            assertThat(later.get("site").asText()).isEqualTo("site-b");
            assertThat(later.get("queueingDelaySeconds").asDouble()).isPositive();
            JsonNode ledgerB = get(a + "/v1/sites/site-b/ledger");
            assertThat(ledgerB.get("allocations")).hasSize(1);
            assertThat(ledgerB.get("allocations").get(0).get("job").asText()).isEqualTo("later");

            // site-b leaves: it is reported unreachable and no longer offered to new jobs
            cluster.nodes.get(1).stop();
            await().atMost(Duration.ofSeconds(30)).until(() -> {
                JsonNode s = get(a + "/v1/sites");
                return s.size() == 2 && !s.get(1).get("reachable").asBoolean();
            });
            assertThat(TestNodes.post(a + "/v1/jobs", job("after")).statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                JsonNode st = get(a + "/v1/jobs/after");
                return st.get("state").asText().equals("queued") && st.get("reason").asText().contains("unreachable");
            });
            cluster.nodes.remove(1);
        }
    }
}
