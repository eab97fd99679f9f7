package dev.atoll.protocol.event;

/** The workload of round {@code epoch} failed at its site for {@code reason}. Terminal. */
public record JobFailed(long epoch, String reason, long atMillis) implements JobEvent {
}
