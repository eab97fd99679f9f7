package dev.atoll.federationnode.persistence;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atoll.federationnode.NodeKryo;
import dev.atoll.federationnode.site.AllocationStatus;
import dev.atoll.federationnode.site.GetLedger;
import dev.atoll.federationnode.site.LedgerView;
import dev.atoll.federationnode.site.SiteAgent;
import dev.atoll.placement.PackingPolicy;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.negotiation.Award;
import dev.atoll.protocol.negotiation.AwardReply;
import dev.atoll.protocol.negotiation.Bid;
import dev.atoll.protocol.negotiation.CallForProposals;
import dev.atoll.protocol.negotiation.Committed;
import dev.atoll.protocol.negotiation.JobNotification;
import dev.atoll.protocol.negotiation.NegotiationReply;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A SiteAgent on each journal a node supports (H2 file, real Cassandra) commits allocations and holds, is
 * stopped, and a fresh agent on the same journal recovers exactly the same ledger.
 */
class SiteAgentRecoveryTest {
    static {
        NodeKryo.register();
    }

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    @TempDir
    Path dir;

    private static JobSpec job(String id, int devices, long seconds) {
        return JobSpec.builder(id, "vc1").devices(devices).models("H800").durationSeconds(seconds).build();
    }

    static SiteAgent.Settings settings(SiteSpec spec) {
        return new SiteAgent.Settings(spec, PackingPolicy.byName("first-fit"), Duration.ofMinutes(5), 1.0,
                Duration.ofMillis(50), true, 1000);
    }

    static Committed place(ActorTestKit kit, ActorRef<SiteAgentCommand> agent, String id, int devices) {
        TestProbe<NegotiationReply> replies = kit.createTestProbe();
        TestProbe<AwardReply> awards = kit.createTestProbe();
        TestProbe<JobNotification> notes = kit.createTestProbe();
        agent.tell(new CallForProposals(JobId.of(id), 1, job(id, devices, 36_000), replies.getRef()));
        Bid bid = (Bid) replies.receiveMessage(PATIENCE);
        agent.tell(new Award(JobId.of(id), 1, bid.hold(), awards.getRef(), notes.getRef()));
        return (Committed) awards.receiveMessage(PATIENCE);
    }

    static LedgerView ledger(ActorTestKit kit, ActorRef<SiteAgentCommand> agent) {
        TestProbe<LedgerView> p = kit.createTestProbe();
        agent.tell(new GetLedger(p.getRef()));
        return p.receiveMessage(PATIENCE);
    }

    @org.junit.jupiter.api.Test
    void journalCassandraSelectsTheCassandraPluginsAndH2StaysTheDefault() {
        com.typesafe.config.Config h2 = dev.atoll.federationnode.NodeMain.systemConfig(
                dev.atoll.federationnode.NodeConfig.parse("atoll.site { id = \"s\", port = 25599, http-port = 0,"
                        + " pools = [{ model = \"H800\", nodes = 1, devices-per-node = 8 }] }", "t"),
                com.typesafe.config.ConfigFactory.empty());
        assertThat(h2.getString("pekko.persistence.journal.plugin")).isEqualTo("jdbc-journal");
        com.typesafe.config.Config cas = dev.atoll.federationnode.NodeMain.systemConfig(
                dev.atoll.federationnode.NodeConfig.parse("atoll.site { id = \"s\", port = 25599, http-port = 0,"
                        + " journal = cassandra, pools = [{ model = \"H800\", nodes = 1, devices-per-node = 8 }] }",
                        "t"), com.typesafe.config.ConfigFactory.empty());
        assertThat(cas.getString("pekko.persistence.journal.plugin")).isEqualTo("pekko.persistence.cassandra.journal");
        assertThat(cas.getString("pekko.persistence.snapshot-store.plugin"))
                .isEqualTo("pekko.persistence.cassandra.snapshot");
        assertThat(cas.getString("pekko.persistence.cassandra.journal.keyspace")).isEqualTo("atoll_journal");
    }

