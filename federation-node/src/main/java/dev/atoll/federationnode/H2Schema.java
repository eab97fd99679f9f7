package dev.atoll.federationnode;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Creates pekko-persistence-jdbc's H2 tables if they are missing, with plain JDBC before the actor system
 * starts. Runs the plugin's own {@code schema/h2/h2-create-schema.sql}, made idempotent (every
 * {@code CREATE} gets {@code IF NOT EXISTS}), so any number of nodes may run it against the same file.
 */
public final class H2Schema {
    private static final Object LOCK = new Object();

    private H2Schema() {
    }

    /** @return the JDBC URL for an H2 file shared by local nodes: {@code jdbc:h2:file:<abs>;AUTO_SERVER=TRUE} */
    public static String url(Path h2File) {
        return "jdbc:h2:file:" + h2File.toAbsolutePath().normalize() + ";AUTO_SERVER=TRUE";
    }

    /**
     * Ensures the journal, tag, snapshot and durable-state tables exist in {@code h2File}.
     *
     * @throws IllegalStateException naming the file when the database cannot be opened or a statement fails
     */
    public static void ensure(Path h2File) {
        String sql;
        try (InputStream in = H2Schema.class.getClassLoader().getResourceAsStream("schema/h2/h2-create-schema.sql")) {
            if (in == null) {
                throw new IllegalStateException("schema/h2/h2-create-schema.sql not on the classpath (pekko-persistence-jdbc missing?)");
            }
            sql = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read the H2 schema: " + e.getMessage(), e);
        }
        synchronized (LOCK) {
            try {
                Path parent = h2File.toAbsolutePath().getParent();
                if (parent != null) {
                    Files.createDirectories(parent);
                }
            } catch (IOException e) {
                throw new IllegalStateException("cannot create directory for H2 file " + h2File + ": " + e.getMessage(), e);
            }
            try (Connection c = DriverManager.getConnection(url(h2File), "sa", "");
                 Statement st = c.createStatement()) {
                for (String raw : sql.split(";")) {
                    String s = raw.strip();
                    if (s.isEmpty()) {
                        continue;
                    }
                    st.execute(idempotent(s));
                }
            } catch (SQLException e) {
                throw new IllegalStateException("cannot create the journal schema in " + url(h2File) + ": " + e.getMessage(), e);
            }
        }
    }

    static String idempotent(String statement) {
        String s = statement;
        for (String kind : new String[] {"TABLE", "UNIQUE INDEX", "INDEX", "SEQUENCE"}) {
            String plain = "CREATE " + kind + " ";
            if (s.startsWith(plain) && !s.startsWith(plain + "IF NOT EXISTS")) {
                return plain + "IF NOT EXISTS " + s.substring(plain.length());
            }
        }
        return s;
    }
}
