package dev.atoll.protocol.negotiation;

import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Commits a hold. Idempotent: a repeat for a committed hold answers {@link Committed} again; an award
 * for an expired, released or unknown hold answers {@link AwardRefused}.
 *
 * @param notifyTo where the SiteAgent reports the workload's end ({@link WorkloadEnded})
 */
public record Award(JobId job, long epoch, HoldId hold, ActorRef<AwardReply> replyTo,
                    ActorRef<JobNotification> notifyTo) implements SiteAgentCommand {
}
