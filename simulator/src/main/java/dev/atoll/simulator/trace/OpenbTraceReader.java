package dev.atoll.simulator.trace;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.WorkloadKind;
import dev.atoll.simulator.topology.FleetNode;

import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads the Alibaba "openb" GPU cluster trace (cluster-trace-gpu-v2023).
 *
 * <p>Pod list columns: {@code name,cpu_milli,memory_mib,num_gpu,gpu_milli,gpu_spec,qos,pod_phase,
 * creation_time,deletion_time,scheduled_time} (times in seconds from trace start). Mapping:
 * <ul>
 *   <li>id = {@code name}; arrival = {@code creation_time}; duration = {@code deletion_time - creation_time}
 *       seconds (pods still running at trace end carry the trace end as deletion time, so their duration
 *       is a lower bound). Pods that never got scheduled ({@code Pending}) are kept: their demand is real.</li>
 *   <li>devices = {@code num_gpu}; {@code gpu_milli} is kept (1..1000, the share of one device when
 *       {@code num_gpu == 1}); rows with {@code num_gpu == 0} are skipped under reason {@code cpu-only}
 *       (not a problem).</li>
 *   <li>models = {@code gpu_spec} split on {@code |}; empty or {@code nan} = {@link ModelSet#ANY}.</li>
 *   <li>priority: {@code LS}, {@code Guaranteed}, {@code Burstable} -> {@link PriorityClass#PRODUCTION};
 *       {@code BE} -> {@link PriorityClass#BEST_EFFORT}. Kind: {@code LS} -> {@link WorkloadKind#INFERENCE},
 *       others {@link WorkloadKind#BATCH}. Tenant = {@code "qos-" + qos} in lower case (openb has no tenants).</li>
 * </ul>
 * Problems reported (row skipped, line number given): missing or non-numeric fields
 * ({@code missing-value}, {@code not-a-number}), negative counts ({@code negative-count}),
 * {@code gpu_milli} outside 1..1000 or below 1000 with several GPUs ({@code bad-gpu-milli}), deletion
 * before creation ({@code end-before-start}), deletion equal to creation ({@code zero-duration}),
 * unknown qos ({@code unknown-qos}), unparsable model names ({@code bad-model}).
 */
public final class OpenbTraceReader {
    /** Pod list columns this reader needs. */
    public static final List<String> POD_COLUMNS = List.of("name", "num_gpu", "gpu_milli", "gpu_spec", "qos",
            "creation_time", "deletion_time");
    /** Node list columns this reader needs. */
    public static final List<String> NODE_COLUMNS = List.of("sn", "cpu_milli", "memory_mib", "gpu", "model");

    private OpenbTraceReader() {
    }

    /**
     * Reads an openb pod list.
     *
     * @param path e.g. {@code alibaba-gpu-v2023/openb_pod_list_default.csv}
     * @return tasks, problems and skip counts
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException if the header lacks a needed column (e.g. {@code openb_pod_list_multigpu50.csv}
     *     carries no times); the message names the missing columns
     */
    public static TraceReadResult readPods(Path path) {
        TraceCollector out = new TraceCollector();
        CsvRows.read(path, POD_COLUMNS, row -> pod(row, out));
        return out.result();
    }

    /** As {@link #readPods(Path)}, from text; {@code source} names it in messages. */
    public static TraceReadResult readPods(Reader reader, String source) {
        TraceCollector out = new TraceCollector();
        CsvRows.read(reader, source, POD_COLUMNS, row -> pod(row, out));
        return out.result();
    }

    private static void pod(CsvRows row, TraceCollector out) {
        int line = row.line();
        try {
            String name = row.get("name");
            if (name.isEmpty()) {
                throw new BadRow("name", name, "missing-value");
            }
            int gpus = row.count("num_gpu");
            if (gpus == 0) {
                out.skip("cpu-only");
                return;
            }
            int milli = row.count("gpu_milli");
            if (milli < 1 || milli > 1000 || (milli < 1000 && gpus > 1)) {
                throw new BadRow("gpu_milli", row.get("gpu_milli"), "bad-gpu-milli");
            }
            long created = row.longValue("creation_time");
            if (created < 0) {
                throw new BadRow("creation_time", row.get("creation_time"), "negative-time");
            }
            long deleted = row.longValue("deletion_time");
            if (deleted < created) {
                throw new BadRow("deletion_time", row.get("deletion_time"), "end-before-start");
            }
            if (deleted == created) {
                throw new BadRow("deletion_time", row.get("deletion_time"), "zero-duration");
            }
            String qos = row.get("qos");
            PriorityClass priority;
            WorkloadKind kind;
            switch (qos.toUpperCase(Locale.ROOT)) {
                case "LS" -> { priority = PriorityClass.PRODUCTION; kind = WorkloadKind.INFERENCE; }
                case "GUARANTEED", "BURSTABLE" -> { priority = PriorityClass.PRODUCTION; kind = WorkloadKind.BATCH; }
                case "BE" -> { priority = PriorityClass.BEST_EFFORT; kind = WorkloadKind.BATCH; }
                default -> throw new BadRow("qos", qos, "unknown-qos");
            }
            ModelSet models;
            try {
                models = ModelSet.parse(row.get("gpu_spec"));
            } catch (IllegalArgumentException e) {
                throw new BadRow("gpu_spec", row.get("gpu_spec"), "bad-model");
            }
            TraceTask t;
            try {
                t = new TraceTask(name, "qos-" + qos.toLowerCase(Locale.ROOT), created, deleted - created, gpus,
                        milli, models, kind, priority, line);
            } catch (IllegalArgumentException e) {
                throw new BadRow("row", name, "invalid: " + e.getMessage());
            }
            out.add(t);
        } catch (BadRow b) {
            out.problem(line, b);
        }
    }

    /**
     * Reads an openb node list ({@code sn,cpu_milli,memory_mib,gpu,model}); nodes with {@code gpu == 0}
     * are returned too (the splitter skips them).
     *
     * @param path e.g. {@code alibaba-gpu-v2023/openb_node_list_gpu_node.csv}
     * @return nodes in file order
     * @throws IllegalArgumentException naming line, field and value for a row that makes no sense
     *     (a fleet file is small and must be clean), or if a column is missing
     * @throws UncheckedIOException if the file cannot be read
     */
    public static List<FleetNode> readNodes(Path path) {
        List<FleetNode> nodes = new ArrayList<>();
        CsvRows.read(path, NODE_COLUMNS, row -> nodes.add(node(row, path.toString())));
        return nodes;
    }

    /** As {@link #readNodes(Path)}, from text. */
    public static List<FleetNode> readNodes(Reader reader, String source) {
        List<FleetNode> nodes = new ArrayList<>();
        CsvRows.read(reader, source, NODE_COLUMNS, row -> nodes.add(node(row, source)));
        return nodes;
    }

    /** Convenience for tests: {@link #readPods(Reader, String)} on a string. */
    public static TraceReadResult readPods(String csv) {
        return readPods(new StringReader(csv), "<inline>");
    }

    private static FleetNode node(CsvRows row, String source) {
        try {
            String sn = row.get("sn");
            if (sn.isEmpty()) {
                throw new BadRow("sn", sn, "missing-value");
            }
            int gpus = row.count("gpu");
            int cpu = row.count("cpu_milli");
            long mem = row.longValue("memory_mib");
            if (mem < 0) {
                throw new BadRow("memory_mib", row.get("memory_mib"), "negative-count");
            }
            String model = row.get("model");
            if (gpus > 0 && CsvRows.isBlank(model)) {
                throw new BadRow("model", model, "missing-value");
            }
            AcceleratorModel m;
            try {
                m = CsvRows.isBlank(model) ? null : AcceleratorModel.of(model);
            } catch (IllegalArgumentException e) {
                throw new BadRow("model", model, "bad-model");
            }
            return new FleetNode(sn, m, gpus, cpu, mem);
        } catch (BadRow b) {
            throw new IllegalArgumentException(source + " line " + row.line() + ": " + b.getMessage());
        }
    }
}
