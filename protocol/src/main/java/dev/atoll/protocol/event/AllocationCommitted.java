package dev.atoll.protocol.event;

import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;

/**
 * A hold became an allocation: {@code job} runs from {@code startedAtMillis} and is expected to end
 * at {@code endsAtMillis} (epoch ms, on the executor's clock).
 */
public record AllocationCommitted(HoldId hold, JobId job, long epoch, long startedAtMillis, long endsAtMillis)
        implements SiteEvent {
}
