package dev.atoll.federationnode.demo;

import dev.atoll.protocol.SiteSpec;
import dev.atoll.simulator.topology.FleetNode;
import dev.atoll.simulator.topology.FleetSplitter;
import dev.atoll.simulator.trace.OpenbTraceReader;
import dev.atoll.simulator.trace.TraceReadResult;
import dev.atoll.simulator.trace.TraceTask;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Builds the demo workload from the Alibaba openb trace (cluster-trace-gpu-v2023): the node list is split
 * into sites by {@link FleetSplitter} (round-robin per accelerator model), the pod list gives the tasks
 * through {@link OpenbTraceReader}: arrival = {@code creation_time}, duration = {@code deletion_time -
 * creation_time}, CPU-only pods skipped and counted, fractional pods ({@code gpu_milli < 1000}) submitted
 * as one whole device and counted.
 */
public final class TraceWorkload {
    private TraceWorkload() {
    }

    /**
     * @param nodesCsv openb node list, e.g. {@code openb_node_list_gpu_node.csv}
     * @param podsCsv openb pod list, e.g. {@code openb_pod_list_default.csv}
     * @param siteIds the site ids to split the fleet into
     * @return the workload
     * @throws IllegalArgumentException {@code --nodes: file not found: x.csv} (or {@code --trace: ...}), or a
     *     reader's message prefixed with the option when a file cannot be parsed
     */
    public static Workload load(Path nodesCsv, Path podsCsv, List<String> siteIds) {
        requireFile("--nodes", nodesCsv);
        requireFile("--trace", podsCsv);
        List<FleetNode> nodes;
        try {
            nodes = OpenbTraceReader.readNodes(nodesCsv);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--nodes: " + nodesCsv + ": " + e.getMessage(), e);
        }
        List<SiteSpec> sites;
        try {
            sites = FleetSplitter.split(nodes, siteIds, FleetSplitter.DEFAULT_REGION);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--nodes: " + nodesCsv + ": " + e.getMessage(), e);
        }
        TraceReadResult read;
        try {
            read = OpenbTraceReader.readPods(podsCsv);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("--trace: " + podsCsv + ": " + e.getMessage(), e);
        }
        List<DemoTask> tasks = new ArrayList<>(read.tasks().size());
        for (TraceTask t : read.tasks()) {
            tasks.add(fromTrace(t));
        }
        Map<String, Integer> other = new TreeMap<>(read.skippedByReason());
        other.remove("cpu-only");
        return new Workload("openb trace " + podsCsv.getFileName() + " on " + nodesCsv.getFileName() + " ("
                + nodes.size() + " nodes)", sites, tasks, read.skipped("cpu-only"), other);
    }

    /** @return the demo task for one trace task: same id, tenant, times, devices, share, models, kind, priority */
    public static DemoTask fromTrace(TraceTask t) {
        return new DemoTask(t.id(), t.tenant(), t.arrivalSeconds(), t.durationSeconds(), t.devices(), t.gpuMilli(),
                t.models(), false, t.kind(), t.priority());
    }

    private static void requireFile(String option, Path p) {
        if (!Files.isRegularFile(p)) {
            throw new IllegalArgumentException(option + ": file not found: " + p);
        }
        if (!Files.isReadable(p)) {
            throw new IllegalArgumentException(option + ": file not readable: " + p);
        }
    }
}
