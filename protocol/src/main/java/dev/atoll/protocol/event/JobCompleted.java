package dev.atoll.protocol.event;

/** The workload of round {@code epoch} ran to completion. */
public record JobCompleted(long epoch, long atMillis) implements JobEvent {
}
