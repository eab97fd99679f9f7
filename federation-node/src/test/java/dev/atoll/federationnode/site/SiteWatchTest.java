package dev.atoll.federationnode.site;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.atoll.federationnode.NodeKryo;
import dev.atoll.siteregistry.SiteRegistry;
import java.util.Map;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The SiteWatch persists the start of each unreachable spell and gives it back to the registry after a restart, so
 * a restart does not restart the lost timer (in-memory journal, every event serialized with Kryo and compared; the commands are node-local).
 */
class SiteWatchTest {
    static {
        NodeKryo.register();
    }

    private static final ActorTestKit KIT = ActorTestKit.create("site-watch-test",
            EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseString("""
                    pekko.actor.serialize-messages = on
                    pekko.actor.serialize-creators = off
                    pekko.loglevel = WARNING
                    """)).withFallback(ConfigFactory.load()));

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @Test
    void theStartOfASpellSurvivesARestartAndTheEarliestStartWins() {
        TestProbe<SiteRegistry.Command> registry = KIT.createTestProbe();
        EventSourcedBehaviorTestKit<SiteRegistry.ReachabilityChange, SiteWatch.Event, SiteWatch.State> kit =
                EventSourcedBehaviorTestKit.create(KIT.system(), SiteWatch.create("site-a|127.0.0.1:2551",
                        registry.ref()), new EventSourcedBehaviorTestKit.SerializationSettings(true, true, false, true,
                        false));
        registry.expectMessageClass(SiteRegistry.Watch.class);

        var first = kit.runCommand(new SiteRegistry.ReachabilityChange("site-c", false, 1_000L));
        assertThat(first.events()).containsExactly(new SiteWatch.SiteUnreachable("site-c", 1_000L));
        assertThat(first.state().since()).isEqualTo(Map.of("site-c", 1_000L));

        // A later start of the same spell (e.g. seen by a new registry incarnation) keeps the recorded start.
        var again = kit.runCommand(new SiteRegistry.ReachabilityChange("site-c", false, 5_000L));
        assertThat(again.events()).isEmpty();
        assertThat(registry.expectMessageClass(SiteRegistry.RestoreUnreachableSince.class))
                .isEqualTo(new SiteRegistry.RestoreUnreachableSince("site-c", 1_000L));

        // After a restart the recorded start goes back to the registry.
        kit.restart();
        assertThat(registry.expectMessageClass(SiteRegistry.Watch.class)).isNotNull();
        assertThat(registry.expectMessageClass(SiteRegistry.RestoreUnreachableSince.class))
                .isEqualTo(new SiteRegistry.RestoreUnreachableSince("site-c", 1_000L));

        // The spell ends: nothing is given back after the next restart.
        var back = kit.runCommand(new SiteRegistry.ReachabilityChange("site-c", true, 9_000L));
        assertThat(back.events()).containsExactly(new SiteWatch.SiteReachable("site-c", 9_000L));
        assertThat(back.state().since()).isEmpty();
        kit.restart();
        registry.expectMessageClass(SiteRegistry.Watch.class);
        registry.expectNoMessage(java.time.Duration.ofMillis(300));
        // A reachable report without an open spell persists nothing.
        assertThat(kit.runCommand(new SiteRegistry.ReachabilityChange("site-c", true, 10_000L)).events()).isEmpty();
    }
}
