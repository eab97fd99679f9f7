package dev.atoll.federationnode.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.atoll.federationnode.H2Schema;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SeekingJournalDao} (the node's H2 journal DAO): an entity recovers its exact history and continues at the
 * right sequence number, with and without a snapshot, and when no event at or after the snapshot is left (the
 * fallback to the plugin's own query).
 */
class SeekingJournalDaoTest {
    @TempDir
    Path dir;

    /**
     * Appends a number; replies with the whole history and the sequence number of the last event. Local to
     * this test (it checks the journal, not messaging), so exempt from serialize-messages.
     */
    record Append(int n, ActorRef<Seen> replyTo) implements org.apache.pekko.actor.NoSerializationVerificationNeeded {
    }

    record Seen(List<Integer> history, long seqNr) implements org.apache.pekko.actor.NoSerializationVerificationNeeded {
    }

    private static Behavior<Append> counter(String id, int snapshotEvery) {
        // State and events use Pekko's built-in String and Integer serializers (snapshots must be serializable).
        return Behaviors.setup(ctx -> new EventSourcedBehavior<Append, Integer, String>(
                PersistenceId.ofUniqueId(id)) {
            @Override
            public String emptyState() {
                return "";
            }

            @Override
            public CommandHandler<Append, Integer, String> commandHandler() {
                return newCommandHandlerBuilder().forAnyState().onCommand(Append.class, (s, c) -> {
                    if (c.n() < 0) {
                        return Effect().none().thenReply(c.replyTo(),
                                st -> new Seen(parse(st), lastSequenceNumber(ctx)));
                    }
                    return Effect().persist(c.n()).thenReply(c.replyTo(),
                            st -> new Seen(parse(st), lastSequenceNumber(ctx)));
                }).build();
            }

            @Override
            public EventHandler<String, Integer> eventHandler() {
                return newEventHandlerBuilder().forAnyState().onAnyEvent((s, e) -> s.isEmpty() ? "" + e : s + "," + e);
            }

            @Override
            public RetentionCriteria retentionCriteria() {
                return snapshotEvery > 0 ? RetentionCriteria.snapshotEvery(snapshotEvery, 2) : RetentionCriteria.disabled();
            }
        });
    }

    private static List<Integer> parse(String history) {
        List<Integer> out = new ArrayList<>();
        for (String n : history.split(",")) {
            if (!n.isEmpty()) {
                out.add(Integer.parseInt(n));
            }
        }
        return out;
    }

    private Seen append(ActorTestKit kit, ActorRef<Append> ref, int n) {
        TestProbe<Seen> probe = kit.createTestProbe();
        ref.tell(new Append(n, probe.getRef()));
        return probe.receiveMessage(Duration.ofSeconds(30));
    }

    /** Runs {@code body} against a fresh actor system on the same H2 file (a node restart). */
    private Seen restartAndAppend(String id, int snapshotEvery, int n) {
        ActorTestKit kit = ActorTestKit.create("dao-" + Math.abs(id.hashCode()), Journals.systemConfig("h2", dir, ""));
        try {
            return append(kit, kit.spawn(counter(id, snapshotEvery)), n);
        } finally {
            kit.shutdownTestKit();
        }
    }

    /**
     * Appends 1..{@code upTo} to entity {@code id} in one actor system and stops it once {@code snapshots}
     * snapshots are stored (they are written asynchronously).
     */
    private void fill(String id, int snapshotEvery, int upTo, int snapshots) {
        ActorTestKit kit = ActorTestKit.create("dao-fill-" + id, Journals.systemConfig("h2", dir, ""));
        try {
            ActorRef<Append> ref = kit.spawn(counter(id, snapshotEvery));
            for (int i = 1; i <= upTo; i++) {
                append(kit, ref, i);
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> Journals.snapshotCount("h2", dir, id) == snapshots);
        } finally {
            kit.shutdownTestKit();
        }
    }

    @Test
    void theNodeJournalUsesThisDao() {
        assertThat(Journals.systemConfig("h2", dir, "").getString("jdbc-journal.dao"))
                .isEqualTo(SeekingJournalDao.class.getName());
    }

    @Test
    void recoversWithoutASnapshotAndContinuesAfterTheLastEvent() {
        fill("no-snap", 0, 5, 0);
        Seen s = restartAndAppend("no-snap", 0, 6);
        assertThat(s.history()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(s.seqNr()).isEqualTo(6);
    }

    @Test
    void recoversFromASnapshotPlusLaterEvents() {
        fill("snap", 4, 10, 2);
        Seen s = restartAndAppend("snap", 4, -1);
        assertThat(s.history()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9, 10);
        assertThat(s.seqNr()).isEqualTo(10);
        assertThat(restartAndAppend("snap", 4, 11).seqNr()).isEqualTo(11);
    }

    @Test
    void fallsBackWhenNoEventAtOrAfterTheSnapshotIsLeft() throws Exception {
        fill("gone", 4, 8, 2);
        // Snapshots at 4 and 8; remove the events from 8 on, so the lookup from the snapshot finds nothing.
        try (Connection c = DriverManager.getConnection(H2Schema.url(dir.resolve("journal")), "sa", "");
             PreparedStatement del = c.prepareStatement(
                     "DELETE FROM \"event_journal\" WHERE \"persistence_id\" = 'gone' AND \"sequence_number\" >= 8")) {
            assertThat(del.executeUpdate()).isEqualTo(1);
        }
        Seen s = restartAndAppend("gone", 4, 9);
        assertThat(s.history()).containsExactly(1, 2, 3, 4, 5, 6, 7, 8, 9);
        assertThat(s.seqNr()).as("continues after the snapshot, never reusing a sequence number").isEqualTo(9);
    }
}
