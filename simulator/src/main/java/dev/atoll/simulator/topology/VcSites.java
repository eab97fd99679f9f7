package dev.atoll.simulator.topology;

import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.simulator.trace.TraceTask;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Each tenant (virtual cluster) of a trace as its own site, as Philly's VCs were separate GPU quotas.
 *
 * <p>Rule: tenant t gets site {@code vc-<t>} with one pool of model {@code VC-<t>} (so its jobs, whose models
 * become exactly {@code VC-<t>}, run only there), {@code devicesPerNode} devices per node, and
 * nodes = max(ceil(fraction x peak(t) / devicesPerNode), ceil(largest(t) / devicesPerNode)), where peak(t) is
 * the tenant's peak concurrent device demand if every job had started on arrival (device-equivalents, a sweep
 * over arrival and arrival + duration; ends before starts at the same second), and largest(t) its largest job,
 * so every job fits. Price 1.0, speed 1.0. Sites are ordered by tenant id.
 *
 * @param sites one site per tenant
 * @param tasks the tasks with models rewritten to their tenant's model, same order
 * @param peakDemand tenant -> peak concurrent devices demanded (rounded up)
 */
public record VcSites(List<SiteSpec> sites, List<TraceTask> tasks, Map<String, Integer> peakDemand) {
    /**
     * @param tasks the trace
     * @param fraction share of each VC's peak demand to give it, {@code > 0}
     * @param devicesPerNode node size, {@code >= 1}
     * @throws IllegalArgumentException naming the argument and value if out of range, or if tasks is empty
     */
    public static VcSites of(List<TraceTask> tasks, double fraction, int devicesPerNode) {
        if (!(fraction > 0) || Double.isInfinite(fraction)) {
            throw new IllegalArgumentException("VC capacity fraction must be > 0, got " + fraction);
        }
        if (devicesPerNode < 1) {
            throw new IllegalArgumentException("devices per node must be >= 1, got " + devicesPerNode);
        }
        if (tasks.isEmpty()) {
            throw new IllegalArgumentException("no task to build VC sites from");
        }
        Map<String, List<long[]>> events = new TreeMap<>();
        Map<String, Integer> largest = new TreeMap<>();
        for (TraceTask t : tasks) {
            long milli = (long) t.devices() * t.gpuMilli();
            List<long[]> e = events.computeIfAbsent(t.tenant(), k -> new ArrayList<>());
            e.add(new long[] {t.arrivalSeconds(), 1, milli});
            e.add(new long[] {t.arrivalSeconds() + t.durationSeconds(), 0, -milli});
            largest.merge(t.tenant(), t.devices(), Math::max);
        }
        Map<String, Integer> peak = new TreeMap<>();
        List<SiteSpec> sites = new ArrayList<>();
        for (Map.Entry<String, List<long[]>> e : events.entrySet()) {
            long[][] ev = e.getValue().toArray(new long[0][]);
            Arrays.sort(ev, (a, b) -> a[0] != b[0] ? Long.compare(a[0], b[0]) : Long.compare(a[1], b[1]));
            long cur = 0;
            long max = 0;
            for (long[] x : ev) {
                cur += x[2];
                max = Math.max(max, cur);
            }
            int peakDevices = (int) Math.ceil(max / 1000.0);
            peak.put(e.getKey(), peakDevices);
            int nodes = (int) Math.max(Math.ceil(fraction * peakDevices / devicesPerNode),
                    Math.ceil(largest.get(e.getKey()) / (double) devicesPerNode));
            sites.add(new SiteSpec(SiteId.of("vc-" + e.getKey()), "vc",
                    List.of(PoolSpec.of(model(e.getKey()), Math.max(1, nodes), devicesPerNode, 0))));
        }
        List<TraceTask> out = new ArrayList<>(tasks.size());
        Map<String, ModelSet> models = new TreeMap<>();
        for (TraceTask t : tasks) {
            ModelSet m = models.computeIfAbsent(t.tenant(), k -> ModelSet.parse(model(k)));
            out.add(new TraceTask(t.id(), t.tenant(), t.arrivalSeconds(), t.durationSeconds(), t.devices(), t.gpuMilli(), m,
                    t.kind(), t.priority(), t.line()));
        }
        return new VcSites(sites, out, peak);
    }

    /** @return the model name of tenant {@code tenant}'s site: {@code VC-<tenant>} */
    public static String model(String tenant) {
        return "VC-" + tenant.replace(':', '.');
    }
}
