package dev.atoll.protocol.negotiation;

import dev.atoll.protocol.JobId;
import dev.atoll.protocol.SiteId;

/**
 * A placed workload stopped at a site and its devices are free again.
 *
 * @param outcome how it ended
 * @param atMillis when, epoch milliseconds
 * @param reason words for the broker (empty when completed)
 */
public record WorkloadEnded(JobId job, long epoch, SiteId site, Outcome outcome, long atMillis, String reason)
        implements JobNotification {
    /** How a workload ended. */
    public enum Outcome {
        COMPLETED, FAILED, CANCELLED, PREEMPTED, LOST
    }
}
