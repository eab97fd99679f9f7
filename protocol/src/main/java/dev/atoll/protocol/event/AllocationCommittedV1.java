package dev.atoll.protocol.event;

import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;

/**
 * The first shape of {@link AllocationCommitted} (Kryo id 302, kept forever so journals written before the owner
 * was added still read): no owner. The SiteAgent's event adapter reads it as an {@link AllocationCommitted}
 * with an unknown owner ({@link #upcast()}).
 */
public record AllocationCommittedV1(HoldId hold, JobId job, long epoch, long startedAtMillis, long endsAtMillis)
        implements AtollSerializable {

    /** @return the current shape, owner unknown */
    public AllocationCommitted upcast() {
        return new AllocationCommitted(hold, job, epoch, startedAtMillis, endsAtMillis);
    }
}
