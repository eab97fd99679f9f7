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
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Drain (cordon) over real nodes on loopback: site-b is the cheaper site, so under {@code lowest-price} every
 * job goes there unless it is drained. A drained site-b gets no new job while site-a does, its running job
 * continues, the drain survives a restart of site-b's node, and resume makes site-b win again.
 */
class DrainTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode get(String url) throws Exception {
        return JSON.readTree(TestNodes.get(url).body());
    }

    private static String job(String id) {
        return "{\"id\":\"" + id + "\",\"tenant\":\"vc\",\"devices\":8,\"models\":\"H800\",\"durationSeconds\":36000}";
    }

    private static JsonNode site(String nodeUrl, String site) throws Exception {
        for (JsonNode s : get(nodeUrl + "/v1/sites")) {
            if (s.get("site").asText().equals(site)) {
                return s;
            }
        }
        return JSON.createObjectNode();
    }

    private static String runsAt(String nodeUrl, String job) throws Exception {
        assertThat(TestNodes.post(nodeUrl + "/v1/jobs", job(job)).statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> get(nodeUrl + "/v1/jobs/" + job).get("state").asText()
                .equals("running"));
        return get(nodeUrl + "/v1/jobs/" + job).get("site").asText();
    }

    @Test
    void aDrainedSiteGetsNoNewJobsKeepsItsRunningOnesAndStaysDrainedAcrossRestart() throws Exception {
        AcceleratorModel h800 = AcceleratorModel.of("H800");
        List<SiteSpec> sites = List.of(
                new SiteSpec(SiteId.of("site-a"), "east", List.of(new PoolSpec(h800, 2, 8, 80, 3.0, 1.0))),
                new SiteSpec(SiteId.of("site-b"), "west", List.of(new PoolSpec(h800, 3, 8, 80, 1.0, 1.0))));
        try (LocalCluster cluster = new LocalCluster(sites, dir, 1.0, Duration.ofSeconds(3),
                TestNodes.testOverrides().withFallback(ConfigFactory.parseString("""
                        atoll.job.site-choice = "lowest-price"
                        atoll.job.retry-max = 500ms
                        """))).start()) {
            String a = cluster.nodes.get(0).url();
            String b = cluster.nodes.get(1).url();
            assertThat(runsAt(a, "before")).isEqualTo("site-b");

            // drain site-b on its own node; another node refuses, naming the field
            HttpResponse<String> wrong = TestNodes.post(a + "/v1/sites/site-b/drain", "{\"reason\":\"x\"}");
            assertThat(wrong.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(wrong.body()).get("field").asText()).isEqualTo("site");
            HttpResponse<String> bad = TestNodes.post(b + "/v1/sites/site-b/drain", "{\"reason\":5}");
            assertThat(bad.statusCode()).isEqualTo(400);
            assertThat(JSON.readTree(bad.body()).get("error").asText()).isEqualTo("reason must be a string, got 5");
            JsonNode drained = JSON.readTree(TestNodes.post(b + "/v1/sites/site-b/drain",
                    "{\"reason\":\"PDU swap\"}").body());
            assertThat(drained.get("site").asText()).isEqualTo("site-b");
            assertThat(drained.get("draining").asBoolean()).isTrue();
            assertThat(drained.get("changed").asBoolean()).isTrue();
            assertThat(drained.get("reason").asText()).isEqualTo("PDU swap");
            assertThat(drained.get("running").asInt()).isEqualTo(1);
            JsonNode again = JSON.readTree(TestNodes.post(b + "/v1/sites/site-b/drain", "{\"reason\":\"PDU swap\"}").body());
            assertThat(again.get("changed").asBoolean()).isFalse();
            await().atMost(Duration.ofSeconds(20)).until(() -> site(a, "site-b").path("draining").asBoolean());

            // the cheaper site-b has 16 free devices but takes no new job; site-a does
            assertThat(runsAt(a, "during")).isEqualTo("site-a");
            assertThat(runsAt(b, "during-2")).isEqualTo("site-a");
            assertThat(get(a + "/v1/jobs/before").get("state").asText()).isEqualTo("running");
            assertThat(get(a + "/v1/jobs/before").get("site").asText()).isEqualTo("site-b");
            JsonNode ledgerB = get(b + "/v1/sites/site-b/ledger");
            assertThat(ledgerB.get("allocations")).hasSize(1);
            assertThat(ledgerB.get("allocations").get(0).get("job").asText()).isEqualTo("before");

            // site-a is full now: a new job waits, saying why, rather than going to drained site-b
            assertThat(TestNodes.post(a + "/v1/jobs", job("waits")).statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(20)).until(() -> {
                JsonNode st = get(a + "/v1/jobs/waits");
                return st.get("state").asText().equals("queued") && st.path("reason").asText().contains("draining");
            });

            // the drain survives a restart of site-b's node (it is in site-b's journal)
            b = cluster.restart(1).url();
            cluster.awaitConverged();
            String bAfter = b;
            await().atMost(Duration.ofSeconds(30)).until(() -> site(bAfter, "site-b").path("draining").asBoolean());
            assertThat(get(a + "/v1/jobs/waits").get("state").asText()).isEqualTo("queued");
            assertThat(get(a + "/v1/jobs/before").get("site").asText()).isEqualTo("site-b");

            // resume: site-b is eligible again and, being cheaper, takes the waiting job
            JsonNode resumed = JSON.readTree(TestNodes.post(b + "/v1/sites/site-b/resume", "").body());
            assertThat(resumed.get("draining").asBoolean()).isFalse();
            assertThat(resumed.get("changed").asBoolean()).isTrue();
            await().atMost(Duration.ofSeconds(30)).until(() -> get(a + "/v1/jobs/waits").get("state").asText()
                    .equals("running"));
            assertThat(get(a + "/v1/jobs/waits").get("site").asText()).isEqualTo("site-b");
            assertThat(site(a, "site-b").path("draining").asBoolean()).isFalse();
        }
    }
}
