package dev.atoll.simulator.cli;

import com.sun.management.GarbageCollectionNotificationInfo;
import dev.atoll.placement.PackingPolicy;
import dev.atoll.placement.SiteChoicePolicy;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.simulator.engine.JobOutcome;
import dev.atoll.simulator.engine.QueueDiscipline;
import dev.atoll.simulator.engine.SimConfig;
import dev.atoll.simulator.engine.SimResult;
import dev.atoll.simulator.engine.Simulation;
import dev.atoll.simulator.metrics.SimSummary;
import dev.atoll.simulator.topology.FleetSplitter;
import dev.atoll.simulator.trace.FleetFile;
import dev.atoll.simulator.trace.SyntheticTrace;
import dev.atoll.simulator.trace.TraceFormat;
import dev.atoll.simulator.trace.TraceReadResult;
import dev.atoll.simulator.trace.TraceTask;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import javax.management.NotificationEmitter;
import javax.management.NotificationListener;
import javax.management.openmbean.CompositeData;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * {@code sim bench}: speed and memory figures of the simulator, printed (not a test).
 *
 * <p>Two modes. <b>Synthetic</b> ({@code --jobs N}): fits a {@link SyntheticTrace} to {@code --trace}, scales its
 * arrival rate to {@code --load} of a synthetic fleet of {@code --sites} sites with {@code --devices} devices in
 * total ({@code --devices-per-node} per node, model {@code --model}), and streams N generated jobs through
 * {@link Simulation#run(Iterator, Consumer)} into a {@link SimSummary.Accumulator} (no per-job record kept;
 * {@code --jobs-csv} streams one row per job to disk). <b>Replay</b> (no {@code --jobs}): reads {@code --trace}
 * and {@code --nodes}, splits the fleet into {@code --sites} sites and replays the whole trace once per packing
 * policy of {@code --policy}.
 *
 * <p>Memory method: a GC listener records the heap used after every full collection during the run; the bench prints
 * the largest such value after a full (major) collection (the live set), the same after a final explicit GC, the jobs streamed and the peak
 * jobs held at once (waiting or running), and divides. Run with a small {@code -Xmx} to show the heap stays
 * bounded. With {@code --gc-every N}, a full GC every N jobs pulled records heap used against the jobs held at
 * that moment; the sample with the most jobs held gives bytes per job held, counted from the heap before the
 * simulation was built (fleet ledgers and histograms included, the figure the docs quote) and from the heap once
 * they were built (fixed costs excluded). Time: wall clock of the simulation (generation included in synthetic
 * mode), and CPU time of the simulating thread.
 */
@Command(name = "bench", mixinStandardHelpOptions = true,
        description = "Print speed and memory figures: a synthetic trace at scale, or a real trace per packing policy.")