    @ParameterizedTest(name = "journal = {0}")
    @ValueSource(strings = {"h2", "cassandra"})
    void aFreshAgentRecoversTheLedgerExactly(String journal) {
        ActorTestKit kit = ActorTestKit.create("recovery-" + journal, Journals.systemConfig(journal, dir, ""));
        try {
            SiteSpec spec = new SiteSpec(SiteId.of("rec-" + UUID.randomUUID().toString().substring(0, 8)), "east",
                    List.of(PoolSpec.of("H800", 2, 8, 80)));
            ActorRef<SiteAgentCommand> first = kit.spawn(SiteAgent.create(settings(spec), null));
            place(kit, first, "a", 8);
            place(kit, first, "b", 3);
            TestProbe<NegotiationReply> replies = kit.createTestProbe();
            first.tell(new CallForProposals(JobId.of("held"), 1, job("held", 2, 60), replies.getRef()));
            assertThat(replies.receiveMessage(PATIENCE)).isInstanceOf(Bid.class);
            LedgerView before = ledger(kit, first);
            assertThat(before.allocations()).extracting(a -> a.job().value()).containsExactly("a", "b");
            assertThat(before.holds()).isEqualTo(1);
            kit.stop(first, PATIENCE);

            ActorRef<SiteAgentCommand> second = kit.spawn(SiteAgent.create(settings(spec), null));
            assertThat(ledger(kit, second)).isEqualTo(before);
            // and it keeps writing after recovery, on top of the recovered usage
            Committed c = place(kit, second, "c", 3);
            assertThat(c.placement().shares()).extracting(s -> s.node()).containsOnly(1);
            assertThat(ledger(kit, second).allocations()).hasSize(3);
        } finally {
            kit.shutdownTestKit();
        }
    }

    @ParameterizedTest(name = "journal = {0}")
    @ValueSource(strings = {"h2", "cassandra"})
    void aSnapshotOfTheLedgerIsTakenAndRecoveredWithTheSameVersion(String journal) {
        ActorTestKit kit = ActorTestKit.create("snapshot-" + journal, Journals.systemConfig(journal, dir, ""));
        try {
            SiteSpec spec = new SiteSpec(SiteId.of("snap-" + UUID.randomUUID().toString().substring(0, 8)), "east",
                    List.of(PoolSpec.of("H800", 4, 8, 80)));
            SiteAgent.Settings s = new SiteAgent.Settings(spec, PackingPolicy.byName("first-fit"),
                    Duration.ofMinutes(5), 1.0, Duration.ofMillis(50), true, 1000, 0.0, 0L, 10);
            ActorRef<SiteAgentCommand> first = kit.spawn(SiteAgent.create(s, null));
            for (int i = 0; i < 12; i++) {
                place(kit, first, "j" + i, 1);
            }
            for (int i = 0; i < 5; i++) {
                first.tell(new dev.atoll.protocol.negotiation.CancelWorkload(JobId.of("j" + i), 1, "test"));
            }
            TestProbe<NegotiationReply> replies = kit.createTestProbe();
            first.tell(new CallForProposals(JobId.of("held"), 1, job("held", 2, 60), replies.getRef()));
            assertThat(replies.receiveMessage(PATIENCE)).isInstanceOf(Bid.class);
            LedgerView before = ledger(kit, first);
            // 12 holds + 12 commits + 5 releases + 1 hold = 30 events: snapshots at 10, 20, 30
            assertThat(before.version()).isEqualTo(30);
            kit.stop(first, PATIENCE);
            String pid = SiteAgent.persistenceId(spec.id()).id();
            // older snapshots are deleted asynchronously after a new one is saved
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(20))
                    .until(() -> Journals.snapshotCount(journal, dir, pid) == 2);

            ActorRef<SiteAgentCommand> second = kit.spawn(SiteAgent.create(s, null));
            LedgerView after = ledger(kit, second);
            assertThat(after).isEqualTo(before);
            // ended allocations came back with the snapshot: a Job asking about j0 hears it was cancelled
            TestProbe<AllocationStatus> q = kit.createTestProbe();
            second.tell(new dev.atoll.federationnode.site.QueryAllocation(JobId.of("j0"), 1, q.getRef()));
            assertThat(q.receiveMessage(PATIENCE).state()).isEqualTo(AllocationStatus.State.ENDED);
        } finally {
            kit.shutdownTestKit();
        }
    }
}
