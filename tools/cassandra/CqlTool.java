/*
 * Minimal CQL client for bin/cassandra-local (there is no cqlsh: it needs Python).
 * Runs as a single-file source program against the Cassandra lib dir, using the
 * DataStax 3.x driver that cassandra-all already ships (cassandra-driver-core-*-shaded.jar):
 *
 *   java -cp 'tools/cassandra/target/lib/*' tools/cassandra/CqlTool.java wait 120
 *   java -cp 'tools/cassandra/target/lib/*' tools/cassandra/CqlTool.java exec tools/cassandra/atoll-schema.cql
 *   java -cp 'tools/cassandra/target/lib/*' tools/cassandra/CqlTool.java query "SELECT * FROM system.local"
 *
 * Contact point: env ATOLL_CASSANDRA_HOST (default 127.0.0.1) and ATOLL_CASSANDRA_PORT (default 9042).
 * Exit codes: 0 ok, 1 CQL error, 2 usage, 4 timeout waiting for the server.
 */
import com.datastax.driver.core.Cluster;
import com.datastax.driver.core.ColumnDefinitions;
import com.datastax.driver.core.ResultSet;
import com.datastax.driver.core.Row;
import com.datastax.driver.core.Session;
import com.datastax.driver.core.SocketOptions;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

public class CqlTool {

    public static void main(String[] args) throws Exception {
        if (args.length < 1) {
            usage();
        }
        String host = env("ATOLL_CASSANDRA_HOST", "127.0.0.1");
        int port = Integer.parseInt(env("ATOLL_CASSANDRA_PORT", "9042"));
        switch (args[0]) {
            case "wait" -> System.exit(waitReady(host, port, args.length > 1 ? Integer.parseInt(args[1]) : 120));
            case "exec" -> {
                if (args.length < 2) usage();
                String text = Files.readString(Path.of(args[1]), StandardCharsets.UTF_8);
                System.exit(run(host, port, split(text), false));
            }
            case "query" -> {
                if (args.length < 2) usage();
                System.exit(run(host, port, split(args[1]), true));
            }
            default -> usage();
        }
    }

    private static void usage() {
        System.err.println("usage: CqlTool wait [timeoutSeconds] | exec <file.cql> | query '<cql>'");
        System.exit(2);
    }

    private static String env(String name, String fallback) {
        String v = System.getenv(name);
        return v == null || v.isBlank() ? fallback : v;
    }

    private static Cluster cluster(String host, int port) {
        return Cluster.builder()
                .addContactPoint(host)
                .withPort(port)
                .withoutJMXReporting()
                .withoutMetrics()
                .withSocketOptions(new SocketOptions().setConnectTimeoutMillis(3000).setReadTimeoutMillis(60000))
                .build();
    }

    /** Polls until a real CQL query answers, or the timeout passes. */
    private static int waitReady(String host, int port, int timeoutSeconds) throws InterruptedException {
        long deadline = System.nanoTime() + timeoutSeconds * 1_000_000_000L;
        String last = "";
        while (System.nanoTime() < deadline) {
            try (Cluster c = cluster(host, port); Session s = c.connect()) {
                Row r = s.execute("SELECT release_version, data_center FROM system.local").one();
                System.out.println("CQL ready at " + host + ":" + port + ": Cassandra " + r.getString(0)
                        + ", data center " + r.getString(1));
                return 0;
            } catch (RuntimeException e) {
                last = e.getClass().getSimpleName() + ": " + e.getMessage();
            }
            Thread.sleep(1000);
        }
        System.err.println("CQL not ready at " + host + ":" + port + " after " + timeoutSeconds + " s; last error: " + last);
        return 4;
    }

    private static int run(String host, int port, List<String> statements, boolean print) {
        try (Cluster c = cluster(host, port); Session s = c.connect()) {
            for (String stmt : statements) {
                String head = stmt.lines().map(String::strip).filter(l -> !l.isEmpty()).findFirst().orElse(stmt);
                ResultSet rs = s.execute(stmt);
                if (!rs.getExecutionInfo().isSchemaInAgreement()) {
                    System.err.println("warning: schema not in agreement after: " + head);
                }
                if (print) {
                    ColumnDefinitions cols = rs.getColumnDefinitions();
                    for (Row row : rs) {
                        StringBuilder sb = new StringBuilder();
                        for (int i = 0; i < cols.size(); i++) {
                            if (i > 0) sb.append(" | ");
                            sb.append(cols.getName(i)).append('=').append(row.getObject(i));
                        }
                        System.out.println(sb);
                    }
                } else {
                    System.out.println("ok: " + head);
                }
            }
            return 0;
        } catch (RuntimeException e) {
            System.err.println("CQL failed against " + host + ":" + port + ": " + e);
            return 1;
        }
    }

    /** Splits a CQL script into statements on ';' outside quotes, dropping -- and // line comments. */
    static List<String> split(String text) {
        List<String> out = new ArrayList<>();
        StringBuilder cur = new StringBuilder();
        boolean inQuote = false;
        for (int i = 0; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (!inQuote && (text.startsWith("--", i) || text.startsWith("//", i))) {
                while (i < text.length() && text.charAt(i) != '\n') i++;
                cur.append('\n');
                continue;
            }
            if (ch == '\'') inQuote = !inQuote;
            if (ch == ';' && !inQuote) {
                if (!cur.toString().isBlank()) out.add(cur.toString().strip());
                cur.setLength(0);
            } else {
                cur.append(ch);
            }
        }
        if (!cur.toString().isBlank()) out.add(cur.toString().strip());
        return out;
    }
}
