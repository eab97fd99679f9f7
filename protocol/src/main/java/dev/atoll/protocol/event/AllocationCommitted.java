package dev.atoll.protocol.event;

import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.SiteId;

/**
 * A hold became an allocation: {@code job} runs from {@code startedAtMillis} and is expected to end
 * at {@code endsAtMillis} (epoch ms, on the executor's clock). Kryo id 306 (since the workload's terms were added;
 * the earlier shapes are {@link AllocationCommittedV2}, id 305, without the terms, and {@link AllocationCommittedV1},
 * id 302, without the owner either).
 *
 * @param owner the site whose Job entity awarded the allocation (the job's origin, or the site that adopted
 *     it), so that reconciliation can reach that Job after the SiteAgent restarted; null when unknown
 *     (events of the earlier shape, awards from tests without an owner)
 * @param ownerEntity the Job's sharding entity id at {@code owner} ({@code <job>} at the origin,
 *     {@code <job>|a<n>} at an adopter); null when {@code owner} is
 * @param spec the workload's request as the award named it (priority, tenant, preemptible, checkpoint interval:
 *     what the site's preemption planner needs); null when unknown (earlier shapes, awards without a spec), which
 *     makes the allocation ineligible for preemption
 * @param preemptions how often the job had been preempted before this allocation (its history, from the Job),
 *     &gt;= 0
 */
public record AllocationCommitted(HoldId hold, JobId job, long epoch, long startedAtMillis, long endsAtMillis,
                                  SiteId owner, String ownerEntity, JobSpec spec, int preemptions)
        implements SiteEvent {
    /**
     * @throws IllegalArgumentException if exactly one of {@code owner} and {@code ownerEntity} is null, the
     *     entity id is blank, or {@code preemptions} is negative
     */
    public AllocationCommitted {
        if ((owner == null) != (ownerEntity == null)) {
            throw new IllegalArgumentException("AllocationCommitted of job " + job + ": owner (" + owner
                    + ") and ownerEntity (" + ownerEntity + ") must be both set or both null");
        }
        if (ownerEntity != null && ownerEntity.isBlank()) {
            throw new IllegalArgumentException("AllocationCommitted of job " + job + ": ownerEntity is blank");
        }
        if (preemptions < 0) {
            throw new IllegalArgumentException("AllocationCommitted of job " + job + ": preemptions must be >= 0, got "
                    + preemptions);
        }
    }

    /** An allocation with an owner but unknown terms (the shape of Kryo id 305). */
    public AllocationCommitted(HoldId hold, JobId job, long epoch, long startedAtMillis, long endsAtMillis,
                               SiteId owner, String ownerEntity) {
        this(hold, job, epoch, startedAtMillis, endsAtMillis, owner, ownerEntity, null, 0);
    }

    /** An allocation whose owner is unknown (the earliest shape, and tests). */
    public AllocationCommitted(HoldId hold, JobId job, long epoch, long startedAtMillis, long endsAtMillis) {
        this(hold, job, epoch, startedAtMillis, endsAtMillis, null, null, null, 0);
    }
}
