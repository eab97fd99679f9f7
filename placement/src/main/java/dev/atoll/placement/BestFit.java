package dev.atoll.placement;

import dev.atoll.protocol.JobSpec;

/**
 * Best fit: the node left with the fewest free devices after taking the request, so large free blocks
 * stay whole; for a fractional share, the most-used device with room.
 */
public final class BestFit extends AbstractPackingPolicy {
    /** The name {@link PackingPolicy#byName} knows it by. */
    public static final String NAME = "best-fit";

    @Override
    public String name() {
        return NAME;
    }

    /** Idle nodes of a pool score alike (free - devices), apart from the node-number tie-break. */
    @Override
    protected boolean sameScoreForIdleNodesOfAPool() {
        return true;
    }

    @Override
    protected double score(SiteView site, int node, JobSpec job, int devices) {
        if (job.gpuMilli() < 1000) {
            int dpn = site.devicesPerNode(node);
            int bestLeft = 1001;
            for (int d = 0; d < dpn; d++) {
                int left = 1000 - site.usedMilli(node, d) - job.gpuMilli();
                if (left >= 0 && left < bestLeft) {
                    bestLeft = left;
                }
            }
            return bestLeft * 100.0 + site.freeDevices(node) + node * 1e-6;
        }
        return site.freeDevices(node) - devices + node * 1e-6;
    }

    @Override
    protected int chooseSharedDevice(SiteView site, int node, int milli) {
        int best = -1;
        int bestLeft = 1001;
        for (int d = 0; d < site.devicesPerNode(node); d++) {
            int left = 1000 - site.usedMilli(node, d) - milli;
            if (left >= 0 && left < bestLeft) {
                bestLeft = left;
                best = d;
            }
        }
        return best;
    }
}
