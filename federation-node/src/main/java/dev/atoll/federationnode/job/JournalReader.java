package dev.atoll.federationnode.job;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Props;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.persistence.AbstractPersistentActor;
import org.apache.pekko.persistence.Recovery;
import org.apache.pekko.persistence.RecoveryCompleted;
import org.apache.pekko.persistence.SnapshotOffer;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;

/**
 * Reads another writer's persistence id from the shared journal without ever writing to it: a classic persistent
 * actor that only recovers (latest snapshot, if asked for, then the events after it up to a sequence number),
 * hands what it read to a future and stops. It works on every journal plugin (H2 and Cassandra) and, unlike an
 * events-by-persistence-id query, sees snapshots too, which matters for stores that delete events after a
 * snapshot (the sharding remember-entities store). Used for adoption of a lost site's queued jobs.
 */
public final class JournalReader extends AbstractPersistentActor {

    /**
     * What one recovery read.
     *
     * @param snapshot the snapshot offered first, or null (none, or not asked for)
     * @param events the events after it, in sequence order
     */
    public record Result(Object snapshot, List<Object> events) {
    }

    private final String persistenceId;
    private final boolean withSnapshot;
    private final long toSequenceNr;
    private final CompletableFuture<Result> result;
    private Object snapshot;
    private final List<Object> events = new ArrayList<>();

    private JournalReader(String persistenceId, boolean withSnapshot, long toSequenceNr,
                          CompletableFuture<Result> result) {
        this.persistenceId = persistenceId;
        this.withSnapshot = withSnapshot;
        this.toSequenceNr = toSequenceNr;
        this.result = result;
    }

    private static final java.util.concurrent.atomic.AtomicLong COUNTER = new java.util.concurrent.atomic.AtomicLong();

    /**
     * Reads {@code persistenceId} once, from a short-lived system actor (safe to call from any thread).
     *
     * @param withSnapshot start from the latest snapshot (else from event 1)
     * @param toSequenceNr read events up to this sequence number (Long.MAX_VALUE = all)
     * @param timeout the returned stage fails with a {@link java.util.concurrent.TimeoutException} after this
     * @return the snapshot and events; fails if recovery fails (e.g. an event that cannot be deserialized)
     */
    public static CompletionStage<Result> read(ActorSystem<?> system, String persistenceId, boolean withSnapshot,
                                               long toSequenceNr, Duration timeout) {
        CompletableFuture<Result> result = new CompletableFuture<>();
        ((ExtendedActorSystem) Adapter.toClassic(system)).systemActorOf(Props.create(JournalReader.class,
                () -> new JournalReader(persistenceId, withSnapshot, toSequenceNr, result)),
                "journal-reader-" + COUNTER.incrementAndGet());
        return result.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public String persistenceId() {
        return persistenceId;
    }

    @Override
    public Recovery recovery() {
        return Recovery.create(withSnapshot ? SnapshotSelectionCriteria.latest() : SnapshotSelectionCriteria.none(),
                toSequenceNr);
    }

    @Override
    public Receive createReceiveRecover() {
        return receiveBuilder()
                .match(SnapshotOffer.class, o -> snapshot = o.snapshot())
                .match(RecoveryCompleted.class, c -> {
                    result.complete(new Result(snapshot, List.copyOf(events)));
                    getContext().stop(getSelf());
                })
                .matchAny(events::add)
                .build();
    }

    @Override
    public Receive createReceive() {
        return receiveBuilder().matchAny(m -> { }).build();
    }

    @Override
    public void onRecoveryFailure(Throwable cause, scala.Option<Object> event) {
        result.completeExceptionally(new IllegalStateException("cannot read " + persistenceId + ": " + cause, cause));
        super.onRecoveryFailure(cause, event);
    }
}
