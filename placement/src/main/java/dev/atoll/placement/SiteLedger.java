package dev.atoll.placement;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.Advert;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.PoolAdvert;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.HoldCreated;
import dev.atoll.protocol.event.HoldReleased;
import dev.atoll.protocol.event.SiteDrainChanged;
import dev.atoll.protocol.event.SiteEvent;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One site's allocation ledger: which devices are held for bids and which are allocated to running
 * workloads. It is the state a SiteAgent event-sources and the simulator drives, changed only by
 * {@link #apply(SiteEvent)}, so replaying the same events gives the same ledger.
 *
 * <p>Invariants (DESIGN.md invariant 1), checked on every change, which is refused with
 * {@link LedgerViolation} and leaves the ledger untouched: on every device, allocated + held
 * thousandths are within 0..1000; so per node and per pool, allocated + held &lt;= capacity; a job has at
 * most one allocation at a time. A hold's placement must list each node once, in ascending order (so no
 * device is counted twice within one hold).
 *
 * <p>Not thread-safe: owned by one actor or one simulation thread.
 */
public final class SiteLedger implements SiteView {
    /** A bid's reservation. Times are epoch milliseconds. */
    public record Hold(HoldId id, JobId job, long epoch, Placement placement, long expiresAtMillis) {
    }

    /** A running workload's devices. Times are epoch milliseconds. */
    public record Allocation(HoldId hold, JobId job, long epoch, Placement placement, long startedAtMillis,
                             long endsAtMillis) {
    }

    private final SiteSpec spec;
    private final AcceleratorModel[] nodeModel;
    private final int[] nodePool;
    private final int[] nodeDevices;
    private final int[] nodeFree;
    private final short[] used; // thousandths used per device, node by node (node n starts at usedStart[n])
    private final int[] usedStart;
    // Micro-optimisation: per-model node lists built once, so packing scans only the model's nodes.
    private final Map<AcceleratorModel, int[]> nodesByModel = new HashMap<>();
    private static final int[] NO_NODES = new int[0];
    private final int[] nodeModelIndex;
    private final AcceleratorModel[] models;
    private final int[] freeByModel;
    // Holds and allocations are kept as compact records (see LedgerRecords), not as Hold/Allocation objects:
    // a simulation holds tens of thousands of allocations at once, so each costs about 60 bytes here instead
    // of several hundred. The public records are rebuilt on demand.
    private LedgerRecords rec = new LedgerRecords();
    private final Map<HoldId, Integer> holdIndex = new HashMap<>();
    private long appliedEvents;
    private boolean draining;
    private String drainReason = "";

