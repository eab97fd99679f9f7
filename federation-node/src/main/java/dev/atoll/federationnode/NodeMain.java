package dev.atoll.federationnode;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.atoll.federationnode.job.Job;
import dev.atoll.federationnode.job.JobDirectory;
import dev.atoll.federationnode.job.JobNotifier;
import dev.atoll.federationnode.site.SiteAgent;
import dev.atoll.placement.PackingPolicy;
import dev.atoll.protocol.negotiation.JobNotification;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import dev.atoll.siteregistry.SiteRegistry;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * Starts an Atoll node: one Pekko Cluster member (actor system {@value #SYSTEM_NAME}) in the data center
 * named by the site id, with the site's registry, SiteAgent (a cluster singleton within the site), Job
 * sharding and the HTTP API.
 *
 * <p>Command line: {@code NodeMain --site <file>} (what {@code bin/atoll node --site <file>} runs). Once
 * the node has joined the cluster and bound its HTTP port it prints
 * {@code atoll node <site> up: http://<host>:<http-port>} to stdout.
 */
public final class NodeMain {
    /** The actor system name of every node; seed node addresses must use it. */
    public static final String SYSTEM_NAME = "atoll";

    private NodeMain() {
    }

    /**
     * Runs a node from the command line until the JVM is stopped.
     *
     * @param args {@code --site <file>}
     */
    public static void main(String[] args) {
        Path site = null;
        for (int i = 0; i < args.length; i++) {
            if ((args[i].equals("--site") || args[i].equals("-s")) && i + 1 < args.length) {
                site = Path.of(args[++i]);
            } else if (args[i].startsWith("--site=")) {
                site = Path.of(args[i].substring("--site=".length()));
            } else {
                System.err.println("usage: atoll node --site <file>   (unexpected argument '" + args[i] + "')");
                System.exit(2);
            }
        }
        if (site == null) {
            System.err.println("usage: atoll node --site <file>   (--site is required)");
            System.exit(2);
        }
        try {
            run(site);
        } catch (NodeConfigException e) {
            System.err.println(e.getMessage());
            System.exit(2);
        } catch (RuntimeException e) {
            System.err.println("atoll node failed to start: " + e.getMessage());
            System.exit(1);
        }
    }

    /**
     * Loads the site file, logs to {@code <data-dir>/node.log} (WARN and above also to the console),
     * starts the node and blocks until its actor system terminates.
     *
     * @throws NodeConfigException if the site file is wrong (the message names file, key and reason)
     * @throws IllegalStateException if the node cannot start (not Up within {@code atoll.start-timeout}), or
     *     if its actor system terminated for any reason but a JVM stop (SIGTERM, Ctrl-C), e.g. because the
     *     cluster downed it; {@link #main} then exits with 1
     */
    public static void run(Path siteFile) {
        NodeConfig cfg = NodeConfig.load(siteFile);
        createDirs(cfg);
        NodeLogging.configure(cfg.dataDir());
        // Stopping the JVM (Ctrl-C, SIGTERM) runs Pekko's coordinated shutdown: the node leaves the cluster.
        NodeHandle handle = start(cfg);
        try {
            handle.system().getWhenTerminated().toCompletableFuture().get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        }
        var reason = org.apache.pekko.actor.CoordinatedShutdown.get(Adapter.toClassic(handle.system()))
                .getShutdownReason();
        if (reason.isEmpty() || reason.get() != org.apache.pekko.actor.CoordinatedShutdown.jvmExitReason()) {
            // downed by the cluster (e.g. a new incarnation with the same address joined) or removed: not a
            // requested stop, so the process must not look like a clean exit to its supervisor
            throw new IllegalStateException("node " + cfg.siteId() + " stopped without being asked to ("
                    + shutdownReason(handle.system()) + "): it was downed or removed from the cluster");
        }
    }

    /**
     * Starts a node with production settings ({@code serialize-messages} off).
     *
     * @throws IllegalStateException if the journal cannot be prepared, the cluster is not joined or HTTP
     *     is not bound within {@code atoll.start-timeout} (60 s)
     */
    public static NodeHandle start(NodeConfig cfg) {
        return start(cfg, ConfigFactory.empty());
    }

    /**
     * Starts a node with extra configuration layered over everything else (tests use it for
     * {@code pekko.actor.serialize-messages = on} and {@code atoll.check-invariants = on}).
     *
     * <p>The node must be a cluster member with status {@code Up} and have bound HTTP within
     * {@code atoll.start-timeout} (one deadline for all of it). A node that joined but is still
     * {@code Joining}/{@code WeaklyUp} at the deadline fails with a message naming the members that block it
     * (see {@link #awaitMemberUp}); its actor system is terminated (it leaves the cluster) before the exception
     * is thrown, so a supervisor can start it again.
     *
     * @throws IllegalStateException as {@link #start(NodeConfig)}
     */
    public static NodeHandle start(NodeConfig cfg, Config overrides) {
        NodeKryo.register();
        createDirs(cfg);
        if (cfg.journal().equals("h2")) {
            H2Schema.ensure(cfg.h2File());
        }
        Config config = systemConfig(cfg, overrides);
        Duration startTimeout = config.getDuration("atoll.start-timeout");
        long deadline = System.nanoTime() + startTimeout.toNanos();
        CompletableFuture<NodeRefs> refs = new CompletableFuture<>();
        ActorSystem<Void> system = ActorSystem.create(guardian(cfg, refs), SYSTEM_NAME, config);
        try {
            CompletableFuture<Void> up = memberUp(system);
            NodeRefs nodeRefs = refs.get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
            HttpApi api = new HttpApi(system, nodeRefs, config);
            ServerBinding binding = Http.get(system).newServerAt(cfg.host(), cfg.httpPort()).bind(api.routes())
                    .toCompletableFuture().get(remainingMillis(deadline), TimeUnit.MILLISECONDS);
            awaitMemberUp(system, up, Duration.ofMillis(remainingMillis(deadline)), startTimeout, cfg.siteId().value(),
                    cfg.seedNodes());
            NodeHandle handle = new NodeHandle(cfg, system, binding, nodeRefs);
            System.out.println("atoll node " + cfg.siteId() + " up: " + handle.url());
            System.out.flush();
            return handle;
        } catch (TimeoutException e) {
            terminate(system);
            throw new IllegalStateException("node " + cfg.siteId() + " did not join the cluster via "
                    + cfg.seedNodes() + " and bind http://" + cfg.host() + ":" + cfg.httpPort() + " within "
                    + startTimeout.toSeconds() + " s (atoll.start-timeout)", e);
        } catch (ExecutionException e) {
            terminate(system);
            throw new IllegalStateException("node " + cfg.siteId() + " failed to start: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            terminate(system);
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting node " + cfg.siteId(), e);
        } catch (RuntimeException e) {
            terminate(system);
            throw e;
        }
    }

    /**
     * @return completes when this member is {@code Up}; fails if it is removed from the cluster (downed, or its
     *     join given up after {@code pekko.cluster.shutdown-after-unsuccessful-join-seed-nodes}) or its actor
     *     system terminates first
     */
    static CompletableFuture<Void> memberUp(ActorSystem<?> system) {
        CompletableFuture<Void> up = new CompletableFuture<>();
        org.apache.pekko.cluster.Cluster cluster = org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system));
        cluster.registerOnMemberUp(() -> up.complete(null));
        cluster.registerOnMemberRemoved(() -> up.completeExceptionally(new IllegalStateException(
                "removed from the cluster before it was Up (downed, or no seed node answered)")));
        system.getWhenTerminated().thenRun(() -> up.completeExceptionally(new IllegalStateException(
                "actor system terminated before the member was Up: " + shutdownReason(system))));
        return up;
    }

    /**
     * Waits until {@code up} (from {@link #memberUp}) completes.
     *
     * <p>Why a joined node can stay {@code WeaklyUp}: Pekko moves a member to {@code Up} only on gossip
     * convergence, and for the <em>first</em> member of a data center (an Atoll site with one node, restarted:
     * its old incarnation was removed) convergence needs every {@code Joining}, {@code WeaklyUp}, {@code Up} or
     * {@code Leaving} member of <em>every</em> data center to have seen its gossip (Pekko's
     * {@code MembershipState.convergence}). A member of another site whose node died is such a member until
     * something downs it, and nothing does: the split brain resolver downs only within its own data center,
     * and Atoll never downs another site. Only that node's own restart (a new incarnation joining with the
     * same host:port makes the cluster down and remove the old one) unblocks the wait.
     *
     * @param timeout how long to wait
     * @param startTimeout the configured {@code atoll.start-timeout}, for the message
     * @throws IllegalStateException if the member is not {@code Up} in time; the message gives its status and
     *     the members that have not seen its gossip or are unreachable
     * @throws ExecutionException if the member was removed or the system terminated first
     */
    static void awaitMemberUp(ActorSystem<?> system, CompletableFuture<Void> up, Duration timeout, Duration startTimeout,
                              String site, Object seeds) throws ExecutionException, InterruptedException {
        try {
            up.get(Math.max(0, timeout.toMillis()), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new IllegalStateException(notUpMessage(system, startTimeout, site, seeds), e);
        }
    }

    /** @return why the member is not Up: its status and the members blocking convergence */
    static String notUpMessage(ActorSystem<?> system, Duration startTimeout, String site, Object seeds) {
        org.apache.pekko.cluster.Cluster cluster = org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system));
        org.apache.pekko.cluster.MemberStatus status = cluster.selfMember().status();
        if (status == org.apache.pekko.cluster.MemberStatus.removed()
                || !cluster.state().getMembers().iterator().hasNext()) {
            return "node " + site + " did not join the cluster via " + seeds + " within " + startTimeout.toSeconds()
                    + " s (atoll.start-timeout): no seed node answered; check that they run and that the seed list"
                    + " does not start with this node unless it is meant to form a new cluster";
        }
        var state = cluster.state();
        java.util.Set<org.apache.pekko.actor.Address> seen = state.getSeenBy();
        java.util.Set<org.apache.pekko.cluster.Member> unreachable = state.getUnreachable();
        java.util.List<String> blocking = new java.util.ArrayList<>();
        for (org.apache.pekko.cluster.Member m : state.getMembers()) {
            boolean notSeen = !seen.contains(m.address());
            boolean gone = unreachable.contains(m);
            if (!m.uniqueAddress().equals(cluster.selfUniqueAddress()) && (notSeen || gone)) {
                blocking.add(m.address() + " (site " + m.dataCenter() + ", " + m.status()
                        + (gone ? ", unreachable" : "") + (notSeen ? ", has not seen this node's gossip" : "") + ")");
            }
        }
        return "node " + site + " joined the cluster but is " + status + ", not Up, after " + startTimeout.toSeconds()
                + " s (atoll.start-timeout); blocked by " + (blocking.isEmpty() ? "no member (convergence pending)"
                : String.join(", ", blocking)) + ". A restarted site's node becomes Up only once every member of"
                + " every site has seen it: a site whose node is down and not yet restarted blocks it until that"
                + " node restarts. Exiting so that a supervisor starts this node again";
    }

    private static String shutdownReason(ActorSystem<?> system) {
        return org.apache.pekko.actor.CoordinatedShutdown.get(Adapter.toClassic(system)).getShutdownReason()
                .map(r -> r.getClass().getSimpleName().replace("$", "")).orElse("no coordinated-shutdown reason");
    }

    private static long remainingMillis(long deadlineNanos) {
        return Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()));
    }

    private static void terminate(ActorSystem<?> system) {
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            // the JVM exits anyway (main); an in-process caller gets the start failure, not this one
        }
    }

    private static void createDirs(NodeConfig cfg) {
        try {
            Files.createDirectories(cfg.dataDir());
        } catch (IOException e) {
            throw new IllegalStateException("cannot create data-dir " + cfg.dataDir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * The actor system configuration of a node, highest precedence first: {@code overrides}; the values
     * derived from the site file's {@code atoll.site} (Artery host and port, seed nodes, data center, H2 URL);
     * the site file's other top-level sections ({@link NodeConfig#extra()}, e.g. {@code datastax-java-driver}
     * credentials and TLS, or {@code pekko} settings), which therefore win over {@code atoll-cassandra.conf}
     * (when the journal is cassandra), then {@code atoll-node.conf}, then the libraries' reference
     * configuration. JVM system properties ({@code -Dkey=value}) override everything, as in
     * {@link ConfigFactory#load(Config)}.
     */
    public static Config systemConfig(NodeConfig cfg, Config overrides) {
        Map<String, Object> m = new HashMap<>();
        m.put("pekko.remote.artery.canonical.hostname", cfg.host());
        m.put("pekko.remote.artery.canonical.port", cfg.port());
        m.put("pekko.cluster.seed-nodes", cfg.seedNodes());
        m.put("pekko.cluster.multi-data-center.self-data-center", cfg.siteId().value());
        m.put("pekko-persistence-jdbc.shared-databases.slick.db.url", H2Schema.url(cfg.h2File()));
        m.put("atoll.site.id", cfg.siteId().value());
        m.put("atoll.site.data-dir", cfg.dataDir().toString());
        Config base = ConfigFactory.parseResources(NodeMain.class.getClassLoader(), "atoll-node.conf");
        if (cfg.journal().equals("cassandra")) {
            Config cassandra = ConfigFactory.parseResources(NodeMain.class.getClassLoader(), "atoll-cassandra.conf");
            if (cassandra.isEmpty()) {
                throw new NodeConfigException(cfg.source(), "atoll.site.journal",
                        "cassandra needs atoll-cassandra.conf on the classpath, which is missing");
            }
            base = cassandra.withFallback(base);
        }
        return ConfigFactory.load(overrides.withFallback(ConfigFactory.parseMap(m)).withFallback(cfg.extra())
                .withFallback(base));
    }

    private static Behavior<Void> guardian(NodeConfig cfg, CompletableFuture<NodeRefs> refs) {
        return Behaviors.setup(ctx -> {
            try {
                Config config = ctx.getSystem().settings().config();
                ActorRef<SiteRegistry.Command> registry = ctx.spawn(SiteRegistry.create(), "site-registry");
                // Persists when other sites became unreachable, so a restart does not restart the lost timer.
                ctx.spawn(dev.atoll.federationnode.site.SiteWatch.create(
                        cfg.siteId().value() + "|" + cfg.host() + ":" + cfg.port(), registry), "site-watch");
                SiteAgent.Settings agentSettings = new SiteAgent.Settings(cfg.siteSpec(),
                        PackingPolicy.byName(cfg.packingPolicy()), cfg.holdTimeout(), cfg.speedup(),
                        config.getDuration("atoll.site-agent.advert-interval"),
                        config.getBoolean("atoll.check-invariants"),
                        config.getInt("atoll.site-agent.ended-memory"),
                        config.getDouble("atoll.executor.launch-failure-rate"),
                        config.getLong("atoll.executor.seed"),
                        config.getInt("atoll.site-agent.snapshot-every"));
                // One SiteAgent per site: a singleton within this data center.
                ActorRef<SiteAgentCommand> agent = ClusterSingleton.get(ctx.getSystem()).init(
                        SingletonActor.of(SiteAgent.create(agentSettings, registry), "site-agent-" + cfg.siteId()));
                ActorRef<JobNotification> notifier = ctx.spawn(JobNotifier.create(ClusterSharding.get(ctx.getSystem()),
                        JobDirectory.typeKey(cfg.siteId())), "job-notifier");
                JobDirectory jobs = JobDirectory.init(ctx.getSystem(), cfg.siteId(), registry, notifier,
                        Job.Settings.from(config));
                // Adopts the queued jobs of lost sites when this site is the adopter of a majority.
                ctx.spawn(dev.atoll.federationnode.job.Adopter.create(cfg.siteId(), registry, jobs,
                        config.getDuration("atoll.adoption.check-interval"),
                        config.getInt("pekko.cluster.sharding.number-of-shards")), "adopter");
                refs.complete(new NodeRefs(cfg.siteId(), registry, jobs, agent));
            } catch (RuntimeException e) {
                refs.completeExceptionally(e);
                throw e;
            }
            return Behaviors.empty();
        });
    }
}
