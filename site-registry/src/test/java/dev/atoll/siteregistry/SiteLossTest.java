package dev.atoll.siteregistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.Advert;
import dev.atoll.protocol.PoolAdvert;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Lost sites in one registry (a one-node cluster in data center site-a, real loopback port): a site with an advert
 * but no reachable member is unreachable at once, lost only after {@code atoll.registry.lost-after}; a spell start
 * given back by the SiteWatch after a restart counts from the original time, not from the restart.
 */
class SiteLossTest {
    static {
        RegistryKryo.register();
    }

    private ActorTestKit kit;

    @AfterEach
    void stop() {
        kit.shutdownTestKit();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private ActorRef<SiteRegistry.Command> start(String lostAfter) throws IOException {
        kit = ActorTestKit.create("atoll", ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.actor.serialize-messages = on
                pekko.actor.serialize-creators = off
                pekko.remote.artery.transport = tcp
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = %d
                pekko.cluster.multi-data-center.self-data-center = "site-a"
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                pekko.loglevel = WARNING
                atoll.registry.lost-after = %s
                """.formatted(freePort(), lostAfter)).withFallback(ConfigFactory.load()));
        Cluster cluster = Cluster.get(kit.system());
        cluster.manager().tell(Join.create(cluster.selfMember().address()));
        return kit.spawn(SiteRegistry.create(), "site-registry");
    }

    private Optional<SiteInfo> lookup(ActorRef<SiteRegistry.Command> registry, String site) throws Exception {
        return AskPattern.<SiteRegistry.Command, Optional<SiteInfo>>ask(registry,
                r -> new SiteRegistry.Lookup(SiteId.of(site), r), Duration.ofSeconds(3), kit.system().scheduler())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private static Advert advert(String site) {
        return new Advert(SiteId.of(site), "r", 1, System.currentTimeMillis(),
                List.of(new PoolAdvert(AcceleratorModel.of("H800"), 16, 16, 8, 2, 8, 0, 2.0, 1.0)));
    }

    @Test
    void aSiteIsLostAfterTheTimeoutAndARestoredSpellStartCounts() throws Exception {
        ActorRef<SiteRegistry.Command> registry = start("3s");
        TestProbe<SiteRegistry.ReachabilityChange> watch = kit.createTestProbe();
        registry.tell(new SiteRegistry.Watch(watch.ref()));
        ActorRef<SiteAgentCommand> agent = kit.spawn(Behaviors.<SiteAgentCommand>ignore(), "agent");
        long before = System.currentTimeMillis();
        // site-x has an advert (e.g. gossiped before it went away) but no member: unreachable at once.
        registry.tell(new SiteRegistry.Publish(advert("site-x"), agent));
        SiteRegistry.ReachabilityChange opened = watch.expectMessageClass(SiteRegistry.ReachabilityChange.class,
                Duration.ofSeconds(10));
        assertThat(opened.site()).isEqualTo("site-x");
        assertThat(opened.reachable()).isFalse();
        assertThat(opened.atMillis()).isBetween(before, System.currentTimeMillis());
        SiteInfo early = lookup(registry, "site-x").orElseThrow();
        assertThat(early.reachable()).isFalse();
        assertThat(early.lost()).as("not lost before lost-after").isFalse();
        assertThat(early.unreachableSinceMillis()).isEqualTo(opened.atMillis());

        await().atMost(Duration.ofSeconds(10)).until(() -> lookup(registry, "site-x").orElseThrow().lost());
        assertThat(System.currentTimeMillis() - opened.atMillis()).isGreaterThanOrEqualTo(3000);
    }

    @Test
    void aRestartDoesNotRestartTheLostTimer() throws Exception {
        ActorRef<SiteRegistry.Command> registry = start("1h");
        ActorRef<SiteAgentCommand> agent = kit.spawn(Behaviors.<SiteAgentCommand>ignore(), "agent");
        registry.tell(new SiteRegistry.Publish(advert("site-x"), agent));
        await().atMost(Duration.ofSeconds(10)).until(() ->
                lookup(registry, "site-x").map(s -> s.unreachableSinceMillis() > 0).orElse(false));
        assertThat(lookup(registry, "site-x").orElseThrow().lost()).isFalse();
        // What the SiteWatch gives back after a restart: the spell began two hours ago.
        long twoHoursAgo = System.currentTimeMillis() - Duration.ofHours(2).toMillis();
        registry.tell(new SiteRegistry.RestoreUnreachableSince("site-x", twoHoursAgo));
        SiteInfo lost = lookup(registry, "site-x").orElseThrow();
        assertThat(lost.lost()).isTrue();
        assertThat(lost.unreachableSinceMillis()).isEqualTo(twoHoursAgo);
    }
}
