package dev.atoll.federationnode.demo;

import java.nio.file.Path;
import java.util.List;

/**
 * Everything {@link DemoRunner} needs. Null means "use the default" where noted.
 *
 * @param nodesCsv openb node list; null for the built-in workload (then {@code traceCsv} must be null too)
 * @param traceCsv openb pod list; null for the built-in workload
 * @param seed seed of the built-in generator
 * @param tasks tasks of the built-in generator
 * @param speedup trace seconds per wall second; null = arrival span / {@code targetSeconds}
 * @param limit replay only the first N tasks; null = all
 * @param settleSeconds how long to poll for unsettled jobs after the last submission, seconds, {@code >= 0}
 * @param keepRunning leave the nodes running after the summary until Ctrl-C
 * @param runDir run directory; null = {@code <home>/var/demo/<timestamp>}
 * @param home the Atoll checkout (for the default run directory)
 * @param concurrency HTTP requests in flight at most
 * @param upTimeoutSeconds how long nodes get to come up and converge, seconds
 * @param classpath class path of the node JVMs
 * @param nodeMain main class of the node JVMs
 * @param jvmOptions JVM options of the node JVMs
 */
public record DemoOptions(Path nodesCsv, Path traceCsv, long seed, int tasks, Double speedup, Integer limit,
                          double settleSeconds, boolean keepRunning, Path runDir, Path home, int concurrency,
                          double upTimeoutSeconds, String classpath, String nodeMain, List<String> jvmOptions) {
    /**
     * Wall seconds the arrivals of a trace are compressed into by default. 40 rather than 120: 90% of the
     * openb pods arrive in the last fifth of the span, so at 120 s the first ~95 wall seconds carried a few
     * hundred submissions and the burst after them was paced by the federation's throughput anyway (about
     * 30 to 60 submissions per second on the shared 2-core machine); at 40 s the idle stretch is ~32 s.
     */
    public static final double TRACE_TARGET_SECONDS = 40;
    /** Wall seconds the arrivals of the built-in workload are compressed into by default. */
    public static final double BUILT_IN_TARGET_SECONDS = 30;
    /** Default HTTP requests in flight (submissions and bulk reads). */
    public static final int DEFAULT_CONCURRENCY = 16;
    /** Default JVM options of a node process: small heap, serial GC, quick start on few cores. */
    public static final List<String> DEFAULT_NODE_JVM_OPTIONS = List.of("-Xms64m", "-Xmx512m", "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1", "-Xss512k");

    public DemoOptions {
        jvmOptions = List.copyOf(jvmOptions);
        if ((nodesCsv == null) != (traceCsv == null)) {
            throw new IllegalArgumentException(nodesCsv == null ? "--nodes: required with --trace"
                    : "--trace: required with --nodes");
        }
        if (speedup != null && (!(speedup > 0) || speedup.isInfinite())) {
            throw new IllegalArgumentException("--speedup: must be a finite number > 0, got " + speedup);
        }
        if (limit != null && limit < 1) {
            throw new IllegalArgumentException("--limit: must be >= 1, got " + limit);
        }
        if (!(settleSeconds >= 0)) {
            throw new IllegalArgumentException("--settle-seconds: must be >= 0, got " + settleSeconds);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("--concurrency: must be >= 1, got " + concurrency);
        }
        if (!(upTimeoutSeconds > 0)) {
            throw new IllegalArgumentException("--up-timeout: must be > 0, got " + upTimeoutSeconds);
        }
    }

    /** @return the built-in workload's options with defaults: seed 42, 600 tasks, settle 60 s, concurrency 16 */
    public static DemoOptions builtIn(Path home, String classpath) {
        return new DemoOptions(null, null, WorkloadGenerator.DEFAULT_SEED, WorkloadGenerator.DEFAULT_TASKS, null, null,
                60, false, null, home, DEFAULT_CONCURRENCY, 180, classpath, LocalFederation.NODE_MAIN, DEFAULT_NODE_JVM_OPTIONS);
    }

    /** @return true when replaying a trace rather than the built-in workload */
    public boolean fromTrace() {
        return traceCsv != null;
    }
}