    /** Builds an empty ledger (every device free) for {@code spec}. */
    public SiteLedger(SiteSpec spec) {
        this.spec = spec;
        int n = spec.nodeCount();
        nodeModel = new AcceleratorModel[n];
        nodePool = new int[n];
        nodeDevices = new int[n];
        nodeFree = new int[n];
        usedStart = new int[n + 1];
        nodeModelIndex = new int[n];
        int node = 0;
        List<PoolSpec> pools = spec.pools();
        for (int p = 0; p < pools.size(); p++) {
            PoolSpec pool = pools.get(p);
            for (int i = 0; i < pool.nodes(); i++, node++) {
                nodeModel[node] = pool.model();
                nodePool[node] = p;
                nodeDevices[node] = pool.devicesPerNode();
                nodeFree[node] = pool.devicesPerNode();
                usedStart[node + 1] = usedStart[node] + pool.devicesPerNode();
            }
        }
        used = new short[usedStart[n]];
        Map<AcceleratorModel, List<Integer>> byModel = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            byModel.computeIfAbsent(nodeModel[i], k -> new ArrayList<>()).add(i);
        }
        byModel.forEach((m, list) -> nodesByModel.put(m, list.stream().mapToInt(Integer::intValue).toArray()));
        models = byModel.keySet().toArray(new AcceleratorModel[0]);
        freeByModel = new int[models.length];
        for (int i = 0; i < n; i++) {
            nodeModelIndex[i] = java.util.Arrays.binarySearch(models, nodeModel[i]);
            freeByModel[nodeModelIndex[i]] += nodeDevices[i];
        }
    }

    /**
     * @return an independent ledger with the same spec, holds, allocations, usage and event count (for
     *     what-if planning: preemption plans, reservations); changing one never changes the other
     */
    public SiteLedger copy() {
        SiteLedger c = new SiteLedger(spec);
        System.arraycopy(used, 0, c.used, 0, used.length);
        System.arraycopy(nodeFree, 0, c.nodeFree, 0, nodeFree.length);
        System.arraycopy(freeByModel, 0, c.freeByModel, 0, freeByModel.length);
        c.rec = rec.copy();
        c.holdIndex.putAll(holdIndex);
        c.appliedEvents = appliedEvents;
        c.draining = draining;
        c.drainReason = drainReason;
        return c;
    }

    @Override
    public int[] nodesOf(AcceleratorModel model) {
        return nodesByModel.getOrDefault(model, NO_NODES);
    }

    @Override
    public SiteId site() {
        return spec.id();
    }

    @Override
    public SiteSpec spec() {
        return spec;
    }

    @Override
    public int nodeCount() {
        return nodeModel.length;
    }

    @Override
    public AcceleratorModel model(int node) {
        return nodeModel[node];
    }

    @Override
    public int pool(int node) {
        return nodePool[node];
    }

    @Override
    public int devicesPerNode(int node) {
        return nodeDevices[node];
    }

    @Override
    public int freeDevices(int node) {
        return nodeFree[node];
    }

    @Override
    public int usedMilli(int node, int device) {
        return used[usedStart[node] + device];
    }

    /**
     * @return devices of {@code model} with no allocation or hold at all (a partly used device is not free);
     *     0 for a model the site does not have. Kept up to date on every change; O(log models).
     */
    public int freeDevices(AcceleratorModel model) {
        int i = java.util.Arrays.binarySearch(models, model);
        return i < 0 ? 0 : freeByModel[i];
    }

    /** @return events applied so far (a version number for adverts) */
    public long appliedEvents() {
        return appliedEvents;
    }

    /**
     * @return true while an operator has drained (cordoned) the site ({@link SiteDrainChanged}): it takes no
     *     new placements; what runs continues
     */
    public boolean draining() {
        return draining;
    }

    /** @return the operator's reason for the drain ("" when not draining or none given) */
    public String drainReason() {
        return drainReason;
    }

    /** @return live holds, in creation order (an unmodifiable snapshot) */
    public Collection<Hold> holds() {
        List<Hold> out = new ArrayList<>(holdIndex.size());
        for (int r = rec.holdHead; r >= 0; r = rec.next[r]) {
            out.add(holdAt(r));
        }
        return Collections.unmodifiableList(out);
    }

    /** @return live allocations, in commit order (an unmodifiable snapshot) */
    public Collection<Allocation> allocations() {
        List<Allocation> out = new ArrayList<>(rec.allocations);
        for (int r = rec.allocHead; r >= 0; r = rec.next[r]) {
            out.add(allocationAt(r));
        }
        return Collections.unmodifiableList(out);
    }

    /** @return the number of live allocations */
    public int allocationCount() {
        return rec.allocations;
    }

    /** @return the hold, or null */
    public Hold hold(HoldId id) {
        Integer r = holdIndex.get(id);
        return r == null ? null : holdAt(r);
    }

    /** @return the job's allocation, or null */
    public Allocation allocation(JobId job) {
        int r = rec.findAllocation(job.value());
        return r < 0 ? null : allocationAt(r);
    }

    /**
     * @return the start of {@code job}'s allocation, epoch milliseconds, or -1 if it has none (cheaper than
     *     {@link #allocation(JobId)}: builds nothing)
     */
    public long startedAtMillis(JobId job) {
        int r = rec.findAllocation(job.value());
        return r < 0 ? -1 : rec.timeA[r];
    }

    /** @return the hold of {@code job} in round {@code epoch}, or null */
    public Hold holdFor(JobId job, long epoch) {
        for (int r = rec.holdHead; r >= 0; r = rec.next[r]) {
            if (rec.epoch[r] == epoch && rec.job[r].equals(job.value())) {
                return holdAt(r);
            }
        }
        return null;
    }

    private Hold holdAt(int r) {
        return new Hold(rec.hold[r], JobId.of(rec.job[r]), rec.epoch[r], rec.placement(r, this), rec.timeA[r]);
    }

    private Allocation allocationAt(int r) {
        return new Allocation(rec.hold[r], JobId.of(rec.job[r]), rec.epoch[r], rec.placement(r, this), rec.timeA[r],
                rec.timeB[r]);
    }

    /**
     * Asks {@code policy} where {@code job} fits now. Changes nothing.
     *
     * @return a fit, a reason to wait, or a reason it never fits here
     */
    public PlacementResult find(JobSpec job, PackingPolicy policy) {
        return policy.place(this, job);
    }

    /** @return holds whose expiry is at or before {@code nowMillis}, oldest first */
    public List<Hold> expiredHolds(long nowMillis) {
        List<Hold> out = new ArrayList<>();
        for (int r = rec.holdHead; r >= 0; r = rec.next[r]) {
            if (rec.timeA[r] <= nowMillis) {
                out.add(holdAt(r));
            }
        }
        return out;
    }

    /**
     * Checks that {@code event} can be applied, without applying it.
     *
     * @throws LedgerViolation if applying it would break an invariant
     */
    public void check(SiteEvent event) {
        if (event instanceof HoldCreated h) {
            checkHold(h);
        } else if (event instanceof AllocationCommitted c) {
            checkCommit(c);
        }
        // Releases are always allowed: releasing what is not there is a no-op.
    }

    /**
     * Applies one event. Releases of unknown holds or allocations are no-ops, so duplicates are safe.
     *
     * @throws LedgerViolation if it would break an invariant; the ledger is then unchanged
     */
    public void apply(SiteEvent event) {
        if (event instanceof HoldCreated h) {
            checkHold(h);
            int r = rec.addHold(h.hold(), h.job().value(), h.epoch(), h.placement(), h.expiresAtMillis());
            holdIndex.put(h.hold(), r);
            addUsage(r, +1);
        } else if (event instanceof HoldReleased r) {
            Integer at = holdIndex.remove(r.hold());
            if (at != null) {
                addUsage(at, -1);
                rec.removeHold(at);
            }
        } else if (event instanceof AllocationCommitted c) {
            checkCommit(c);
            int at = holdIndex.remove(c.hold());
            rec.commit(at, c.startedAtMillis(), c.endsAtMillis());
        } else if (event instanceof AllocationReleased r) {
            int at = rec.findAllocation(r.job().value());
            if (at >= 0 && rec.epoch[at] == r.epoch()) {
                addUsage(at, -1);
                rec.removeAllocation(at);
            }
        } else if (event instanceof SiteDrainChanged d) {
            draining = d.draining();
            drainReason = d.draining() ? d.reason() : "";
        } else {
            throw new IllegalArgumentException("unknown site event " + event);
        }
        appliedEvents++;
    }

    private void checkHold(HoldCreated h) {
        if (holdIndex.containsKey(h.hold())) {
            throw new LedgerViolation("hold " + h.hold() + " exists already at site " + site());
        }
        Placement p = h.placement();
        if (!p.site().equals(site())) {
            throw new LedgerViolation("hold " + h.hold() + " names site " + p.site() + ", this is " + site());
        }
        if (p.shares().isEmpty()) {
            throw new LedgerViolation("hold " + h.hold() + " has no devices");
        }
        int previousNode = -1;
        for (NodeShare s : p.shares()) {
            // One share per node, ascending (Placement's contract): checking each share against the usage
            // before the hold is only sound when no node, hence no device, appears twice.
            if (s.node() <= previousNode) {
                throw new LedgerViolation("hold " + h.hold() + " lists node " + s.node() + " after node "
                        + previousNode + " (shares must be one per node, in ascending node order)");
            }
            previousNode = s.node();
            if (s.node() >= nodeCount()) {
                throw new LedgerViolation("hold " + h.hold() + " names node " + s.node() + ", site " + site()
                        + " has " + nodeCount() + " nodes");
            }
            if (!nodeModel[s.node()].equals(p.model())) {
                throw new LedgerViolation("hold " + h.hold() + " wants " + p.model() + " on node " + s.node()
                        + " which has " + nodeModel[s.node()]);
            }
            int previous = -1;
            for (int d : s.devices()) {
                if (d < 0 || d >= nodeDevices[s.node()] || d <= previous) {
                    throw new LedgerViolation("hold " + h.hold() + " names device " + d + " on node " + s.node()
                            + " (devices must be ascending within 0.." + (nodeDevices[s.node()] - 1) + ")");
                }
                previous = d;
                if (used[usedStart[s.node()] + d] + s.milli() > 1000) {
                    throw new LedgerViolation("over-commit: hold " + h.hold() + " wants " + s.milli()
                            + "/1000 of device " + d + " on node " + s.node() + " of site " + site() + ", "
                            + used[usedStart[s.node()] + d] + "/1000 already allocated or held");
                }
            }
        }
    }

    private void checkCommit(AllocationCommitted c) {
        Integer h = holdIndex.get(c.hold());
        if (h == null) {
            throw new LedgerViolation("cannot commit hold " + c.hold() + " for job " + c.job() + " at site " + site()
                    + ": no such live hold (expired, released or unknown)");
        }
        if (!rec.job[h].equals(c.job().value())) {
            throw new LedgerViolation("hold " + c.hold() + " belongs to job " + rec.job[h] + ", not " + c.job());
        }
        int running = rec.findAllocation(c.job().value());
        if (running >= 0) {
            throw new LedgerViolation("job " + c.job() + " already runs at site " + site() + " (epoch "
                    + rec.epoch[running] + ")");
        }
    }

    /** Adds ({@code sign} +1) or removes (-1) the usage of record {@code r}. */
    private void addUsage(int r, int sign) {
        long where = rec.where[r];
        if (where >= 0) {
            addUsage(LedgerRecords.node(where), LedgerRecords.milli(where), LedgerRecords.mask(where), sign);
        } else {
            long[] shares = rec.extra[r];
            for (int i = 0; i < shares.length; i += 2) {
                addUsage(LedgerRecords.shareNode(shares[i]), LedgerRecords.shareMilli(shares[i]), shares[i + 1], sign);
            }
        }
    }

    private void addUsage(int node, int milli, long mask, int sign) {
        short[] u = used;
        int base = usedStart[node];
        int freeChange = 0;
        for (long m = mask; m != 0; m &= m - 1) {
            int d = base + Long.numberOfTrailingZeros(m);
            int before = u[d];
            int after = before + sign * milli;
            u[d] = (short) after;
            if (before == 0 && after > 0) {
                freeChange--;
            } else if (before > 0 && after == 0) {
                freeChange++;
            }
        }
        nodeFree[node] += freeChange;
        freeByModel[nodeModelIndex[node]] += freeChange;
    }

    /**
     * Recomputes every device's usage from the live holds and allocations and compares it with the
     * ledger's counters.
     *
     * @throws LedgerViolation naming the first node and device that disagrees or is out of range
     */
    public void checkInvariants() {
        int[][] expect = new int[nodeCount()][];
        for (int n = 0; n < nodeCount(); n++) {
            expect[n] = new int[nodeDevices[n]];
        }
        for (int r = rec.holdHead; r >= 0; r = rec.next[r]) {
            accumulate(expect, rec.placement(r, this));
        }
        for (int r = rec.allocHead; r >= 0; r = rec.next[r]) {
            accumulate(expect, rec.placement(r, this));
        }
        for (int n = 0; n < nodeCount(); n++) {
            int free = 0;
            for (int d = 0; d < nodeDevices[n]; d++) {
                int u = used[usedStart[n] + d];
                if (expect[n][d] < 0 || expect[n][d] > 1000 || expect[n][d] != u) {
                    throw new LedgerViolation("site " + site() + " node " + n + " device " + d + ": counted "
                            + u + "/1000, holds and allocations give " + expect[n][d]);
                }
                if (u == 0) {
                    free++;
                }
            }
            if (free != nodeFree[n]) {
                throw new LedgerViolation("site " + site() + " node " + n + ": free count " + nodeFree[n]
                        + " but " + free + " devices are unused");
            }
        }
        for (int m = 0; m < models.length; m++) {
            int free = 0;
            for (int n : nodesOf(models[m])) {
                free += nodeFree[n];
            }
            if (free != freeByModel[m]) {
                throw new LedgerViolation("site " + site() + " model " + models[m] + ": free count " + freeByModel[m]
                        + " but " + free + " devices are unused");
            }
        }
    }

    private static void accumulate(int[][] expect, Placement p) {
        for (NodeShare s : p.shares()) {
            for (int d : s.devices()) {
                expect[s.node()][d] += s.milli();
            }
        }
    }

    /** @return devices of {@code model} that are allocated or held (a partly used device counts as one) */
    public int usedDevices(AcceleratorModel model) {
        int n = 0;
        for (int i = 0; i < nodeCount(); i++) {
            if (nodeModel[i].equals(model)) {
                n += nodeDevices[i] - nodeFree[i];
            }
        }
        return n;
    }

    /** @return total devices with any allocation or hold */
    public int usedDevices() {
        int n = 0;
        for (int i = 0; i < nodeCount(); i++) {
            n += nodeDevices[i] - nodeFree[i];
        }
        return n;
    }

    /**
     * The site's advert: per model, capacity, free devices, largest free block on one node, fully free
     * nodes, node size, price and speed (cheapest pool of the model). Fragmentation is reported as 0
     * here; {@link #advert(long, long, int)} takes a figure computed against the pending mix.
     *
     * @param version a number that grows with every change (e.g. the journal sequence number)
     * @param nowMillis issue time, epoch milliseconds
     */
    public Advert advert(long version, long nowMillis) {
        return advert(version, nowMillis, -1);
    }

    /**
     * As {@link #advert(long, long)}, with {@code fragmentation} devices (clamped to free devices) put on
     * every model's entry when it is 0 or more.
     */
    public Advert advert(long version, long nowMillis, int fragmentation) {
        return advert(version, nowMillis, fragmentation, null);
    }

    /**
     * As {@link #advert(long, long)}, with each model's fragmentation measured against the pending mix by
     * {@link Fragmentation#byModel(SiteView, List)}: free devices of that model no pending request can use.
     *
     * @param pending the requests waiting now (empty or null: fragmentation 0)
     */
    public Advert advert(long version, long nowMillis, List<JobSpec> pending) {
        return advert(version, nowMillis, -1, Fragmentation.byModel(this, pending));
    }

    private Advert advert(long version, long nowMillis, int fragmentation, Map<AcceleratorModel, Integer> perModel) {
        Map<AcceleratorModel, int[]> agg = new TreeMap<>(); // capacity, free, largest, wholeNodes, dpn
        Map<AcceleratorModel, double[]> money = new TreeMap<>(); // price, speed
        for (int n = 0; n < nodeCount(); n++) {
            int[] a = agg.computeIfAbsent(nodeModel[n], k -> new int[5]);
            a[0] += nodeDevices[n];
            a[1] += nodeFree[n];
            a[2] = Math.max(a[2], nodeFree[n]);
            if (nodeFree[n] == nodeDevices[n]) {
                a[3]++;
            }
            a[4] = Math.max(a[4], nodeDevices[n]);
        }
        for (PoolSpec p : spec.pools()) {
            double[] m = money.get(p.model());
            if (m == null || p.pricePerDeviceHour() < m[0]) {
                money.put(p.model(), new double[] {p.pricePerDeviceHour(), p.speedFactor()});
            }
        }
        List<PoolAdvert> pools = new ArrayList<>();
        for (Map.Entry<AcceleratorModel, int[]> e : agg.entrySet()) {
            int[] a = e.getValue();
            double[] m = money.get(e.getKey());
            int frag = perModel != null ? Math.min(perModel.getOrDefault(e.getKey(), 0), a[1])
                    : fragmentation < 0 ? 0 : Math.min(fragmentation, a[1]);
            pools.add(new PoolAdvert(e.getKey(), a[0], a[1], a[2], a[3], a[4], frag, m[0], m[1]));
        }
        return new Advert(site(), spec.region(), version, nowMillis, pools, draining);
    }
}
