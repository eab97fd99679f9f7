package dev.atoll.protocol.event;

import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.SiteId;

/**
 * A hold became an allocation: {@code job} runs from {@code startedAtMillis} and is expected to end
 * at {@code endsAtMillis} (epoch ms, on the executor's clock). Kryo id 305 (since the owner was added; the
 * earlier shape is {@link AllocationCommittedV1}, id 302).
 *
 * @param owner the site whose Job entity awarded the allocation (the job's origin, or the site that adopted
 *     it), so that reconciliation can reach that Job after the SiteAgent restarted; null when unknown
 *     (events of the earlier shape, awards from tests without an owner)
 * @param ownerEntity the Job's sharding entity id at {@code owner} ({@code <job>} at the origin,
 *     {@code <job>|a<n>} at an adopter); null when {@code owner} is
 */
public record AllocationCommitted(HoldId hold, JobId job, long epoch, long startedAtMillis, long endsAtMillis,
                                  SiteId owner, String ownerEntity) implements SiteEvent {
    /**
     * @throws IllegalArgumentException if exactly one of {@code owner} and {@code ownerEntity} is null, or the
     *     entity id is blank
     */
    public AllocationCommitted {
        if ((owner == null) != (ownerEntity == null)) {
            throw new IllegalArgumentException("AllocationCommitted of job " + job + ": owner (" + owner
                    + ") and ownerEntity (" + ownerEntity + ") must be both set or both null");
        }
        if (ownerEntity != null && ownerEntity.isBlank()) {
            throw new IllegalArgumentException("AllocationCommitted of job " + job + ": ownerEntity is blank");
        }
    }

    /** An allocation whose owner is unknown (the earlier shape, and tests). */
    public AllocationCommitted(HoldId hold, JobId job, long epoch, long startedAtMillis, long endsAtMillis) {
        this(hold, job, epoch, startedAtMillis, endsAtMillis, null, null);
    }
}
