package dev.atoll.federationnode.persistence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

import com.datastax.oss.driver.api.core.CqlSession;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.serialization.KryoRegistry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.SnapshotCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Writes events and a snapshot through the real Cassandra journal configured by
 * {@code atoll-cassandra.conf}, then recovers them in a new actor.
 *
 * <p>Needs a Cassandra with the Atoll schema at {@code ATOLL_CASSANDRA_CONTACT_POINT} (default
 * 127.0.0.1:9042): {@code bin/cassandra-local start}. Without one the test is skipped, except when
 * {@code CI=true}, where it fails.
 */
class CassandraJournalTest {

    static final String NOT_RUNNING = "Cassandra not running: start it with bin/cassandra-local start";

    // Test-local Kryo registrations (ids from 3000 up belong to tests; keep these unique).
    static {
        KryoRegistry.extend(3950, ItemAdded.class);
        KryoRegistry.extend(3951, Items.class);
    }

    /** The persisted event. */
    public record ItemAdded(String item) implements AtollSerializable {
    }

    /** The state, also written as a snapshot. */
    public record Items(List<String> items) implements AtollSerializable {
        public Items {
            items = List.copyOf(items);
        }

        Items plus(String item) {
            List<String> next = new ArrayList<>(items);
            next.add(item);
            return new Items(next);
        }
    }

    /** Commands of the test actor: local to this test (it checks the journal), exempt from serialize-messages. */
    sealed interface Command extends org.apache.pekko.actor.NoSerializationVerificationNeeded {
    }

    record Add(String item, ActorRef<Items> replyTo) implements Command {
    }

    record Get(ActorRef<Items> replyTo) implements Command {
    }

    /** A tiny event-sourced list that snapshots every third event and reports its signals. */
    static final class ItemLog extends EventSourcedBehavior<Command, ItemAdded, Items> {
        private final ActorRef<String> signals;

        static Behavior<Command> create(PersistenceId id, ActorRef<String> signals) {
            return new ItemLog(id, signals);
        }

        private ItemLog(PersistenceId id, ActorRef<String> signals) {
            super(id);
            this.signals = signals;
        }

        @Override
        public Items emptyState() {
            return new Items(List.of());
        }

        @Override
        public CommandHandler<Command, ItemAdded, Items> commandHandler() {
            return newCommandHandlerBuilder().forAnyState()
                    .onCommand(Add.class, (state, cmd) -> Effect().persist(new ItemAdded(cmd.item()))
                            .thenReply(cmd.replyTo(), s -> s))
                    .onCommand(Get.class, (state, cmd) -> Effect().reply(cmd.replyTo(), state))
                    .build();
        }

        @Override
        public EventHandler<Items, ItemAdded> eventHandler() {
            return newEventHandlerBuilder().forAnyState()
                    .onEvent(ItemAdded.class, (state, event) -> state.plus(event.item()))
                    .build();
        }

        @Override
        public boolean shouldSnapshot(Items state, ItemAdded event, long sequenceNr) {
            return sequenceNr % 3 == 0;
        }

        @Override
        public SignalHandler<Items> signalHandler() {
            return newSignalHandlerBuilder()
                    .onSignal(RecoveryCompleted.instance(), state -> signals.tell("recovered " + state.items()))
                    .onSignal(SnapshotCompleted.class,
                            (state, done) -> signals.tell("snapshot " + done.metadata().sequenceNr()))
                    .build();
        }
    }

    static Config config;
    static InetSocketAddress contactPoint;
    static boolean cassandraUp;
    static ActorTestKit testKit;

    @BeforeAll
    static void startTestKitIfCassandraAnswers() {
        config = ConfigFactory.load(ConfigFactory.parseResources("atoll-cassandra.conf"));
        String hostPort = config.getString("atoll.cassandra.contact-point");
        int colon = hostPort.lastIndexOf(':');
        contactPoint = new InetSocketAddress(hostPort.substring(0, colon),
                Integer.parseInt(hostPort.substring(colon + 1)));
        cassandraUp = reachable(contactPoint);
        if (cassandraUp) {
            testKit = ActorTestKit.create("CassandraJournalTest",
                    ConfigFactory.parseString("pekko.actor.serialize-messages = on").withFallback(config));
        }
    }

    /** Skipped without Cassandra, except on CI (CI=true), where a missing Cassandra is a failure. */
    @BeforeEach
    void requireCassandra() {
        if (!cassandraUp) {
            String why = NOT_RUNNING + " (nothing answers on " + contactPoint.getHostString() + ":"
                    + contactPoint.getPort() + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why);
            }
            Assumptions.abort(why);
        }
    }

    @AfterAll
    static void shutdown() {
        if (testKit != null) {
            testKit.shutdownTestKit();
        }
    }

    private static boolean reachable(InetSocketAddress address) {
        try (Socket socket = new Socket()) {
            socket.connect(address, 2000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }

    @Test
    void eventsAndSnapshotWrittenToCassandraAreRecoveredByANewActor() {
        PersistenceId id = PersistenceId.ofUniqueId("cassandra-journal-test-" + UUID.randomUUID());
        Duration patience = Duration.ofSeconds(30);
        List<String> written = List.of("H800", "A100-80GB", "Ascend-910B", "H800", "L40S");

        TestProbe<String> signals = testKit.createTestProbe();
        TestProbe<Items> replies = testKit.createTestProbe();
        ActorRef<Command> first = testKit.spawn(ItemLog.create(id, signals.getRef()));
        assertThat(signals.receiveMessage(patience)).isEqualTo("recovered []");
        for (String item : written) {
            first.tell(new Add(item, replies.getRef()));
            replies.receiveMessage(patience);
        }
        assertThat(signals.receiveMessage(patience)).isEqualTo("snapshot 3");
        first.tell(new Get(replies.getRef()));
        Items before = replies.receiveMessage(patience);
        assertThat(before.items()).isEqualTo(written);
        testKit.stop(first, patience);

        // the rows are really in Cassandra, in the tables of tools/cassandra/atoll-schema.cql
        try (CqlSession session = CqlSession.builder()
                .addContactPoint(contactPoint)
                .withLocalDatacenter(config.getString("atoll.cassandra.local-datacenter"))
                .build()) {
            long events = session.execute("SELECT sequence_nr FROM atoll_journal.messages"
                    + " WHERE persistence_id = ? AND partition_nr = 0", id.id()).all().size();
            long snapshots = session.execute("SELECT sequence_nr FROM atoll_snapshot.snapshots"
                    + " WHERE persistence_id = ?", id.id()).all().size();
            assertThat(events).as("events in atoll_journal.messages").isEqualTo(written.size());
            assertThat(snapshots).as("snapshots in atoll_snapshot.snapshots").isEqualTo(1);
        }

        ActorRef<Command> second = testKit.spawn(ItemLog.create(id, signals.getRef()));
        assertThat(signals.receiveMessage(patience)).isEqualTo("recovered " + written);
        second.tell(new Get(replies.getRef()));
        assertThat(replies.receiveMessage(patience)).isEqualTo(before);

        // and it keeps writing after recovery, at the right sequence numbers
        second.tell(new Add("MI300X", replies.getRef()));
        assertThat(replies.receiveMessage(patience).items()).hasSize(written.size() + 1);
        assertThat(signals.receiveMessage(patience)).isEqualTo("snapshot 6");
        testKit.stop(second, patience);
    }
}
