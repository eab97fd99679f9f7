package dev.atoll.protocol.event;

import dev.atoll.protocol.JobId;
import dev.atoll.protocol.negotiation.WorkloadEnded;

/** {@code job}'s allocation of {@code epoch} ended with {@code outcome} at {@code atMillis}; its devices are free. */
public record AllocationReleased(JobId job, long epoch, WorkloadEnded.Outcome outcome, long atMillis, String reason)
        implements SiteEvent {
}
