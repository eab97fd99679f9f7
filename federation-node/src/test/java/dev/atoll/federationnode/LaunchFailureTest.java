package dev.atoll.federationnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A site whose executor fails half of its launches ({@code atoll.executor.launch-failure-rate = 0.5}): every
 * failed launch frees the devices and sends the Job back to the queue at once, so all jobs still complete,
 * each exactly once, and the ledger ends empty.
 */
class LaunchFailureTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    @Test
    void jobsWhoseLaunchFailsRequeueAndCompleteAndTheDevicesAreFreed() throws Exception {
        List<SiteSpec> sites = List.of(new SiteSpec(SiteId.of("site-a"), "east", List.of(PoolSpec.of("T4", 1, 4, 16))));
        var overrides = ConfigFactory.parseString("""
                atoll.executor.launch-failure-rate = 0.5
                atoll.executor.seed = 7
                atoll.job.retry-min = 100ms
                atoll.job.retry-max = 500ms
                """).withFallback(TestNodes.testOverrides());
        try (LocalCluster cluster = new LocalCluster(sites, dir, 10.0, Duration.ofSeconds(3), overrides).start()) {
            String a = cluster.nodes.get(0).url();
            int jobs = 12;
            for (int i = 0; i < jobs; i++) {
                assertThat(TestNodes.post(a + "/v1/jobs", "{\"id\":\"lf" + i + "\",\"tenant\":\"vc\",\"devices\":1,"
                        + "\"models\":\"T4\",\"durationSeconds\":5}").statusCode()).isEqualTo(202);
            }
            await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).until(() -> {
                for (int i = 0; i < jobs; i++) {
                    JsonNode s = JSON.readTree(TestNodes.get(a + "/v1/jobs/lf" + i).body());
                    if (!s.get("state").asText().equals("completed")) {
                        return false;
                    }
                }
                return true;
            });
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                JsonNode l = JSON.readTree(TestNodes.get(a + "/v1/sites/site-a/ledger").body());
                return l.get("holds").asInt() == 0 && l.get("allocations").isEmpty();
            });
            // The site's journal shows injected launch failures followed by exactly one commit per job.
            long failures = countEvents(dir, "launch failed: ");
            assertThat(failures).as("launch failures in the journal").isPositive();
        }
    }

    /** Counts the site agent's HoldReleased events whose reason contains {@code text}, read from H2. */
    private static long countEvents(Path dir, String text) throws Exception {
        var serializer = new dev.atoll.protocol.serialization.AtollKryoSerializer();
        long n = 0;
        try (var c = java.sql.DriverManager.getConnection(H2Schema.url(dir.resolve("journal")), "sa", "");
             var st = c.prepareStatement("SELECT \"event_payload\" FROM \"event_journal\" WHERE \"persistence_id\" = ?")) {
            st.setString(1, "SiteAgent|site-a");
            try (var rs = st.executeQuery()) {
                while (rs.next()) {
                    Object e = serializer.fromBinary(rs.getBytes(1));
                    if (e instanceof dev.atoll.protocol.event.HoldReleased r && r.reason().contains(text)) {
                        n++;
                    }
                }
            }
        }
        return n;
    }
}
