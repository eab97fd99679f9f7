package dev.atoll.federationnode.site;

import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.SiteId;

/**
 * A site's drain state, the answer to {@link SetDraining} (Kryo id 1107).
 *
 * @param site the site
 * @param draining whether it is drained now
 * @param reason the operator's reason ("" when not draining or none given)
 * @param changed whether this request changed the state (false: it already was so)
 * @param running allocations still running at the site (they continue to completion)
 * @param holds live holds (bids made before the drain; they may still be awarded until they expire)
 */
public record DrainStatus(SiteId site, boolean draining, String reason, boolean changed, int running, int holds)
        implements AtollSerializable {
}
