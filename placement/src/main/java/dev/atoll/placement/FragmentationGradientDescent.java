package dev.atoll.placement;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.ModelSet;
import java.util.ArrayList;
import java.util.Comparator;
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
    /** The name {@link PackingPolicy#byName} knows it by. */
    public static final String NAME = "fgd";

    /** Largest node size {@link dev.atoll.protocol.PoolSpec} allows; sizes the scratch buffers. */
    private static final int MAX_DEVICES_PER_NODE = 64;

    /** Per-thread working memory, so scoring allocates nothing. */
    private static final class Scratch {
        final int[] free = new int[MAX_DEVICES_PER_NODE];
        // Micro-optimisation: the compiled table of the model last seen; nodes of one model are scanned
        // together, so this skips the map lookup (a record hashCode/equals) per node.
        AcceleratorModel model;
        Compiled compiled;
        int total;
        int fullFree;
        // Micro-optimisation: chooseSharedDevice's result for the node it just scanned, which score() then
        // reuses instead of scanning the node's devices again (the template calls the two back to back).
        SiteView cachedSite;
        int cachedNode = -1;
        int cachedMilli;
        double cachedDelta;
    }

    /**
     * The mix as one accelerator model sees it: classes that reject the model merged into one weight (all
     * free capacity is a fragment to them), the others merged by shape, shared shapes in ascending share.
     */
    private static final class Compiled {
        final double rejectWeight;
        final int[] sharedMilli;
        final double[] sharedWeight;
        final int[] wholeDevices;
        final boolean[] wholeNodes;
        final double[] wholeWeight;

        Compiled(FragmentationGradientDescent f, AcceleratorModel model) {
            double reject = 0;
            java.util.TreeMap<Integer, Double> shared = new java.util.TreeMap<>();
            java.util.LinkedHashMap<Long, Double> whole = new java.util.LinkedHashMap<>();
            for (int c = 0; c < f.sharedMilli.length; c++) {
                if (f.sharedModels[c].accepts(model)) {
                    shared.merge(f.sharedMilli[c], f.sharedWeight[c], Double::sum);
                } else {
                    reject += f.sharedWeight[c];
                }
            }
            for (int c = 0; c < f.wholeDevices.length; c++) {
                if (f.wholeModels[c].accepts(model)) {
                    whole.merge(f.wholeDevices[c] * 2L + (f.wholeNodes[c] ? 1 : 0), f.wholeWeight[c], Double::sum);
                } else {
                    reject += f.wholeWeight[c];
                }
            }
            rejectWeight = reject;
            sharedMilli = new int[shared.size()];
            sharedWeight = new double[shared.size()];
            int i = 0;
            for (java.util.Map.Entry<Integer, Double> e : shared.entrySet()) {
                sharedMilli[i] = e.getKey();
                sharedWeight[i++] = e.getValue();
            }
            wholeDevices = new int[whole.size()];
            wholeNodes = new boolean[whole.size()];
            wholeWeight = new double[whole.size()];
            i = 0;
            for (java.util.Map.Entry<Long, Double> e : whole.entrySet()) {
                wholeDevices[i] = (int) (e.getKey() / 2);
                wholeNodes[i] = e.getKey() % 2 == 1;
                wholeWeight[i++] = e.getValue();
            }
        }
    }

    private final java.util.concurrent.ConcurrentHashMap<AcceleratorModel, Compiled> compiled =
            new java.util.concurrent.ConcurrentHashMap<>();

    private final ThreadLocal<Scratch> scratch = ThreadLocal.withInitial(Scratch::new);

    private final WorkloadMix mix;
    // Micro-optimisation: the mix flattened into parallel primitive arrays, split into shared (fractional)
    // classes sorted by share, and whole-device classes, so one merge pass over a node's sorted free
    // thousandths serves every shared class.
    private final int[] sharedMilli;
    private final double[] sharedWeight;
    private final ModelSet[] sharedModels;
    private final int[] wholeDevices;
    private final boolean[] wholeNodes;
    private final double[] wholeWeight;
    private final ModelSet[] wholeModels;

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
        List<WorkloadMix.TaskClass> shared = new ArrayList<>();
        List<WorkloadMix.TaskClass> whole = new ArrayList<>();
        for (WorkloadMix.TaskClass c : mix.classes()) {
            (c.gpuMilli() < 1000 ? shared : whole).add(c);
        }
        shared.sort(Comparator.comparingInt(WorkloadMix.TaskClass::gpuMilli));
        sharedMilli = new int[shared.size()];
        sharedWeight = new double[shared.size()];
        sharedModels = new ModelSet[shared.size()];
        for (int i = 0; i < shared.size(); i++) {
            sharedMilli[i] = shared.get(i).gpuMilli();
            sharedWeight[i] = shared.get(i).weight();
            sharedModels[i] = shared.get(i).models();
        }
        wholeDevices = new int[whole.size()];
        wholeNodes = new boolean[whole.size()];
        wholeWeight = new double[whole.size()];
        wholeModels = new ModelSet[whole.size()];
        for (int i = 0; i < whole.size(); i++) {
            wholeDevices[i] = whole.get(i).devices();
            wholeNodes[i] = whole.get(i).wholeNodes();
            wholeWeight[i] = whole.get(i).weight();
            wholeModels[i] = whole.get(i).models();
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

    /** An idle node's fragmentation change depends only on its model and size. */
    @Override
    protected boolean sameScoreForIdleNodesOfAPool() {
        return true;
    }

    @Override
    protected double score(SiteView site, int node, JobSpec job, int devices) {
        Scratch sc = scratch.get();
        if (job.gpuMilli() < 1000) {
            if (sc.cachedSite != site || sc.cachedNode != node || sc.cachedMilli != job.gpuMilli()) {
                chooseSharedDevice(site, node, job.gpuMilli());
            }
            sc.cachedSite = null;
            return sc.cachedDelta;
        }
        // Micro-optimisation: one read of the node serves both states; taking k fully free devices just
        // drops the k largest (1000) entries of the sorted free array.
        int dpn = fill(sc, site, node, -1, 0);
        Compiled m = compiled(sc, site.model(node));
        int take = Math.min(devices, sc.fullFree);
        double before = eval(sc.free, dpn, sc.total, sc.fullFree, dpn, m);
        double after = eval(sc.free, dpn - take, sc.total - 1000 * take, sc.fullFree - take, dpn, m);
        return after - before;
    }

    /**
     * The device on {@code node} whose use by a {@code milli} share grows the node's fragmentation least.
     */
    @Override
    protected int chooseSharedDevice(SiteView site, int node, int milli) {
        Scratch sc = scratch.get();
        double before = fragmentation(site, node, 0, -1, 0);
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
        sc.cachedSite = site;
        sc.cachedNode = node;
        sc.cachedMilli = milli;
        sc.cachedDelta = bestF - before;
        return best;
    }

    /**
     * {@code F_n(M)} of {@code node} after taking {@code takeWhole} fully free devices and adding
     * {@code addMilli} to device {@code sharedDevice} (-1 for none), in thousandths of a device.
     */
    private double fragmentation(SiteView site, int node, int takeWhole, int sharedDevice, int addMilli) {
        Scratch sc = scratch.get();
        int dpn = fill(sc, site, node, sharedDevice, addMilli);
        int take = Math.min(takeWhole, sc.fullFree);
        return eval(sc.free, dpn - take, sc.total - 1000 * take, sc.fullFree - take, dpn, compiled(sc, site.model(node)));
    }

    /**
     * Reads the node's free thousandths per device into {@code sc.free}, sorted ascending, with
     * {@code addMilli} more used on {@code sharedDevice} (-1: none); sets {@code sc.total} and {@code sc.fullFree}.
     *
     * @return the node's device count
     */
    private static int fill(Scratch sc, SiteView site, int node, int sharedDevice, int addMilli) {
        int dpn = site.devicesPerNode(node);
        int[] free = sc.free;
        int total = 0;
        int fullFree = 0;
        for (int d = 0; d < dpn; d++) {
            int f = 1000 - site.usedMilli(node, d);
            if (d == sharedDevice) {
                f -= addMilli;
            }
            // Micro-optimisation: insertion sort while reading (nodes have at most 64, usually 8, devices).
            int i = d - 1;
            while (i >= 0 && free[i] > f) {
                free[i + 1] = free[i];
                i--;
            }
            free[i + 1] = f;
            total += f;
            if (f == 1000) {
                fullFree++;
            }
        }
        sc.total = total;
        sc.fullFree = fullFree;
        return dpn;
    }

    /**
     * {@code F_n(M)} from the node's sorted free thousandths {@code free[0..len)} (the rest taken), in
     * thousandths of a device.
     */
    private static double eval(int[] free, int len, int total, int fullFree, int dpn, Compiled m) {
        if (total <= 0) {
            return 0;
        }
        int maxFree = len > 0 ? free[len - 1] : 0;
        double frag = m.rejectWeight * total;
        // Shared shapes in ascending share: devices with less free than the share are fragments to it.
        int k = 0;
        int below = 0; // sum of free[0..k), all below the current share
        int[] milli = m.sharedMilli;
        double[] sw = m.sharedWeight;
        for (int c = 0; c < milli.length; c++) {
            if (maxFree < milli[c]) {
                frag += sw[c] * total; // no device can host it: the node is all fragments to it
                continue;
            }
            while (k < len && free[k] < milli[c]) {
                below += free[k];
                k++;
            }
            frag += sw[c] * below;
        }
        int partial = total - 1000 * fullFree;
        int[] wd = m.wholeDevices;
        for (int c = 0; c < wd.length; c++) {
            int need = wd[c];
            boolean fits;
            if (m.wholeNodes[c]) {
                fits = fullFree == dpn && need % dpn == 0;
            } else if (need <= dpn) {
                fits = fullFree >= need;
            } else {
                int rem = need % dpn;
                fits = fullFree == dpn || (rem > 0 && fullFree >= rem);
            }
            // Usable: the fully free devices; the partly used ones are fragments for a whole-device task.
            frag += m.wholeWeight[c] * (fits ? partial : total);
        }
        return frag;
    }

    private Compiled compiled(Scratch sc, AcceleratorModel model) {
        if (sc.model != model) {
            sc.compiled = compiled.computeIfAbsent(model, k -> new Compiled(this, k));
            sc.model = model;
        }
        return sc.compiled;
    }
}
