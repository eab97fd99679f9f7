package dev.atoll.federationnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.negotiation.Decline;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * With {@code pekko.actor.serialize-messages = on}, Pekko 1.2.1 only logs "swallowing exception during
 * message send" and drops a message it cannot serialize. This shows that such a drop is recorded by
 * {@link SerializationFailures} naming the class, and that the check {@link FailOnSerializationErrors} runs
 * after every test then fails with that text.
 */
class SerializeMessagesFailLoudlyTest {
    private static final String ADAPTER = "org.apache.pekko.actor.typed.internal.adapter.ActorAdapter";
    private static ActorTestKit kit;

    /** An Atoll message nobody registered with Kryo. */
    record NotRegisteredMessage(String payload) implements AtollSerializable {
    }

    @BeforeAll
    static void start() {
        NodeKryo.register();
        kit = ActorTestKit.create("fail-loudly", ConfigFactory.parseString("""
                pekko.actor.serialize-messages = on
                pekko.loglevel = WARNING
                """));
    }

    @AfterAll
    static void stop() {
        kit.shutdownTestKit();
    }

    @Test
    void aRegisteredMessageIsDeliveredAndNothingIsRecorded() {
        TestProbe<Object> probe = kit.createTestProbe();
        Decline d = new Decline(JobId.of("j1"), 1, SiteId.of("site-a"), "full");
        probe.getRef().tell(d);
        assertThat(probe.expectMessageClass(Decline.class)).isEqualTo(d);
        assertThat(SerializationFailures.peek()).isEmpty();
    }

    @Test
    void anUnregisteredMessageIsDroppedAndTheTestFailsNamingTheClass() {
        TestProbe<Object> probe = kit.createTestProbe();
        probe.getRef().tell(new NotRegisteredMessage("x"));
        String name = NotRegisteredMessage.class.getName();
        await().atMost(Duration.ofSeconds(30)).until(() -> SerializationFailures.peek().stream()
                .anyMatch(s -> s.contains(name)));
        assertThat(SerializationFailures.peek()).anySatisfy(s -> assertThat(s)
                .contains("swallowing exception during message send")
                .contains("Failed to serialize and deserialize message of type " + name)
                .contains("Class is not registered: " + name));
        probe.expectNoMessage(Duration.ofMillis(300));
        // what FailOnSerializationErrors does after each test; it empties the record, so this test then passes
        assertThatThrownBy(() -> SerializationFailures.assertNone("this test"))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("could not be serialized and were dropped during this test")
                .hasMessageContaining(name);
        assertThat(SerializationFailures.peek()).isEmpty();
    }

    @Test
    void onlySerializationFailuresAreRecorded() {
        assertThat(SerializationFailures.isSerializationFailure(ADAPTER, "swallowing exception during message send",
                " <- java.lang.IllegalArgumentException: cannot serialize a.B: Class is not registered: a.B")).isTrue();
        assertThat(SerializationFailures.isSerializationFailure(ADAPTER, "swallowing exception during message send",
                " <- java.util.concurrent.RejectedExecutionException: shutting down")).isFalse();
        assertThat(SerializationFailures.isSerializationFailure(ADAPTER, "Failed to serialize message [a.B].", "")).isTrue();
        assertThat(SerializationFailures.isSerializationFailure(ADAPTER, "Outgoing message attempted to use Java Serialization "
                + "even though `pekko.actor.allow-java-serialization = off` was set! Message type was: [class a.B]", ""))
                .isTrue();
        assertThat(SerializationFailures.isSerializationFailure(ADAPTER, "Cluster Node [x] - Marking node as UNREACHABLE", ""))
                .isFalse();
        // a reply to an actor that already stopped is a dead letter, lost whatever its serialization
        assertThat(SerializationFailures.isSerializationFailure("org.apache.pekko.event.DeadLetterListener",
                "swallowing exception during message send", " <- java.io.NotSerializableException: No configured "
                        + "serialization-bindings for class [dev.atoll.siteregistry.CandidateSites]")).isFalse();
    }
}
