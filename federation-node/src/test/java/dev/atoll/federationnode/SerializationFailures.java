package dev.atoll.federationnode;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.core.AppenderBase;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * A logback appender (wired to the root logger in {@code logback-test.xml}) that records every log event
 * by which Pekko reports a message it could not serialize and therefore dropped: with
 * {@code pekko.actor.serialize-messages = on} the local send logs "swallowing exception during message send"
 * (ERROR, cause e.g. {@code cannot serialize <class>: Class is not registered}); Artery logs
 * "Failed to serialize message [<class>]" / "Failed to deserialize message"; the disabled Java serializer
 * logs "Outgoing message attempted to use Java Serialization ... Message type was: [<class>]". Pekko only
 * logs these, so without this a missing Kryo registration shows up as a later ask timeout.
 * {@link FailOnSerializationErrors} fails the test that caused one, at teardown, with the recorded text.
 */
public final class SerializationFailures extends AppenderBase<ILoggingEvent> {
    private static final ConcurrentLinkedQueue<String> RECORDED = new ConcurrentLinkedQueue<>();
    private static final String DEAD_LETTER_LISTENER = "org.apache.pekko.event.DeadLetterListener";

    @Override
    protected void append(ILoggingEvent e) {
        String msg = e.getFormattedMessage() == null ? "" : e.getFormattedMessage();
        StringBuilder chain = new StringBuilder();
        for (IThrowableProxy t = e.getThrowableProxy(); t != null; t = t.getCause()) {
            chain.append(" <- ").append(t.getClassName()).append(": ").append(t.getMessage());
        }
        if (isSerializationFailure(e.getLoggerName(), msg, chain.toString())) {
            RECORDED.add(e.getLevel() + " " + e.getLoggerName() + ": " + msg + chain);
        }
    }

    /**
     * A dead letter (a message to an actor that has already stopped, e.g. a registry reply reaching a
     * finished job's adapter) is lost whatever its serialization; the dead-letter listener's own
     * serialization check of it is not counted, so timing cannot make a test fail.
     *
     * @param logger the logger name (Pekko's log source class)
     * @param message the formatted log message
     * @param causes the throwable chain as text ("" if none)
     * @return whether the event reports a message dropped because it could not be (de)serialized
     */
    static boolean isSerializationFailure(String logger, String message, String causes) {
        if (DEAD_LETTER_LISTENER.equals(logger)) {
            return false;
        }
        if (message.startsWith("swallowing exception during message send")) {
            return (message + causes).toLowerCase(Locale.ROOT).contains("serializ");
        }
        return message.startsWith("Failed to serialize") || message.startsWith("Failed to deserialize")
                || message.contains("attempted to use Java Serialization");
    }

    /** @return the failures recorded so far, oldest first, without removing them */
    public static List<String> peek() {
        return List.copyOf(RECORDED);
    }

    /** @return the failures recorded since the last call, oldest first; the record is then empty */
    public static List<String> drain() {
        List<String> out = new ArrayList<>();
        for (String s; (s = RECORDED.poll()) != null; ) {
            out.add(s);
        }
        return out;
    }

    /**
     * Empties the record and fails if it held anything.
     *
     * @param where what ran (a test name), for the message
     * @throws AssertionError listing every recorded failure (each names the message class)
     */
    public static void assertNone(String where) {
        List<String> failures = drain();
        if (!failures.isEmpty()) {
            throw new AssertionError(failures.size() + " message(s) could not be serialized and were dropped during "
                    + where + " (register the class with KryoRegistry/NodeKryo, or mark a local-only message "
                    + "NoSerializationVerificationNeeded):\n  " + String.join("\n  ", failures));
        }
    }
}
