package dev.atoll.simulator.topology;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigParseOptions;
import com.typesafe.config.ConfigSyntax;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads the site part of a node's HOCON site file without Pekko (com.typesafe:config only), so the simulator
 * takes its topology from the same files the nodes read; the node's {@code NodeConfig} calls
 * {@link #pools(Config, String, String)} for its pools, so both parse pools identically.
 *
 * <pre>
 * atoll.site {
 *   id = "site-a"            # required, a site id
 *   region = "cn-east"       # default "default"
 *   pools = [ { model = "H800", nodes = 64, devices-per-node = 8, memory-gib = 80,
 *               price-per-device-hour = 2.5, speed-factor = 1.0 } ]
 * }
 * </pre>
 * Pool keys: {@code model} (required), {@code nodes} (required, 1..100,000), {@code devices-per-node}
 * (required, 1..64), {@code memory-gib} (0..4096, default 0), {@code price-per-device-hour} (finite, {@code >= 0},
 * default 1.0), {@code speed-factor} (finite, {@code > 0}, default 1.0). The node's other keys (host, ports,
 * journal, ...) are accepted and ignored here; any other key is an error.
 */
public final class SiteFileReader {
    /** Keys allowed in {@code atoll.site}: the topology keys plus the node's own. */
    public static final Set<String> SITE_KEYS = Set.of("id", "region", "host", "port", "http-port", "seed-nodes",
            "data-dir", "journal", "h2-file", "speedup", "packing-policy", "hold-timeout", "pools");
    /** Keys allowed in one pool. */
    public static final Set<String> POOL_KEYS = Set.of("model", "nodes", "devices-per-node", "memory-gib",
            "price-per-device-hour", "speed-factor");

    /** A site file is wrong; the message reads {@code <file>: <key>: <reason>}. */
    public static final class SiteFileException extends IllegalArgumentException {
        private final String file;
        private final String key;
        private final String reason;

        /**
         * @param file the file name (or source description)
         * @param key full config path of the offending key, e.g. {@code atoll.site.pools[0].nodes}
         * @param reason what is wrong, with the value
         */
        public SiteFileException(String file, String key, String reason) {
            super(file + ": " + key + ": " + reason);
            this.file = file;
            this.key = key;
            this.reason = reason;
        }

        /** @return the file (or source) */
        public String file() {
            return file;
        }

        /** @return the full config path of the offending key */
        public String key() {
            return key;
        }

        /** @return what is wrong */
        public String reason() {
            return reason;
        }
    }

    private SiteFileReader() {
    }

    /**
     * Reads one site file.
     *
     * @throws SiteFileException naming the file, the key and the reason when the file is missing, not HOCON, or
     *     a key is missing, of the wrong type, unknown or out of range
     */
    public static SiteSpec read(Path file) {
        String name = file.getFileName() == null ? file.toString() : file.getFileName().toString();
        if (!Files.isRegularFile(file)) {
            throw new SiteFileException(name, "atoll.site", "file not found: " + file.toAbsolutePath());
        }
        try {
            return from(ConfigFactory.parseFile(file.toFile(), ConfigParseOptions.defaults().setAllowMissing(false)
                    .setSyntax(ConfigSyntax.CONF)), name);
        } catch (ConfigException e) {
            throw new SiteFileException(name, "atoll.site", "cannot parse: " + e.getMessage());
        }
    }

    /**
     * Parses site-file text.
     *
     * @param source name used in messages
     * @throws SiteFileException as {@link #read(Path)}
     */
    public static SiteSpec parse(String text, String source) {
        try {
            return from(ConfigFactory.parseString(text, ConfigParseOptions.defaults().setSyntax(ConfigSyntax.CONF)), source);
        } catch (ConfigException e) {
            throw new SiteFileException(source, "atoll.site", "cannot parse: " + e.getMessage());
        }
    }

    /**
     * Reads several site files, in order.
     *
     * @throws SiteFileException as {@link #read(Path)}, or naming the second file when two define the same id
     */
    public static List<SiteSpec> readAll(List<Path> files) {
        List<SiteSpec> out = new ArrayList<>();
        Set<String> ids = new TreeSet<>();
        for (Path f : files) {
            SiteSpec s = read(f);
            if (!ids.add(s.id().value())) {
                throw new SiteFileException(String.valueOf(f.getFileName()), "atoll.site.id",
                        "site id '" + s.id() + "' is already defined by an earlier site file");
            }
            out.add(s);
        }
        return out;
    }

