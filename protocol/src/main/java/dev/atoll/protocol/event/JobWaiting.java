package dev.atoll.protocol.event;

/** Round {@code epoch} placed nothing; the job waits for capacity and {@code reason} says why. */
public record JobWaiting(long epoch, String reason, long atMillis) implements JobEvent {
}
