package dev.atoll.federationnode.site;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.atoll.federationnode.NodeKryo;
import dev.atoll.placement.PackingPolicy;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.negotiation.Bid;
import dev.atoll.protocol.negotiation.CallForProposals;
import dev.atoll.protocol.negotiation.NegotiationReply;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import java.time.Duration;
import java.util.List;
import dev.atoll.siteregistry.SiteRegistry;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A SiteAgent whose journal fails while it recovers (a journal read timing out on a loaded machine) must come back
 * by itself (as must its SiteWatch): it is a cluster singleton, nothing else would start it again, and a stopped SiteAgent takes no more
 * placements for its site.
 */
class JournalFailureRestartTest {
    static {
        NodeKryo.register();
    }

    private static final ActorTestKit KIT = ActorTestKit.create("journal-failure-test",
            PersistenceTestKitPlugin.getInstance().config()
                    .withFallback(PersistenceTestKitSnapshotPlugin.config())
                    .withFallback(ConfigFactory.parseString("""
                    pekko.actor.serialize-messages = on
                    pekko.loglevel = WARNING
                    """)).withFallback(ConfigFactory.load()));

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void aSiteAgentWhoseRecoveryFailsRestartsAndAnswers() {
        PersistenceTestKit journal = PersistenceTestKit.create(KIT.system());
        SiteSpec site = new SiteSpec(SiteId.of("site-r"), "east", List.of(PoolSpec.of("H800", 2, 8, 80)));
        SiteAgent.Settings settings = new SiteAgent.Settings(site, PackingPolicy.byName("first-fit"),
                Duration.ofSeconds(30), 1.0, Duration.ofMillis(50), true, 1000);
        journal.failNextNReads(3);

        ActorRef<SiteAgentCommand> agent = KIT.spawn(SiteAgent.create(settings, null));
        TestProbe<NegotiationReply> replies = KIT.createTestProbe();
        JobSpec job = JobSpec.builder("j1", "vc1").devices(8).models("H800").durationSeconds(60).build();

        // A call sent while the agent fails may be dropped with it; the Job's negotiation retries, so does this.
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            agent.tell(new CallForProposals(JobId.of("j1"), 1, job, replies.ref()));
            NegotiationReply reply = replies.receiveMessage(Duration.ofSeconds(5));
            assertThat(reply).isInstanceOf(Bid.class);
            assertThat(((Bid) reply).job()).isEqualTo(JobId.of("j1"));
        });
    }

    @Test
    void aSiteWatchWhoseRecoveryFailsRestartsAndRestoresItsSpells() {
        PersistenceTestKit journal = PersistenceTestKit.create(KIT.system());
        String key = "site-w|127.0.0.1:1";
        journal.persistForRecovery(SiteWatch.persistenceId(key).id(),
                List.of(new SiteWatch.SiteUnreachable("site-x", 1_234L)));
        journal.failNextNReads(3);
        TestProbe<SiteRegistry.Command> registry = KIT.createTestProbe();

        KIT.spawn(SiteWatch.create(key, registry.ref()));

        assertThat(registry.expectMessageClass(SiteRegistry.Watch.class, Duration.ofSeconds(30))).isNotNull();
        SiteRegistry.RestoreUnreachableSince restored =
                registry.expectMessageClass(SiteRegistry.RestoreUnreachableSince.class, Duration.ofSeconds(60));
        assertThat(restored.site()).isEqualTo("site-x");
        assertThat(restored.sinceMillis()).isEqualTo(1_234L);
    }
}
