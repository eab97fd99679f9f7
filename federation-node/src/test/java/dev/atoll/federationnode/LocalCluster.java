package dev.atoll.federationnode;

import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Starts several nodes (one site each) in this JVM on loopback ports, sharing one journal: an H2 file in
 * {@code dir} (default) or the Cassandra keyspaces of {@code atoll-cassandra.conf}.
 */
final class LocalCluster implements AutoCloseable {
    final List<NodeConfig> configs = new ArrayList<>();
    final List<NodeHandle> nodes = new ArrayList<>();
    private final Config overrides;

    LocalCluster(List<SiteSpec> sites, Path dir, double speedup, Duration holdTimeout, Config overrides) {
        this(sites, dir, "h2", speedup, holdTimeout, overrides);
    }

    /**
     * @param journal {@code h2} or {@code cassandra}; with cassandra every run must use fresh site and job ids,
     *     since the keyspace outlives the test
     */
    LocalCluster(List<SiteSpec> sites, Path dir, String journal, double speedup, Duration holdTimeout,
                 Config overrides) {
        this.overrides = overrides;
        int seedPort = TestNodes.freePort();
        String seed = "pekko://atoll@127.0.0.1:" + seedPort;
        for (int i = 0; i < sites.size(); i++) {
            SiteSpec s = sites.get(i);
            int port = i == 0 ? seedPort : TestNodes.freePort();
            configs.add(new NodeConfig(s.id() + ".conf", s.id(), s.region(), "127.0.0.1", port, TestNodes.freePort(),
                    List.of(seed), dir.resolve(s.id().value()), journal, dir.resolve("journal"), speedup, "first-fit",
                    holdTimeout, s.pools()));
        }
    }

    /** Starts every node in order (the first is the seed) and waits until each sees all sites. */
    LocalCluster start() {
        for (NodeConfig c : configs) {
            nodes.add(NodeMain.start(c, overrides));
        }
        awaitConverged();
        return this;
    }

    void awaitConverged() {
        int n = configs.size();
        // generous: three nodes forming a cluster on a loaded 2-core machine can take more than a minute
        await().atMost(Duration.ofSeconds(180)).until(() -> nodes.stream().allMatch(h -> {
            String body = TestNodes.get(h.url() + "/v1/health").body();
            return body.contains("\"members\":" + n) && body.contains("\"sitesSeen\":" + n);
        }));
    }

    /** Stops node {@code i} and starts it again from the same site file and journal. */
    NodeHandle restart(int i) {
        nodes.get(i).stop();
        NodeHandle h = NodeMain.start(configs.get(i), overrides);
        nodes.set(i, h);
        return h;
    }

    NodeHandle node(SiteId site) {
        for (NodeHandle h : nodes) {
            if (h.config().siteId().equals(site)) {
                return h;
            }
        }
        throw new IllegalArgumentException("no node for " + site);
    }

    @Override
    public void close() {
        for (int i = nodes.size() - 1; i >= 0; i--) {
            try {
                nodes.get(i).stop();
            } catch (RuntimeException e) {
                System.err.println("stopping " + configs.get(i).siteId() + ": " + e);
            }
        }
    }
}
