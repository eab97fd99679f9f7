package dev.atoll.federationnode.site;

import dev.atoll.protocol.JobId;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A Job asks a SiteAgent whether its workload of round {@code epoch} still runs there; used after the
 * Job recovers or when a {@code WorkloadEnded} notification may have been lost.
 */
public record QueryAllocation(JobId job, long epoch, ActorRef<AllocationStatus> replyTo) implements SiteAgentCommand {
}
