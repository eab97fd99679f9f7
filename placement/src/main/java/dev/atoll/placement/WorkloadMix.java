package dev.atoll.placement;

import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.ModelSet;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A target workload distribution: request shapes with their popularity, the "M" of fragmentation gradient
 * descent (Weng et al., USENIX ATC'23). Weights are normalised so they sum to 1.
 *
 * <p>Build one from the pending queue or a trace's task size mix with {@link #of(List)}, or use
 * {@link #defaultMix()}.
 */
public final class WorkloadMix {
    /**
     * One request shape.
     *
     * @param devices devices of one replica, 1..65,536
     * @param gpuMilli share of one device in thousandths, 1..1000 (below 1000 only with 1 device)
     * @param wholeNodes whether the request needs whole nodes
     * @param models accepted models ({@link ModelSet#ANY} for any)
     * @param weight popularity, normalised by the mix to sum to 1
     */
    public record TaskClass(int devices, int gpuMilli, boolean wholeNodes, ModelSet models, double weight) {
        /** @throws IllegalArgumentException naming the field if a count, share or weight is out of range */
        public TaskClass {
            if (devices < 1 || devices > JobSpec.MAX_DEVICES) {
                throw new IllegalArgumentException("devices must be in [1, " + JobSpec.MAX_DEVICES + "], got " + devices);
            }
            if (gpuMilli < 1 || gpuMilli > 1000 || (gpuMilli < 1000 && devices != 1)) {
                throw new IllegalArgumentException("gpuMilli must be in [1, 1000] (1000 unless devices is 1), got "
                        + gpuMilli + " with devices=" + devices);
            }
            if (models == null) {
                throw new IllegalArgumentException("models is required");
            }
            if (!(weight > 0) || Double.isInfinite(weight)) {
                throw new IllegalArgumentException("weight must be a finite number > 0, got " + weight);
            }
        }
    }

    private final List<TaskClass> classes;

    /**
     * @param classes the shapes; weights are rescaled to sum to 1
     * @throws IllegalArgumentException if {@code classes} is empty
     */
    public WorkloadMix(List<TaskClass> classes) {
        if (classes == null || classes.isEmpty()) {
            throw new IllegalArgumentException("classes of a workload mix must not be empty");
        }
        double sum = 0;
        for (TaskClass c : classes) {
            sum += c.weight();
        }
        List<TaskClass> norm = new ArrayList<>(classes.size());
        for (TaskClass c : classes) {
            norm.add(new TaskClass(c.devices(), c.gpuMilli(), c.wholeNodes(), c.models(), c.weight() / sum));
        }
        this.classes = Collections.unmodifiableList(norm);
    }

    /**
     * The mix of {@code jobs}: one class per distinct (devices, gpuMilli, wholeNodes, models), weighted by
     * how many jobs have it, in first-seen order.
     *
     * @throws IllegalArgumentException if {@code jobs} is empty
     */
    public static WorkloadMix of(List<JobSpec> jobs) {
        if (jobs == null || jobs.isEmpty()) {
            throw new IllegalArgumentException("jobs of a workload mix must not be empty");
        }
        Map<List<Object>, Integer> counts = new LinkedHashMap<>();
        for (JobSpec j : jobs) {
            counts.merge(List.of(j.devices(), j.gpuMilli(), j.wholeNodes(), j.models()), 1, Integer::sum);
        }
        List<TaskClass> out = new ArrayList<>(counts.size());
        for (Map.Entry<List<Object>, Integer> e : counts.entrySet()) {
            List<Object> k = e.getKey();
            out.add(new TaskClass((Integer) k.get(0), (Integer) k.get(1), (Boolean) k.get(2), (ModelSet) k.get(3),
                    e.getValue()));
        }
        return new WorkloadMix(out);
    }

    /**
     * The task size mix of the Alibaba openb trace ({@code openb_pod_list_default.csv}, the 7,064 tasks
     * that ask for a GPU; Weng et al., ATC'23), rounded to the 16 most common shapes, any model: 55% one
     * whole GPU, 42% a shared fraction (0.11..0.81 of a GPU), about 1% multi-GPU (2, 4, 8).
     */
    public static WorkloadMix defaultMix() {
        int[][] shapes = { // devices, gpuMilli, tasks of that shape in the trace
            {1, 1000, 3911}, {1, 810, 1078}, {1, 470, 750}, {1, 320, 328}, {1, 650, 253}, {1, 230, 140},
            {1, 460, 128}, {1, 590, 75}, {1, 160, 74}, {1, 550, 72}, {1, 220, 62}, {1, 370, 47}, {8, 1000, 44},
            {1, 110, 24}, {2, 1000, 16}, {4, 1000, 15}};
        List<TaskClass> out = new ArrayList<>();
        for (int[] s : shapes) {
            out.add(new TaskClass(s[0], s[1], false, ModelSet.ANY, s[2]));
        }
        return new WorkloadMix(out);
    }

    /** @return the classes, weights summing to 1 (unmodifiable) */
    public List<TaskClass> classes() {
        return classes;
    }

    @Override
    public String toString() {
        return "WorkloadMix" + classes;
    }
}
