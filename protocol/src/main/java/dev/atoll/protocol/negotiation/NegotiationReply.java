package dev.atoll.protocol.negotiation;

import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.SiteId;

/** A SiteAgent's answer to a call for proposals: {@link Bid} or {@link Decline}. */
public sealed interface NegotiationReply extends AtollSerializable permits Bid, Decline {
    JobId job();

    long epoch();

    SiteId site();
}
