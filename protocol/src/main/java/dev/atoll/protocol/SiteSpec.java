package dev.atoll.protocol;

import java.util.List;

/**
 * A site's static description: id, region and pools. Nodes are numbered 0..n-1 across pools in
 * declaration order (pool 0's nodes first), and that numbering is what {@link NodeShare#node()} refers to.
 *
 * @throws IllegalArgumentException if pools is empty or the site has more than 1,000,000 devices
 */
public record SiteSpec(SiteId id, String region, List<PoolSpec> pools) {
    public SiteSpec {
        Checks.notNull("site id", id);
        Checks.nonBlank("region", region);
        Checks.notNull("pools", pools);
        if (pools.isEmpty()) {
            throw new IllegalArgumentException("pools of site " + id + " must not be empty");
        }
        pools = List.copyOf(pools);
        long devices = 0;
        for (PoolSpec p : pools) {
            devices += (long) p.capacity();
        }
        if (devices > 1_000_000) {
            throw new IllegalArgumentException("site " + id + " has " + devices + " devices, more than 1000000");
        }
    }

    /** @return total node count */
    public int nodeCount() {
        int n = 0;
        for (PoolSpec p : pools) {
            n += p.nodes();
        }
        return n;
    }

    /** @return total device count */
    public int deviceCount() {
        int n = 0;
        for (PoolSpec p : pools) {
            n += p.capacity();
        }
        return n;
    }
}
