package dev.atoll.protocol.negotiation;

import dev.atoll.protocol.JobId;
import dev.atoll.protocol.SiteId;

/** A site cannot take the job now; {@code reason} says why in words a broker understands. */
public record Decline(JobId job, long epoch, SiteId site, String reason) implements NegotiationReply {
}
