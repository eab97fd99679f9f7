package dev.atoll.federationnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeConfigTest {
    private static final String GOOD = """
            atoll.site {
              id = "site-a"
              region = "east"
              host = "127.0.0.1"
              port = 25521
              http-port = 8081
              seed-nodes = ["pekko://atoll@127.0.0.1:25521"]
              data-dir = "var/site-a"
              journal = "h2"
              h2-file = "var/atoll-journal"
              speedup = 60.0
              packing-policy = "first-fit"
              hold-timeout = 5s
              pools = [ { model = "H800", nodes = 64, devices-per-node = 8, memory-gib = 80, price-per-device-hour = 2.0, speed-factor = 1.0 },
                        { model = "Ascend-910B", nodes = 4, devices-per-node = 8 } ]
            }
            """;

    @TempDir
    Path dir;

    @Test
    void nodeAndSimulatorReadTheSameSiteFromTheSameFile() throws Exception {
        Path file = dir.resolve("site.conf");
        Files.writeString(file, GOOD);
        assertThat(dev.atoll.simulator.topology.SiteFileReader.read(file)).isEqualTo(NodeConfig.load(file).siteSpec());
        assertThat(NodeConfig.load(file).siteSpec().deviceCount()).isEqualTo(544);
    }

    @Test
    void loadsEveryKeyOfTheSiteFile() throws Exception {
        Path file = dir.resolve("site.conf");
        Files.writeString(file, GOOD);
        NodeConfig c = NodeConfig.load(file);
        assertThat(c.siteId().value()).isEqualTo("site-a");
        assertThat(c.region()).isEqualTo("east");
        assertThat(c.port()).isEqualTo(25521);
        assertThat(c.httpPort()).isEqualTo(8081);
        assertThat(c.seedNodes()).containsExactly("pekko://atoll@127.0.0.1:25521");
        assertThat(c.dataDir()).isEqualTo(Path.of("var/site-a").toAbsolutePath().normalize());
        assertThat(c.h2File()).isEqualTo(Path.of("var/atoll-journal").toAbsolutePath().normalize());
        assertThat(c.speedup()).isEqualTo(60.0);
        assertThat(c.holdTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(c.pools()).hasSize(2);
        assertThat(c.pools().get(0).capacity()).isEqualTo(512);
        assertThat(c.pools().get(0).pricePerDeviceHour()).isEqualTo(2.0);
        assertThat(c.pools().get(1).pricePerDeviceHour()).isEqualTo(1.0);
        assertThat(c.siteSpec().deviceCount()).isEqualTo(544);
    }

    @Test
    void defaultsApplyToOptionalKeys() {
        NodeConfig c = NodeConfig.parse("atoll.site { id = b, port = 2552, http-port = 0, "
                + "pools = [{ model = T4, nodes = 1, devices-per-node = 4 }] }", "b.conf");
        assertThat(c.region()).isEqualTo("default");
        assertThat(c.host()).isEqualTo("127.0.0.1");
        assertThat(c.seedNodes()).containsExactly("pekko://atoll@127.0.0.1:2552");
        assertThat(c.journal()).isEqualTo("h2");
        assertThat(c.packingPolicy()).isEqualTo("first-fit");
        assertThat(c.speedup()).isEqualTo(1.0);
    }

    @Test
    void wrongValuesNameFileKeyAndReason() {
        assertThatThrownBy(() -> NodeConfig.parse(GOOD.replace("devices-per-node = 8, memory", "devices-per-node = 0, memory"),
                "site.conf"))
                .isInstanceOf(NodeConfigException.class)
                .hasMessage("site.conf: atoll.site.pools[0].devices-per-node: must be in [1, 64], got 0");
        assertThatThrownBy(() -> NodeConfig.parse(GOOD.replace("port = 25521", "port = 70000"), "site.conf"))
                .hasMessage("site.conf: atoll.site.port: must be in [1, 65535], got 70000");
        assertThatThrownBy(() -> NodeConfig.parse(GOOD.replace("journal = \"h2\"", "journal = \"mysql\""), "site.conf"))
                .hasMessage("site.conf: atoll.site.journal: must be h2 or cassandra, got 'mysql'");
        assertThatThrownBy(() -> NodeConfig.parse(GOOD.replace("hold-timeout = 5s", "hold-timeout = soon"), "site.conf"))
                .hasMessageStartingWith("site.conf: atoll.site.hold-timeout: must be a duration");
        assertThatThrownBy(() -> NodeConfig.parse(GOOD.replace("speedup = 60.0", "speedup = 0"), "site.conf"))
                .hasMessage("site.conf: atoll.site.speedup: must be a finite number > 0, got 0.0");
        assertThatThrownBy(() -> NodeConfig.parse(GOOD.replace("packing-policy = \"first-fit\"", "packing-policy = \"worst\""),
                "site.conf"))
                .hasMessageStartingWith("site.conf: atoll.site.packing-policy: packing policy must be one of");
        assertThatThrownBy(() -> NodeConfig.parse(GOOD.replace("id = \"site-a\"", "id = \"site a\""), "site.conf"))
                .hasMessageStartingWith("site.conf: atoll.site.id: site id must be 1..128 characters");
        assertThatThrownBy(() -> NodeConfig.parse(GOOD.replace("seed-nodes = [\"pekko://atoll@127.0.0.1:25521\"]",
                "seed-nodes = [\"pekko://other@127.0.0.1:25521\"]"), "site.conf"))
                .hasMessageStartingWith("site.conf: atoll.site.seed-nodes[0]: the actor system must be named 'atoll'");
        assertThatThrownBy(() -> NodeConfig.parse(GOOD.replace("region = \"east\"", "regoin = \"east\""), "site.conf"))
                .hasMessageStartingWith("site.conf: atoll.site.regoin: unknown key");
        assertThatThrownBy(() -> NodeConfig.parse(GOOD.replace("model = \"Ascend-910B\", ", ""), "site.conf"))
                .hasMessage("site.conf: atoll.site.pools[1].model: missing (required)");
        assertThatThrownBy(() -> NodeConfig.parse("atoll.site { id = a, port = 1, http-port = 2, pools = [] }", "e.conf"))
                .hasMessage("e.conf: atoll.site.pools: must have at least one pool");
        assertThatThrownBy(() -> NodeConfig.parse("atoll.site { id = a, port = x, http-port = 2 }", "e.conf"))
                .hasMessage("e.conf: atoll.site.port: must be an integer, got \"x\"");
        assertThatThrownBy(() -> NodeConfig.parse("atoll { }", "e.conf"))
                .hasMessageStartingWith("e.conf: atoll.site: missing");
        assertThatThrownBy(() -> NodeConfig.parse("atoll.site { id = ", "e.conf"))
                .hasMessageStartingWith("e.conf: atoll.site: cannot parse");
    }

    @Test
    void missingFileIsNamed() {
        assertThatThrownBy(() -> NodeConfig.load(dir.resolve("nope.conf")))
                .isInstanceOf(NodeConfigException.class)
                .hasMessageStartingWith("nope.conf: atoll.site: file not found");
    }

    @Test
    void systemConfigCarriesSiteValues() {
        NodeConfig c = NodeConfig.parse(GOOD, "site.conf");
        Config sys = NodeMain.systemConfig(c, ConfigFactory.empty());
        assertThat(sys.getString("pekko.cluster.multi-data-center.self-data-center")).isEqualTo("site-a");
        assertThat(sys.getInt("pekko.remote.artery.canonical.port")).isEqualTo(25521);
        assertThat(sys.getString("pekko.actor.provider")).isEqualTo("cluster");
        assertThat(sys.getBoolean("pekko.actor.serialize-messages")).isFalse();
        assertThat(sys.getString("pekko.cluster.split-brain-resolver.active-strategy")).isEqualTo("keep-majority");
        assertThat(sys.getString("pekko-persistence-jdbc.shared-databases.slick.profile")).isEqualTo("slick.jdbc.H2Profile$");
        assertThat(sys.getString("pekko-persistence-jdbc.shared-databases.slick.db.url"))
                .startsWith("jdbc:h2:file:/").endsWith(";AUTO_SERVER=TRUE");
        assertThat(sys.getStringList("pekko.cluster.seed-nodes")).containsExactly("pekko://atoll@127.0.0.1:25521");
    }

    @Test
    void otherSectionsOfTheSiteFileAreLayeredOverTheNodeDefaults() {
        String file = GOOD.replace("journal = \"h2\"", "journal = \"cassandra\"") + """
                datastax-java-driver {
                  basic.contact-points = ["cass-north-1.example.net:9042", "cass-north-2.example.net:9042"]
                  basic.load-balancing-policy.local-datacenter = "region_north"
                  advanced.auth-provider {
                    class = PlainTextAuthProvider
                    username = "atoll"
                    password = ${?ATOLL_TEST_UNSET_PASSWORD}
                    password = "s3cret"
                  }
                }
                pekko.remote.artery.bind.hostname = "0.0.0.0"
                """;
        NodeConfig c = NodeConfig.parse(file, "site.conf");
        assertThat(c.extra().hasPath("atoll")).isFalse();
        Config sys = NodeMain.systemConfig(c, ConfigFactory.empty());
        // the site file wins over atoll-cassandra.conf ...
        assertThat(sys.getStringList("datastax-java-driver.basic.contact-points"))
                .containsExactly("cass-north-1.example.net:9042", "cass-north-2.example.net:9042");
        assertThat(sys.getString("datastax-java-driver.basic.load-balancing-policy.local-datacenter"))
                .isEqualTo("region_north");
        assertThat(sys.getString("datastax-java-driver.advanced.auth-provider.class")).isEqualTo("PlainTextAuthProvider");
        assertThat(sys.getString("datastax-java-driver.advanced.auth-provider.username")).isEqualTo("atoll");
        assertThat(sys.getString("datastax-java-driver.advanced.auth-provider.password")).isEqualTo("s3cret");
        // ... which still supplies what the site file does not set, and the site values stay in force
        assertThat(sys.getDuration("datastax-java-driver.basic.request.timeout")).isEqualTo(Duration.ofSeconds(20));
        assertThat(sys.getString("pekko.persistence.journal.plugin")).isEqualTo("pekko.persistence.cassandra.journal");
        assertThat(sys.getString("pekko.remote.artery.bind.hostname")).isEqualTo("0.0.0.0");
        assertThat(sys.getInt("pekko.remote.artery.canonical.port")).isEqualTo(25521);
        // test overrides still win over the site file
        Config over = NodeMain.systemConfig(c, ConfigFactory.parseString("pekko.remote.artery.bind.hostname = \"127.0.0.2\""));
        assertThat(over.getString("pekko.remote.artery.bind.hostname")).isEqualTo("127.0.0.2");
    }

    /**
     * The liveness defaults the crash harness relies on (docs/operations/recovery.md, "Product defaults for
     * restarts"): bounded, paced recovery of remembered Jobs, a patient journal breaker, and a start deadline.
     */
    @Test
    void restartAndRecoveryDefaultsAreInTheLoadedNodeConfig() {
        NodeConfig c = NodeConfig.parse(GOOD.replace("journal = \"h2\"", "journal = \"cassandra\""), "site.conf");
        Config sys = NodeMain.systemConfig(c, ConfigFactory.empty());
        assertThat(sys.getInt("pekko.persistence.max-concurrent-recoveries")).isEqualTo(16);
        assertThat(sys.getBoolean("pekko.cluster.sharding.remember-entities")).isTrue();
        assertThat(sys.getString("pekko.cluster.sharding.entity-recovery-strategy")).isEqualTo("constant");
        assertThat(sys.getDuration("pekko.cluster.sharding.entity-recovery-constant-rate-strategy.frequency"))
                .isEqualTo(Duration.ofMillis(100));
        assertThat(sys.getInt("pekko.cluster.sharding.entity-recovery-constant-rate-strategy.number-of-entities"))
                .isEqualTo(5);
        assertThat(sys.getDuration("pekko.cluster.sharding.waiting-for-state-timeout")).isEqualTo(Duration.ofSeconds(30));
        assertThat(sys.getDuration("pekko.cluster.sharding.updating-state-timeout")).isEqualTo(Duration.ofSeconds(30));
        assertThat(sys.getInt("pekko.persistence.cassandra.journal.circuit-breaker.max-failures")).isEqualTo(100);
        assertThat(sys.getDuration("pekko.persistence.cassandra.journal.circuit-breaker.call-timeout"))
                .isEqualTo(Duration.ofSeconds(30));
        assertThat(sys.getDuration("pekko.persistence.cassandra.journal.circuit-breaker.reset-timeout"))
                .isEqualTo(Duration.ofSeconds(5));
        assertThat(sys.getDuration("datastax-java-driver.basic.request.timeout")).isEqualTo(Duration.ofSeconds(20));
        assertThat(sys.getBoolean("pekko.cluster.run-coordinated-shutdown-when-down")).isTrue();
        assertThat(sys.getDuration("atoll.start-timeout")).isEqualTo(Duration.ofSeconds(120));
        // the H2 node gets the same sharding and recovery pacing (they live in atoll-node.conf)
        Config h2 = NodeMain.systemConfig(NodeConfig.parse(GOOD, "site.conf"), ConfigFactory.empty());
        assertThat(h2.getInt("pekko.persistence.max-concurrent-recoveries")).isEqualTo(16);
        assertThat(h2.getString("pekko.cluster.sharding.entity-recovery-strategy")).isEqualTo("constant");
    }

    @Test
    void siteFileCannotOverrideKeysItsSiteValuesOwn() {
        assertThatThrownBy(() -> NodeConfig.parse(GOOD + "pekko.remote.artery.canonical.port = 2600\n", "s.conf"))
                .isInstanceOf(NodeConfigException.class)
                .hasMessage("s.conf: pekko.remote.artery.canonical.port: cannot be set in a site file: it is derived "
                        + "from atoll.site.port");
        assertThatThrownBy(() -> NodeConfig.parse(GOOD + "pekko.cluster { seed-nodes = [] }\n", "s.conf"))
                .hasMessageStartingWith("s.conf: pekko.cluster.seed-nodes: cannot be set in a site file: it is derived "
                        + "from atoll.site.seed-nodes");
        assertThatThrownBy(() -> NodeConfig.parse(GOOD + "pekko.persistence.journal.plugin = jdbc-journal\n", "s.conf"))
                .hasMessageStartingWith("s.conf: pekko.persistence.journal.plugin: cannot be set in a site file");
        assertThatThrownBy(() -> NodeConfig.parse(GOOD + "pekko.cluster.multi-data-center.self-data-center = x\n", "s.conf"))
                .hasMessageContaining("derived from atoll.site.id");
        assertThatThrownBy(() -> NodeConfig.parse(GOOD + "atoll.job.cfp-fanout = 3\n", "s.conf"))
                .hasMessageStartingWith("s.conf: atoll.job: unknown key: a site file sets only atoll.site");
        assertThatThrownBy(() -> NodeConfig.parse(GOOD + "datastax-java-driver.advanced.auth-provider.password = "
                + "${ATOLL_TEST_UNSET_PASSWORD}\n", "s.conf"))
                .hasMessageStartingWith("s.conf: atoll.site: cannot resolve")
                .hasMessageContaining("ATOLL_TEST_UNSET_PASSWORD");
    }

    @Test
    void schemaStatementsBecomeIdempotent() {
        assertThat(H2Schema.idempotent("CREATE UNIQUE INDEX \"x\" on t (a)"))
                .isEqualTo("CREATE UNIQUE INDEX IF NOT EXISTS \"x\" on t (a)");
        assertThat(H2Schema.idempotent("CREATE TABLE IF NOT EXISTS t (a int)")).isEqualTo("CREATE TABLE IF NOT EXISTS t (a int)");
        Path h2 = dir.resolve("j");
        H2Schema.ensure(h2);
        H2Schema.ensure(h2);
        assertThat(Files.exists(dir.resolve("j.mv.db"))).isTrue();
    }
}