    private static SiteSpec from(Config raw, String src) {
        Config c;
        try {
            c = raw.resolve();
        } catch (ConfigException e) {
            throw new SiteFileException(src, "atoll.site", "cannot resolve: " + e.getMessage());
        }
        if (!c.hasPath("atoll.site")) {
            throw new SiteFileException(src, "atoll.site", "missing: the file must define atoll.site { ... }");
        }
        Config site = c.getConfig("atoll.site");
        String prefix = "atoll.site";
        for (Map.Entry<String, ConfigValue> e : site.root().entrySet()) {
            if (!SITE_KEYS.contains(e.getKey())) {
                throw new SiteFileException(src, prefix + "." + e.getKey(), "unknown key (known: " + new TreeSet<>(SITE_KEYS) + ")");
            }
        }
        if (!site.hasPath("id")) {
            throw new SiteFileException(src, prefix + ".id", "missing (required)");
        }
        String id = string(site, "id", src, prefix);
        SiteId siteId;
        try {
            siteId = SiteId.of(id);
        } catch (IllegalArgumentException e) {
            throw new SiteFileException(src, prefix + ".id", e.getMessage());
        }
        String region = site.hasPath("region") ? string(site, "region", src, prefix) : "default";
        if (region.isBlank()) {
            throw new SiteFileException(src, prefix + ".region", "must not be empty");
        }
        List<PoolSpec> pools = pools(site, src, prefix);
        try {
            return new SiteSpec(siteId, region, pools);
        } catch (IllegalArgumentException e) {
            throw new SiteFileException(src, prefix + ".pools", e.getMessage());
        }
    }

    private static String string(Config c, String key, String src, String prefix) {
        ConfigValue v = c.getValue(key);
        if (v.valueType() != ConfigValueType.STRING && v.valueType() != ConfigValueType.NUMBER
                && v.valueType() != ConfigValueType.BOOLEAN) {
            throw new SiteFileException(src, prefix + "." + key, "must be a string, got "
                    + v.valueType().name().toLowerCase(java.util.Locale.ROOT) + " " + v.render());
        }
        return c.getString(key);
    }

    /**
     * Reads {@code pools} of one {@code atoll.site} object.
     *
     * @param site the {@code atoll.site} object
     * @param src file name for messages
     * @param prefix config path of {@code site}, e.g. {@code atoll.site}
     * @return the pools in declaration order (node numbering follows it)
     * @throws SiteFileException naming {@code src}, the full key (e.g. {@code atoll.site.pools[0].nodes}) and the
     *     reason with the value
     */
    public static List<PoolSpec> pools(Config site, String src, String prefix) {
        if (!site.hasPath("pools")) {
            throw new SiteFileException(src, prefix + ".pools", "missing (required)");
        }
        List<? extends Config> list;
        try {
            list = site.getConfigList("pools");
        } catch (ConfigException.WrongType e) {
            throw new SiteFileException(src, prefix + ".pools", "must be a list of objects, got "
                    + site.getValue("pools").render());
        }
        if (list.isEmpty()) {
            throw new SiteFileException(src, prefix + ".pools", "must have at least one pool");
        }
        List<PoolSpec> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            Config p = list.get(i);
            String pp = prefix + ".pools[" + i + "]";
            for (Map.Entry<String, ConfigValue> e : p.root().entrySet()) {
                if (!POOL_KEYS.contains(e.getKey())) {
                    throw new SiteFileException(src, pp + "." + e.getKey(), "unknown key (known: " + new TreeSet<>(POOL_KEYS) + ")");
                }
            }
            if (!p.hasPath("model")) {
                throw new SiteFileException(src, pp + ".model", "missing (required)");
            }
            String model = string(p, "model", src, pp);
            AcceleratorModel m;
            try {
                m = AcceleratorModel.of(model);
            } catch (IllegalArgumentException e) {
                throw new SiteFileException(src, pp + ".model", e.getMessage());
            }
            int nodes = intIn(p, "nodes", null, 1, 100_000, src, pp);
            int dpn = intIn(p, "devices-per-node", null, 1, 64, src, pp);
            int mem = intIn(p, "memory-gib", 0, 0, 4096, src, pp);
            double price = dbl(p, "price-per-device-hour", 1.0, src, pp);
            if (!(price >= 0) || Double.isInfinite(price)) {
                throw new SiteFileException(src, pp + ".price-per-device-hour", "must be a finite number >= 0, got " + price);
            }
            double speed = dbl(p, "speed-factor", 1.0, src, pp);
            if (!(speed > 0) || Double.isInfinite(speed)) {
                throw new SiteFileException(src, pp + ".speed-factor", "must be a finite number > 0, got " + speed);
            }
            out.add(new PoolSpec(m, nodes, dpn, mem, price, speed));
        }
        return out;
    }

    private static int intIn(Config c, String key, Integer dflt, int min, int max, String src, String prefix) {
        if (!c.hasPath(key)) {
            if (dflt == null) {
                throw new SiteFileException(src, prefix + "." + key, "missing (required)");
            }
            return dflt;
        }
        long v;
        try {
            v = c.getLong(key);
        } catch (ConfigException.WrongType e) {
            throw new SiteFileException(src, prefix + "." + key, "must be an integer, got " + c.getValue(key).render());
        }
        if (c.getValue(key).valueType() == ConfigValueType.NUMBER && c.getDouble(key) != Math.rint(c.getDouble(key))) {
            throw new SiteFileException(src, prefix + "." + key, "must be an integer, got " + c.getValue(key).render());
        }
        if (v < min || v > max) {
            throw new SiteFileException(src, prefix + "." + key, "must be in [" + min + ", " + max + "], got " + v);
        }
        return (int) v;
    }

    private static double dbl(Config c, String key, double dflt, String src, String prefix) {
        if (!c.hasPath(key)) {
            return dflt;
        }
        try {
            return c.getDouble(key);
        } catch (ConfigException.WrongType e) {
            throw new SiteFileException(src, prefix + "." + key, "must be a number, got " + c.getValue(key).render());
        }
    }
}
