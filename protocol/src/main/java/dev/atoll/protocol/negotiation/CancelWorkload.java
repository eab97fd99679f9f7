package dev.atoll.protocol.negotiation;

import dev.atoll.protocol.JobId;

/** Stops a running workload of {@code job} with an epoch at most {@code epoch} and frees its devices. Idempotent. */
public record CancelWorkload(JobId job, long epoch, String reason) implements SiteAgentCommand {
}
