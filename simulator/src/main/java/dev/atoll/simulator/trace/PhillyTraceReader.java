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

/**
 * Reads the Microsoft Philly trace as prepared for the Pollux artifact ({@code philly/philly.csv},
 * columns {@code timestamp,duration,num_gpus,gpu_time,cluster}).
 *
 * <p>Mapping: {@code timestamp} is the submit time, local time {@code YYYY-MM-DD HH:MM:SS} in the reader's
 * time zone ({@link #DEFAULT_ZONE} = America/Los_Angeles unless given; the trace does not state its zone, and
 * Philly ran in Microsoft's US data centres); arrival = seconds since the earliest valid submit time in the
 * file. duration = {@code duration} seconds rounded up; devices = {@code num_gpus}; tenant = {@code cluster}
 * (the hashed virtual cluster); id = {@code philly-<line>} (the file has no job ids); models = any (the
 * trace names no GPU model); kind training; priority production. {@code gpu_time} is not used.
 *
 * <p>Problems (row skipped, line reported): local times that do not exist in the zone ({@code dst-gap};
 * in an autumn overlap the earlier offset is used), unparsable times ({@code bad-time}), empty cluster
 * ({@code missing-value}), duration {@code <= 0} ({@code non-positive-duration}), negative GPU counts
 * ({@code negative-count}), zero GPUs ({@code zero-devices}), non-numeric fields ({@code not-a-number}).
 */
public final class PhillyTraceReader {
    /** The zone assumed for timestamps when none is given. */
    public static final ZoneId DEFAULT_ZONE = ZoneId.of("America/Los_Angeles");
    /** Columns this reader needs. */
    public static final List<String> COLUMNS = List.of("timestamp", "duration", "num_gpus", "cluster");

    private PhillyTraceReader() {
    }

    /** {@link #read(Path, ZoneId)} in {@link #DEFAULT_ZONE}. */
    public static TraceReadResult read(Path path) {
        return read(path, DEFAULT_ZONE);
    }

    /**
     * @param zone time zone of the {@code timestamp} column
     * @throws IllegalArgumentException if a column is missing (the message names it)
     * @throws UncheckedIOException if the file cannot be read
     */
    public static TraceReadResult read(Path path, ZoneId zone) {
        Builder b = new Builder(zone);
        CsvRows.read(path, COLUMNS, b::row);
        return b.result();
    }

    /** As {@link #read(Path, ZoneId)}, from text. */
    public static TraceReadResult read(Reader reader, String source, ZoneId zone) {
        Builder b = new Builder(zone);
        CsvRows.read(reader, source, COLUMNS, b::row);
        return b.result();
    }

    /** As {@link #read(Reader, String, ZoneId)} on a string. */
    public static TraceReadResult read(String csv, ZoneId zone) {
        return read(new StringReader(csv), "<inline>", zone);
    }

    private record Raw(int line, long submitEpoch, long duration, int gpus, String cluster) {
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
                long submit = row.localEpochSeconds("timestamp", zone);
                long duration = row.secondsCeil("duration");
                if (duration <= 0) {
                    throw new BadRow("duration", row.get("duration"), "non-positive-duration");
                }
                int gpus = row.count("num_gpus");
                if (gpus == 0) {
                    throw new BadRow("num_gpus", row.get("num_gpus"), "zero-devices");
                }
                String cluster = row.get("cluster");
                if (CsvRows.isBlank(cluster)) {
                    throw new BadRow("cluster", cluster, "missing-value");
                }
                if (!CsvRows.isIdentifier(cluster)) {
                    throw new BadRow("cluster", cluster, "bad-tenant");
                }
                raws.add(new Raw(line, submit, duration, gpus, cluster));
            } catch (BadRow e) {
                out.problem(line, e);
            }
        }

        TraceReadResult result() {
            long origin = raws.stream().mapToLong(Raw::submitEpoch).min().orElse(0);
            for (Raw r : raws) {
                out.add(new TraceTask("philly-" + r.line(), r.cluster(), r.submitEpoch() - origin, r.duration(),
                        r.gpus(), 1000, ModelSet.ANY, WorkloadKind.TRAINING, PriorityClass.PRODUCTION, r.line()));
            }
            return out.result();
        }
    }
}
