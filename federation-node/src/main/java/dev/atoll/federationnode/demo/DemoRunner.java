package dev.atoll.federationnode.demo;

import dev.atoll.simulator.topology.FleetSplitter;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Locale;

/**
 * Runs the demo: loads the workload, starts one node process per site, waits until they are up and see
 * each other, replays the workload, stops the nodes and prints the summary. The nodes are stopped on every
 * path out: normal end, error, and Ctrl-C (a shutdown hook).
 */
public final class DemoRunner {
    /** Number of sites the trace's fleet is split into. */
    public static final int TRACE_SITES = 3;

    /**
     * What a run produced.
     *
     * @param summary the summary printed
     * @param runDir the run directory
     * @param nodePids process ids of the node JVMs started (all gone when {@link #run} returns)
     */
    public record Result(DemoSummary summary, Path runDir, List<Long> nodePids) {
    }

    private DemoRunner() {
    }

    /**
     * Loads the workload the options describe, with {@code --limit} applied.
     *
     * @throws IllegalArgumentException naming the option for a missing or bad file
     */
    public static Workload workload(DemoOptions o) {
        Workload w = o.fromTrace()
                ? TraceWorkload.load(o.nodesCsv(), o.traceCsv(), FleetSplitter.defaultSiteIds(TRACE_SITES))
                : WorkloadGenerator.generate(o.seed(), o.tasks());
        if (w.tasks().isEmpty()) {
            throw new IllegalArgumentException("--trace: no GPU task in " + o.traceCsv());
        }
        return o.limit() == null ? w : w.limit(o.limit());
    }

    /**
     * @return {@code options.speedup()} if given, else the arrival span divided by the target wall time
     *     ({@value DemoOptions#TRACE_TARGET_SECONDS} s for a trace, {@value DemoOptions#BUILT_IN_TARGET_SECONDS}
     *     s built-in), at least 1
     */
    public static double speedup(DemoOptions o, Workload w) {
        if (o.speedup() != null) {
            return o.speedup();
        }
        double target = o.fromTrace() ? DemoOptions.TRACE_TARGET_SECONDS : DemoOptions.BUILT_IN_TARGET_SECONDS;
        return Math.max(1.0, w.arrivalSpanSeconds() / target);
    }

