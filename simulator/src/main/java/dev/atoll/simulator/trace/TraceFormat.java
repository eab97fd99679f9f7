package dev.atoll.simulator.trace;

import java.nio.file.Path;
import java.time.ZoneId;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/** The trace formats the simulator reads, by command-line name. */
public enum TraceFormat {
    /** Alibaba openb pod list, see {@link OpenbTraceReader}. */
    OPENB("openb"),
    /** Microsoft Philly (Pollux CSV), see {@link PhillyTraceReader}. */
    PHILLY("philly"),
    /** Helios / Slurm accounting, see {@link HeliosTraceReader}. */
    HELIOS("helios"),
    /** Alibaba 2025 DLRM inference instances, see {@link Alibaba2025TraceReader}. */
    ALIBABA2025("alibaba2025"),
    /** Atoll's generic CSV, see {@link GenericTraceReader}. */
    GENERIC("generic");

    private final String cliName;

    TraceFormat(String cliName) {
        this.cliName = cliName;
    }

    /** @return the name used on the command line */
    public String cliName() {
        return cliName;
    }

    /**
     * Reads {@code path} in this format.
     *
     * @param zone time zone for formats with local times (Philly, Helios); null = the reader's default
     * @throws IllegalArgumentException if a required column is missing
     * @throws java.io.UncheckedIOException if the file cannot be read
     */
    public TraceReadResult read(Path path, ZoneId zone) {
        return switch (this) {
            case OPENB -> OpenbTraceReader.readPods(path);
            case PHILLY -> PhillyTraceReader.read(path, zone == null ? PhillyTraceReader.DEFAULT_ZONE : zone);
            case HELIOS -> HeliosTraceReader.read(path, zone == null ? HeliosTraceReader.DEFAULT_ZONE : zone);
            case ALIBABA2025 -> Alibaba2025TraceReader.read(path);
            case GENERIC -> GenericTraceReader.read(path);
        };
    }

    /** @return every command-line name */
    public static List<String> names() {
        return Arrays.stream(values()).map(TraceFormat::cliName).toList();
    }

    /** @throws IllegalArgumentException naming the value and the known names if it is unknown */
    public static TraceFormat byName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (TraceFormat f : values()) {
            if (f.cliName.equals(n)) {
                return f;
            }
        }
        throw new IllegalArgumentException("trace format must be one of " + names() + ", got '" + name + "'");
    }
}
