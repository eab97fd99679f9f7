package dev.atoll.simulator.topology;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.Checks;

/**
 * One physical node of a fleet file, before it is dealt to a site.
 *
 * @param name node name as in the file (non-blank)
 * @param model accelerator model of its devices; may be null only when {@code devices == 0}
 * @param devices accelerators on the node, {@code >= 0} (0 = CPU-only; skipped by {@link FleetSplitter})
 * @param cpuMilli CPU in thousandths of a core, {@code >= 0}
 * @param memoryMiB host memory in MiB, {@code >= 0} (0 = unknown)
 * @throws IllegalArgumentException naming the field and value if a rule above is broken
 */
public record FleetNode(String name, AcceleratorModel model, int devices, int cpuMilli, long memoryMiB) {
    public FleetNode {
        Checks.nonBlank("name", name);
        Checks.inRange("devices", devices, 0, 64);
        if (devices > 0 && model == null) {
            throw new IllegalArgumentException("model of node " + name + " is required when devices > 0, got null");
        }
        Checks.inRange("cpuMilli", cpuMilli, 0, Integer.MAX_VALUE);
        Checks.inRange("memoryMiB", memoryMiB, 0, Long.MAX_VALUE);
    }

    /** @return a node with unknown CPU and memory */
    public static FleetNode of(String name, String model, int devices) {
        return new FleetNode(name, AcceleratorModel.of(model), devices, 0, 0);
    }
}
