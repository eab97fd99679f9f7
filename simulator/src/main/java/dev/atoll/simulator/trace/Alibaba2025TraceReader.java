package dev.atoll.simulator.trace;

import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.WorkloadKind;

import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the Alibaba 2025 GPU-disaggregated recommendation serving trace
 * ({@code alibaba-gpu-v2025/disaggregated_DLRM_trace.csv}): long-running inference instances.
 *
 * <p>Mapping: id = {@code instance_sn}; tenant = {@code app_name} (the service); devices =
 * {@code gpu_request} (a value below 1 becomes a share: devices 1, gpuMilli = value x 1000); arrival =
 * {@code creation_time} seconds, rounded, and 0 when empty (created before the trace starts); end =
 * {@code deletion_time}, and the trace end when empty (still running at the end), where the trace end is
 * the largest time in the file; duration = end - arrival; any model; kind and priority inference. CPU
 * instances ({@code role} CN, or {@code gpu_request} 0) are skipped as {@code cpu-only}.
 *
 * <p>Problems (row skipped, line reported): deletion before creation ({@code end-before-start}), equal
 * ({@code zero-duration}), negative requests ({@code negative-count}), non-numeric fields
 * ({@code not-a-number}), empty id or app ({@code missing-value}).
 */
public final class Alibaba2025TraceReader {
    /** Columns this reader needs. */
    public static final List<String> COLUMNS = List.of("instance_sn", "role", "app_name", "gpu_request",
            "creation_time", "deletion_time");

    private Alibaba2025TraceReader() {
    }

    /**
     * @throws IllegalArgumentException if a column is missing (the message names it)
     * @throws UncheckedIOException if the file cannot be read
     */
    public static TraceReadResult read(Path path) {
        Builder b = new Builder();
        CsvRows.read(path, COLUMNS, b::row);
        return b.result();
    }

    /** As {@link #read(Path)}, from a reader. */
    public static TraceReadResult read(Reader reader, String source) {
        Builder b = new Builder();
        CsvRows.read(reader, source, COLUMNS, b::row);
        return b.result();
    }

    /** As {@link #read(Path)}, from a string. */
    public static TraceReadResult read(String csv) {
        return read(new StringReader(csv), "<inline>");
    }

    private record Raw(int line, String id, String app, long created, long deleted, int devices, int milli) {
    }

    private static final class Builder {
        final TraceCollector out = new TraceCollector();
        final List<Raw> raws = new ArrayList<>();
        long traceEnd;

        void row(CsvRows row) {
            int line = row.line();
            try {
                String id = row.get("instance_sn");
                if (id.isEmpty()) {
                    throw new BadRow("instance_sn", id, "missing-value");
                }
                long created = CsvRows.isBlank(row.get("creation_time")) ? -1 : row.secondsRound("creation_time");
                long deleted = CsvRows.isBlank(row.get("deletion_time")) ? -1 : row.secondsRound("deletion_time");
                traceEnd = Math.max(traceEnd, Math.max(created, deleted));
                if (row.has("scheduled_time") && !CsvRows.isBlank(row.get("scheduled_time"))) {
                    traceEnd = Math.max(traceEnd, row.secondsRound("scheduled_time"));
                }
                String gpuText = row.get("gpu_request");
                double gpu;
                try {
                    gpu = Double.parseDouble(gpuText);
                } catch (NumberFormatException e) {
                    throw new BadRow("gpu_request", gpuText, CsvRows.isBlank(gpuText) ? "missing-value" : "not-a-number");
                }
                if (Double.isNaN(gpu) || Double.isInfinite(gpu)) {
                    throw new BadRow("gpu_request", gpuText, "not-a-number");
                }
                if (gpu < 0) {
                    throw new BadRow("gpu_request", gpuText, "negative-count");
                }
                if (gpu == 0 || row.get("role").equalsIgnoreCase("CN")) {
                    out.skip("cpu-only");
                    return;
                }
                int devices;
                int milli;
                if (gpu < 1) {
                    devices = 1;
                    milli = (int) Math.max(1, Math.round(gpu * 1000));
                } else {
                    devices = (int) Math.ceil(gpu);
                    milli = 1000;
                }
                String app = row.get("app_name");
                if (CsvRows.isBlank(app)) {
                    throw new BadRow("app_name", app, "missing-value");
                }
                if (created >= 0 && deleted >= 0 && deleted < created) {
                    throw new BadRow("deletion_time", row.get("deletion_time"), "end-before-start");
                }
                if (created >= 0 && deleted >= 0 && deleted == created) {
                    throw new BadRow("deletion_time", row.get("deletion_time"), "zero-duration");
                }
                raws.add(new Raw(line, id, app, created, deleted, devices, milli));
            } catch (BadRow e) {
                out.problem(line, e);
            }
        }

        TraceReadResult result() {
            for (Raw r : raws) {
                long start = Math.max(0, r.created());
                long end = r.deleted() < 0 ? traceEnd : r.deleted();
                if (end <= start) {
                    out.problem(r.line(), "deletion_time", r.deleted() < 0 ? "" : Long.toString(r.deleted()),
                            "zero-duration");
                    continue;
                }
                out.add(new TraceTask(r.id(), r.app(), start, end - start, r.devices(), r.milli(), ModelSet.ANY,
                        WorkloadKind.INFERENCE, PriorityClass.INFERENCE, r.line()));
            }
            return out.result();
        }
    }
}
