package dev.atoll.protocol.event;

import dev.atoll.protocol.SiteId;
import java.util.List;

/** Negotiation round {@code epoch} called for proposals from {@code candidates}. */
public record NegotiationStarted(long epoch, List<SiteId> candidates, long atMillis) implements JobEvent {
    public NegotiationStarted {
        candidates = List.copyOf(candidates);
    }
}
