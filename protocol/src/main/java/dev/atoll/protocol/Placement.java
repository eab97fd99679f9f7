package dev.atoll.protocol;

import java.util.List;

/**
 * The decision for one workload: a site, the model used and, per node, the devices taken.
 *
 * @param site where it runs
 * @param model the accelerator model of every device in it (a gang never mixes models)
 * @param shares one entry per node, in ascending node order (not checked here, so that journaled events always
 *     deserialize; {@code SiteLedger} refuses a hold that breaks it)
 */
public record Placement(SiteId site, AcceleratorModel model, List<NodeShare> shares) {
    public Placement {
        Checks.notNull("site", site);
        Checks.notNull("model", model);
        Checks.notNull("shares", shares);
        shares = List.copyOf(shares);
    }

    /** @return devices over all nodes (a shared device counts as one) */
    public int deviceCount() {
        int n = 0;
        for (NodeShare s : shares) {
            n += s.deviceCount();
        }
        return n;
    }

    /** @return node numbers used, in order */
    public List<Integer> nodes() {
        return shares.stream().map(NodeShare::node).toList();
    }
}
