package dev.atoll.federationnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.atoll.federationnode.site.SiteAgent;
import dev.atoll.placement.SiteLedger;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.SiteEvent;
import dev.atoll.simulator.topology.FleetNode;
import dev.atoll.simulator.topology.FleetSplitter;
import dev.atoll.simulator.trace.OpenbTraceReader;
import dev.atoll.simulator.trace.TraceTask;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three sites (three data centers, one node each) on loopback ports sharing one H2 journal, placing at least
 * 1,000 tasks of the real Alibaba openb trace: the first 1,050 tasks are submitted and the test waits until
 * 1,000 of them have been placed (the spare 50 may still queue, with a reason). Every eighth real GPU node
 * of the openb fleet is split across the three sites (FleetSplitter, round-robin per model), so that tasks
 * compete and queue. Checks: every task ends placed/completed, rejected with a reason or queued with a
 * reason; every site's journal, replayed event by event into a fresh ledger with the ledger invariants
 * checked after each event, never holds or allocates more than a node's devices; no fault is injected, so
 * every placed job has exactly one AllocationCommitted across all sites, and at least 1,000 jobs have one.
 */
class FederationIntegrationTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> SITES = List.of("site-a", "site-b", "site-c");
    /** Tasks submitted: the first of the trace, 5 % more than must be placed. */
    private static final int TASKS = 1050;
    /** Tasks that must be placed (the issue: "places at least 1,000 tasks"). */
    private static final int PLACED = 1000;
    /** Trace seconds per wall second: the median openb task (about 500 s) runs for a tenth of a second. */
    private static final double SPEEDUP = 5000;

    @TempDir
    Path dir;

    private static Path dataFile(String name) {
        String root = System.getProperty("atoll.data");
        Path p = root == null ? null : Path.of(root, "alibaba-gpu-v2023", name);
        if (p == null || !Files.isRegularFile(p)) {
            String why = "openb trace file " + name + " not found (system property atoll.data = " + root + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + "; CI must provide ../shared/data");
            }
            Assumptions.abort(why);
        }
        return p;
    }

    @Test
    void threeSitesPlaceAThousandRealTasksWithoutOvercommitOrDuplicates() throws Exception {
        List<FleetNode> fleet = OpenbTraceReader.readNodes(dataFile("openb_node_list_gpu_node.csv"));
        List<FleetNode> slice = new ArrayList<>();
        for (int i = 0; i < fleet.size(); i += 8) {
            slice.add(fleet.get(i));
        }
        List<SiteSpec> specs = FleetSplitter.split(slice, SITES, "test");
        List<TraceTask> tasks = OpenbTraceReader.readPods(dataFile("openb_pod_list_default.csv")).tasks()
                .subList(0, TASKS);

        try (LocalCluster cluster = new LocalCluster(specs, dir, SPEEDUP, Duration.ofSeconds(3),
                TestNodes.testOverrides().withFallback(ConfigFactory.parseString("""
                        atoll.job.retry-max = 1s
                        atoll.job.bid-timeout = 5s
                        """))).start()) {
            // Submit every task at its origin site (round-robin), as a broker would, 8 requests at a time.
            Map<String, String> originUrl = new HashMap<>();
            ExecutorService clients = Executors.newFixedThreadPool(8);
            try {
                List<Future<HttpResponse<String>>> sent = new ArrayList<>();
                for (int i = 0; i < tasks.size(); i++) {
                    TraceTask t = tasks.get(i);
                    String url = cluster.nodes.get(i % SITES.size()).url();
                    originUrl.put(t.id(), url);
                    sent.add(clients.submit(() -> submit(url, t)));
                }
                for (int i = 0; i < sent.size(); i++) {
                    HttpResponse<String> r = sent.get(i).get(180, TimeUnit.SECONDS);
                    assertThat(r.statusCode()).as("submit %s: %s", tasks.get(i).id(), r.body()).isEqualTo(202);
                }
            } finally {
                clients.shutdown();
            }

            Map<String, JsonNode> settled = new HashMap<>();
            Map<String, JsonNode> latest = new HashMap<>();
            await().atMost(Duration.ofSeconds(240)).pollInterval(Duration.ofSeconds(2)).until(() -> {
                for (TraceTask t : tasks) {
                    if (settled.containsKey(t.id())) {
                        continue;
                    }
                    JsonNode st = JSON.readTree(TestNodes.get(originUrl.get(t.id()) + "/v1/jobs/" + t.id()).body());
                    latest.put(t.id(), st);
                    String state = st.get("state").asText();
                    if (state.equals("completed") || state.equals("rejected")) {
                        settled.put(t.id(), st);
                    }
                }
                long placed = latest.values().stream().filter(FederationIntegrationTest::placed).count();
                boolean allDecided = latest.values().stream().allMatch(FederationIntegrationTest::decided);
                return allDecided && placed >= PLACED;
            });

            Map<String, Integer> byState = new HashMap<>();
            for (TraceTask t : tasks) {
                JsonNode st = latest.get(t.id());
                String state = st.get("state").asText();
                byState.merge(state, 1, Integer::sum);
                switch (state) {
                    case "completed", "running", "placed" -> {
                        assertThat(st.get("site").asText()).as(t.id()).isIn(SITES);
                        assertThat(st.get("nodes").size()).as(t.id()).isPositive();
                        assertThat(st.get("placedAt").asLong()).as(t.id()).isGreaterThanOrEqualTo(st.get("submittedAt").asLong());
                    }
                    case "rejected", "queued" -> assertThat(st.get("reason").asText()).as(t.id()).isNotBlank();
                    default -> fail("task " + t.id() + " ended in state " + state + ": " + st);
                }
            }
            System.out.println("federation integration: " + byState);

            // Ledger endpoint: live allocations never exceed any device.
            for (NodeHandle h : cluster.nodes) {
                for (String site : SITES) {
                    JsonNode ledger = JSON.readTree(TestNodes.get(h.url() + "/v1/sites/" + site + "/ledger").body());
                    Map<String, Integer> milli = new HashMap<>();
                    for (JsonNode a : ledger.get("allocations")) {
                        for (JsonNode n : a.get("nodes")) {
                            for (JsonNode d : n.get("devices")) {
                                milli.merge(n.get("node").asInt() + "/" + d.asInt(), n.get("milli").asInt(), Integer::sum);
                            }
                        }
                    }
                    assertThat(milli.values()).as("device use at %s", site).allMatch(m -> m <= 1000);
                }
                break; // one node's view suffices: every node asks the same agents
            }

            // Journal: replay every site's events into a fresh ledger, checking invariants after each event,
            // and collect each job's allocation intervals across sites.
            JdbcReadJournal journal = PersistenceQuery.get(Adapter.toClassic(cluster.nodes.get(0).system()))
                    .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
            Map<JobId, List<long[]>> intervals = new HashMap<>();
            Map<JobId, Integer> commits = new HashMap<>();
            int events = 0;
            for (SiteSpec spec : specs) {
                List<EventEnvelope> envs = journal.currentEventsByPersistenceId(
                                SiteAgent.persistenceId(spec.id()).id(), 0, Long.MAX_VALUE)
                        .runWith(Sink.seq(), cluster.nodes.get(0).system()).toCompletableFuture()
                        .get(60, TimeUnit.SECONDS);
                SiteLedger ledger = new SiteLedger(spec);
                Map<JobId, long[]> open = new HashMap<>();
                for (EventEnvelope env : envs) {
                    SiteEvent e = (SiteEvent) env.event();
                    ledger.apply(e);
                    ledger.checkInvariants();
                    events++;
                    if (e instanceof AllocationCommitted c) {
                        commits.merge(c.job(), 1, Integer::sum);
                        long[] iv = {c.startedAtMillis(), Long.MAX_VALUE};
                        open.put(c.job(), iv);
                        intervals.computeIfAbsent(c.job(), k -> new ArrayList<>()).add(iv);
                    } else if (e instanceof AllocationReleased r && open.containsKey(r.job())) {
                        open.remove(r.job())[1] = r.atMillis();
                    }
                }
            }
            assertThat(events).isGreaterThan(TASKS);
            for (Map.Entry<JobId, List<long[]>> e : intervals.entrySet()) {
                List<long[]> ivs = e.getValue();
                ivs.sort((x, y) -> Long.compare(x[0], y[0]));
                for (int i = 1; i < ivs.size(); i++) {
                    assertThat(ivs.get(i)[0]).as("job %s placed twice at once", e.getKey())
                            .isGreaterThanOrEqualTo(ivs.get(i - 1)[1]);
                }
            }
            // No fault is injected: each placed job was committed exactly once, at one site.
            assertThat(commits).as("AllocationCommitted events per job").allSatisfy((job, n) ->
                    assertThat(n).as("AllocationCommitted events of %s", job).isEqualTo(1));
            long placedOnce = tasks.stream().filter(t -> commits.containsKey(JobId.of(t.id()))).count();
            assertThat(placedOnce).as("tasks with an AllocationCommitted").isGreaterThanOrEqualTo(PLACED);
            for (TraceTask t : tasks) {
                if (placed(latest.get(t.id()))) {
                    assertThat(commits).as("journal commit of placed task %s", t.id()).containsKey(JobId.of(t.id()));
                }
            }
        }
    }

    /**
     * POSTs the task, as a broker would: a 503 (the job entity did not answer within the node's ask timeout,
     * seen on this 2-core machine at load 60) is retried, at most 5 times; a submit is idempotent on the id.
     */
    private static HttpResponse<String> submit(String url, TraceTask t) {
        HttpResponse<String> r = TestNodes.post(url + "/v1/jobs", submitJson(t));
        for (int attempt = 1; attempt < 5 && r.statusCode() == 503; attempt++) {
            r = TestNodes.post(url + "/v1/jobs", submitJson(t));
        }
        return r;
    }

    private static boolean placed(JsonNode st) {
        return switch (st.get("state").asText()) {
            case "completed", "running", "placed" -> true;
            default -> false;
        };
    }

    private static boolean decided(JsonNode st) {
        String state = st.get("state").asText();
        return switch (state) {
            case "completed", "running", "placed" -> true;
            case "rejected", "queued" -> !st.get("reason").asText().isBlank();
            default -> false;
        };
    }

    private static String submitJson(TraceTask t) {
        return "{\"id\":\"" + t.id() + "\",\"tenant\":\"" + t.tenant() + "\",\"devices\":" + t.devices()
                + (t.models().isAny() ? "" : ",\"models\":\"" + t.models() + "\"")
                + ",\"durationSeconds\":" + t.durationSeconds()
                + ",\"priority\":\"" + t.priority().wireName() + "\""
                + ",\"kind\":\"" + t.kind().name().toLowerCase() + "\""
                + ",\"gpuMilli\":" + t.gpuMilli() + "}";
    }
}
