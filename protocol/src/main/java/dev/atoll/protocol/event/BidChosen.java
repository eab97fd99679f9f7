package dev.atoll.protocol.event;

import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.SiteId;

/** The policy chose {@code site}'s bid backed by {@code hold} in round {@code epoch}; an award follows. */
public record BidChosen(long epoch, SiteId site, HoldId hold, long atMillis) implements JobEvent {
}
