package dev.atoll.protocol.negotiation;

import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;

/** A SiteAgent's answer to an award: {@link Committed} or {@link AwardRefused}. */
public sealed interface AwardReply extends AtollSerializable permits Committed, AwardRefused {
    JobId job();

    long epoch();

    HoldId hold();
}
