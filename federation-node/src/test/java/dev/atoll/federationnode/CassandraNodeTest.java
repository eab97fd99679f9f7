package dev.atoll.federationnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node with {@code journal = "cassandra"} places a job, stops, starts again and recovers its ledger from
 * Cassandra. Needs a Cassandra with the Atoll schema at {@code ATOLL_CASSANDRA_CONTACT_POINT} (default
 * 127.0.0.1:9042, {@code bin/cassandra-local start}); skipped without one, failing when {@code CI=true}.
 * Each run uses a fresh site id, so earlier runs' events in the shared keyspace are never replayed.
 */
class CassandraNodeTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static void requireCassandra() {
        String hostPort = System.getenv().getOrDefault("ATOLL_CASSANDRA_CONTACT_POINT", "127.0.0.1:9042");
        int colon = hostPort.lastIndexOf(':');
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1))),
                    2000);
        } catch (Exception e) {
            String why = "Cassandra not running at " + hostPort + ": start it with bin/cassandra-local start";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
    }

    @Test
    void nodeOnCassandraRecoversItsLedger() throws Exception {
        requireCassandra();
        String site = "cass-" + UUID.randomUUID().toString().substring(0, 8);
        int port = TestNodes.freePort();
        String text = TestNodes.siteFile(site, port, TestNodes.freePort(), "pekko://atoll@127.0.0.1:" + port, dir,
                "{ model = \"H800\", nodes = 1, devices-per-node = 8 }", 1.0, "5s")
                .replace("  speedup", "  journal = \"cassandra\"\n  speedup");
        NodeConfig cfg = NodeConfig.parse(text, site + ".conf");
        assertThat(cfg.journal()).isEqualTo("cassandra");
        NodeHandle node = NodeMain.start(cfg, TestNodes.testOverrides());
        JsonNode before;
        try {
            String url = node.url();
            await().atMost(Duration.ofSeconds(30)).until(() -> TestNodes.get(url + "/v1/health").body()
                    .contains("\"sitesSeen\":1"));
            String job = site + "-j1";
            assertThat(TestNodes.post(url + "/v1/jobs", "{\"id\":\"" + job + "\",\"tenant\":\"vc\",\"devices\":4,"
                    + "\"durationSeconds\":36000}").statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(TestNodes.get(url + "/v1/jobs/" + job)
                    .body()).get("state").asText().equals("running"));
            before = JSON.readTree(TestNodes.get(url + "/v1/sites/" + site + "/ledger").body());
            assertThat(before.get("allocations")).hasSize(1);
        } finally {
            node.stop();
        }
        NodeHandle again = NodeMain.start(cfg, TestNodes.testOverrides());
        try {
            String url = again.url();
            await().atMost(Duration.ofSeconds(30)).until(() -> TestNodes.get(url + "/v1/sites/" + site + "/ledger")
                    .statusCode() == 200);
            JsonNode after = JSON.readTree(TestNodes.get(url + "/v1/sites/" + site + "/ledger").body());
            assertThat(after.get("allocations")).isEqualTo(before.get("allocations"));
            assertThat(List.of(after.get("holds").asInt())).containsExactly(0);
        } finally {
            again.stop();
        }
    }
}
