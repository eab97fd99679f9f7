package dev.atoll.placement;

import dev.atoll.protocol.AcceleratorModel;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/**
 * Measured speed of each job class on each accelerator model (Gavel's throughput matrix: Narayanan et al.,
 * OSDI'20), relative to the reference model (1.0). Immutable.
 */
public final class ThroughputTable {
    /** No measurements: every lookup falls back. */
    public static final ThroughputTable EMPTY = new ThroughputTable(Map.of());

    private final Map<String, Map<AcceleratorModel, Double>> speeds;

    private ThroughputTable(Map<String, Map<AcceleratorModel, Double>> speeds) {
        this.speeds = speeds;
    }

    /**
     * @param speeds job class -> model -> speed (> 0)
     * @throws IllegalArgumentException naming the class, model and value if a speed is not a finite number > 0
     */
    public static ThroughputTable of(Map<String, Map<AcceleratorModel, Double>> speeds) {
        Map<String, Map<AcceleratorModel, Double>> copy = new HashMap<>();
        speeds.forEach((cls, m) -> {
            m.forEach((model, v) -> {
                if (v == null || !(v > 0) || Double.isInfinite(v)) {
                    throw new IllegalArgumentException("speed of job class '" + cls + "' on " + model
                            + " must be a finite number > 0, got " + v);
                }
            });
            copy.put(cls, Collections.unmodifiableMap(new HashMap<>(m)));
        });
        return new ThroughputTable(Collections.unmodifiableMap(copy));
    }

    /**
     * @param jobClass the job's class (may be null)
     * @param model the offered model (may be null)
     * @param fallback the speed to use when the table has no entry (e.g. the pool's speed factor)
     * @return the measured speed, else {@code fallback}
     */
    public double speed(String jobClass, AcceleratorModel model, double fallback) {
        if (jobClass == null || model == null) {
            return fallback;
        }
        Map<AcceleratorModel, Double> m = speeds.get(jobClass);
        if (m == null) {
            return fallback;
        }
        Double v = m.get(model);
        return v == null ? fallback : v;
    }
}
