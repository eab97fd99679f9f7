package dev.atoll.placement.bench;

import dev.atoll.placement.FragmentationGradientDescent;
import dev.atoll.placement.PackingPolicy;
import dev.atoll.placement.PlacementResult;
import dev.atoll.placement.SiteLedger;
import dev.atoll.placement.WorkloadMix;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.HoldCreated;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * The benchmark's federation: 50 sites of 2,000 devices (100,000 in all; per site 100 H800 x8, 80
 * A100-80GB x8, 40 Ascend-910B x8, 60 T4 x4 nodes), 10,000 pending request shapes (openb-like: 55% one
 * GPU, 38% a shared fraction, 7% 2/4/8 GPUs; 30% name one or two models), kept at a steady load: after each
 * decision the oldest allocations depart while more than {@code targetLoad} of the devices are in use.
 *
 * <p>One <b>decision</b> = take the next pending request, rank the sites by free devices of an accepted model
 * (what their adverts say; the live default "earliest start, then most free devices" with every start at
 * once), ask the best site's packing policy for a placement, falling back to the next two sites if it must
 * wait, and commit the placement (hold + allocation events) on a fit.
 */
public final class Federation {
    /** Sites of the benchmark's federation. */
    public static final int SITES = 50;
    static final int PENDING = 10_000;
    private static final String[] MODELS = {"H800", "A100-80GB", "Ascend-910B", "T4"};
    private static final int[] MILLI = {1000, 810, 470, 320, 650, 230, 460, 590, 160, 550, 220, 370, 110};

    private final int siteCount;
    private final SiteLedger[] sites;
    private final AcceleratorModel[] models = new AcceleratorModel[MODELS.length];
    private final int[][] freeByModel;
    private final JobSpec[] jobs;
    private final List<JobSpec> pending = new ArrayList<>(PENDING);
    private final PackingPolicy policy;
    private final ArrayDeque<long[]> live = new ArrayDeque<>(); // {job index, site}
    private final Placement[] placements;
    private final long capacity;
    private final long target;
    private long used;
    private int next;
    private final HoldId hold = HoldId.of("bench-hold");
    private final int[] candidates = new int[3];
    public long fits;
    public long waits;

    /**
     * @param policyName a {@link PackingPolicy#byName} name; {@code fgd} measures against the pending mix
     * @param targetLoad share of devices kept in use, e.g. 0.85
     */
    public Federation(String policyName, double targetLoad, long seed) {
        this(policyName, SITES, targetLoad, seed, 250_000);
    }

    /**
     * @param siteCount sites of 2,000 devices each
     * @param ids distinct job ids to cycle through; must exceed the live allocations at the target load
     */
    public Federation(String policyName, int siteCount, double targetLoad, long seed, int ids) {
        Random r = new Random(seed);
        this.siteCount = siteCount;
        sites = new SiteLedger[siteCount];
        freeByModel = new int[siteCount][MODELS.length];
        for (int m = 0; m < MODELS.length; m++) {
            models[m] = AcceleratorModel.of(MODELS[m]);
        }
        long cap = 0;
        for (int s = 0; s < siteCount; s++) {
            SiteSpec spec = new SiteSpec(SiteId.of("site-" + s), "region-" + (s % 5), List.of(
                    new PoolSpec(models[0], 100, 8, 80, 4.0, 2.0),
                    new PoolSpec(models[1], 80, 8, 80, 2.5, 1.0),
                    new PoolSpec(models[2], 40, 8, 64, 1.5, 0.8),
                    new PoolSpec(models[3], 60, 4, 16, 0.5, 0.3)));
            sites[s] = new SiteLedger(spec);
            for (int n = 0; n < sites[s].nodeCount(); n++) {
                freeByModel[s][modelIndex(sites[s].model(n))] += sites[s].devicesPerNode(n);
            }
            cap += spec.deviceCount();
        }
        capacity = cap;
        target = (long) (cap * targetLoad);
        for (int i = 0; i < PENDING; i++) {
            pending.add(shape(r, i));
        }
        // Unique ids for every decision until ids repeat; departures are FIFO, so an id is free again long
        // before it comes round (live allocations stay far below this count).
        int total = ids;
        jobs = new JobSpec[total];
        placements = new Placement[total];
        for (int i = 0; i < total; i++) {
            JobSpec p = pending.get(i % PENDING);
            jobs[i] = new JobSpec(JobId.of("j" + i), p.tenant(), p.kind(), p.devices(), p.gpuMilli(), p.models(),
                    p.wholeNodes(), p.durationSeconds(), p.priority(), p.preemptible(), p.checkpointIntervalSeconds(),
                    1, -1, null, null);
        }
        policy = policyName.equals(FragmentationGradientDescent.NAME)
                ? new FragmentationGradientDescent(WorkloadMix.of(pending))
                : PackingPolicy.byName(policyName);
    }

