package dev.atoll.protocol;

/**
 * What a site advertises for one accelerator model (all its pools of that model together).
 *
 * @param model the model
 * @param capacity devices the site has
 * @param free devices neither allocated nor held (a partly shared device is not free)
 * @param largestFreeBlock most free devices on any single node
 * @param freeWholeNodes nodes with every device free
 * @param devicesPerNode the largest node size of this model at the site
 * @param fragmentation free devices that no pending request can use (0 when unknown)
 * @param pricePerDeviceHour the cheapest price for this model at the site, per device-hour
 * @param speedFactor the speed of this model relative to the reference
 */
public record PoolAdvert(AcceleratorModel model, int capacity, int free, int largestFreeBlock, int freeWholeNodes,
                         int devicesPerNode, int fragmentation, double pricePerDeviceHour, double speedFactor) {
    public PoolAdvert {
        Checks.notNull("model", model);
        Checks.inRange("capacity", capacity, 0, Integer.MAX_VALUE);
        Checks.inRange("free", free, 0, capacity);
        Checks.inRange("largestFreeBlock", largestFreeBlock, 0, free);
        Checks.inRange("freeWholeNodes", freeWholeNodes, 0, Integer.MAX_VALUE);
        Checks.inRange("fragmentation", fragmentation, 0, free);
    }
}
