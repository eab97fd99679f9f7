package dev.atoll.protocol.event;

/** The job can never run in this federation (e.g. no site has the model or enough devices). Terminal. */
public record JobRejected(String reason, long atMillis) implements JobEvent {
}
