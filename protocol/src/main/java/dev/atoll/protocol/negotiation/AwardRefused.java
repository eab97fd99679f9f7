package dev.atoll.protocol.negotiation;

import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;

/** The award could not be honoured (hold expired, released or unknown); the Job negotiates again. */
public record AwardRefused(JobId job, long epoch, HoldId hold, String reason) implements AwardReply {
}
