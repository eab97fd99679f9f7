package dev.atoll.protocol.negotiation;

import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.Placement;

/** The hold is now an allocation; the workload started at {@code startedAtMillis} (epoch ms). */
public record Committed(JobId job, long epoch, HoldId hold, Placement placement, long startedAtMillis)
        implements AwardReply {
}
