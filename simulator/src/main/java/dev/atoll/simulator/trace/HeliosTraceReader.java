package dev.atoll.simulator.trace;

import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.WorkloadKind;

import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Reads Slurm accounting job logs in the Helios schema ({@code cluster_log.csv}:
 * {@code job_id,user,vc,gpu_num,cpu_num,node_num,state,submit_time,start_time,end_time,duration,queue},
 * times {@code YYYY-MM-DD HH:MM:SS} local time).
 *
 * <p>Mapping: id = {@code job_id} (prefixed {@code helios-} if it does not start with a letter); tenant =
 * {@code vc}; arrival = submit time in seconds since the earliest valid submit time of the file; duration =
 * {@code end_time - start_time} seconds; devices = {@code gpu_num}; any model; kind training; priority
 * production. Time zone: {@link #DEFAULT_ZONE} (Asia/Shanghai; Helios is SenseTime's) unless given. Rows with
 * {@code gpu_num == 0} are skipped as {@code cpu-only}.
 *
 * <p>Problems (row skipped, line reported): empty or unparsable start time, or a state of {@code PENDING}
 * ({@code never-started}); end before start ({@code end-before-start}); start before submit
 * ({@code start-before-submit}); end equal to start ({@code zero-duration}); negative counts
 * ({@code negative-count}); local times missing from the zone ({@code dst-gap}); empty vc or id
 * ({@code missing-value}).
 */
public final class HeliosTraceReader {
    /** Zone assumed when none is given. */
    public static final ZoneId DEFAULT_ZONE = ZoneId.of("Asia/Shanghai");
    /** Columns this reader needs. */
    public static final List<String> COLUMNS = List.of("job_id", "vc", "gpu_num", "state", "submit_time",
            "start_time", "end_time");

    private HeliosTraceReader() {
    }

    /** {@link #read(Path, ZoneId)} in {@link #DEFAULT_ZONE}. */
    public static TraceReadResult read(Path path) {
        return read(path, DEFAULT_ZONE);
    }

    /**
     * @throws IllegalArgumentException if a column is missing (the message names it)
     * @throws UncheckedIOException if the file cannot be read
     */
    public static TraceReadResult read(Path path, ZoneId zone) {
        Builder b = new Builder(zone);
        CsvRows.read(path, COLUMNS, b::row);
        return b.result();
    }

    /** As {@link #read(Path, ZoneId)}, from a string. */
    public static TraceReadResult read(String csv, ZoneId zone) {
        Builder b = new Builder(zone);
        CsvRows.read(new StringReader(csv), "<inline>", COLUMNS, b::row);
        return b.result();
    }

    /** As {@link #read(Path, ZoneId)}, from a reader. */
    public static TraceReadResult read(Reader reader, String source, ZoneId zone) {
        Builder b = new Builder(zone);
        CsvRows.read(reader, source, COLUMNS, b::row);
        return b.result();
    }

    private record Raw(int line, String id, String vc, long submit, long duration, int gpus) {
    }

    private static final class Builder {
        final ZoneId zone;
        final TraceCollector out = new TraceCollector();
        final List<Raw> raws = new ArrayList<>();

        Builder(ZoneId zone) {
            this.zone = zone;
        }

        void row(CsvRows row) {
            int line = row.line();
            try {
                String id = row.get("job_id");
                if (id.isEmpty()) {
                    throw new BadRow("job_id", id, "missing-value");
                }
                if (!Character.isLetter(id.charAt(0))) {
                    id = "helios-" + id;
                }
                if (!CsvRows.isIdentifier(id)) {
                    throw new BadRow("job_id", row.get("job_id"), "bad-id");
                }
                int gpus = row.count("gpu_num");
                if (gpus == 0) {
                    out.skip("cpu-only");
                    return;
                }
                if (row.has("node_num")) {
                    row.count("node_num");
                }
                if (row.has("cpu_num")) {
                    row.count("cpu_num");
                }
                String vc = row.get("vc");
                if (CsvRows.isBlank(vc)) {
                    throw new BadRow("vc", vc, "missing-value");
                }
                long submit = row.localEpochSeconds("submit_time", zone);
                String state = row.get("state").toUpperCase(Locale.ROOT);
                if (state.equals("PENDING") || CsvRows.isBlank(row.get("start_time"))) {
                    throw new BadRow("start_time", row.get("start_time"), "never-started");
                }
                long start = row.localEpochSeconds("start_time", zone);
                long end = row.localEpochSeconds("end_time", zone);
                if (start < submit) {
                    throw new BadRow("start_time", row.get("start_time"), "start-before-submit");
                }
                if (end < start) {
                    throw new BadRow("end_time", row.get("end_time"), "end-before-start");
                }
                if (end == start) {
                    throw new BadRow("end_time", row.get("end_time"), "zero-duration");
                }
                raws.add(new Raw(line, id, vc, submit, end - start, gpus));
            } catch (BadRow e) {
                out.problem(line, e);
            }
        }

        TraceReadResult result() {
            long origin = raws.stream().mapToLong(Raw::submit).min().orElse(0);
            for (Raw r : raws) {
                out.add(new TraceTask(r.id(), r.vc(), r.submit() - origin, r.duration(), r.gpus(), 1000,
                        ModelSet.ANY, WorkloadKind.TRAINING, PriorityClass.PRODUCTION, r.line()));
            }
            return out.result();
        }
    }
}
