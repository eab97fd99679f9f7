package dev.atoll.protocol;

import java.util.List;

/**
 * Part of a placement on one node: which devices (indexes 0..devicesPerNode-1 within the node) and
 * how much of each, in thousandths of a device (1000 = whole device; below 1000 only for a single
 * shared device).
 *
 * @param node the node's number within its site (see {@link SiteSpec})
 * @param devices device indexes within the node, ascending
 * @param milli share of each listed device, 1..1000
 */
public record NodeShare(int node, List<Integer> devices, int milli) {
    public NodeShare {
        Checks.inRange("node", node, 0, Integer.MAX_VALUE);
        Checks.notNull("devices", devices);
        if (devices.isEmpty()) {
            throw new IllegalArgumentException("devices of node share on node " + node + " must not be empty");
        }
        devices = List.copyOf(devices);
        Checks.inRange("milli", milli, 1, 1000);
    }

    /** @return number of devices touched on this node */
    public int deviceCount() {
        return devices.size();
    }
}
