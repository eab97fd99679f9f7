package dev.atoll.federationnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.actor.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.Cluster;
import org.apache.pekko.cluster.MemberStatus;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The crash harness's "restarted node stuck WeaklyUp" (docs/operations/recovery.md), reproduced with three
 * actor systems on loopback, one per data center as Atoll runs one node per site, cluster configuration as the
 * node's ({@code atoll-node.conf}: split brain resolver, join retry 2 s).
 *
 * <p>Site b's node and then site a's node crash (actor systems stopped without leaving the cluster: to the
 * others that is a SIGKILL). a restarts on the same address and joins through c: the cluster downs and removes
 * a's old incarnation, but the new one stays {@code WeaklyUp}, because as the first member of its data center it
 * needs every member of every data center to see its gossip, and b's dead incarnation is still an {@code Up}
 * (or, if it crashed before c's gossip said Up, {@code Joining}) member that nobody downs (the resolver downs only within its own data center). {@link NodeMain}'s start
 * deadline turns that wait into a failure naming b. Once b restarts, its new incarnation replaces the old one
 * and a becomes {@code Up} within seconds.
 */
class RestartConvergenceTest {
    private final List<ActorSystem> systems = new ArrayList<>();

    @AfterEach
    void stopAll() {
        for (ActorSystem s : systems) {
            s.terminate();
        }
        for (ActorSystem s : systems) {
            await().atMost(Duration.ofSeconds(30)).until(() -> s.whenTerminated().isCompleted());
        }
    }

    @Test
    void restartedSiteNodeIsNotUpWhileAnotherSitesNodeIsDownAndIsUpOnceThatOneRestarts() throws Exception {
        int pa = TestNodes.freePort();
        int pb = TestNodes.freePort();
        int pc = TestNodes.freePort();
        ActorSystem a = node("site-a", pa, pa, pb, pc);
        ActorSystem b = node("site-b", pb, pa, pc);
        ActorSystem c = node("site-c", pc, pa, pb);
        await("three members Up").atMost(Duration.ofSeconds(90)).until(() -> status(a) == MemberStatus.up()
                && status(b) == MemberStatus.up() && status(c) == MemberStatus.up()
                && Cluster.get(c).state().members().size() == 3);

        crash(b);
        crash(a);
        ActorSystem a2 = node("site-a", pa, pb, pc);
        await("a's new incarnation joined").atMost(Duration.ofSeconds(90))
                .until(() -> status(a2) == MemberStatus.weaklyUp());
        // c removed a's old incarnation: a2 is the only member of its data center
        assertThat(Cluster.get(a2).state().getMembers()).filteredOn(m -> m.dataCenter().equals("site-a"))
                .hasSize(1);
        // ... and stays WeaklyUp while b's dead incarnation is a member
        await("a2 stays WeaklyUp while b is down").during(Duration.ofSeconds(10)).atMost(Duration.ofSeconds(15))
                .until(() -> status(a2) == MemberStatus.weaklyUp());

        // the node's start deadline fails instead of waiting, naming the member that blocks it
        CompletableFuture<Void> up = NodeMain.memberUp(Adapter.toTyped(a2));
        assertThatThrownBy(() -> NodeMain.awaitMemberUp(Adapter.toTyped(a2), up, Duration.ofSeconds(2),
                Duration.ofSeconds(120), "site-a", List.of()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("node site-a joined the cluster but is WeaklyUp, not Up, after 120 s")
                .hasMessageContaining("pekko://atoll@127.0.0.1:" + pb + " (site site-b, ")
                .hasMessageContaining("has not seen this node's gossip")
                .hasMessageContaining("restarts");

        ActorSystem b2 = node("site-b", pb, pa, pc);
        await("a2 and b2 Up once b restarted").atMost(Duration.ofSeconds(90))
                .until(() -> status(a2) == MemberStatus.up() && status(b2) == MemberStatus.up());
        await("registerOnMemberUp callback").atMost(Duration.ofSeconds(30)).until(up::isDone);
        assertThat(up).isCompleted();
        // c learns of a2's and b2's Up by gossip, a moment later
        await("c sees three members Up").atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(Cluster.get(c).state().getMembers()).hasSize(3)
                        .allSatisfy(m -> assertThat(m.status()).isEqualTo(MemberStatus.up())));
    }

    @Test
    void aNodeNoSeedAnswersFailsNamingItsSeeds() {
        int self = TestNodes.freePort();
        int nobody = TestNodes.freePort();
        ActorSystem lonely = node("site-a", self, nobody);
        CompletableFuture<Void> up = NodeMain.memberUp(Adapter.toTyped(lonely));
        assertThatThrownBy(() -> NodeMain.awaitMemberUp(Adapter.toTyped(lonely), up, Duration.ofSeconds(3),
                Duration.ofSeconds(120), "site-a", List.of("pekko://atoll@127.0.0.1:" + nobody)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith("node site-a did not join the cluster via [pekko://atoll@127.0.0.1:" + nobody
                        + "] within 120 s (atoll.start-timeout): no seed node answered");
    }

    /** An actor system with the node's cluster settings, in data center {@code site}, joining {@code seeds}. */
    private ActorSystem node(String site, int port, int... seeds) {
        StringBuilder list = new StringBuilder();
        for (int s : seeds) {
            list.append(list.length() == 0 ? "" : ",").append("\"pekko://atoll@127.0.0.1:").append(s).append('"');
        }
        Config node = ConfigFactory.parseResources(NodeMain.class.getClassLoader(), "atoll-node.conf");
        Config c = ConfigFactory.parseString("""
                pekko.loglevel = WARNING
                pekko.remote.artery.canonical.hostname = 127.0.0.1
                pekko.remote.artery.canonical.port = %d
                pekko.cluster.seed-nodes = [%s]
                pekko.cluster.multi-data-center.self-data-center = %s
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                # a crash: stopping the actor system does not leave the cluster
                pekko.coordinated-shutdown.run-by-actor-system-terminate = off
                pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                """.formatted(port, list, site)).withFallback(node.withoutPath("pekko.persistence")
                .withoutPath("pekko.cluster.sharding"));
        ActorSystem s = ActorSystem.create(NodeMain.SYSTEM_NAME, ConfigFactory.load(c));
        systems.add(s);
        return s;
    }

    private static MemberStatus status(ActorSystem s) {
        return Cluster.get(s).selfMember().status();
    }

    private static void crash(ActorSystem s) {
        s.terminate();
        await().atMost(Duration.ofSeconds(30)).until(() -> s.whenTerminated().isCompleted());
    }
}
