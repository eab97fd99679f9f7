package dev.atoll.placement;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;

/**
 * Read-only view of one site's devices for packing policies. Nodes are numbered 0..nodeCount()-1 as in
 * {@link SiteSpec}; devices within a node 0..devicesPerNode(node)-1. Usage is in thousandths of a device
 * (0 = free, 1000 = fully used by allocations and holds together).
 */
public interface SiteView {
    /** @return the site's id */
    SiteId site();

    /** @return the site's static description (pools in node order) */
    SiteSpec spec();

    /** @return nodes at the site; they are numbered 0..nodeCount()-1 */
    int nodeCount();

    /** @return the accelerator model of {@code node}'s devices */
    AcceleratorModel model(int node);

    /** @return the index into {@link SiteSpec#pools()} of the node's pool */
    int pool(int node);

    /** @return devices on {@code node} (its pool's node size) */
    int devicesPerNode(int node);

    /** @return devices on {@code node} with no allocation or hold at all */
    int freeDevices(int node);

    /** @return thousandths of {@code device} on {@code node} that are allocated or held, 0..1000 */
    int usedMilli(int node, int device);

    /**
     * The nodes of one accelerator model, ascending. Packing policies scan these instead of every node.
     * The default computes the list on each call; {@link SiteLedger} answers from a table built once.
     *
     * @return node numbers (callers must not modify the array); empty if the site has no such model
     */
    default int[] nodesOf(AcceleratorModel model) {
        int count = 0;
        for (int n = 0; n < nodeCount(); n++) {
            if (model(n).equals(model)) {
                count++;
            }
        }
        int[] out = new int[count];
        int i = 0;
        for (int n = 0; n < nodeCount(); n++) {
            if (model(n).equals(model)) {
                out[i++] = n;
            }
        }
        return out;
    }
}
