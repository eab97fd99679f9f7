package dev.atoll.placement;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.ModelSet;
import java.util.List;

/**
 * Fragmentation gradient descent ({@code fgd}), after Weng et al., "Beware of Fragmentation: Scheduling
 * GPU-Sharing Workloads with Fragmentation Gradient Descent", USENIX ATC'23.
 *
 * <p>The fragmentation of node {@code n} measured by a task class {@code m}, {@code F_n(m)}, is the GPU
 * capacity on {@code n} (in thousandths of a device) that {@code m} cannot use:
 * <ul>
 *   <li>if {@code m} cannot run on {@code n} at all (model not accepted, too few free devices, or no device
 *       with {@code m}'s share free), every free thousandth on the node is a fragment;
 *   <li>otherwise, the free thousandths on devices that individually cannot serve {@code m}: for a shared
 *       (fractional) task the devices with less than its share free; for a whole-device task every partly
 *       used device.
 * </ul>
 * The node's expected fragmentation is {@code F_n(M) = sum_m p_m F_n(m)} over the target workload mix
 * {@code M} ({@link WorkloadMix}). FGD places a request on the node (and, for a shared task, the device)
 * where it <em>increases</em> {@code F_n(M)} least: {@link #score} is {@code F_n'(M) - F_n(M)}, with
 * {@code n'} the node after placement. Ties go to the lower node number (see {@link AbstractPackingPolicy}).
 * Only GPUs are modelled (the paper also checks CPU); multi-node requests are scored node by node.
 *
 * <p>Thread-safe: the only mutable state is a per-thread scratch buffer.
 */
public final class FragmentationGradientDescent extends AbstractPackingPolicy {
    public static final String NAME = "fgd";

    /** Largest node size {@link dev.atoll.protocol.PoolSpec} allows; sizes the scratch buffer. */
    private static final int MAX_DEVICES_PER_NODE = 64;
    // Micro-optimisation: one reusable per-thread buffer of per-device free thousandths instead of an array
    // per score call (score runs once per feasible node per decision).
    private static final ThreadLocal<int[]> SCRATCH = ThreadLocal.withInitial(() -> new int[MAX_DEVICES_PER_NODE]);

    private final WorkloadMix mix;
    // Micro-optimisation: the mix flattened into parallel arrays so the inner loop reads primitives, not records.
    private final int[] classDevices;
    private final int[] classMilli;
    private final boolean[] classWhole;
    private final ModelSet[] classModels;
    private final double[] classWeight;

    /** FGD against {@link WorkloadMix#defaultMix()} (the openb trace's task size mix). */
    public FragmentationGradientDescent() {
        this(WorkloadMix.defaultMix());
    }

    /**
     * @param mix the target workload distribution, e.g. {@link WorkloadMix#of(List)} of the pending queue or
     *     of a trace's tasks
     * @throws IllegalArgumentException if {@code mix} is null
     */
    public FragmentationGradientDescent(WorkloadMix mix) {
        if (mix == null) {
            throw new IllegalArgumentException("mix is required");
        }
        this.mix = mix;
        List<WorkloadMix.TaskClass> cs = mix.classes();
        int k = cs.size();
        classDevices = new int[k];
        classMilli = new int[k];
        classWhole = new boolean[k];
        classModels = new ModelSet[k];
        classWeight = new double[k];
        for (int i = 0; i < k; i++) {
            WorkloadMix.TaskClass c = cs.get(i);
            classDevices[i] = c.devices();
            classMilli[i] = c.gpuMilli();
            classWhole[i] = c.wholeNodes();
            classModels[i] = c.models();
            classWeight[i] = c.weight();
        }
    }

    @Override
    public String name() {
        return NAME;
    }

    /** @return the target workload distribution this policy measures fragmentation against */
    public WorkloadMix mix() {
        return mix;
    }

