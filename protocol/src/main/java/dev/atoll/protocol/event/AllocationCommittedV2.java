package dev.atoll.protocol.event;

import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.SiteId;

/**
 * The second shape of {@link AllocationCommitted} (Kryo id 305, kept forever so journals written before the
 * workload's terms were added still read): with the owner, without the spec and preemption count. The SiteAgent's
 * event adapter reads it as an {@link AllocationCommitted} with unknown terms ({@link #upcast()}), which makes the
 * allocation ineligible for preemption (its priority is unknown).
 */
public record AllocationCommittedV2(HoldId hold, JobId job, long epoch, long startedAtMillis, long endsAtMillis,
                                    SiteId owner, String ownerEntity) implements AtollSerializable {

    /** @return the current shape, spec unknown, never preempted */
    public AllocationCommitted upcast() {
        return new AllocationCommitted(hold, job, epoch, startedAtMillis, endsAtMillis, owner, ownerEntity);
    }
}
