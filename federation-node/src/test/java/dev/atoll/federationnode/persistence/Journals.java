package dev.atoll.federationnode.persistence;

import static org.junit.jupiter.api.Assertions.fail;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.atoll.federationnode.H2Schema;
import dev.atoll.federationnode.NodeConfig;
import dev.atoll.federationnode.NodeMain;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;

/**
 * Test support for running the same persistence test on both journals a node supports: {@code h2} (a
 * fresh H2 file) and {@code cassandra} (the real server at {@code ATOLL_CASSANDRA_CONTACT_POINT}).
 */
public final class Journals {
    /** The message of a missing Cassandra, on CI a failure, elsewhere a skip. */
    public static final String NOT_RUNNING = "Cassandra not running: start it with bin/cassandra-local start";

    private Journals() {
    }

    /** @return {@code host:port} of the Cassandra the node's config points at */
    public static InetSocketAddress cassandraContactPoint() {
        Config c = ConfigFactory.load(ConfigFactory.parseResources("atoll-cassandra.conf"));
        String hostPort = c.getString("atoll.cassandra.contact-point");
        int colon = hostPort.lastIndexOf(':');
        return new InetSocketAddress(hostPort.substring(0, colon), Integer.parseInt(hostPort.substring(colon + 1)));
    }

    /** @return true if something answers on the Cassandra contact point within 2 s */
    public static boolean cassandraUp() {
        InetSocketAddress a = cassandraContactPoint();
        try (Socket socket = new Socket()) {
            socket.connect(a, 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Skips the calling test when Cassandra is down, or fails it when {@code CI=true}, with
     * {@link #NOT_RUNNING} and the contact point.
     */
    public static void requireCassandra() {
        if (!cassandraUp()) {
            InetSocketAddress a = cassandraContactPoint();
            String why = NOT_RUNNING + " (nothing answers on " + a.getHostString() + ":" + a.getPort() + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
    }

    /**
     * The configuration a node with {@code journal} would run with, minus clustering (local provider,
     * no remoting), for tests that spawn persistent actors directly. Every message is serialized
     * ({@code pekko.actor.serialize-messages = on}), so a class missing from the Kryo registry fails the test.
     *
     * @param journal {@code h2} or {@code cassandra}; cassandra calls {@link #requireCassandra()} first
     * @param dir a temporary directory for the H2 file
     */
    public static Config systemConfig(String journal, Path dir, String extra) {
        if (journal.equals("cassandra")) {
            requireCassandra();
        }
        NodeConfig cfg = NodeConfig.parse("atoll.site { id = \"site-j\", port = 25599, http-port = 0, journal = \""
                + journal + "\", h2-file = \"" + dir.resolve("journal") + "\", data-dir = \"" + dir
                + "\", pools = [{ model = \"H800\", nodes = 1, devices-per-node = 8 }] }", "journals-test");
        if (journal.equals("h2")) {
            H2Schema.ensure(cfg.h2File());
        }
        return NodeMain.systemConfig(cfg, ConfigFactory.parseString(extra + """

                pekko.actor.provider = local
                pekko.actor.serialize-messages = on
                pekko.actor.serialize-creators = off
                pekko.cluster.seed-nodes = []
                pekko.loglevel = WARNING
                pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                """));
    }

    /**
     * @return how many snapshots the snapshot store of {@code journal} holds for {@code persistenceId}
     * @throws IllegalStateException if the store cannot be read
     */
    public static long snapshotCount(String journal, Path dir, String persistenceId) {
        if (journal.equals("h2")) {
            try (var c = java.sql.DriverManager.getConnection(H2Schema.url(dir.resolve("journal")), "sa", "");
                 var st = c.prepareStatement("SELECT COUNT(*) FROM \"snapshot\" WHERE \"persistence_id\" = ?")) {
                st.setString(1, persistenceId);
                try (var rs = st.executeQuery()) {
                    rs.next();
                    return rs.getLong(1);
                }
            } catch (java.sql.SQLException e) {
                throw new IllegalStateException("cannot count snapshots of " + persistenceId + ": " + e.getMessage(), e);
            }
        }
        Config c = ConfigFactory.load(ConfigFactory.parseResources("atoll-cassandra.conf"));
        try (var session = com.datastax.oss.driver.api.core.CqlSession.builder().addContactPoint(cassandraContactPoint())
                .withLocalDatacenter(c.getString("atoll.cassandra.local-datacenter")).build()) {
            return session.execute("SELECT sequence_nr FROM atoll_snapshot.snapshots WHERE persistence_id = ?",
                    persistenceId).all().size();
        }
    }

    /**
     * Appends raw journal rows (as the Atoll Kryo serializer would store them) for {@code persistenceId} to
     * the H2 journal in {@code dir}, sequence numbers from 1.
     *
     * @throws IllegalStateException if the rows cannot be written
     */
    public static void writeH2Rows(Path dir, String persistenceId, java.util.List<byte[]> payloads) {
        H2Schema.ensure(dir.resolve("journal"));
        try (var c = java.sql.DriverManager.getConnection(H2Schema.url(dir.resolve("journal")), "sa", "");
             var ins = c.prepareStatement("INSERT INTO \"event_journal\" (\"persistence_id\", \"sequence_number\","
                     + " \"writer\", \"write_timestamp\", \"adapter_manifest\", \"event_payload\", \"event_ser_id\","
                     + " \"event_ser_manifest\") VALUES (?, ?, 'test', ?, '', ?, ?, '')")) {
            long seq = 0;
            for (byte[] p : payloads) {
                ins.setString(1, persistenceId);
                ins.setLong(2, ++seq);
                ins.setLong(3, System.currentTimeMillis());
                ins.setBytes(4, p);
                ins.setInt(5, dev.atoll.protocol.serialization.AtollKryoSerializer.IDENTIFIER);
                ins.executeUpdate();
            }
        } catch (java.sql.SQLException e) {
            throw new IllegalStateException("cannot write journal rows of " + persistenceId + ": " + e.getMessage(), e);
        }
    }
}
