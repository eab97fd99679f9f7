package dev.atoll.protocol.event;

/** The broker cancelled the job. Terminal. */
public record JobCancelled(String reason, long atMillis) implements JobEvent {
}
