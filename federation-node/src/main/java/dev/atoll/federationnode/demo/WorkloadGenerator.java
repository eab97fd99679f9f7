package dev.atoll.federationnode.demo;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.WorkloadKind;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The demo's built-in workload: three synthetic sites and a seeded mix of tasks, so the demo runs on a
 * fresh clone with no data files. Same seed and count give the same workload, byte for byte.
 *
 * <p>Sites (448 devices): {@code site-a} (east) 16 nodes x 8 {@code H800}, price 2.0/device-hour, speed 1.0;
 * {@code site-b} (central) 24 nodes x 8 {@code A100-80GB}, price 1.2, speed 0.6; {@code site-c} (west)
 * 16 nodes x 8 {@code Ascend-910B}, price 0.8, speed 0.5.
 *
 * <p>Tasks: Poisson arrivals with a mean gap of {@value #MEAN_GAP_SECONDS} s (so 600 tasks span about
 * four trace hours); durations log-uniform in [{@value #MIN_DURATION_SECONDS}, {@value #MAX_DURATION_SECONDS}]
 * s; sizes 1 (30%), 2 (20%), 4 (20%), 8 (15%) devices and whole-node gangs of 16 (10%) and 32 (5%)
 * devices; a tenth of the one-device tasks ask for a fractional share (250 or 500 milli) that the demo
 * rounds to one device; model sets any (40%), {@code H800}, {@code A100-80GB}, {@code A100-80GB|H800},
 * {@code Ascend-910B}, {@code Ascend-910B|H800}; about 2% ask for what no site has (a 256-device
 * {@code Ascend-910B} gang or a {@code V100} model) so rejections show up. Mean offered load is about
 * 70% of the 448 devices.
 */
public final class WorkloadGenerator {
    /** Default number of tasks. */
    public static final int DEFAULT_TASKS = 600;
    /** Default seed. */
    public static final long DEFAULT_SEED = 42;
    /** Mean gap between arrivals, trace seconds. */
    public static final double MEAN_GAP_SECONDS = 24.0;
    /** Shortest task, trace seconds. */
    public static final long MIN_DURATION_SECONDS = 300;
    /** Longest task, trace seconds. */
    public static final long MAX_DURATION_SECONDS = 3600;

    private static final String[] TENANTS = {"vc-alpha", "vc-beta", "vc-gamma", "vc-delta"};
    private static final String[] MODEL_SETS = {"*", "H800", "A100-80GB", "A100-80GB|H800", "Ascend-910B",
            "Ascend-910B|H800"};
    private static final double[] MODEL_WEIGHTS = {0.40, 0.12, 0.16, 0.14, 0.12, 0.06};

    private WorkloadGenerator() {
    }

    /** @return the three built-in sites */
    public static List<SiteSpec> sites() {
        return List.of(
                new SiteSpec(SiteId.of("site-a"), "east",
                        List.of(new PoolSpec(AcceleratorModel.of("H800"), 16, 8, 80, 2.0, 1.0))),
                new SiteSpec(SiteId.of("site-b"), "central",
                        List.of(new PoolSpec(AcceleratorModel.of("A100-80GB"), 24, 8, 80, 1.2, 0.6))),
                new SiteSpec(SiteId.of("site-c"), "west",
                        List.of(new PoolSpec(AcceleratorModel.of("Ascend-910B"), 16, 8, 64, 0.8, 0.5))));
    }

    /**
     * Generates the built-in workload.
     *
     * @param seed random seed
     * @param count number of tasks, 1..1,000,000
     * @return sites and tasks (ids {@code demo-00000}, {@code demo-00001}, ... in arrival order)
     * @throws IllegalArgumentException naming {@code --tasks} when count is out of range
     */
    public static Workload generate(long seed, int count) {
        if (count < 1 || count > 1_000_000) {
            throw new IllegalArgumentException("--tasks: must be in [1, 1000000], got " + count);
        }
        SplittableRandom rnd = new SplittableRandom(seed);
        List<DemoTask> tasks = new ArrayList<>(count);
        double t = 0;
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                t += -Math.log(1.0 - rnd.nextDouble()) * MEAN_GAP_SECONDS;
            }
            tasks.add(task(rnd, String.format("demo-%05d", i), (long) t));
        }
        return new Workload("built-in generator, seed " + seed + ", " + count + " tasks", sites(), tasks, 0, Map.of());
    }

    private static DemoTask task(SplittableRandom rnd, String id, long arrival) {
        String tenant = TENANTS[rnd.nextInt(TENANTS.length)];
        double ln = Math.log(MIN_DURATION_SECONDS)
                + rnd.nextDouble() * (Math.log(MAX_DURATION_SECONDS) - Math.log(MIN_DURATION_SECONDS));
        long duration = Math.max(1, Math.round(Math.exp(ln)));
        double size = rnd.nextDouble();
        int devices;
        boolean wholeNodes = false;
        if (size < 0.30) {
            devices = 1;
        } else if (size < 0.50) {
            devices = 2;
        } else if (size < 0.70) {
            devices = 4;
        } else if (size < 0.85) {
            devices = 8;
        } else if (size < 0.95) {
            devices = 16;
            wholeNodes = true;
        } else {
            devices = 32;
            wholeNodes = true;
        }
        ModelSet models = ModelSet.parse(pick(rnd, MODEL_SETS, MODEL_WEIGHTS));
        double odd = rnd.nextDouble();
        if (odd < 0.01) {
            devices = 256;
            wholeNodes = true;
            models = ModelSet.of("Ascend-910B");
        } else if (odd < 0.02) {
            models = ModelSet.of("V100");
        }
        WorkloadKind kind;
        PriorityClass priority;
        if (wholeNodes || (devices == 8 && rnd.nextBoolean())) {
            kind = WorkloadKind.TRAINING;
            priority = rnd.nextDouble() < 0.6 ? PriorityClass.PRODUCTION : PriorityClass.BEST_EFFORT;
        } else if (devices <= 2 && rnd.nextDouble() < 0.35) {
            kind = WorkloadKind.INFERENCE;
            priority = PriorityClass.INFERENCE;
        } else {
            kind = WorkloadKind.BATCH;
            priority = rnd.nextDouble() < 0.7 ? PriorityClass.BEST_EFFORT : PriorityClass.PRODUCTION;
        }
        int gpuMilli = 1000;
        if (devices == 1 && rnd.nextDouble() < 0.10) {
            gpuMilli = rnd.nextBoolean() ? 250 : 500;
        }
        return new DemoTask(id, tenant, arrival, duration, devices, gpuMilli, models, wholeNodes, kind, priority);
    }

    private static String pick(SplittableRandom rnd, String[] values, double[] weights) {
        double x = rnd.nextDouble();
        for (int i = 0; i < values.length; i++) {
            x -= weights[i];
            if (x < 0) {
                return values[i];
            }
        }
        return values[values.length - 1];
    }
}
