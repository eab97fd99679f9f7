package dev.atoll.simulator.trace;

import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.WorkloadKind;

import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Reads Atoll's own trace format, a CSV with a header line.
 *
 * <p>Required columns: {@code id} (job id, 1..128 of {@code [A-Za-z0-9._:-]}), {@code tenant} (same rule),
 * {@code arrival_seconds} (seconds from trace start, {@code >= 0}), {@code duration_seconds} ({@code >= 1}),
 * {@code devices} ({@code >= 1}). Optional columns: {@code models} (e.g. {@code A100-80GB|H800}; empty or
 * {@code *} = any), {@code gpu_milli} (1..1000, default 1000; below 1000 only with one device), {@code kind}
 * ({@code training}, {@code inference}, {@code batch}; default batch), {@code priority}
 * ({@code best-effort}, {@code production}, {@code inference}; default production). Other columns are ignored.
 *
 * <p>Problems (row skipped, line reported): missing or non-numeric values, negative numbers
 * ({@code negative-count}), {@code duration_seconds} 0 ({@code non-positive-duration}), {@code devices} 0
 * ({@code zero-devices}), bad ids, models, kind or priority ({@code bad-value}).
 */
public final class GenericTraceReader {
    /** Required columns. */
    public static final List<String> COLUMNS = List.of("id", "tenant", "arrival_seconds", "duration_seconds", "devices");

    private GenericTraceReader() {
    }

    /**
     * @throws IllegalArgumentException if a required column is missing (the message names it)
     * @throws UncheckedIOException if the file cannot be read
     */
    public static TraceReadResult read(Path path) {
        TraceCollector out = new TraceCollector();
        CsvRows.read(path, COLUMNS, r -> row(r, out));
        return out.result();
    }

    /** As {@link #read(Path)}, from a reader. */
    public static TraceReadResult read(Reader reader, String source) {
        TraceCollector out = new TraceCollector();
        CsvRows.read(reader, source, COLUMNS, r -> row(r, out));
        return out.result();
    }

    /** As {@link #read(Path)}, from a string. */
    public static TraceReadResult read(String csv) {
        return read(new StringReader(csv), "<inline>");
    }

    private static void row(CsvRows row, TraceCollector out) {
        int line = row.line();
        try {
            String id = row.get("id");
            String tenant = row.get("tenant");
            checkId("id", id);
            checkId("tenant", tenant);
            long arrival = row.longValue("arrival_seconds");
            if (arrival < 0) {
                throw new BadRow("arrival_seconds", row.get("arrival_seconds"), "negative-count");
            }
            long duration = row.longValue("duration_seconds");
            if (duration < 0) {
                throw new BadRow("duration_seconds", row.get("duration_seconds"), "negative-count");
            }
            if (duration == 0) {
                throw new BadRow("duration_seconds", row.get("duration_seconds"), "non-positive-duration");
            }
            int devices = row.count("devices");
            if (devices == 0) {
                throw new BadRow("devices", row.get("devices"), "zero-devices");
            }
            int milli = 1000;
            if (row.has("gpu_milli") && !CsvRows.isBlank(row.get("gpu_milli"))) {
                milli = row.count("gpu_milli");
                if (milli < 1 || milli > 1000 || (milli < 1000 && devices > 1)) {
                    throw new BadRow("gpu_milli", row.get("gpu_milli"), "bad-value");
                }
            }
            ModelSet models;
            try {
                models = ModelSet.parse(row.get("models"));
            } catch (IllegalArgumentException e) {
                throw new BadRow("models", row.get("models"), "bad-value");
            }
            WorkloadKind kind = WorkloadKind.BATCH;
            if (row.has("kind") && !row.get("kind").isEmpty()) {
                try {
                    kind = WorkloadKind.valueOf(row.get("kind").toUpperCase(Locale.ROOT));
                } catch (IllegalArgumentException e) {
                    throw new BadRow("kind", row.get("kind"), "bad-value");
                }
            }
            PriorityClass priority = PriorityClass.PRODUCTION;
            if (row.has("priority") && !row.get("priority").isEmpty()) {
                try {
                    priority = PriorityClass.parse(row.get("priority"));
                } catch (IllegalArgumentException e) {
                    throw new BadRow("priority", row.get("priority"), "bad-value");
                }
            }
            try {
                out.add(new TraceTask(id, tenant, arrival, duration, devices, milli, models, kind, priority, line));
            } catch (IllegalArgumentException e) {
                throw new BadRow("row", id, "bad-value");
            }
        } catch (BadRow b) {
            out.problem(line, b);
        }
    }

    private static void checkId(String field, String v) {
        if (v.isEmpty()) {
            throw new BadRow(field, v, "missing-value");
        }
        if (!CsvRows.isIdentifier(v)) {
            throw new BadRow(field, v, "bad-value");
        }
    }
}
