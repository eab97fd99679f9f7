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
import java.util.LinkedHashMap;
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
 * most one allocation at a time.
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
    private final short[][] used;
    // Micro-optimisation: per-model node lists built once, so packing scans only the model's nodes.
    private final Map<AcceleratorModel, int[]> nodesByModel = new HashMap<>();
    private static final int[] NO_NODES = new int[0];
    private final Map<HoldId, Hold> holds = new LinkedHashMap<>();
    private final Map<JobId, Allocation> allocations = new LinkedHashMap<>();
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
        used = new short[n][];
        int node = 0;
        List<PoolSpec> pools = spec.pools();
        for (int p = 0; p < pools.size(); p++) {
            PoolSpec pool = pools.get(p);
            for (int i = 0; i < pool.nodes(); i++, node++) {
                nodeModel[node] = pool.model();
                nodePool[node] = p;
                nodeDevices[node] = pool.devicesPerNode();
                nodeFree[node] = pool.devicesPerNode();
                used[node] = new short[pool.devicesPerNode()];
            }
        }
        Map<AcceleratorModel, List<Integer>> byModel = new TreeMap<>();
        for (int i = 0; i < n; i++) {
            byModel.computeIfAbsent(nodeModel[i], k -> new ArrayList<>()).add(i);
        }
        byModel.forEach((m, list) -> nodesByModel.put(m, list.stream().mapToInt(Integer::intValue).toArray()));
    }

    /**
     * @return an independent ledger with the same spec, holds, allocations, usage and event count (for
     *     what-if planning: preemption plans, reservations); changing one never changes the other
     */
    public SiteLedger copy() {
        SiteLedger c = new SiteLedger(spec);
        for (int n = 0; n < used.length; n++) {
            System.arraycopy(used[n], 0, c.used[n], 0, used[n].length);
        }
        System.arraycopy(nodeFree, 0, c.nodeFree, 0, nodeFree.length);
        c.holds.putAll(holds);
        c.allocations.putAll(allocations);
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
        return used[node][device];
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

    /** @return live holds, in creation order (unmodifiable view) */
    public Collection<Hold> holds() {
        return Collections.unmodifiableCollection(holds.values());
    }

    /** @return live allocations, in commit order (unmodifiable view) */
    public Collection<Allocation> allocations() {
        return Collections.unmodifiableCollection(allocations.values());
    }

    /** @return the hold, or null */
    public Hold hold(HoldId id) {
        return holds.get(id);
    }

    /** @return the job's allocation, or null */
    public Allocation allocation(JobId job) {
        return allocations.get(job);
    }

    /** @return the hold of {@code job} in round {@code epoch}, or null */
    public Hold holdFor(JobId job, long epoch) {
        for (Hold h : holds.values()) {
            if (h.job().equals(job) && h.epoch() == epoch) {
                return h;
            }
        }
        return null;
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
        for (Hold h : holds.values()) {
            if (h.expiresAtMillis() <= nowMillis) {
                out.add(h);
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
            holds.put(h.hold(), new Hold(h.hold(), h.job(), h.epoch(), h.placement(), h.expiresAtMillis()));
            addUsage(h.placement(), +1);
        } else if (event instanceof HoldReleased r) {
            Hold h = holds.remove(r.hold());
            if (h != null) {
                addUsage(h.placement(), -1);
            }
        } else if (event instanceof AllocationCommitted c) {
            checkCommit(c);
            Hold h = holds.remove(c.hold());
            allocations.put(c.job(), new Allocation(c.hold(), c.job(), c.epoch(), h.placement(), c.startedAtMillis(),
                    c.endsAtMillis()));
        } else if (event instanceof AllocationReleased r) {
            Allocation a = allocations.get(r.job());
            if (a != null && a.epoch() == r.epoch()) {
                allocations.remove(r.job());
                addUsage(a.placement(), -1);
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
        if (holds.containsKey(h.hold())) {
            throw new LedgerViolation("hold " + h.hold() + " exists already at site " + site());
        }
        Placement p = h.placement();
        if (!p.site().equals(site())) {
            throw new LedgerViolation("hold " + h.hold() + " names site " + p.site() + ", this is " + site());
        }
        if (p.shares().isEmpty()) {
            throw new LedgerViolation("hold " + h.hold() + " has no devices");
        }
        for (NodeShare s : p.shares()) {
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
                if (used[s.node()][d] + s.milli() > 1000) {
                    throw new LedgerViolation("over-commit: hold " + h.hold() + " wants " + s.milli()
                            + "/1000 of device " + d + " on node " + s.node() + " of site " + site() + ", "
                            + used[s.node()][d] + "/1000 already allocated or held");
                }
            }
        }
    }

    private void checkCommit(AllocationCommitted c) {
        Hold h = holds.get(c.hold());
        if (h == null) {
            throw new LedgerViolation("cannot commit hold " + c.hold() + " for job " + c.job() + " at site " + site()
                    + ": no such live hold (expired, released or unknown)");
        }
        if (!h.job().equals(c.job())) {
            throw new LedgerViolation("hold " + c.hold() + " belongs to job " + h.job() + ", not " + c.job());
        }
        if (allocations.containsKey(c.job())) {
            throw new LedgerViolation("job " + c.job() + " already runs at site " + site() + " (epoch "
                    + allocations.get(c.job()).epoch() + ")");
        }
    }

    private void addUsage(Placement p, int sign) {
        for (NodeShare s : p.shares()) {
            short[] u = used[s.node()];
            for (int d : s.devices()) {
                int before = u[d];
                int after = before + sign * s.milli();
                u[d] = (short) after;
                if (before == 0 && after > 0) {
                    nodeFree[s.node()]--;
                } else if (before > 0 && after == 0) {
                    nodeFree[s.node()]++;
                }
            }
        }
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
        for (Hold h : holds.values()) {
            accumulate(expect, h.placement());
        }
        for (Allocation a : allocations.values()) {
            accumulate(expect, a.placement());
        }
        for (int n = 0; n < nodeCount(); n++) {
            int free = 0;
            for (int d = 0; d < nodeDevices[n]; d++) {
                if (expect[n][d] < 0 || expect[n][d] > 1000 || expect[n][d] != used[n][d]) {
                    throw new LedgerViolation("site " + site() + " node " + n + " device " + d + ": counted "
                            + used[n][d] + "/1000, holds and allocations give " + expect[n][d]);
                }
                if (used[n][d] == 0) {
                    free++;
                }
            }
            if (free != nodeFree[n]) {
                throw new LedgerViolation("site " + site() + " node " + n + ": free count " + nodeFree[n]
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
