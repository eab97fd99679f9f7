package dev.atoll.federationnode.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.atoll.federationnode.NodeKryo;
import dev.atoll.federationnode.job.EpochCheck;
import dev.atoll.federationnode.job.Job;
import dev.atoll.federationnode.job.JobDirectory;
import dev.atoll.federationnode.site.SiteAgent;
import dev.atoll.placement.PackingPolicy;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.negotiation.Award;
import dev.atoll.protocol.negotiation.AwardReply;
import dev.atoll.protocol.negotiation.Bid;
import dev.atoll.protocol.negotiation.CallForProposals;
import dev.atoll.protocol.negotiation.CancelWorkload;
import dev.atoll.protocol.negotiation.Committed;
import dev.atoll.protocol.negotiation.JobNotification;
import dev.atoll.protocol.negotiation.NegotiationReply;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.persistence.query.EventEnvelope;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.persistence.query.javadsl.CurrentEventsByPersistenceIdQuery;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Reconciliation survives a SiteAgent restart (issue 4): the owner of an allocation (site and Job entity id) comes
 * with the award and is persisted in {@link AllocationCommitted}, so a fresh agent incarnation, which has no
 * remembered notifier, still asks the right Job through sharding ({@link EpochCheck}) and stops the copy when the
 * Job answers it is stale. Runs on both journals, recovering from events only and from a snapshot that holds the
 * allocation. A one-node cluster whose data center is the site; the "Job" entity is a stand-in that hands every
 * notification to a probe.
 */
class ReconcileAfterRestartTest {
    static {
        NodeKryo.register();
    }

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    @ParameterizedTest(name = "journal = {0}, snapshot every {1} events")
    @CsvSource({"h2, 0", "h2, 2", "cassandra, 0", "cassandra, 2"})
    void aRestartedAgentStillReachesTheOwnerOfEachAllocation(String journal, int snapshotEvery) throws Exception {
        SiteId site = SiteId.of("rc-" + UUID.randomUUID().toString().substring(0, 8));
        ActorTestKit kit = ActorTestKit.create("reconcile-" + journal, ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = 0
                pekko.cluster.seed-nodes = []
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.cluster.multi-data-center.self-data-center = "%s"
                atoll.site-agent.reconcile-interval = 200ms
                """.formatted(site.value())).withFallback(Journals.systemConfig(journal, dir, "")));
        try {
            Cluster cluster = Cluster.get(kit.system());
            cluster.manager().tell(Join.create(cluster.selfMember().address()));
            await().atMost(PATIENCE).until(() -> cluster.selfMember().status() == MemberStatus.up());
            TestProbe<JobNotification> atJob = kit.createTestProbe();
            ClusterSharding.get(kit.system()).init(Entity.of(JobDirectory.typeKey(site), ctx ->
                    Behaviors.<Job.Command>receiveMessage(m -> {
                        if (m instanceof Job.Notify n) {
                            atJob.getRef().tell(n.notification());
                        }
                        return Behaviors.same();
                    })));
            SiteAgent.Settings settings = new SiteAgent.Settings(new SiteSpec(site, "east",
                    List.of(PoolSpec.of("H800", 1, 8, 80))), PackingPolicy.byName("first-fit"), Duration.ofMinutes(5),
                    1.0, Duration.ofMillis(50), true, 1000, 0.0, 0L, snapshotEvery);

            ActorRef<SiteAgentCommand> first = kit.spawn(SiteAgent.create(settings, null));
            TestProbe<NegotiationReply> replies = kit.createTestProbe();
            TestProbe<AwardReply> awards = kit.createTestProbe();
            TestProbe<JobNotification> notifyTo = kit.createTestProbe();
            JobId job = JobId.of("j1");
            first.tell(new CallForProposals(job, 4, JobSpec.builder("j1", "vc").devices(8).models("H800")
                    .durationSeconds(36_000).build(), replies.getRef()));
            Bid bid = (Bid) replies.receiveMessage(PATIENCE);
            first.tell(new Award(job, 4, bid.hold(), awards.getRef(), notifyTo.getRef(), site, "j1|a1"));
            assertThat(awards.receiveMessage(PATIENCE)).isInstanceOf(Committed.class);
            // The check goes to the owner's entity through sharding, not to the remembered notifier.
            assertThat(awaitCheck(atJob, job)).isEqualTo(4);
            kit.stop(first, PATIENCE);

            // A new incarnation has no remembered notifier: it finds the owner in the journal (or the snapshot).
            ActorRef<SiteAgentCommand> second = kit.spawn(SiteAgent.create(settings, null));
            EpochCheck check = null;
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (check == null && System.nanoTime() < deadline) {
                JobNotification n = atJob.receiveMessage(PATIENCE);
                if (n instanceof EpochCheck c && c.agent().equals(second)) {
                    check = c;
                }
            }
            assertThat(check).as("an EpochCheck from the restarted agent").isNotNull();
            assertThat(check.job()).isEqualTo(job);
            assertThat(check.epoch()).isEqualTo(4);
            assertThat(check.site()).isEqualTo(site);
            notifyTo.expectNoMessage(Duration.ofMillis(300));
            // The Job has moved on: its answer stops the stale copy and frees the devices.
            check.agent().tell(new CancelWorkload(job, 4, "stale epoch 4 at site " + site + ": test"));
            await().atMost(PATIENCE).untilAsserted(() -> {
                TestProbe<dev.atoll.federationnode.site.LedgerView> p = kit.createTestProbe();
                second.tell(new dev.atoll.federationnode.site.GetLedger(p.getRef()));
                assertThat(p.receiveMessage(PATIENCE).allocations()).isEmpty();
            });
            List<Object> events = events(kit, journal, SiteAgent.persistenceId(site).id());
            assertThat(events).filteredOn(e -> e instanceof AllocationCommitted).singleElement()
                    .satisfies(e -> {
                        AllocationCommitted c = (AllocationCommitted) e;
                        assertThat(c.owner()).isEqualTo(site);
                        assertThat(c.ownerEntity()).isEqualTo("j1|a1");
                    });
            assertThat(events).filteredOn(e -> e instanceof AllocationReleased r
                    && r.outcome() == WorkloadEnded.Outcome.CANCELLED && r.reason().startsWith("stale epoch 4"))
                    .hasSize(1);
        } finally {
            kit.shutdownTestKit();
        }
    }

    /** @return the epoch of the next EpochCheck for {@code job} that reaches the stand-in Job */
    private static long awaitCheck(TestProbe<JobNotification> atJob, JobId job) {
        JobNotification n = atJob.receiveMessage(PATIENCE);
        assertThat(n).isInstanceOf(EpochCheck.class);
        assertThat(((EpochCheck) n).job()).isEqualTo(job);
        return ((EpochCheck) n).epoch();
    }

    private static List<Object> events(ActorTestKit kit, String journal, String pid) throws Exception {
        String plugin = journal.equals("h2") ? "jdbc-read-journal" : "pekko.persistence.cassandra.query";
        CurrentEventsByPersistenceIdQuery q = PersistenceQuery.get(Adapter.toClassic(kit.system()))
                .getReadJournalFor(CurrentEventsByPersistenceIdQuery.class, plugin);
        List<Object> out = new ArrayList<>();
        for (EventEnvelope e : q.currentEventsByPersistenceId(pid, 0, Long.MAX_VALUE).runWith(Sink.seq(), kit.system())
                .toCompletableFuture().get(30, TimeUnit.SECONDS)) {
            out.add(e.event());
        }
        return out;
    }
}
