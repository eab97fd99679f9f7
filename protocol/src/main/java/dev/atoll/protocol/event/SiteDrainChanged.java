package dev.atoll.protocol.event;

import dev.atoll.protocol.Checks;

/**
 * An operator drained (cordoned) or resumed a site (Kryo id 304). While draining the site accepts no new
 * placements: its SiteAgent declines calls for proposals and its advert says {@code draining}, so Jobs do
 * not call it; allocations already running continue to completion. Persisted by the SiteAgent, so the state
 * survives a restart.
 *
 * @param draining true = drain (cordon), false = resume
 * @param reason the operator's reason (may be empty, never null)
 * @param atMillis when, epoch milliseconds
 */
public record SiteDrainChanged(boolean draining, String reason, long atMillis) implements SiteEvent {
    public SiteDrainChanged {
        Checks.notNull("reason", reason);
    }
}
