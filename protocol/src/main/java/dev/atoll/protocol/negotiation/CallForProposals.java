package dev.atoll.protocol.negotiation;

import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Asks a SiteAgent for a bid on {@code spec}. Idempotent on (job, epoch): a repeat returns the same
 * bid (the same hold) while it is valid.
 *
 * @param job the job
 * @param epoch the Job's negotiation epoch, strictly increasing per job
 * @param spec what to place
 * @param replyTo where the {@link Bid} or {@link Decline} goes
 */
public record CallForProposals(JobId job, long epoch, JobSpec spec, ActorRef<NegotiationReply> replyTo)
        implements SiteAgentCommand {
}
