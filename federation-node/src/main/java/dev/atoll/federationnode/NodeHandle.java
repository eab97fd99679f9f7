package dev.atoll.federationnode;

import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.ServerBinding;

/**
 * A running node: its actor system, its HTTP binding and its configuration. {@link #stop()} unbinds
 * HTTP, leaves the cluster and terminates the actor system.
 */
public final class NodeHandle {
    private final NodeConfig config;
    private final ActorSystem<Void> system;
    private final ServerBinding binding;
    private final NodeRefs refs;

    NodeHandle(NodeConfig config, ActorSystem<Void> system, ServerBinding binding, NodeRefs refs) {
        this.config = config;
        this.system = system;
        this.binding = binding;
        this.refs = refs;
    }

    /** @return the site file this node runs */
    public NodeConfig config() {
        return config;
    }

    /** @return the node's actor system, named {@value NodeMain#SYSTEM_NAME} */
    public ActorSystem<Void> system() {
        return system;
    }

    /** @return the refs of the node's main actors (registry, job sharding, notifier) */
    public NodeRefs refs() {
        return refs;
    }

    /** @return the HTTP port actually bound (differs from the site file's when it said 0) */
    public int httpPort() {
        return binding.localAddress().getPort();
    }

    /** @return base URL of the HTTP API, e.g. {@code http://127.0.0.1:8081} */
    public String url() {
        return "http://" + config.host() + ":" + httpPort();
    }

    /**
     * Unbinds HTTP, runs coordinated shutdown (the node leaves the cluster) and waits up to 30 s for the
     * actor system to terminate.
     *
     * @throws IllegalStateException if the system has not terminated in time
     */
    public void stop() {
        try {
            binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            system.log().warn("HTTP unbind failed: {}", e.toString());
        }
        system.terminate();
        try {
            system.getWhenTerminated().toCompletableFuture().get(Duration.ofSeconds(30).toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            throw new IllegalStateException("node " + config.siteId() + " did not stop within 30 s: " + e, e);
        }
    }
}
