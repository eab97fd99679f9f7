package dev.atoll.protocol.event;

/** The placement of round {@code epoch} was lost (preempted, site lost, launch failed); the job queues again. */
public record JobRequeued(long epoch, String reason, long atMillis) implements JobEvent {
}