    /**
     * @return the node's expected fragmentation {@code F_n(M)} now, in thousandths of a device
     *     (0..1000 x devicesPerNode)
     */
    public double nodeFragmentation(SiteView site, int node) {
        return fragmentation(site, node, 0, -1, 0);
    }

    /**
     * @return the expected fragmentation of the whole site, in devices (sum of {@link #nodeFragmentation} / 1000)
     */
    public double siteFragmentation(SiteView site) {
        double f = 0;
        for (int n = 0; n < site.nodeCount(); n++) {
            f += fragmentation(site, n, 0, -1, 0);
        }
        return f / 1000.0;
    }

    @Override
    protected double score(SiteView site, int node, JobSpec job, int devices) {
        double before = fragmentation(site, node, 0, -1, 0);
        if (job.gpuMilli() < 1000) {
            int d = chooseSharedDevice(site, node, job.gpuMilli());
            return fragmentation(site, node, 0, d, job.gpuMilli()) - before;
        }
        return fragmentation(site, node, devices, -1, 0) - before;
    }

    /** The device on {@code node} whose use by a {@code milli} share grows the node's fragmentation least. */
    @Override
    protected int chooseSharedDevice(SiteView site, int node, int milli) {
        int best = -1;
        double bestF = Double.POSITIVE_INFINITY;
        int dpn = site.devicesPerNode(node);
        boolean triedFree = false;
        for (int d = 0; d < dpn; d++) {
            int used = site.usedMilli(node, d);
            if (used + milli > 1000) {
                continue;
            }
            // Micro-optimisation: all fully free devices give the same result; score only the first.
            if (used == 0) {
                if (triedFree) {
                    continue;
                }
                triedFree = true;
            }
            double f = fragmentation(site, node, 0, d, milli);
            if (f < bestF) {
                bestF = f;
                best = d;
            }
        }
        return best;
    }

    /**
     * {@code F_n(M)} of {@code node} after taking {@code takeWhole} fully free devices and adding
     * {@code sharedMilli} to device {@code sharedDevice} (-1 for none), in thousandths of a device.
     */
    private double fragmentation(SiteView site, int node, int takeWhole, int sharedDevice, int sharedMilli) {
        int dpn = site.devicesPerNode(node);
        int[] free = SCRATCH.get();
        int total = 0;
        int fullFree = 0;
        int maxFree = 0;
        int toTake = takeWhole;
        for (int d = 0; d < dpn; d++) {
            int f = 1000 - site.usedMilli(node, d);
            if (d == sharedDevice) {
                f -= sharedMilli;
            }
            if (f == 1000 && toTake > 0) {
                f = 0;
                toTake--;
            }
            free[d] = f;
            total += f;
            if (f == 1000) {
                fullFree++;
            }
            if (f > maxFree) {
                maxFree = f;
            }
        }
        if (total == 0) {
            return 0;
        }
        AcceleratorModel model = site.model(node);
        double frag = 0;
        for (int c = 0; c < classWeight.length; c++) {
            double w = classWeight[c];
            if (!classModels[c].accepts(model)) {
                frag += w * total;
                continue;
            }
            int milli = classMilli[c];
            if (milli < 1000) {
                if (maxFree < milli) {
                    frag += w * total;
                } else {
                    int unusable = 0;
                    for (int d = 0; d < dpn; d++) {
                        if (free[d] < milli) {
                            unusable += free[d];
                        }
                    }
                    frag += w * unusable;
                }
                continue;
            }
            int k = classDevices[c];
            boolean fits;
            if (classWhole[c]) {
                fits = fullFree == dpn && k % dpn == 0;
            } else if (k <= dpn) {
                fits = fullFree >= k;
            } else {
                int rem = k % dpn;
                fits = fullFree == dpn || (rem > 0 && fullFree >= rem);
            }
            // Usable: the fully free devices; the partly used ones are fragments for a whole-device task.
            frag += w * (fits ? total - 1000 * fullFree : total);
        }
        return frag;
    }
}