    /**
     * Runs the demo.
     *
     * @param o options
     * @param out stdout: the summary, ending with {@code demo: placed P of S submitted tasks (R rejected) in T s}
     * @param err stderr: progress and status
     * @return the result
     * @throws IllegalArgumentException for bad options or input files (nothing started)
     * @throws IllegalStateException when a node fails to start or the sites do not converge (nodes stopped)
     * @throws IOException when the run directory cannot be written
     */
    public static Result run(DemoOptions o, PrintWriter out, PrintWriter err) throws IOException, InterruptedException {
        long t0 = System.nanoTime();
        Workload w = workload(o);
        double speedup = speedup(o, w);
        Path runDir = freshRunDir(o);
        err.printf(Locale.ROOT, "demo: %s%n", w.source());
        err.printf(Locale.ROOT, "demo: %d tasks over %,.1f trace hours, speedup %,.1f (arrivals in ~%.0f wall s); "
                + "%d sites; run dir %s%n", w.tasks().size(), w.arrivalSpanSeconds() / 3600.0, speedup,
                w.arrivalSpanSeconds() / speedup, w.sites().size(), runDir);
        err.flush();
        Duration upTimeout = Duration.ofMillis((long) (o.upTimeoutSeconds() * 1000));
        LocalFederation fed = LocalFederation.prepare(w.sites(), runDir, speedup, o.classpath(), o.jvmOptions(),
                o.nodeMain());
        // The hook is in place before the first node is spawned: a Ctrl-C or SIGTERM at any moment from here
        // on stops every node started so far, and no node is started after it (LocalFederation.close).
        Thread hook = new Thread(() -> {
            err.println("demo: interrupted: stopping nodes");
            err.flush();
            fed.close();
        }, "atoll-demo-stop-nodes");
        Runtime.getRuntime().addShutdownHook(hook);
        List<JobOutcome> outcomes;
        long startAt = System.nanoTime();
        long upAt = 0;
        long convergedAt = 0;
        long submittedAt = 0;
        long settledAt = 0;
        try {
            fed.startNodes();
            fed.awaitUp(upTimeout);
            for (NodeEndpoint e : fed.endpoints()) {
                err.printf("demo: %s up at %s (log %s)%n", e.site(), e.url(), runDir.resolve(e.site() + ".log"));
            }
            upAt = System.nanoTime();
            err.printf(Locale.ROOT, "demo: %d nodes started in parallel, all up after %.1f s%n", w.sites().size(),
                    (upAt - startAt) / 1e9);
            err.flush();
            fed.awaitConvergence(upTimeout, err);
            convergedAt = System.nanoTime();
            err.printf(Locale.ROOT, "demo: all %d sites see each other after %.1f s; replaying%n", w.sites().size(),
                    (System.nanoTime() - t0) / 1e9);
            err.flush();
            Replayer replayer = new Replayer(fed.endpoints(), speedup, o.concurrency(), err,
                    ProgressBar.stderrIsTerminal());
            outcomes = replayer.run(w.tasks(), Duration.ofMillis((long) (o.settleSeconds() * 1000)));
            submittedAt = replayer.lastAnswerNanos();
            settledAt = System.nanoTime();
            if (o.keepRunning()) {
                JobsCsv.write(runDir.resolve("jobs.csv"), outcomes, speedup);
                DemoSummary s = new DemoSummary(w, outcomes, speedup, (System.nanoTime() - t0) / 1e9);
                err.println("demo: --keep-running: nodes stay up until Ctrl-C:");
                for (NodeEndpoint e : fed.endpoints()) {
                    err.printf("  %s  %s%n", e.site(), e.url());
                }
                err.flush();
                out.print(s.render());
                out.flush();
                for (NodeProcess n : fed.nodes()) {
                    while (n.isAlive()) {
                        Thread.sleep(1000);
                    }
                }
                return new Result(s, runDir, fed.pids());
            }
        } finally {
            err.println("demo: stopping nodes");
            err.flush();
            fed.close();
            try {
                Runtime.getRuntime().removeShutdownHook(hook);
            } catch (IllegalStateException e) {
                // already shutting down: the hook runs anyway and close() is idempotent
            }
        }
        long stoppedAt = System.nanoTime();
        err.printf(Locale.ROOT, "demo: wall time by phase: load %.1f s, node start %.1f s, convergence %.1f s, "
                + "submit %.1f s, settle %.1f s, stop %.1f s%n", (startAt - t0) / 1e9, (upAt - startAt) / 1e9,
                (convergedAt - upAt) / 1e9, (submittedAt - convergedAt) / 1e9, (settledAt - submittedAt) / 1e9,
                (stoppedAt - settledAt) / 1e9);
        JobsCsv.write(runDir.resolve("jobs.csv"), outcomes, speedup);
        DemoSummary s = new DemoSummary(w, outcomes, speedup, (System.nanoTime() - t0) / 1e9);
        err.println("demo: one line per job in " + runDir.resolve("jobs.csv"));
        err.flush();
        out.print(s.render());
        out.flush();
        return new Result(s, runDir, fed.pids());
    }

    private static Path freshRunDir(DemoOptions o) throws IOException {
        if (o.runDir() != null) {
            if (Files.exists(o.runDir())) {
                try (var entries = Files.list(o.runDir())) {
                    if (entries.findAny().isPresent()) {
                        throw new IllegalArgumentException("--run-dir: not empty: " + o.runDir());
                    }
                }
            }
            return Files.createDirectories(o.runDir()).toAbsolutePath();
        }
        String stamp = LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
        Path base = o.home().resolve("var").resolve("demo");
        Files.createDirectories(base);
        for (int i = 0; ; i++) {
            Path p = base.resolve(i == 0 ? stamp : stamp + "-" + i);
            try {
                return Files.createDirectory(p).toAbsolutePath();
            } catch (java.nio.file.FileAlreadyExistsException e) {
                // try the next suffix
            }
        }
    }
}
