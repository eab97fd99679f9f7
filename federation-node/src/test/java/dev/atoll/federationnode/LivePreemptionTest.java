package dev.atoll.federationnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.atoll.federationnode.job.JournalReader;
import dev.atoll.federationnode.site.SiteAgent;
import dev.atoll.placement.SiteLedger;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.JobPreempted;
import dev.atoll.protocol.event.SiteEvent;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live preemption across two nodes on loopback (issue 3), Kryo on every message ({@code serialize-messages = on})
 * and ledger invariants checked after every event: a best-effort preemptible job submitted at site-b fills site-a;
 * an inference job submitted at site-a finds no free site, calls site-a, which evicts the best-effort job in the
 * same write as the inference hold; the best-effort Job (at site-b) is told through its sharding, requeues with its
 * history (a {@link JobPreempted} event) and runs again at site-a once the inference job has ended. Every ledger
 * view seen on the way has each job at most once, and site-a's journal replayed into a fresh ledger keeps the
 * invariants after every event.
 */
class LivePreemptionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    private static JsonNode get(String url) throws Exception {
        return JSON.readTree(TestNodes.get(url).body());
    }

    private static String job(String id, String priority, int seconds) {
        return "{\"id\":\"" + id + "\",\"tenant\":\"vc-" + priority + "\",\"devices\":8,\"models\":\"H800\","
                + "\"durationSeconds\":" + seconds + ",\"priority\":\"" + priority + "\"}";
    }

    /** Fails if a job holds devices at two sites at once, or one site's allocations exceed its devices. */
    private static void oneCopyEach(String url, List<String> sites, Map<String, Integer> capacity) throws Exception {
        Map<String, String> where = new HashMap<>();
        for (String site : sites) {
            JsonNode ledger = get(url + "/v1/sites/" + site + "/ledger");
            int used = 0;
            for (JsonNode a : ledger.get("allocations")) {
                String job = a.get("job").asText();
                assertThat(where.put(job, site)).as("job %s allocated twice (%s)", job, ledger).isNull();
                for (JsonNode share : a.get("nodes")) {
                    used += share.get("devices").size();
                }
            }
            assertThat(used).as("devices allocated at %s", site).isLessThanOrEqualTo(capacity.get(site));
        }
    }

    @Test
    void anInferenceJobEvictsABestEffortJobWhichRequeuesAndRunsLater() throws Exception {
        List<SiteSpec> sites = List.of(
                new SiteSpec(SiteId.of("site-a"), "east", List.of(PoolSpec.of("H800", 1, 8, 80))),
                new SiteSpec(SiteId.of("site-b"), "west", List.of(new PoolSpec(AcceleratorModel.of("A100-80GB"), 1,
                        8, 80, 1.0, 1.0))));
        Map<String, Integer> capacity = Map.of("site-a", 8, "site-b", 8);
        List<String> ids = List.of("site-a", "site-b");
        try (LocalCluster cluster = new LocalCluster(sites, dir, 1.0, Duration.ofSeconds(5),
                TestNodes.testOverrides().withFallback(ConfigFactory.parseString("""
                        atoll.job.retry-min = 100ms
                        atoll.job.retry-max = 500ms
                        atoll.preemption.max-per-job = 3
                        """))).start()) {
            String a = cluster.node(SiteId.of("site-a")).url();
            String b = cluster.node(SiteId.of("site-b")).url();

            assertThat(TestNodes.post(b + "/v1/jobs", job("be-1", "best-effort", 25)).statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).until(() -> get(b + "/v1/jobs/be-1").get("state").asText()
                    .equals("running"));
            assertThat(get(b + "/v1/jobs/be-1").get("site").asText()).isEqualTo("site-a");

            assertThat(TestNodes.post(a + "/v1/jobs", job("serve-1", "inference", 6)).statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> {
                oneCopyEach(a, ids, capacity);
                return get(a + "/v1/jobs/serve-1").get("state").asText().equals("running");
            });
            assertThat(get(a + "/v1/jobs/serve-1").get("site").asText()).isEqualTo("site-a");
            JsonNode ledgerA = get(a + "/v1/sites/site-a/ledger");
            assertThat(ledgerA.get("allocations")).hasSize(1);
            assertThat(ledgerA.get("allocations").get(0).get("job").asText()).isEqualTo("serve-1");

            // be-1 is back in the queue (its Job lives at site-b), then runs again once serve-1 has ended
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> {
                oneCopyEach(a, ids, capacity);
                JsonNode st = get(b + "/v1/jobs/be-1");
                return st.get("state").asText().equals("running")
                        && get(a + "/v1/jobs/serve-1").get("state").asText().equals("completed");
            });
            oneCopyEach(a, ids, capacity);
            assertThat(get(b + "/v1/jobs/be-1").get("site").asText()).isEqualTo("site-a");

            // the histories, read back from the shared journal
            var system = cluster.node(SiteId.of("site-b")).system();
            JournalReader.Result beEvents = JournalReader.read(system, "Job|be-1", false, Long.MAX_VALUE,
                    Duration.ofSeconds(30)).toCompletableFuture().get(60, TimeUnit.SECONDS);
            List<Object> preempted = beEvents.events().stream().filter(e -> e instanceof JobPreempted).toList();
            assertThat(preempted).singleElement().satisfies(e -> {
                JobPreempted p = (JobPreempted) e;
                assertThat(p.site()).isEqualTo(SiteId.of("site-a"));
                assertThat(p.reason()).contains("serve-1").contains("inference outranks best-effort");
            });
            JournalReader.Result siteA = JournalReader.read(system, SiteAgent.persistenceId(SiteId.of("site-a")).id(),
                    false, Long.MAX_VALUE, Duration.ofSeconds(30)).toCompletableFuture().get(60, TimeUnit.SECONDS);
            SiteLedger replay = new SiteLedger(sites.get(0));
            int preemptions = 0;
            for (Object e : siteA.events()) {
                replay.apply((SiteEvent) e);
                replay.checkInvariants();
                if (e instanceof AllocationReleased r && r.outcome() == WorkloadEnded.Outcome.PREEMPTED) {
                    preemptions++;
                    assertThat(r.job().value()).isEqualTo("be-1");
                }
            }
            assertThat(preemptions).isEqualTo(1);
        }
    }
}
