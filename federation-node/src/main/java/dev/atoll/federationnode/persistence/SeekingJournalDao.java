package dev.atoll.federationnode.persistence;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import org.apache.pekko.persistence.jdbc.config.EventJournalTableColumnNames;
import org.apache.pekko.persistence.jdbc.config.EventJournalTableConfiguration;
import org.apache.pekko.persistence.jdbc.config.JournalConfig;
import org.apache.pekko.persistence.jdbc.journal.dao.DefaultJournalDao;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.stream.Materializer;
import scala.concurrent.ExecutionContext;
import scala.concurrent.Future;
import scala.jdk.javaapi.FutureConverters;
import slick.jdbc.JdbcBackend;
import slick.jdbc.JdbcProfile;

/**
 * pekko-persistence-jdbc's {@link DefaultJournalDao} with a recovery-time fix: the highest sequence number of a
 * persistence id is looked up from the recovery's starting point instead of over the whole history.
 *
 * <p>Why: the plugin asks {@code SELECT MAX(seq) FROM (SELECT seq FROM event_journal WHERE persistence_id = ?
 * ORDER BY seq DESC LIMIT 1)}. H2 (2.2) cannot read its ascending primary key backwards for that, so it sorts every
 * row of the persistence id: for a SiteAgent with 1,000,000 events that took 10 to 40 s, even when the newest
 * snapshot left only 10,000 events to replay (measured with {@code RecoveryBench}, see
 * docs/operations/recovery.md). Here the query is {@code SELECT MAX(seq) ... WHERE persistence_id = ? AND seq >= ?}
 * with the {@code fromSequenceNr} hint Pekko passes (the snapshot's sequence number, or 0), a range scan of the
 * primary key over only the events that will be replayed anyway.
 *
 * <p>Correctness: when no event at or after the hint exists (for example all of them were deleted) it falls back
 * to the plugin's own query, so the answer is always the plugin's answer. Writes, reads and deletes are the
 * plugin's, unchanged. Enabled with {@code jdbc-journal.dao = "dev.atoll.federationnode.persistence.SeekingJournalDao"}
 * (atoll-node.conf). Constructed by the plugin by reflection with exactly these parameters.
 */
public class SeekingJournalDao extends DefaultJournalDao {
    private final String highestFromSql;
    /** Statement timeout, seconds; the journal's circuit breaker (pekko.persistence.journal) usually fires first. */
    private static final int TIMEOUT_SECONDS = 30;

    /**
     * @param db the plugin's shared Slick database (its Hikari pool)
     * @param profile the Slick profile (H2 here)
     * @param journalConfig the plugin's journal configuration (table and column names, query timeout)
     * @param serialization Pekko serialization, for the inherited reads and writes
     * @param ec the plugin's execution context; the lookup runs on it
     * @param mat the plugin's materializer
     */
    public SeekingJournalDao(JdbcBackend.JdbcDatabaseDef db, JdbcProfile profile, JournalConfig journalConfig,
                             Serialization serialization, ExecutionContext ec, Materializer mat) {
        super(db, profile, journalConfig, serialization, ec, mat);
        EventJournalTableConfiguration table = journalConfig.eventJournalTableConfiguration();
        EventJournalTableColumnNames cols = table.columnNames();
        String name = quote(table.tableName());
        if (table.schemaName().isDefined()) {
            name = quote(table.schemaName().get()) + "." + name;
        }
        this.highestFromSql = "SELECT MAX(" + quote(cols.sequenceNumber()) + ") FROM " + name + " WHERE "
                + quote(cols.persistenceId()) + " = ? AND " + quote(cols.sequenceNumber()) + " >= ?";
    }

    private static String quote(String identifier) {
        return "\"" + identifier.replace("\"", "\"\"") + "\"";
    }

    /**
     * @param persistenceId the entity's persistence id
     * @param fromSequenceNr Pekko's hint: the highest sequence number already known (snapshot), 0 for none
     * @return the highest sequence number stored for {@code persistenceId}, 0 when it has no events; fails the
     *     future with the {@link SQLException} when the database cannot answer
     */
    @Override
    public Future<Object> highestSequenceNr(String persistenceId, long fromSequenceNr) {
        CompletableFuture<Long> fromHint = CompletableFuture.supplyAsync(() -> {
            try (Connection c = db().source().createConnection();
                 PreparedStatement st = c.prepareStatement(highestFromSql)) {
                st.setQueryTimeout(TIMEOUT_SECONDS);
                st.setString(1, persistenceId);
                st.setLong(2, Math.max(0, fromSequenceNr));
                try (ResultSet rs = st.executeQuery()) {
                    if (rs.next()) {
                        long max = rs.getLong(1);
                        return rs.wasNull() ? -1L : max;
                    }
                    return -1L;
                }
            } catch (SQLException e) {
                throw new CompletionException(e);
            }
        }, ec()::execute);
        return FutureConverters.asScala(fromHint).flatMap(found -> found >= 0
                ? Future.successful((Object) found)
                : super.highestSequenceNr(persistenceId, fromSequenceNr), ec());
    }
}