    private JobSpec shape(Random r, int i) {
        JobSpec.Builder b = JobSpec.builder("p" + i, "tenant-" + r.nextInt(8));
        int k = r.nextInt(100);
        if (k < 55) {
            b.devices(1);
        } else if (k < 93) {
            b.devices(1).gpuMilli(MILLI[1 + r.nextInt(MILLI.length - 1)]);
        } else {
            b.devices(new int[] {2, 4, 8}[r.nextInt(3)]);
        }
        int m = r.nextInt(10);
        if (m < 2) {
            b.models(ModelSet.of(MODELS[r.nextInt(MODELS.length)]));
        } else if (m < 3) {
            b.models(ModelSet.of(MODELS[0], MODELS[1]));
        }
        return b.build();
    }

    private int modelIndex(AcceleratorModel m) {
        for (int i = 0; i < models.length; i++) {
            if (models[i] == m || models[i].equals(m)) {
                return i;
            }
        }
        throw new IllegalStateException("unknown model " + m);
    }

    /** @return the packing policy under test */
    public PackingPolicy policy() {
        return policy;
    }

    /** @return share of devices with any allocation */
    public double load() {
        return used / (double) capacity;
    }

    /** Decides until the federation is at its target load (not measured). */
    public void warm() {
        int guard = 0;
        while (used < target && guard++ < 1_000_000) {
            decide();
        }
    }

    /**
     * One placement decision (see the class description), plus the departures that keep the load steady.
     *
     * @return 1 on a fit, 0 otherwise
     */
    public int decide() {
        int i = next;
        next = (next + 1) % jobs.length;
        JobSpec job = jobs[i];
        int found = topSites(job);
        int result = 0;
        for (int c = 0; c < found; c++) {
            SiteLedger l = sites[candidates[c]];
            PlacementResult r = l.find(job, policy);
            if (r instanceof PlacementResult.Fit fit) {
                commit(candidates[c], i, fit.placement());
                result = 1;
                break;
            }
            if (r instanceof PlacementResult.Never) {
                continue;
            }
        }
        if (result == 1) {
            fits++;
        } else {
            waits++;
        }
        while (used > target && !live.isEmpty()) {
            long[] a = live.pollFirst();
            release((int) a[1], (int) a[0]);
        }
        return result;
    }

    /** Fills {@code candidates} with up to 3 sites with the most free devices of an accepted model. */
    private int topSites(JobSpec job) {
        // Micro-optimisation: a partial top-3 selection over the per-site counters, no sorting, no allocation.
        long best0 = -1;
        long best1 = -1;
        long best2 = -1;
        int s0 = -1;
        int s1 = -1;
        int s2 = -1;
        ModelSet ms = job.models();
        for (int s = 0; s < siteCount; s++) {
            int free = 0;
            for (int m = 0; m < models.length; m++) {
                if (ms.accepts(models[m])) {
                    free = Math.max(free, freeByModel[s][m]);
                }
            }
            if (free < job.devices() && job.gpuMilli() == 1000) {
                continue;
            }
            if (free > best0) {
                best2 = best1;
                s2 = s1;
                best1 = best0;
                s1 = s0;
                best0 = free;
                s0 = s;
            } else if (free > best1) {
                best2 = best1;
                s2 = s1;
                best1 = free;
                s1 = s;
            } else if (free > best2) {
                best2 = free;
                s2 = s;
            }
        }
        int n = 0;
        if (s0 >= 0) {
            candidates[n++] = s0;
        }
        if (s1 >= 0) {
            candidates[n++] = s1;
        }
        if (s2 >= 0) {
            candidates[n++] = s2;
        }
        return n;
    }

    private void commit(int s, int i, Placement p) {
        SiteLedger l = sites[s];
        int before = freeOn(l, p);
        l.apply(new HoldCreated(hold, jobs[i].id(), 1, p, Long.MAX_VALUE));
        l.apply(new AllocationCommitted(hold, jobs[i].id(), 1, 0, Long.MAX_VALUE));
        int after = freeOn(l, p);
        freeByModel[s][modelIndex(p.model())] -= before - after;
        used += before - after;
        placements[i] = p;
        live.addLast(new long[] {i, s});
    }

    private void release(int s, int i) {
        SiteLedger l = sites[s];
        Placement p = placements[i];
        int before = freeOn(l, p);
        l.apply(new AllocationReleased(jobs[i].id(), 1, WorkloadEnded.Outcome.COMPLETED, 0, ""));
        int after = freeOn(l, p);
        freeByModel[s][modelIndex(p.model())] += after - before;
        used -= after - before;
        placements[i] = null;
    }

    private static int freeOn(SiteLedger l, Placement p) {
        int f = 0;
        for (NodeShare s : p.shares()) {
            f += l.freeDevices(s.node());
        }
        return f;
    }

    /** Checks every site's invariants and the free counters (for the smoke test). */
    public void check() {
        for (int s = 0; s < siteCount; s++) {
            sites[s].checkInvariants();
            int[] f = new int[models.length];
            for (int n = 0; n < sites[s].nodeCount(); n++) {
                f[modelIndex(sites[s].model(n))] += sites[s].freeDevices(n);
            }
            if (!Arrays.equals(f, freeByModel[s])) {
                throw new IllegalStateException("site " + s + " free " + Arrays.toString(f) + " but counted "
                        + Arrays.toString(freeByModel[s]));
            }
        }
    }
}
