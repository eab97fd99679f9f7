package dev.atoll.federationnode.job;

import dev.atoll.protocol.JobId;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.negotiation.JobNotification;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A SiteAgent's reconciliation question to a Job (through the origin's {@link JobNotifier} and sharding): "I run
 * your workload under {@code epoch}; is that still your current placement?". The Job stays silent when it is
 * (phase awarding or placed, same epoch, same site); otherwise it answers with a
 * {@link dev.atoll.protocol.negotiation.CancelWorkload} for that epoch, which stops the stale copy and frees its
 * devices (AllocationReleased CANCELLED). Sent every {@code atoll.site-agent.reconcile-interval} for each running
 * allocation, so a site that was lost and comes back stops the work that was requeued elsewhere meanwhile.
 *
 * @param job the job
 * @param epoch the epoch of the allocation at {@code site}
 * @param site the asking site
 * @param agent the asking SiteAgent, where the cancel goes
 */
public record EpochCheck(JobId job, long epoch, SiteId site, ActorRef<SiteAgentCommand> agent)
        implements JobNotification {
}
