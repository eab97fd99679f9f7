package dev.atoll.simulator.topology;

import dev.atoll.protocol.SiteSpec;

import java.util.List;

/**
 * A site built by {@link FleetSplitter} together with its physical nodes.
 *
 * @param spec the site
 * @param nodes the fleet nodes in the site's node numbering: {@code nodes.get(k)} is node {@code k} of
 *     {@code spec} (pool 0's nodes first, see {@link SiteSpec}), so a {@link dev.atoll.protocol.NodeShare#node()}
 *     can be traced back to a machine name
 */
public record SiteFleet(SiteSpec spec, List<FleetNode> nodes) {
    public SiteFleet {
        nodes = List.copyOf(nodes);
        if (nodes.size() != spec.nodeCount()) {
            throw new IllegalArgumentException("nodes must match spec " + spec.id() + ": " + nodes.size()
                    + " nodes for " + spec.nodeCount());
        }
    }
}
