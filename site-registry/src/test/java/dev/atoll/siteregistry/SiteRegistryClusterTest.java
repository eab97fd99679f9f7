package dev.atoll.siteregistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.Advert;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.PoolAdvert;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Three actor systems on real loopback ports, one data center (site) each, every one with its own
 * registry: adverts converge, older versions never replace newer ones, and a site whose only member leaves
 * is withdrawn from candidates.
 */
class SiteRegistryClusterTest {
    static {
        RegistryKryo.register();
    }

    private final List<ActorSystem<Void>> systems = new ArrayList<>();
    private final List<ActorRef<SiteRegistry.Command>> registries = new ArrayList<>();
    private final List<ActorRef<SiteAgentCommand>> agents = new ArrayList<>();

    @AfterEach
    void stop() throws Exception {
        for (ActorSystem<Void> s : systems) {
            s.terminate();
        }
        for (ActorSystem<Void> s : systems) {
            s.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static Config config(String dc, int port, int seedPort) {
        return ConfigFactory.parseString("""
                pekko.actor.provider = cluster
                pekko.actor.serialize-messages = on
                pekko.actor.serialize-creators = off
                pekko.remote.artery.transport = tcp
                pekko.remote.artery.canonical.hostname = "127.0.0.1"
                pekko.remote.artery.canonical.port = %d
                pekko.cluster.seed-nodes = ["pekko://atoll@127.0.0.1:%d"]
                pekko.cluster.multi-data-center.self-data-center = "%s"
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.cluster.distributed-data.gossip-interval = 200ms
                pekko.cluster.distributed-data.notify-subscribers-interval = 100ms
                pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                pekko.loglevel = WARNING
                """.formatted(port, seedPort, dc)).withFallback(ConfigFactory.load());
    }

    private void startSites(String... sites) throws IOException {
        startSites(ConfigFactory.empty(), sites);
    }

    private void startSites(Config extra, String... sites) throws IOException {
        int seed = freePort();
        for (int i = 0; i < sites.length; i++) {
            int port = i == 0 ? seed : freePort();
            ActorSystem<Void> sys = ActorSystem.create(Behaviors.empty(), "atoll",
                    extra.withFallback(config(sites[i], port, seed)));
            systems.add(sys);
            registries.add(sys.systemActorOf(SiteRegistry.create(), "site-registry", org.apache.pekko.actor.typed.Props.empty()));
            agents.add(sys.systemActorOf(Behaviors.<SiteAgentCommand>ignore(), "agent", org.apache.pekko.actor.typed.Props.empty()));
        }
    }

    private static Advert advert(String site, long version, int free) {
        return new Advert(SiteId.of(site), "r", version, System.currentTimeMillis(),
                List.of(new PoolAdvert(AcceleratorModel.of("H800"), 16, free, Math.min(8, free), free / 8, 8, 0, 2.0, 1.0)));
    }

    private List<SiteInfo> all(int i) throws Exception {
        return AskPattern.<SiteRegistry.Command, List<SiteInfo>>ask(registries.get(i), SiteRegistry.GetAllSites::new,
                Duration.ofSeconds(3), systems.get(i).scheduler()).toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    private CandidateSites candidates(int i, JobSpec job) throws Exception {
        return AskPattern.<SiteRegistry.Command, CandidateSites>ask(registries.get(i),
                r -> new SiteRegistry.GetCandidates(job, r), Duration.ofSeconds(3), systems.get(i).scheduler())
                .toCompletableFuture().get(5, TimeUnit.SECONDS);
    }

    @Test
    void advertsConvergeAndUnreachableSitesAreWithdrawn() throws Exception {
        startSites("site-a", "site-b", "site-c");
        for (int i = 0; i < 3; i++) {
            registries.get(i).tell(new SiteRegistry.Publish(advert("site-" + (char) ('a' + i), 5, 16), agents.get(i)));
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                assertThat(all(i)).extracting(s -> s.site().value()).containsExactly("site-a", "site-b", "site-c");
                assertThat(all(i)).allMatch(SiteInfo::reachable);
            }
        });
        // every node sees the same view, including the agent refs
        assertThat(all(1).get(0).agent().path().uid()).isEqualTo(agents.get(0).path().uid());
        assertThat(all(1).get(0).agent().path().address().port()).isEqualTo(systems.get(0).address().port());
        assertThat(all(2).get(1).agent().path().uid()).isEqualTo(agents.get(1).path().uid());

        // a newer advert wins everywhere; an older one never replaces it
        registries.get(0).tell(new SiteRegistry.Publish(advert("site-a", 7, 0), agents.get(0)));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            for (int i = 0; i < 3; i++) {
                assertThat(all(i).get(0).advert().version()).isEqualTo(7);
            }
        });
        registries.get(0).tell(new SiteRegistry.Publish(advert("site-a", 6, 16), agents.get(0)));
        JobSpec eight = JobSpec.builder("j", "t").devices(8).models("H800").build();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            assertThat(all(1).get(0).advert().version()).isEqualTo(7);
            assertThat(candidates(1, eight).now()).extracting(s -> s.site().value()).containsExactly("site-b", "site-c");
        });

        // site-c leaves: its capacity is withdrawn from candidates, its advert stays visible as unreachable
        systems.get(2).terminate();
        systems.get(2).getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(candidates(0, eight).now()).extracting(s -> s.site().value()).containsExactly("site-b");
            assertThat(all(0).get(2).reachable()).isFalse();
            assertThat(all(1).get(2).reachable()).isFalse();
        });
        CandidateSites none = candidates(0, JobSpec.builder("k", "t").devices(32).models("H800").build());
        assertThat(none.now()).isEmpty();
        assertThat(none.anyEverFits()).isFalse();
        assertThat(none.reason()).contains("no site in the federation has capacity for 32 devices of H800");
    }

    @Test
    void aCrashedSiteIsWithdrawnWhenItsDataCenterBecomesUnreachable() throws Exception {
        // Terminating without coordinated shutdown: the member does not leave, it just goes silent.
        startSites(ConfigFactory.parseString("""
                pekko.coordinated-shutdown.run-by-actor-system-terminate = off
                pekko.cluster.multi-data-center.failure-detector.heartbeat-interval = 500ms
                pekko.cluster.multi-data-center.failure-detector.acceptable-heartbeat-pause = 2s
                """), "site-a", "site-b");
        registries.get(0).tell(new SiteRegistry.Publish(advert("site-a", 1, 16), agents.get(0)));
        registries.get(1).tell(new SiteRegistry.Publish(advert("site-b", 1, 16), agents.get(1)));
        JobSpec eight = JobSpec.builder("j", "t").devices(8).models("H800").build();
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(candidates(0, eight).now()).extracting(x -> x.site().value()).containsExactly("site-a", "site-b"));
        systems.get(1).terminate();
        systems.get(1).getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(candidates(0, eight).now()).extracting(x -> x.site().value()).containsExactly("site-a");
            assertThat(all(0).get(1).reachable()).isFalse();
        });
        // the member is still in the membership (nobody downed it), only unreachable
        assertThat(org.apache.pekko.cluster.typed.Cluster.get(systems.get(0)).state().getUnreachableDataCenters())
                .contains("site-b");
    }

    @Test
    void candidateRuleSeparatesNowFromEver() {
        SiteInfo busy = new SiteInfo(advert("a", 1, 0), null, true);
        SiteInfo free = new SiteInfo(advert("b", 1, 16), null, true);
        SiteInfo away = new SiteInfo(advert("c", 1, 16), null, false);
        JobSpec eight = JobSpec.builder("j", "t").devices(8).models("H800").build();
        CandidateSites c = SiteRegistry.candidates(List.of(busy, free, away), eight);
        assertThat(c.now()).containsExactly(free);
        assertThat(c.anyEverFits()).isTrue();
        CandidateSites waiting = SiteRegistry.candidates(List.of(busy, away), eight);
        assertThat(waiting.now()).isEmpty();
        assertThat(waiting.anyEverFits()).isTrue();
        assertThat(waiting.reason()).contains("a has 0 free of 16").contains("1 site(s) that could fit are unreachable");
        JobSpec t4 = JobSpec.builder("k", "t").devices(1).models("T4").build();
        assertThat(SiteRegistry.candidates(List.of(free), t4).anyEverFits()).isFalse();
        JobSpec whole = JobSpec.builder("w", "t").devices(12).wholeNodes(true).models("H800").build();
        assertThat(SiteRegistry.candidates(List.of(free), whole).anyEverFits()).isFalse();
        assertThat(SiteRegistry.candidates(List.of(), eight).reason()).isEqualTo("no site has advertised yet");
        CandidateSites silent = SiteRegistry.candidates(List.of(free), t4, java.util.Set.of("site-x"));
        assertThat(silent.anyEverFits()).as("a site that has not advertised yet might fit").isTrue();
        assertThat(silent.reason()).contains("waiting for adverts from [site-x]");
    }
}