public final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    @Option(names = "--trace", required = true, description = "Trace CSV (source to fit in synthetic mode).")
    Path trace;

    @Option(names = "--trace-format", defaultValue = "philly", description = "Trace format (default ${DEFAULT-VALUE}).")
    String traceFormat;

    @Option(names = "--jobs", defaultValue = "0", description = "Synthetic jobs to generate (0 = replay the trace itself).")
    long jobs;

    @Option(names = "--nodes", description = "Fleet CSV (replay mode).")
    Path nodes;

    @Option(names = "--sites", defaultValue = "10", description = "Sites (default ${DEFAULT-VALUE}).")
    int sites;

    @Option(names = "--devices", defaultValue = "50000", description = "Synthetic fleet devices in total (default ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = "--devices-per-node", defaultValue = "8", description = "Synthetic fleet node size (default ${DEFAULT-VALUE}).")
    int devicesPerNode;

    @Option(names = "--model", defaultValue = "H800", description = "Synthetic fleet model (default ${DEFAULT-VALUE}).")
    String model;

    @Option(names = "--load", defaultValue = "0.8",
            description = "Offered load as a fraction of the synthetic fleet (default ${DEFAULT-VALUE}).")
    double load;

    @Option(names = "--policy", split = ",", defaultValue = "first-fit", description = "Packing policies (default ${DEFAULT-VALUE}).")
    List<String> policies;

    @Option(names = "--queue", defaultValue = "fifo", description = "fifo or sjf (default ${DEFAULT-VALUE}).")
    String queue;

    @Option(names = "--seed", defaultValue = "1", description = "Generator seed (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--series-sample-seconds", defaultValue = "3600",
            description = "Record utilization and queue length at most once per this many virtual seconds (default ${DEFAULT-VALUE}; 0 = every change).")
    long seriesSampleSeconds;

    @Option(names = "--gc-every", defaultValue = "0",
            description = "Memory probe: every N jobs pulled, run a full GC and record heap used / jobs held (slows the run; 0 = off).")
    long gcEvery;

    @Option(names = "--jobs-csv", description = "Stream one CSV row per job to this file.")
    Path jobsCsv;

    private final AtomicLong maxAfterGc = new AtomicLong();

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        try {
            return bench(o);
        } catch (IllegalArgumentException e) {
            spec.commandLine().getErr().println("sim bench: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 2;
        } catch (UncheckedIOException e) {
            spec.commandLine().getErr().println("sim bench: " + e.getMessage());
            spec.commandLine().getErr().flush();
            return 1;
        } finally {
            o.flush();
        }
    }

    private int bench(PrintWriter o) {
        if (sites < 1) {
            throw new IllegalArgumentException("--sites must be >= 1, got " + sites);
        }
        if (jobs < 0) {
            throw new IllegalArgumentException("--jobs must be >= 0, got " + jobs);
        }
        QueueDiscipline q = QueueDiscipline.byName(queue);
        for (String p : policies) {
            PackingPolicy.byName(p);
        }
        listenToGc();
        long t0 = System.nanoTime();
        TraceReadResult read = TraceFormat.byName(traceFormat).read(trace, null);
        o.printf(Locale.ROOT, "read %s: %d tasks in %.2f s%n", trace, read.tasks().size(), (System.nanoTime() - t0) / 1e9);
        List<SiteSpec> specs;
        SyntheticTrace synth = null;
        if (jobs > 0) {
            if (devices < devicesPerNode || devices % devicesPerNode != 0 || devices / devicesPerNode < sites) {
                throw new IllegalArgumentException("--devices must be a multiple of --devices-per-node (" + devicesPerNode
                        + ") with at least one node per site, got " + devices);
            }
            specs = syntheticFleet();
            synth = SyntheticTrace.fit(read).scaledToLoad(load, devices);
            o.printf(Locale.ROOT, "synthetic: %d jobs fitted to %d tasks, rate x%.2f (load %.2f of %d devices: %.3f jobs/s, "
                            + "%.0f device-seconds/job), %d sites x %d nodes x %d %s%n", jobs, synth.sourceSize(),
                    synth.rateScale(), load, devices, synth.meanRatePerSecond() * synth.rateScale(),
                    synth.meanDeviceSeconds(), sites, devices / devicesPerNode / sites, devicesPerNode, model);
        } else {
            if (nodes == null) {
                throw new IllegalArgumentException("replay mode (no --jobs) needs --nodes <fleet.csv>");
            }
            specs = FleetSplitter.split(FleetFile.read(nodes), FleetSplitter.defaultSiteIds(sites));
            o.printf(Locale.ROOT, "replay: %d tasks on %d sites, %d devices%n", read.tasks().size(), sites,
                    specs.stream().mapToInt(SiteSpec::deviceCount).sum());
        }
        for (String p : policies) {
            SimConfig cfg = new SimConfig(PackingPolicy.byName(p), SiteChoicePolicy.byName("default"), false, List.of(), false,
                    0, q, seriesSampleSeconds);
            Iterator<TraceTask> tasks = synth != null ? synth.iterator(jobs, seed) : read.tasks().iterator();
            runOne(o, p, q, specs, cfg, tasks);
        }
        return 0;
    }

    private void runOne(PrintWriter o, String policy, QueueDiscipline q, List<SiteSpec> specs, SimConfig cfg,
                        Iterator<TraceTask> tasks) {
        System.gc();
        long baseline = heapUsed();
        maxAfterGc.set(0);
        SimSummary.Accumulator acc = new SimSummary.Accumulator();
        Simulation sim = new Simulation(specs, cfg);
        long[] probe = new long[3]; // best sample: heap used after GC, jobs held, samples
        long built = 0; // heap with the fleet's ledgers and the summary's histograms built, before any job
        if (gcEvery > 0) {
            System.gc();
            built = heapUsed();
            Iterator<TraceTask> inner = tasks;
            tasks = new Iterator<>() {
                long pulled;

                @Override
                public boolean hasNext() {
                    return inner.hasNext();
                }

                @Override
                public TraceTask next() {
                    if (++pulled % gcEvery == 0 && sim.jobsHeld() > 0) {
                        System.gc();
                        long used = heapUsed();
                        probe[2]++;
                        if (sim.jobsHeld() > probe[1]) {
                            probe[0] = used;
                            probe[1] = sim.jobsHeld();
                        }
                    }
                    return inner.next();
                }
            };
        }
        var mx = ManagementFactory.getThreadMXBean();
        long cpu0 = mx.getCurrentThreadCpuTime();
        long t0 = System.nanoTime();
        SimResult r;
        if (jobsCsv != null) {
            try (BufferedWriter w = Files.newBufferedWriter(jobsCsv, StandardCharsets.UTF_8)) {
                w.write("id,tenant,arrival_s,start_s,end_s,site,devices,state\n");
                r = sim.run(tasks, out -> {
                    acc.accept(out);
                    writeRow(w, out);
                });
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write " + jobsCsv + ": " + e.getMessage(), e);
            }
        } else {
            r = sim.run(tasks, acc);
        }
        double wall = (System.nanoTime() - t0) / 1e9;
        double cpu = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
        SimSummary s = acc.summary(r);
        System.gc();
        long after = heapUsed();
        long peakLive = Math.max(maxAfterGc.get(), after);
        o.printf(Locale.ROOT, "%-10s queue %-4s jobs %,d completed %,d never %,d | wall %.2f s, CPU %.2f s, %,.0f jobs/s, "
                        + "%,d events, %,d placement calls%n", policy, q.cliName(), s.jobs(), s.completed(), s.neverRan(), wall, cpu,
                s.jobs() / Math.max(1e-9, wall), r.events(), r.placementCalls());
        o.printf(Locale.ROOT, "           JCT mean %.1f s p99 %d s | wait mean %.1f s p99 %d s | mean utilization %.3f%n",
                s.jct().mean(), s.jct().p99(), s.queueingDelay().mean(), s.queueingDelay().p99(), meanUtil(s));
        o.printf(Locale.ROOT, "           memory: heap before %.1f MB, max live after full GC during run %.1f MB, after final GC %.1f MB "
                        + "(-Xmx %.0f MB); peak jobs held %,d -> %.0f bytes/job held (live max - before) / peak held; "
                        + "%.1f bytes/job streamed (live max / jobs)%n", baseline / 1e6, peakLive / 1e6, after / 1e6,
                Runtime.getRuntime().maxMemory() / 1e6, sim.peakJobsHeld(),
                Math.max(0, peakLive - baseline) / (double) Math.max(1, sim.peakJobsHeld()),
                peakLive / (double) Math.max(1, s.jobs()));
        if (probe[2] > 0) {
            o.printf(Locale.ROOT, "           memory probe (%d full GCs, one per %,d jobs): at the most jobs held (%,d) heap after full GC "
                            + "%.1f MB, %.1f MB above the heap before the run -> %.0f bytes per job held; %.0f bytes per job held "
                            + "above the heap once the fleet's ledgers and the summary were built (fixed costs excluded)%n",
                    probe[2], gcEvery, probe[1], probe[0] / 1e6, (probe[0] - baseline) / 1e6,
                    (probe[0] - baseline) / (double) probe[1], (probe[0] - built) / (double) probe[1]);
        }
        o.flush();
    }

    private static double meanUtil(SimSummary s) {
        double busy = 0;
        double dev = 0;
        for (SimSummary.SiteFigures f : s.sites()) {
            busy += f.meanUtilization() * f.devices();
            dev += f.devices();
        }
        return dev == 0 ? 0 : busy / dev;
    }

    private static void writeRow(BufferedWriter w, JobOutcome out) {
        try {
            w.write(out.task().id());
            w.write(',');
            w.write(out.task().tenant());
            w.write(',');
            w.write(Long.toString(out.task().arrivalSeconds()));
            w.write(',');
            w.write(Long.toString(out.startSeconds()));
            w.write(',');
            w.write(Long.toString(out.endSeconds()));
            w.write(',');
            w.write(out.site() == null ? "" : out.site());
            w.write(',');
            w.write(Integer.toString(out.task().devices()));
            w.write(',');
            w.write(out.state().name());
            w.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private List<SiteSpec> syntheticFleet() {
        int totalNodes = devices / devicesPerNode;
        List<SiteSpec> out = new ArrayList<>();
        List<String> ids = FleetSplitter.defaultSiteIds(sites);
        for (int i = 0; i < sites; i++) {
            int n = totalNodes / sites + (i < totalNodes % sites ? 1 : 0);
            out.add(new SiteSpec(SiteId.of(ids.get(i)), "region-" + (i + 1),
                    List.of(PoolSpec.of(model, n, devicesPerNode, 80))));
        }
        return out;
    }

    private static long heapUsed() {
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private final java.util.Set<String> heapPools = new java.util.HashSet<>();

    private void listenToGc() {
        for (var p : ManagementFactory.getMemoryPoolMXBeans()) {
            if (p.getType() == java.lang.management.MemoryType.HEAP) {
                heapPools.add(p.getName());
            }
        }
        NotificationListener l = (n, h) -> {
            if (GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION.equals(n.getType())) {
                var info = GarbageCollectionNotificationInfo.from((CompositeData) n.getUserData());
                if (!info.getGcAction().contains("major")) {
                    return; // a young collection leaves old-generation garbage: not the live set
                }
                long used = 0;
                for (var e : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                    if (heapPools.contains(e.getKey())) {
                        used += e.getValue().getUsed();
                    }
                }
                long v = used;
                maxAfterGc.accumulateAndGet(v, Math::max);
            }
        };
        for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            if (gc instanceof NotificationEmitter e) {
                e.addNotificationListener(l, null, null);
            }
        }
    }
}
