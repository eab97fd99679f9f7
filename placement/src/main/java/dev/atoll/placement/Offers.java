package dev.atoll.placement;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteSpec;

/**
 * Builds the {@link Offer} a site makes for a placement from its {@link SiteLedger}: the one rule the live
 * SiteAgent (for its {@code Bid}) and the simulator both use, so the {@link SiteChoicePolicy} ranks identical
 * offers on both sides.
 *
 * <p>The rule: start estimate 0 s (a site only bids when the placement fits now); price per device-hour and
 * speed factor of the pool of the placement's first node; fragmentation delta 0; {@code freeAfter} = fully
 * free devices of the placement's model at the site once the placement is held; region = the site's region.
 */
public final class Offers {
    private Offers() {
    }

    /**
     * The offer for {@code placement}, counting free devices by scanning the site's nodes (O(nodes)).
     * Works whether or not {@code placement} is already held in {@code ledger}: devices of the placement that
     * are still fully free are counted as taken.
     *
     * @param ledger the site's ledger
     * @param placement a placement at this site (from {@link SiteLedger#find}, or a live hold's)
     * @return the offer
     * @throws IllegalArgumentException if the placement names another site, has no shares, or names a node
     *     the site does not have
     */
    public static Offer of(SiteLedger ledger, Placement placement) {
        check(ledger, placement);
        AcceleratorModel model = placement.model();
        int free = 0;
        for (int n : ledger.nodesOf(model)) {
            free += ledger.freeDevices(n);
        }
        return of(ledger, placement, free);
    }

    /**
     * The offer for {@code placement} when the caller already knows the site's fully free devices of the
     * placement's model (the simulator keeps that count per model, so it need not scan every node).
     *
     * @param ledger the site's ledger
     * @param placement a placement at this site, held or not yet held
     * @param freeOfModel fully free devices of {@code placement.model()} at the site now, in the same ledger
     *     state (with the placement held if it is), {@code >= 0}
     * @return the offer
     * @throws IllegalArgumentException if {@code freeOfModel} is negative, the placement names another site,
     *     has no shares, or names a node the site does not have
     */
    public static Offer of(SiteLedger ledger, Placement placement, int freeOfModel) {
        check(ledger, placement);
        if (freeOfModel < 0) {
            throw new IllegalArgumentException("freeOfModel must be >= 0, got " + freeOfModel);
        }
        int freeAfter = freeOfModel;
        for (NodeShare s : placement.shares()) {
            for (int d : s.devices()) {
                if (ledger.usedMilli(s.node(), d) == 0) {
                    freeAfter--; // fully free now, taken once the placement is held
                }
            }
        }
        SiteSpec site = ledger.spec();
        PoolSpec pool = site.pools().get(ledger.pool(placement.shares().get(0).node()));
        return of(site, pool, placement.model(), freeAfter);
    }

    /**
     * The offer fields for a placement on {@code pool} that leaves {@code freeAfter} devices of the model free
     * (used by the simulator to predict an offer before it places).
     *
     * @param site the offering site
     * @param pool the pool of the placement's first node
     * @param model the offered model
     * @param freeAfter free devices of the model left once the placement is held, {@code >= 0}
     * @return the offer
     * @throws IllegalArgumentException if {@code freeAfter} is negative or the pool's price or speed is out of
     *     range (see {@link Offer})
     */
    public static Offer of(SiteSpec site, PoolSpec pool, AcceleratorModel model, int freeAfter) {
        return new Offer(site.id(), model, 0.0, pool.pricePerDeviceHour(), pool.speedFactor(), 0, freeAfter,
                site.region());
    }

    private static void check(SiteLedger ledger, Placement placement) {
        if (!placement.site().equals(ledger.site())) {
            throw new IllegalArgumentException("placement is at site " + placement.site() + ", ledger is site "
                    + ledger.site());
        }
        if (placement.shares().isEmpty()) {
            throw new IllegalArgumentException("placement at site " + placement.site() + " has no node shares");
        }
        for (NodeShare s : placement.shares()) {
            if (s.node() < 0 || s.node() >= ledger.nodeCount()) {
                throw new IllegalArgumentException("placement names node " + s.node() + " of site "
                        + ledger.site() + ", which has " + ledger.nodeCount() + " nodes");
            }
        }
    }
}
