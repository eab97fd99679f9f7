package dev.atoll.federationnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.atoll.federationnode.site.SiteWatch;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.JobRequeued;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import dev.atoll.federationnode.persistence.Journals;
import java.util.UUID;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.remote.RemoteActorRefProvider;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.remote.transport.ThrottlerTransportAdapter;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Three sites (three actor systems, one data center each, Artery TCP on loopback, one shared journal: an H2 file
 * or the real Cassandra, which skips when Cassandra is not reachable and fails then under {@code CI=true}; a
 * Cassandra run uses fresh site and job ids, so earlier runs' rows in the keyspace are never replayed). Jobs submitted
 * at site-a run at site-c (the cheapest). Site-c is then cut off from the others in both directions with Artery's
 * test-mode blackhole (the mechanism of Pekko's TestConductor: every message between the blackholed addresses is
 * dropped, heartbeats included), so the others mark it unreachable, then lost after
 * {@code atoll.registry.lost-after}; nobody downs it. Its jobs must be requeued under a new epoch and run at
 * site-a/site-b while site-c keeps running its (now stale) copies. After the partition heals, site-c's
 * reconciliation must stop every stale copy: exactly one copy of each job remains, at a or b. The journal is checked
 * too: a {@code JobRequeued("site site-c lost ...")} per job, a CANCELLED release of each stale copy at site-c, and
 * site-a's SiteWatch record of when site-c became unreachable.
 */
class PartitionTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;

    static JsonNode get(String url) throws Exception {
        return JSON.readTree(TestNodes.get(url).body());
    }

    private static String job(String id) {
        return "{\"id\":\"" + id + "\",\"tenant\":\"vc\",\"devices\":8,\"models\":\"H800\",\"durationSeconds\":36000}";
    }

    /** Blackholes (or heals) all traffic between {@code from}'s transport and {@code to}, both directions. */
    @SuppressWarnings("deprecation")
    static void blackhole(ActorSystem<?> from, Address to, boolean on) throws Exception {
        RemoteActorRefProvider provider =
                (RemoteActorRefProvider) ((ExtendedActorSystem) Adapter.toClassic(from)).provider();
        Object cmd = new ThrottlerTransportAdapter.SetThrottle(to, ThrottlerTransportAdapter.bothDirection(),
                on ? ThrottlerTransportAdapter.blackholeThrottleMode()
                        : ThrottlerTransportAdapter.unthrottledThrottleMode());
        Object done = scala.concurrent.Await.result(provider.transport().managementCommand(cmd),
                scala.concurrent.duration.Duration.create(10, TimeUnit.SECONDS));
        assertThat(done).as("artery test-mode must be on for the blackhole").isEqualTo(Boolean.TRUE);
    }

    static void partition(NodeHandle isolated, List<NodeHandle> others, boolean on) throws Exception {
        for (NodeHandle o : others) {
            blackhole(o.system(), isolated.system().address(), on);
            blackhole(isolated.system(), o.system().address(), on);
        }
    }

    /** @return job -&gt; epoch of its allocation at each site's ledger, as seen from {@code via} */
    static Map<String, Map<String, Long>> allocations(NodeHandle via, List<String> sites) throws Exception {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        for (String site : sites) {
            JsonNode ledger = get(via.url() + "/v1/sites/" + site + "/ledger");
            for (JsonNode a : ledger.get("allocations")) {
                out.computeIfAbsent(a.get("job").asText(), k -> new TreeMap<>()).put(site, a.get("epoch").asLong());
            }
        }
        return out;
    }

    @ParameterizedTest(name = "journal {0}")
    @ValueSource(strings = {"h2", "cassandra"})
    void jobsOfAnIsolatedSiteMoveAndExactlyOneCopyRemainsAfterHealing(String journalKind) throws Exception {
        if (journalKind.equals("cassandra")) {
            Journals.requireCassandra();
        }
        // H2 starts empty each run; the Cassandra keyspace does not, so site and job ids are fresh per run.
        String run = journalKind.equals("h2") ? "" : "r" + UUID.randomUUID().toString().substring(0, 8) + "-";
        String siteA = run + "site-a";
        String siteB = run + "site-b";
        String siteC = run + "site-c";
        List<String> jobs = List.of(run + "p1", run + "p2", run + "p3", run + "p4");
        AcceleratorModel h800 = AcceleratorModel.of("H800");
        List<SiteSpec> sites = List.of(
                new SiteSpec(SiteId.of(siteA), "east", List.of(new PoolSpec(h800, 2, 8, 80, 3.0, 1.0))),
                new SiteSpec(SiteId.of(siteB), "west", List.of(new PoolSpec(h800, 2, 8, 80, 2.0, 1.0))),
                new SiteSpec(SiteId.of(siteC), "south", List.of(new PoolSpec(h800, 4, 8, 80, 1.0, 1.0))));
        // Bids and holds get generous timeouts: on a loaded 2-core CI machine a journal write can take seconds, and a
        // late site-c bid would let a pricier site win the first round (correct behaviour, but not this test's subject).
        // Every round calls all three sites (cfp-fanout 3): with the default fan-out of 2, a job whose adverts already
        // show site-c's holds of the other jobs calls only a and b, and b wins.
        try (LocalCluster cluster = new LocalCluster(sites, dir, journalKind, 1.0, Duration.ofSeconds(15),
                TestNodes.testOverrides().withFallback(ConfigFactory.parseString("""
                        pekko.remote.artery.advanced.test-mode = on
                        pekko.cluster.multi-data-center.failure-detector.heartbeat-interval = 500ms
                        pekko.cluster.multi-data-center.failure-detector.acceptable-heartbeat-pause = 2s
                        atoll.registry.lost-after = 8s
                        atoll.registry.reachable-stable-after = 2s
                        atoll.job.site-choice = "lowest-price"
                        atoll.job.cfp-fanout = 3
                        atoll.job.bid-timeout = 12s
                        atoll.job.placed-check-interval = 1s
                        atoll.job.retry-max = 1s
                        atoll.site-agent.reconcile-interval = 1s
                        """))).start()) {
            NodeHandle a = cluster.node(SiteId.of(siteA));
            NodeHandle b = cluster.node(SiteId.of(siteB));
            NodeHandle c = cluster.node(SiteId.of(siteC));
            for (String id : jobs) {
                assertThat(TestNodes.post(a.url() + "/v1/jobs", job(id)).statusCode()).isEqualTo(202);
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (String id : jobs) {
                    JsonNode st = get(a.url() + "/v1/jobs/" + id);
                    assertThat(st.get("state").asText()).as(id).isEqualTo("running");
                    assertThat(st.get("site").asText()).as(id).isEqualTo(siteC);
                }
            });
            Map<String, Map<String, Long>> before = allocations(c, List.of(siteC));
            assertThat(before).containsOnlyKeys(jobs);

            // Cut site-c off. The others see it unreachable, then lost; its jobs move to a and b.
            long cutAt = System.currentTimeMillis();
            partition(c, List.of(a, b), true);
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                JsonNode viewC = siteView(a, siteC);
                assertThat(viewC.get("reachable").asBoolean()).isFalse();
                assertThat(viewC.get("lost").asBoolean()).isFalse();
            });
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                assertThat(siteView(a, siteC).get("lost").asBoolean()).isTrue();
                Map<String, Map<String, Long>> moved = allocations(a, List.of(siteA, siteB));
                assertThat(moved).containsOnlyKeys(jobs);
                for (String id : jobs) {
                    assertThat(moved.get(id)).as(id + " runs at exactly one of a, b").hasSize(1);
                    long epoch = moved.get(id).values().iterator().next();
                    assertThat(epoch).as(id + " epoch").isGreaterThan(before.get(id).get(siteC));
                    JsonNode st = get(a.url() + "/v1/jobs/" + id);
                    assertThat(st.get("state").asText()).isEqualTo("running");
                    assertThat(st.get("site").asText()).isIn(siteA, siteB);
                }
            });
            long lostAfterMillis = System.currentTimeMillis() - cutAt;
            assertThat(lostAfterMillis).as("jobs moved no earlier than lost-after").isGreaterThanOrEqualTo(8000);
            // The isolated site is not downed: it is still a member, and it still runs its (stale) copies.
            assertThat(membersOf(a, siteC)).extracting(Member::status).containsOnly(MemberStatus.up());
            assertThat(allocations(c, List.of(siteC))).isEqualTo(before);

            // Heal: site-c asks each Job whether its epoch is current and stops the stale copies.
            partition(c, List.of(a, b), false);
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                assertThat(siteView(a, siteC).get("reachable").asBoolean()).isTrue();
                Map<String, Map<String, Long>> all = allocations(a, List.of(siteA, siteB, siteC));
                assertThat(all).containsOnlyKeys(jobs);
                for (String id : jobs) {
                    assertThat(all.get(id)).as(id + " runs exactly once").hasSize(1);
                    assertThat(all.get(id)).as(id).doesNotContainKey(siteC);
                }
                assertThat(get(c.url() + "/v1/sites/" + siteC + "/ledger").get("holds").asInt()).isZero();
            });
            // The journal tells the same story: each job was requeued because site-c was lost, site-c released its
            // stale copies as CANCELLED, and site-a's SiteWatch recorded when site-c became unreachable.
            for (String id : jobs) {
                List<Object> events = journal(journalKind, a, "Job|" + id);
                assertThat(events).filteredOn(e -> e instanceof JobRequeued r
                                && r.epoch() == before.get(id).get(siteC) && r.reason().startsWith("site " + siteC + " lost"))
                        .as(id + " requeued because site-c was lost").hasSize(1);
            }
            List<Object> agentC = journal(journalKind, a, "SiteAgent|" + siteC);
            for (String id : jobs) {
                assertThat(agentC).filteredOn(e -> e instanceof AllocationReleased r && r.job().value().equals(id)
                                && r.outcome() == WorkloadEnded.Outcome.CANCELLED && r.reason().contains("stale epoch"))
                        .as(id + " stale copy at site-c cancelled").hasSize(1);
            }
            assertThat(journal(journalKind, a, "SiteWatch|" + siteA + "|127.0.0.1:" + a.config().port()))
                    .filteredOn(e -> e instanceof SiteWatch.SiteUnreachable u && u.site().equals(siteC)
                            && u.sinceMillis() >= cutAt)
                    .hasSize(1);

            // Site-c is a candidate again: a new job fits only there (a and b are full).
            assertThat(TestNodes.post(a.url() + "/v1/jobs", job(run + "after-heal")).statusCode()).isEqualTo(202);
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                JsonNode st = get(a.url() + "/v1/jobs/" + run + "after-heal");
                assertThat(st.get("state").asText()).isEqualTo("running");
                assertThat(st.get("site").asText()).isEqualTo(siteC);
            });
            Map<String, Map<String, Long>> end = allocations(a, List.of(siteA, siteB, siteC));
            List<String> twice = new ArrayList<>();
            end.forEach((job, at) -> {
                if (at.size() > 1) {
                    twice.add(job + " at " + at);
                }
            });
            assertThat(twice).as("jobs with allocations at two sites").isEmpty();
            System.out.println("partition test: jobs moved " + lostAfterMillis + " ms after the cut; final "
                    + new HashMap<>(end));
        }
    }

    /** @return the events of {@code persistenceId} read through the query plugin of {@code journalKind} */
    static List<Object> journal(String journalKind, NodeHandle via, String persistenceId) throws Exception {
        String plugin = journalKind.equals("h2") ? JdbcReadJournal.Identifier() : "pekko.persistence.cassandra.query";
        CurrentEventsByPersistenceIdQuery journal = PersistenceQuery.get(Adapter.toClassic(via.system()))
                .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, plugin);
        List<EventEnvelope> envs = journal.currentEventsByPersistenceId(persistenceId, 0, Long.MAX_VALUE)
                .runWith(Sink.seq(), via.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
        List<Object> out = new ArrayList<>();
        for (EventEnvelope e : envs) {
            out.add(e.event());
        }
        return out;
    }

    static JsonNode siteView(NodeHandle via, String site) throws Exception {
        for (JsonNode s : get(via.url() + "/v1/sites")) {
            if (s.get("site").asText().equals(site)) {
                return s;
            }
        }
        throw new AssertionError("site " + site + " not in " + via.url() + "/v1/sites");
    }

    private static List<Member> membersOf(NodeHandle via, String dc) {
        List<Member> out = new ArrayList<>();
        for (Member m : org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(via.system())).state().getMembers()) {
            if (m.dataCenter().equals(dc)) {
                out.add(m);
            }
        }
        return out;
    }
}
