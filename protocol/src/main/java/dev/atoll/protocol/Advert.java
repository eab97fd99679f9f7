package dev.atoll.protocol;

import java.util.List;

/**
 * A site's published capacity and free devices, one entry per accelerator model. Adverts are
 * versioned: a higher {@code version} from the same site replaces a lower one.
 *
 * @param site the advertising site
 * @param region its region
 * @param version monotonically increasing per site (the SiteAgent's event sequence number)
 * @param issuedAtMillis wall-clock time of issue, epoch milliseconds
 * @param pools per model
 * @param draining the site is drained (cordoned) by its operator: it takes no new placements, so Jobs do
 *     not call it however many devices are free (Kryo id 115; the shape without this flag is {@link AdvertV1}
 *     under id 114)
 */
public record Advert(SiteId site, String region, long version, long issuedAtMillis, List<PoolAdvert> pools,
                     boolean draining) {
    public Advert {
        Checks.notNull("site", site);
        Checks.notNull("region", region);
        Checks.notNull("pools", pools);
        pools = List.copyOf(pools);
    }

    /** An advert of a site that is not draining. */
    public Advert(SiteId site, String region, long version, long issuedAtMillis, List<PoolAdvert> pools) {
        this(site, region, version, issuedAtMillis, pools, false);
    }

    /**
     * Can this site take the request now, judged by the advert alone? A hint for choosing whom to
     * call for proposals; the SiteAgent's bid is the answer.
     *
     * @param devices devices of one replica
     * @param models accepted models
     * @param wholeNodes whether the gang must take whole nodes
     */
    public boolean mayFit(int devices, ModelSet models, boolean wholeNodes) {
        for (PoolAdvert p : pools) {
            if (!models.accepts(p.model()) || p.free() < devices) {
                continue;
            }
            if (wholeNodes) {
                if (devices % p.devicesPerNode() == 0 && p.freeWholeNodes() * p.devicesPerNode() >= devices) {
                    return true;
                }
            } else {
                return true;
            }
        }
        return false;
    }

    /** @return total capacity over models */
    public int capacity() {
        return pools.stream().mapToInt(PoolAdvert::capacity).sum();
    }

    /** @return total free devices over models */
    public int free() {
        return pools.stream().mapToInt(PoolAdvert::free).sum();
    }
}
