package dev.atoll.protocol;

/**
 * A group of identical nodes at one site: {@code nodes} nodes of {@code devicesPerNode} devices of one
 * model, each device with {@code memoryGiB} GiB, priced at {@code pricePerDeviceHour} (any currency
 * unit, per device-hour) and running {@code speedFactor} times as fast as the reference model.
 *
 * @throws IllegalArgumentException naming the field: nodes 1..100,000, devicesPerNode 1..64,
 *     memoryGiB 0..4096, price and speed finite and >= 0 (speed > 0)
 */
public record PoolSpec(AcceleratorModel model, int nodes, int devicesPerNode, int memoryGiB,
                       double pricePerDeviceHour, double speedFactor) {
    public PoolSpec {
        Checks.notNull("model", model);
        Checks.inRange("nodes", nodes, 1, 100_000);
        Checks.inRange("devicesPerNode", devicesPerNode, 1, 64);
        Checks.inRange("memoryGiB", memoryGiB, 0, 4096);
        Checks.nonNegative("pricePerDeviceHour", pricePerDeviceHour);
        Checks.nonNegative("speedFactor", speedFactor);
        if (speedFactor == 0) {
            throw new IllegalArgumentException("speedFactor must be > 0, got 0");
        }
    }

    /** @return a pool with price 1.0 and speed 1.0 */
    public static PoolSpec of(String model, int nodes, int devicesPerNode, int memoryGiB) {
        return new PoolSpec(AcceleratorModel.of(model), nodes, devicesPerNode, memoryGiB, 1.0, 1.0);
    }

    /** @return nodes x devicesPerNode */
    public int capacity() {
        return nodes * devicesPerNode;
    }
}
