package dev.atoll.protocol;

import java.util.List;

/**
 * The shape of {@link Advert} before it carried {@code draining}, kept under its Kryo id 114 so that the id
 * is never reused (adverts are gossiped, not journaled, so nothing reads it today).
 *
 * @param site the advertising site
 * @param region its region
 * @param version monotonically increasing per site
 * @param issuedAtMillis wall-clock time of issue, epoch milliseconds
 * @param pools per model
 */
public record AdvertV1(SiteId site, String region, long version, long issuedAtMillis, List<PoolAdvert> pools) {
    /** @return the current shape, not draining */
    public Advert upcast() {
        return new Advert(site, region, version, issuedAtMillis, pools, false);
    }
}
