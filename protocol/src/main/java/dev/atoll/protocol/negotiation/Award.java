package dev.atoll.protocol.negotiation;

import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.SiteId;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Commits a hold. Idempotent: a repeat for a committed hold answers {@link Committed} again; an award
 * for an expired, released or unknown hold answers {@link AwardRefused}.
 *
 * @param notifyTo where the SiteAgent reports the workload's end ({@link WorkloadEnded}) when it does not know
 *     the owner
 * @param owner the site whose Job entity sends the award (persisted with the allocation, so that the site can
 *     reach that Job through its sharding even after a restart); null if unknown
 * @param ownerEntity the Job's sharding entity id at {@code owner}; null when {@code owner} is
 * @param spec the job's request, persisted with the allocation so that the site's preemption planner knows its
 *     priority, tenant, preemptibility and checkpoint interval; null if unknown (the allocation is then never
 *     preempted)
 * @param preemptions how often the job has been preempted so far (its history), &gt;= 0
 */
public record Award(JobId job, long epoch, HoldId hold, ActorRef<AwardReply> replyTo,
                    ActorRef<JobNotification> notifyTo, SiteId owner, String ownerEntity, JobSpec spec,
                    int preemptions)
        implements SiteAgentCommand {

    /** An award with an owner but no terms (the allocation is never preempted). */
    public Award(JobId job, long epoch, HoldId hold, ActorRef<AwardReply> replyTo,
                 ActorRef<JobNotification> notifyTo, SiteId owner, String ownerEntity) {
        this(job, epoch, hold, replyTo, notifyTo, owner, ownerEntity, null, 0);
    }

    /** An award without an owner: the site reports only to {@code notifyTo} (tests, older senders). */
    public Award(JobId job, long epoch, HoldId hold, ActorRef<AwardReply> replyTo,
                 ActorRef<JobNotification> notifyTo) {
        this(job, epoch, hold, replyTo, notifyTo, null, null, null, 0);
    }
}
