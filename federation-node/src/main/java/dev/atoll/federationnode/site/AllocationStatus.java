package dev.atoll.federationnode.site;

import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.negotiation.WorkloadEnded;

/**
 * A SiteAgent's answer to {@link QueryAllocation}.
 *
 * @param state RUNNING (allocation of that epoch is live), ENDED (it ended with {@code outcome} at
 *     {@code atMillis}) or UNKNOWN (the site has no record of it)
 * @param outcome how it ended; null unless ENDED
 * @param atMillis when it ended (ENDED) or is expected to end (RUNNING), epoch ms; 0 for UNKNOWN
 */
public record AllocationStatus(JobId job, long epoch, SiteId site, State state, WorkloadEnded.Outcome outcome,
                               long atMillis) implements AtollSerializable {
    /** Whether the allocation runs, ended, or is unknown at the site. */
    public enum State { RUNNING, ENDED, UNKNOWN }
}
