package dev.atoll.protocol.negotiation;

import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;

/** Drops a hold that was not awarded. Idempotent: releasing an unknown or released hold is a no-op. */
public record ReleaseHold(JobId job, long epoch, HoldId hold) implements SiteAgentCommand {
}
