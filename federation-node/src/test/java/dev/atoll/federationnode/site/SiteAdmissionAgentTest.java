package dev.atoll.federationnode.site;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.atoll.federationnode.NodeKryo;
import dev.atoll.placement.PackingPolicy;
import dev.atoll.protocol.Advert;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.SiteEvent;
import dev.atoll.protocol.negotiation.Award;
import dev.atoll.protocol.negotiation.AwardReply;
import dev.atoll.protocol.negotiation.Bid;
import dev.atoll.protocol.negotiation.CallForProposals;
import dev.atoll.protocol.negotiation.Decline;
import dev.atoll.protocol.negotiation.JobNotification;
import dev.atoll.protocol.negotiation.NegotiationReply;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import dev.atoll.siteregistry.SiteRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The SiteAgent's admission through placement's {@code SiteAdmission} (issue 3, live queue order): the requests
 * that got "wait" form the site's queue, which is the pending mix of its advert (fragmentation), and with
 * {@code atoll.site-agent.admission = easy} a request that fits now waits when it would delay the head's reserved
 * start (EASY backfill). One node of 8 H800; job "a" runs on 4 of them for 100 s.
 */
class SiteAdmissionAgentTest {
    static {
        NodeKryo.register();
    }

    private static final SiteSpec SITE = new SiteSpec(SiteId.of("site-q"), "east",
            List.of(PoolSpec.of("H800", 1, 8, 80)));

    private ActorTestKit testKit;
    private EventSourcedBehaviorTestKit<SiteAgentCommand, SiteEvent, SiteAgent.State> kit;
    private TestProbe<NegotiationReply> replies;
    private TestProbe<SiteRegistry.Command> registry;

    private void start(String admission) {
        testKit = ActorTestKit.create("site-admission-" + admission,
                EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseString("""
                        pekko.actor.serialize-messages = on
                        pekko.actor.serialize-creators = off
                        pekko.loglevel = WARNING
                        atoll.site-agent.admission = %s
                        atoll.site-agent.admission-forget-after = 1h
                        """.formatted(admission))).withFallback(ConfigFactory.load()));
        registry = testKit.createTestProbe();
        replies = testKit.createTestProbe();
        SiteAgent.Settings settings = new SiteAgent.Settings(SITE, PackingPolicy.byName("first-fit"),
                Duration.ofSeconds(30), 1.0, Duration.ofMillis(20), true, 1000);
        kit = EventSourcedBehaviorTestKit.create(testKit.system(), SiteAgent.create(settings, registry.ref()),
                new EventSourcedBehaviorTestKit.SerializationSettings(true, true, true, true, false));
        // "a" runs on 4 devices for 100 s
        JobSpec a = spec("a", 4, 100);
        NegotiationReply r = cfp(a);
        TestProbe<AwardReply> awards = testKit.createTestProbe();
        TestProbe<JobNotification> notes = testKit.createTestProbe();
        kit.runCommand(new Award(a.id(), 1, ((Bid) r).hold(), awards.ref(), notes.ref(), null, null, a, 0));
        awards.receiveMessage();
    }

    @AfterEach
    void stop() {
        testKit.shutdownTestKit();
    }

    private static JobSpec spec(String id, int devices, long seconds) {
        return JobSpec.builder(id, "vc").devices(devices).models("H800").durationSeconds(seconds).build();
    }

    private NegotiationReply cfp(JobSpec s) {
        kit.runCommand(new CallForProposals(s.id(), 1, s, replies.ref()));
        return replies.receiveMessage();
    }

    /** @return the first advert published from now on whose pool shows {@code free} free devices */
    private Advert advertWithFree(int free) {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (System.nanoTime() < deadline) {
            SiteRegistry.Command c = registry.receiveMessage(Duration.ofSeconds(10));
            if (c instanceof SiteRegistry.Publish p && p.advert().pools().get(0).free() == free) {
                return p.advert();
            }
        }
        throw new AssertionError("no advert with " + free + " free devices");
    }

    @Test
    void greedyAdmissionBidsWhateverFitsAndTheWaitingListIsTheAdvertsPendingMix() {
        start("greedy");
        assertThat(cfp(spec("head", 8, 50))).isInstanceOf(Decline.class);
        // greedy (the simulator's discipline): a fitting request bids even though it runs past the head's start
        assertThat(cfp(spec("small", 2, 500))).isInstanceOf(Bid.class);
        // 2 devices are free and the only waiting request needs 8: both are fragmentation
        Advert ad = advertWithFree(2);
        assertThat(ad.pools().get(0).fragmentation()).isEqualTo(2);
    }

    @Test
    void easyAdmissionKeepsTheHeadsReservationAndLetsOnlyShortWorkAhead() {
        start("easy");
        assertThat(cfp(spec("head", 8, 50))).isInstanceOf(Decline.class);
        NegotiationReply longOne = cfp(spec("long", 4, 500));
        assertThat(longOne).isInstanceOfSatisfying(Decline.class, d -> {
            assertThat(d.reason()).contains("reserved for waiting job head").doesNotStartWith(SiteAgent.NEVER_PREFIX);
        });
        // ends in 60 s, before "a" ends (100 s) and the head can start: may go ahead
        assertThat(cfp(spec("short", 4, 60))).isInstanceOf(Bid.class);
    }
}
