package dev.atoll.federationnode;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.atoll.placement.PackingPolicy;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One node's site file, parsed and checked. The file is HOCON with everything under {@code atoll.site}:
 * <pre>
 * atoll.site {
 *   id = "site-a"            # site id = Pekko data center name (required)
 *   region = "east"          # default "default"
 *   host = "127.0.0.1"       # Artery TCP host, default 127.0.0.1
 *   port = 25521             # Artery TCP port (required, 1..65535)
 *   http-port = 8081         # HTTP API port (required, 0..65535; 0 = any free port)
 *   seed-nodes = ["pekko://atoll@127.0.0.1:25521"]   # default: this node alone
 *   data-dir = "var/site-a"  # logs and local files, default var/&lt;id&gt;
 *   journal = "h2"           # h2 (default) | cassandra
 *   h2-file = "var/atoll-journal"   # shared by all local nodes
 *   speedup = 1.0            # trace seconds per wall second of the simulated executor (&gt; 0)
 *   packing-policy = "first-fit"
 *   hold-timeout = 5s        # how long a bid's hold lives (100 ms .. 10 min)
 *   pools = [ { model = "H800", nodes = 64, devices-per-node = 8, memory-gib = 80,
 *               price-per-device-hour = 2.0, speed-factor = 1.0 } ]
 * }
 * </pre>
 * Relative paths are resolved against the working directory. Unknown keys under {@code atoll.site} are
 * errors, so a typo never silently falls back to a default; so is any key under {@code atoll} other than
 * {@code atoll.site} (node tuning such as {@code atoll.job.*} is federation-wide, in {@code atoll-node.conf}).
 *
 * <p>Every other top-level section of the file ({@code datastax-java-driver}, {@code pekko}, ...) is kept as
 * {@link #extra()} and layered over the node's defaults by {@link NodeMain#systemConfig}: a site's Cassandra
 * contact points, credentials and TLS, or a Pekko setting such as {@code pekko.remote.artery.bind.hostname}
 * behind NAT. The keys that the {@code atoll.site} values own ({@link #OWNED_KEYS}: Artery host and port,
 * seed nodes, data center, H2 URL, journal plugins, actor provider) cannot be set that way; setting one is
 * an error naming the key and the {@code atoll.site} key to use instead. Substitutions such as
 * {@code ${ATOLL_CASSANDRA_PASSWORD}} are resolved against the file itself and the environment when the
 * file is read; an unset variable is an error.
 *
 * @param source the file name used in error messages
 * @param siteId the site id, also the Pekko data center name
 * @param region the site's region
 * @param host Artery TCP host
 * @param port Artery TCP port
 * @param httpPort HTTP API port (0 = pick a free one)
 * @param seedNodes Pekko seed node addresses
 * @param dataDir absolute directory for logs and local state
 * @param journal {@code h2} or {@code cassandra}
 * @param h2File absolute H2 database file path, without the {@code .mv.db} suffix
 * @param speedup trace seconds per wall second for the simulated executor
 * @param packingPolicy the in-site packing policy name
 * @param holdTimeout how long a bid's hold lives
 * @param pools the site's pools, in declaration order (node numbering follows it)
 * @param extra the site file's other top-level sections, resolved (empty when there are none)
 */
public record NodeConfig(String source, SiteId siteId, String region, String host, int port, int httpPort,
                         List<String> seedNodes, Path dataDir, String journal, Path h2File, double speedup,
                         String packingPolicy, Duration holdTimeout, List<PoolSpec> pools, Config extra) {

    private static final Set<String> SITE_KEYS = dev.atoll.simulator.topology.SiteFileReader.SITE_KEYS;

    /**
     * Actor-system keys that NodeMain sets from {@code atoll.site}, mapped to the site-file key that owns
     * them. A site file's other sections may not set them.
     */
    public static final Map<String, String> OWNED_KEYS = Map.of(
            "pekko.remote.artery.canonical.hostname", "atoll.site.host",
            "pekko.remote.artery.canonical.port", "atoll.site.port",
            "pekko.cluster.seed-nodes", "atoll.site.seed-nodes",
            "pekko.cluster.multi-data-center.self-data-center", "atoll.site.id",
            "pekko-persistence-jdbc.shared-databases.slick.db.url", "atoll.site.h2-file",
            "pekko.persistence.journal.plugin", "atoll.site.journal",
            "pekko.persistence.snapshot-store.plugin", "atoll.site.journal",
            "pekko.actor.provider", "(always cluster)");

    public NodeConfig {
        seedNodes = List.copyOf(seedNodes);
        pools = List.copyOf(pools);
        extra = extra == null ? ConfigFactory.empty() : extra;
    }

    /** A site file without other sections ({@link #extra()} empty). */
    public NodeConfig(String source, SiteId siteId, String region, String host, int port, int httpPort,
                      List<String> seedNodes, Path dataDir, String journal, Path h2File, double speedup,
                      String packingPolicy, Duration holdTimeout, List<PoolSpec> pools) {
        this(source, siteId, region, host, port, httpPort, seedNodes, dataDir, journal, h2File, speedup,
                packingPolicy, holdTimeout, pools, ConfigFactory.empty());
    }

    /** @return the site's static description (id, region, pools) */
    public SiteSpec siteSpec() {
        return new SiteSpec(siteId, region, pools);
    }

    /** @return this node's own Pekko address, {@code pekko://atoll@host:port} */
    public String selfAddress() {
        return "pekko://" + NodeMain.SYSTEM_NAME + "@" + host + ":" + port;
    }

    /** @return a copy with other ports (tests pick free ports) */
    public NodeConfig withPorts(int newPort, int newHttpPort) {
        return new NodeConfig(source, siteId, region, host, newPort, newHttpPort, seedNodes, dataDir, journal, h2File,
                speedup, packingPolicy, holdTimeout, pools, extra);
    }

    /** @return a copy with other seed nodes */
    public NodeConfig withSeedNodes(List<String> seeds) {
        return new NodeConfig(source, siteId, region, host, port, httpPort, seeds, dataDir, journal, h2File,
                speedup, packingPolicy, holdTimeout, pools, extra);
    }

    /**
     * Reads and checks a site file.
     *
     * @throws NodeConfigException naming the file, the key and the reason when the file is missing,
     *     unreadable, not HOCON, or a key is missing, of the wrong type or out of range
     */
    public static NodeConfig load(Path file) {
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        if (!Files.isRegularFile(file)) {
            throw new NodeConfigException(name, "atoll.site", "file not found: " + file.toAbsolutePath());
        }
        Config c;
        try {
            c = ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)
                    .setSyntax(ConfigSyntax.CONF));
        } catch (ConfigException e) {
            throw new NodeConfigException(name, "atoll.site", "cannot parse: " + e.getMessage());
        }
        return from(c, name);
    }

    /**
     * Parses site-file text (for tests and tools).
     *
     * @param text HOCON text
     * @param source the name used in error messages
     * @throws NodeConfigException as {@link #load(Path)}
     */
    public static NodeConfig parse(String text, String source) {
        Config c;
        try {
            c = ConfigFactory.parseString(text, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF));
        } catch (ConfigException e) {
            throw new NodeConfigException(source, "atoll.site", "cannot parse: " + e.getMessage());
        }
        return from(c, source);
    }

    private static NodeConfig from(Config raw, String src) {
        Config c;
        try {
            c = raw.resolve();
        } catch (ConfigException e) {
            throw new NodeConfigException(src, "atoll.site", "cannot resolve: " + e.getMessage());
        }
        if (!c.hasPath("atoll.site")) {
            throw new NodeConfigException(src, "atoll.site", "missing: the file must define atoll.site { ... }");
        }
        for (String key : c.getConfig("atoll").root().keySet()) {
            if (!key.equals("site")) {
                throw new NodeConfigException(src, "atoll." + key, "unknown key: a site file sets only atoll.site "
                        + "(and sections outside atoll such as datastax-java-driver or pekko)");
            }
        }
        Config extra = c.withoutPath("atoll");
        for (Map.Entry<String, String> owned : OWNED_KEYS.entrySet()) {
            boolean set;
            try {
                set = extra.hasPathOrNull(owned.getKey());
            } catch (ConfigException.WrongType e) {
                set = true; // a parent of the key is set to a non-object
            }
            if (set) {
                throw new NodeConfigException(src, owned.getKey(), "cannot be set in a site file: it is derived from "
                        + owned.getValue());
            }
        }
        Reader r = new Reader(src, "atoll.site", c.getConfig("atoll.site"));
        r.rejectUnknown(SITE_KEYS);
        String id = r.string("id", null);
        SiteId siteId = r.check("id", () -> SiteId.of(id));
        String region = r.string("region", "default");
        if (region.isBlank()) {
            throw r.error("region", "must not be empty");
        }
        String host = r.string("host", "127.0.0.1");
        int port = r.intIn("port", null, 1, 65535);
        int httpPort = r.intIn("http-port", null, 0, 65535);
        List<String> seeds = r.strings("seed-nodes", List.of("pekko://" + NodeMain.SYSTEM_NAME + "@" + host + ":" + port));
        for (int i = 0; i < seeds.size(); i++) {
            String s = seeds.get(i);
            if (!s.matches("pekko://[A-Za-z0-9_-]+@[^:/]+:\\d{1,5}")) {
                throw r.error("seed-nodes[" + i + "]", "must look like pekko://atoll@host:port, got '" + s + "'");
            }
            if (!s.startsWith("pekko://" + NodeMain.SYSTEM_NAME + "@")) {
                throw r.error("seed-nodes[" + i + "]", "the actor system must be named '" + NodeMain.SYSTEM_NAME
                        + "', got '" + s + "'");
            }
        }
        Path dataDir = Path.of(r.string("data-dir", "var/" + id)).toAbsolutePath().normalize();
        String journal = r.string("journal", "h2");
        if (!journal.equals("h2") && !journal.equals("cassandra")) {
            throw r.error("journal", "must be h2 or cassandra, got '" + journal + "'");
        }
        Path h2 = Path.of(r.string("h2-file", "var/atoll-journal")).toAbsolutePath().normalize();
        double speedup = r.dbl("speedup", 1.0);
        if (!(speedup > 0) || Double.isInfinite(speedup)) {
            throw r.error("speedup", "must be a finite number > 0, got " + speedup);
        }
        String policy = r.string("packing-policy", "first-fit");
        r.check("packing-policy", () -> PackingPolicy.byName(policy));
        Duration hold = r.duration("hold-timeout", Duration.ofSeconds(5));
        if (hold.compareTo(Duration.ofMillis(100)) < 0 || hold.compareTo(Duration.ofMinutes(10)) > 0) {
            throw r.error("hold-timeout", "must be in [100ms, 10m], got " + hold.toMillis() + "ms");
        }
        List<PoolSpec> pools = r.pools();
        NodeConfig cfg = new NodeConfig(src, siteId, region, host, port, httpPort, seeds, dataDir, journal, h2, speedup,
                policy, hold, pools, extra);
        r.check("pools", cfg::siteSpec);
        return cfg;
    }

    /** Typed, error-naming access to one config object. */
    private static final class Reader {
        private final String src;
        private final String prefix;
        private final Config c;

        Reader(String src, String prefix, Config c) {
            this.src = src;
            this.prefix = prefix;
            this.c = c;
        }

        NodeConfigException error(String key, String reason) {
            return new NodeConfigException(src, prefix + "." + key, reason);
        }

        void rejectUnknown(Set<String> known) {
            for (Map.Entry<String, ConfigValue> e : c.root().entrySet()) {
                if (!known.contains(e.getKey())) {
                    throw error(e.getKey(), "unknown key (known: " + new java.util.TreeSet<>(known) + ")");
                }
            }
        }

        <T> T check(String key, java.util.function.Supplier<T> f) {
            try {
                return f.get();
            } catch (IllegalArgumentException e) {
                throw error(key, e.getMessage());
            }
        }

        private void require(String key, Object dflt) {
            if (!c.hasPath(key) && dflt == null) {
                throw error(key, "missing (required)");
            }
        }

        String string(String key, String dflt) {
            require(key, dflt);
            if (!c.hasPath(key)) {
                return dflt;
            }
            ConfigValue v = c.getValue(key);
            if (v.valueType() != ConfigValueType.STRING && v.valueType() != ConfigValueType.NUMBER
                    && v.valueType() != ConfigValueType.BOOLEAN) {
                throw error(key, "must be a string, got " + v.valueType().name().toLowerCase() + " " + v.render());
            }
            return c.getString(key);
        }

        int intIn(String key, Integer dflt, int min, int max) {
            require(key, dflt);
            if (!c.hasPath(key)) {
                return dflt;
            }
            long v;
            try {
                v = c.getLong(key);
            } catch (ConfigException.WrongType e) {
                throw error(key, "must be an integer, got " + c.getValue(key).render());
            }
            if (c.getValue(key).valueType() == ConfigValueType.NUMBER && c.getDouble(key) != Math.rint(c.getDouble(key))) {
                throw error(key, "must be an integer, got " + c.getValue(key).render());
            }
            if (v < min || v > max) {
                throw error(key, "must be in [" + min + ", " + max + "], got " + v);
            }
            return (int) v;
        }

        double dbl(String key, Double dflt) {
            require(key, dflt);
            if (!c.hasPath(key)) {
                return dflt;
            }
            try {
                return c.getDouble(key);
            } catch (ConfigException.WrongType e) {
                throw error(key, "must be a number, got " + c.getValue(key).render());
            }
        }

        Duration duration(String key, Duration dflt) {
            require(key, dflt);
            if (!c.hasPath(key)) {
                return dflt;
            }
            try {
                return c.getDuration(key);
            } catch (ConfigException.BadValue | ConfigException.WrongType e) {
                throw error(key, "must be a duration such as 5s or 500ms, got " + c.getValue(key).render());
            }
        }

        List<String> strings(String key, List<String> dflt) {
            require(key, dflt);
            if (!c.hasPath(key)) {
                return dflt;
            }
            try {
                List<String> l = c.getStringList(key);
                if (l.isEmpty()) {
                    throw error(key, "must name at least one seed node");
                }
                return l;
            } catch (ConfigException.WrongType e) {
                throw error(key, "must be a list of strings, got " + c.getValue(key).render());
            }
        }

        /** Pools are parsed by the simulator's Pekko-free reader, so nodes and simulator read site files alike. */
        List<PoolSpec> pools() {
            try {
                return dev.atoll.simulator.topology.SiteFileReader.pools(c, src, prefix);
            } catch (dev.atoll.simulator.topology.SiteFileReader.SiteFileException e) {
                throw new NodeConfigException(e.file(), e.key(), e.reason());
            }
        }
    }
}
