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
     * @throws IllegalStateException if the node cannot start
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
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
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
        CompletableFuture<NodeRefs> refs = new CompletableFuture<>();
        ActorSystem<Void> system = ActorSystem.create(guardian(cfg, refs), SYSTEM_NAME, config);
        try {
            CompletableFuture<Void> up = new CompletableFuture<>();
            org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system)).registerOnMemberUp(() -> up.complete(null));
            NodeRefs nodeRefs = refs.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            HttpApi api = new HttpApi(system, nodeRefs, config);
            ServerBinding binding = Http.get(system).newServerAt(cfg.host(), cfg.httpPort()).bind(api.routes())
                    .toCompletableFuture().get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            up.get(startTimeout.toMillis(), TimeUnit.MILLISECONDS);
            NodeHandle handle = new NodeHandle(cfg, system, binding, nodeRefs);
            System.out.println("atoll node " + cfg.siteId() + " up: " + handle.url());
            System.out.flush();
            return handle;
        } catch (TimeoutException e) {
            system.terminate();
            throw new IllegalStateException("node " + cfg.siteId() + " did not join the cluster via "
                    + cfg.seedNodes() + " and bind http://" + cfg.host() + ":" + cfg.httpPort() + " within "
                    + startTimeout.toSeconds() + " s", e);
        } catch (ExecutionException e) {
            system.terminate();
            throw new IllegalStateException("node " + cfg.siteId() + " failed to start: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            system.terminate();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while starting node " + cfg.siteId(), e);
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
