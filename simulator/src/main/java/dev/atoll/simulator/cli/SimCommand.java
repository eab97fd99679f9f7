package dev.atoll.simulator.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import de.siegmar.fastcsv.writer.CsvWriter;
import dev.atoll.placement.PackingPolicy;
import dev.atoll.placement.SiteChoicePolicy;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.simulator.engine.Failure;
import dev.atoll.simulator.engine.SimConfig;
import dev.atoll.simulator.engine.SimResult;
import dev.atoll.simulator.engine.Simulation;
import dev.atoll.simulator.engine.Sweep;
import dev.atoll.simulator.metrics.ReportWriter;
import dev.atoll.simulator.metrics.SimSummary;
import dev.atoll.simulator.topology.CapacityChange;
import dev.atoll.simulator.topology.FleetNode;
import dev.atoll.simulator.topology.FleetSplitter;
import dev.atoll.simulator.trace.FleetFile;
import dev.atoll.simulator.trace.RowProblem;
import dev.atoll.simulator.trace.TraceFormat;
import dev.atoll.simulator.trace.TraceReadResult;
import dev.atoll.simulator.trace.TraceTask;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code sim}: the simulator's command line. A plain picocli command, usable on its own with
 * {@code new CommandLine(new SimCommand()).execute(args)} or as a subcommand of a root command.
 * Subcommands: {@code run} replays one trace on a fleet split into sites and writes a report;
 * {@code sweep} runs a grid of site counts and policies in parallel and writes a comparison table.
 * Exit codes: 0 success, 1 a file could not be read or written, 2 bad input (the message names the
 * option and the value).
 */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = "Discrete-event simulation of a federation over a real trace, using the placement module.",
        subcommands = {SimCommand.Run.class, SimCommand.SweepCommand.class, BenchCommand.class})
public final class SimCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    /** Prints usage; exit code 2 (a subcommand is required). */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /** Options shared by {@code run} and {@code sweep}. */
    public static final class Common {
        @Option(names = "--trace", required = true, description = "Trace CSV file.")
        Path trace;

        @Option(names = "--trace-format", defaultValue = "openb",
                description = "openb, philly, helios, alibaba2025 or generic (default ${DEFAULT-VALUE}).")
        String traceFormat;

        @Option(names = "--zone", description = "Time zone of local times in philly/helios traces "
                + "(default America/Los_Angeles for philly, Asia/Shanghai for helios).")
        String zone;

        @Option(names = "--nodes",
                description = "Fleet CSV: openb node list (sn,cpu_milli,memory_mib,gpu,model) or spot fleet (gpu_model,gpu_capacity_num,cpu_num,node_name). "
                        + "Required unless run gets site files (--sites a.conf ...) or --vc-sites.")
        Path nodes;

        @Option(names = "--queue", defaultValue = "fifo", description = "Queue discipline: fifo or sjf (greedy pass, "
                + "shortest job first for sjf), or drf (placement's QueueScheduler: weighted DRF across tenants, "
                + "quotas, EASY backfill, preemption; no failures, no --cfp-fanout) (default ${DEFAULT-VALUE}).")
        String queue;

        @Option(names = "--quotas", description = "With --queue drf: tenant quotas CSV tenant,weight,model,guaranteed,"
                + "borrow_limit (see TenantQuotaFile); tenants not listed: weight 1, no guarantee, unlimited borrowing.")
        Path quotas;

        @Option(names = "--max-preemptions", defaultValue = "3", description = "With --queue drf: preemptions per job "
                + "at most (default ${DEFAULT-VALUE}).")
        int maxPreemptions;

        @Option(names = "--cfp-fanout", defaultValue = "0", description = "Ask only the K sites with the most free devices "
                + "of an accepted model first, then the rest, as the live Job does (atoll.job.cfp-fanout); 0 = all at once (default).")
        int cfpFanout;

        @Option(names = "--vc-sites", description = "Each tenant (virtual cluster) becomes its own site of its own model, sized to this "
                + "fraction of its peak concurrent demand (8-device nodes, at least its largest job); e.g. 0.5. Replaces --nodes.")
        Double vcSites;

        @Option(names = "--add", description = "Add capacity SITE:MODEL:NODESxDEVICES, e.g. site-b:H800:64x8 (repeatable).")
        List<String> add = new ArrayList<>();

        @Option(names = "--whole-nodes", description = "Every gang takes whole nodes (shares rounded up to a device).")
        boolean wholeNodes;

        @Option(names = "--limit", defaultValue = "0", description = "Simulate only the first N tasks by arrival (0 = all).")
        int limit;

        @Option(names = "--fail-site", description = "Site failure SITE@AT_SECONDS[+DOWN_SECONDS] (repeatable; no +DOWN = never back).")
        List<String> failSites = new ArrayList<>();

        @Option(names = "--fail-nodes", defaultValue = "0", description = "Random node failures, drawn with --seed (default 0).")
        int failNodes;

        @Option(names = "--node-repair-seconds", defaultValue = "3600", description = "Down time of each random node failure, seconds (default ${DEFAULT-VALUE}).")
        long nodeRepairSeconds;

        @Option(names = "--seed", defaultValue = "1", description = "Seed for random failures (default ${DEFAULT-VALUE}).")
        long seed;

        @Option(names = "--check-invariants", description = "Check ledger invariants after every change (slow).")
        boolean checkInvariants;

        @Option(names = "--out", required = true, description = "Output directory.")
        Path out;

        TraceFormat format;
        TraceReadResult read;
        List<TraceTask> tasks;
        List<FleetNode> fleet;
        List<CapacityChange> changes;
        List<Failure.SiteDown> siteFailures;
        double readSeconds;
        dev.atoll.simulator.engine.QueueDiscipline queueDiscipline;
        dev.atoll.simulator.engine.DrfSimulation.Settings drf;

        /** Validates options, then reads the trace and the fleet and prints what was read. */
        void load(PrintWriter o) {
            if (limit < 0) {
                throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
            }
            if (failNodes < 0) {
                throw new IllegalArgumentException("--fail-nodes must be >= 0, got " + failNodes);
            }
            if (nodeRepairSeconds < 0) {
                throw new IllegalArgumentException("--node-repair-seconds must be >= 0, got " + nodeRepairSeconds);
            }
            format = TraceFormat.byName(traceFormat);
            ZoneId z;
            try {
                z = zone == null ? null : ZoneId.of(zone);
            } catch (java.time.DateTimeException e) {
                throw new IllegalArgumentException("--zone must be a time zone id such as UTC or Asia/Shanghai, got '" + zone + "'");
            }
            changes = new ArrayList<>();
            for (String a : add) {
                changes.add(CapacityChange.parse(a));
            }
            siteFailures = new ArrayList<>();
            for (String f : failSites) {
                siteFailures.add(parseSiteFailure(f));
            }
            long t0 = System.nanoTime();
            queueDiscipline = dev.atoll.simulator.engine.QueueDiscipline.byName(queue);
            if (queueDiscipline != dev.atoll.simulator.engine.QueueDiscipline.DRF && quotas != null) {
                throw new IllegalArgumentException("--quotas needs --queue drf, got --queue " + queue);
            }
            drf = new dev.atoll.simulator.engine.DrfSimulation.Settings(quotas == null ? List.of()
                    : dev.atoll.simulator.engine.TenantQuotaFile.read(quotas), maxPreemptions);
            read = format.read(trace, z);
            fleet = nodes == null ? List.of() : FleetFile.read(nodes);
            tasks = read.tasks();
            if (limit > 0 && tasks.size() > limit) {
                tasks = tasks.subList(0, limit);
            }
            readSeconds = (System.nanoTime() - t0) / 1e9;
            o.printf("trace %s (%s): %d rows, %d tasks, skipped %s%n", trace, format.cliName(), read.rowCount(),
                    read.tasks().size(), read.skippedByReason());
            int shown = 0;
            for (RowProblem p : read.problems()) {
                if (shown++ == 5) {
                    o.printf("  ... %d more problems%n", read.problems().size() - 5);
                    break;
                }
                o.println("  problem " + p);
            }
            if (nodes != null) {
                o.printf("fleet %s: %d nodes, %d devices%n", nodes, fleet.size(), fleet.stream().mapToInt(FleetNode::devices).sum());
            }
            if (vcSites != null) {
                dev.atoll.simulator.topology.VcSites vc = dev.atoll.simulator.topology.VcSites.of(tasks, vcSites, 8);
                tasks = vc.tasks();
                vcSpecs = vc.sites();
                o.printf(Locale.ROOT, "VC sites (%.2f of each VC's peak concurrent demand, 8-device nodes): %d sites, %d devices%n",
                        vcSites, vcSpecs.size(), vcSpecs.stream().mapToInt(SiteSpec::deviceCount).sum());
            }
        }

        List<SiteSpec> vcSpecs;

        /** @return the fleet for {@code ids}: VC sites if {@code --vc-sites}, else the fleet file split; changes applied */
        List<SiteSpec> topology(List<String> ids) {
            if (vcSpecs != null) {
                List<SiteSpec> specs = vcSpecs;
                for (CapacityChange c : changes) {
                    specs = c.applyTo(specs);
                }
                return specs;
            }
            if (nodes == null) {
                throw new IllegalArgumentException("--nodes <fleet.csv> is required (or site files, or --vc-sites)");
            }
            return sites(ids);
        }

        /** @return the fleet split over {@code ids}, with the capacity changes applied */
        List<SiteSpec> sites(List<String> ids) {
            List<SiteSpec> specs = FleetSplitter.split(fleet, ids);
            for (CapacityChange c : changes) {
                specs = c.applyTo(specs);
            }
            return specs;
        }

        /** @return the site failures plus {@code --fail-nodes} random node failures drawn with the seed */
        List<Failure> failures(List<SiteSpec> specs) {
            List<Failure> f = new ArrayList<>(siteFailures);
            if (failNodes > 0) {
                long span = Math.max(1, tasks.stream().mapToLong(TraceTask::arrivalSeconds).max().orElse(1));
                SplittableRandom rnd = new SplittableRandom(seed);
                for (int i = 0; i < failNodes; i++) {
                    SiteSpec s = specs.get(rnd.nextInt(specs.size()));
                    f.add(new Failure.NodeDown(s.id().value(), rnd.nextInt(s.nodeCount()), rnd.nextLong(span),
                            nodeRepairSeconds));
                }
            }
            return f;
        }

        Map<String, Object> describe() {
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("trace", trace.toString());
            run.put("traceFormat", format.cliName());
            run.put("traceRows", read.rowCount());
            run.put("traceSkipped", read.skippedByReason());
            run.put("tasks", tasks.size());
            run.put("nodes", nodes == null ? null : nodes.toString());
            run.put("vcSites", vcSites);
            run.put("queue", queueDiscipline.cliName());
            if (quotas != null) {
                run.put("quotas", quotas.toString());
            }
            run.put("capacityChanges", changes.toString());
            run.put("wholeNodes", wholeNodes);
            run.put("seed", seed);
            return run;
        }
    }

    /** Parses {@code SITE@AT[+DOWN]} (seconds). @throws IllegalArgumentException naming the value */
    static Failure.SiteDown parseSiteFailure(String text) {
        Matcher m = Pattern.compile("([^@]+)@(\\d{1,15})(?:\\+(\\d{1,15}))?").matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("--fail-site must be SITE@AT_SECONDS[+DOWN_SECONDS], got '" + text + "'");
        }
        return new Failure.SiteDown(m.group(1), Long.parseLong(m.group(2)), m.group(3) == null ? 0 : Long.parseLong(m.group(3)));
    }

    private static int guard(CommandLine.Model.CommandSpec spec, String name, Callable<Integer> body) {
        PrintWriter err = spec.commandLine().getErr();
        try {
            return body.call();
        } catch (IllegalArgumentException e) {
            err.println("sim " + name + ": " + e.getMessage());
            err.flush();
            return 2;
        } catch (UncheckedIOException e) {
            err.println("sim " + name + ": " + e.getMessage());
            err.flush();
            return 1;
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        } finally {
            spec.commandLine().getOut().flush();
        }
    }

    /**
     * {@code sim run}: reads the trace and the fleet, splits the fleet into sites, simulates, prints a
     * summary table and writes summary.json, jobs.csv, PNG charts and report.html into {@code --out}.
     */
    @Command(name = "run", mixinStandardHelpOptions = true, description = "Replay one trace and write a report.")
    public static final class Run implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Common common = new Common();

        @Option(names = "--sites", arity = "1..*", defaultValue = "2",
                description = "Either the number of sites to split --nodes into (default ${DEFAULT-VALUE}), or one or more "
                        + "site files (HOCON, the nodes' atoll.site { id, region, pools }), e.g. --sites a.conf b.conf.")
        List<String> sitesArg;
        int sites;

        @Option(names = "--site-ids", split = ",", description = "Site ids (overrides --sites), e.g. a,b,c.")
        List<String> siteIds;

        @Option(names = "--policy", defaultValue = "best-fit", description = "In-site packing policy of the placement module: first-fit, best-fit, fgd (default ${DEFAULT-VALUE}).")
        String policy;

        @Option(names = "--site-policy", defaultValue = "default",
                description = "Placement's cross-site policy: default, earliest-start, lowest-price, load-balance, throughput, "
                        + "locality, fragmentation, or weighted name:weight,... (default ${DEFAULT-VALUE}).")
        String sitePolicy;

        @Override
        public Integer call() {
            return guard(spec, "run", () -> run(spec.commandLine().getOut()));
        }

        private int run(PrintWriter o) {
            List<SiteSpec> fromFiles = null;
            if (sitesArg.size() == 1 && sitesArg.get(0).matches("-?\\d+")) {
                sites = Integer.parseInt(sitesArg.get(0));
                if (sites < 1) {
                    throw new IllegalArgumentException("--sites must be >= 1, got " + sites);
                }
            } else {
                List<Path> files = new ArrayList<>();
                for (String f : sitesArg) {
                    files.add(Path.of(f));
                }
                fromFiles = dev.atoll.simulator.topology.SiteFileReader.readAll(files);
            }
            PackingPolicy packing = PackingPolicy.byName(policy);
            SiteChoicePolicy choice = SiteChoicePolicy.byName(sitePolicy);
            Common c = common;
            c.load(o);
            List<SiteSpec> specs;
            List<String> ids;
            if (fromFiles != null) {
                specs = fromFiles;
                for (CapacityChange ch : c.changes) {
                    specs = ch.applyTo(specs);
                }
                ids = specs.stream().map(x -> x.id().value()).toList();
                o.printf("site files: %d sites, %d devices%n", specs.size(), specs.stream().mapToInt(SiteSpec::deviceCount).sum());
            } else {
                ids = siteIds != null && !siteIds.isEmpty() ? siteIds : FleetSplitter.defaultSiteIds(sites);
                specs = c.topology(ids);
                ids = specs.stream().map(x -> x.id().value()).toList();
            }
            List<Failure> failures = c.failures(specs);
            SimConfig config = new SimConfig(packing, choice, c.wholeNodes, failures, c.checkInvariants,
                    SimConfig.DEFAULT_FRAGMENTATION_SAMPLE_SECONDS, c.queueDiscipline, 0);
            java.lang.management.ThreadMXBean mx = java.lang.management.ManagementFactory.getThreadMXBean();
            long cpu0 = mx.getCurrentThreadCpuTime();
            long t1 = System.nanoTime();
            Simulation sim = new Simulation(specs, config).withCfpFanout(c.cfpFanout).withDrf(c.drf);
            SimResult result = sim.run(c.tasks);
            double simSeconds = (System.nanoTime() - t1) / 1e9;
            double simCpuSeconds = (mx.getCurrentThreadCpuTime() - cpu0) / 1e9;
            SimSummary summary = SimSummary.of(result);
            o.print(summary.table());
            Map<String, Object> drfFigures = new java.util.LinkedHashMap<>();
            if (sim.drfRun() != null) {
                drfFigures.put("preemptions", sim.drfRun().preemptions());
                drfFigures.put("lostGpuHours", sim.drfRun().lostGpuSeconds() / 3600.0);
                drfFigures.put("backfilledStarts", sim.drfRun().backfilled());
                o.printf(Locale.ROOT, "preemptions %d, lost GPU-hours %.1f, backfilled starts %d%n",
                        sim.drfRun().preemptions(), sim.drfRun().lostGpuSeconds() / 3600.0, sim.drfRun().backfilled());
            }
            o.printf(Locale.ROOT, "read %.2f s, simulated %.2f s wall (%.2f s CPU), %.0f events/s of CPU%n", c.readSeconds,
                    simSeconds, simCpuSeconds, result.events() / Math.max(1e-9, simCpuSeconds));
            Map<String, Object> run = c.describe();
            run.put("sites", ids);
            run.put("policy", packing.name());
            run.put("sitePolicy", choice.name());
            run.put("failures", failures.toString());
            run.put("simulatedSeconds", simSeconds);
            run.put("simulatedCpuSeconds", simCpuSeconds);
            run.putAll(drfFigures);
            ReportWriter.write(c.out, run, result, summary);
            o.println("wrote " + c.out.resolve("report.html"));
            return 0;
        }
    }

    /**
     * {@code sim sweep}: every combination of {@code --sites}, {@code --policy} and {@code --site-policy},
     * run in parallel; prints a comparison table and writes sweep.csv and sweep.json into {@code --out}.
     */
    @Command(name = "sweep", mixinStandardHelpOptions = true,
            description = "Compare site counts and policies on one trace, in parallel.")
    public static final class SweepCommand implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Mixin
        Common common = new Common();

        @Option(names = "--sites", split = ",", defaultValue = "2", description = "Site counts, e.g. 2,4,8 (default ${DEFAULT-VALUE}).")
        List<Integer> sites;

        @Option(names = "--policy", split = ",", defaultValue = "best-fit", description = "Packing policies, e.g. first-fit,best-fit,fgd.")
        List<String> policies;

        @Option(names = "--site-policy", defaultValue = "default",
                description = "Cross-site policy (repeatable, since a weighted policy contains commas).")
        List<String> sitePolicies;

        @Option(names = "--threads", description = "Parallel simulations (default: available processors).")
        Integer threads;

        @Option(names = "--variant", description = "A capacity variant NAME=SITE:MODEL:NxD[;SITE:MODEL:NxD...] added on top of "
                + "--add (repeatable), e.g. plus512=site-b:H800:64x8. Without any, one variant 'base' with no change.")
        List<String> variants = new ArrayList<>();

        @Override
        public Integer call() {
            return guard(spec, "sweep", () -> sweep(spec.commandLine().getOut()));
        }

        private int sweep(PrintWriter o) throws IOException {
            int t = threads == null ? Runtime.getRuntime().availableProcessors() : threads;
            if (t < 1) {
                throw new IllegalArgumentException("--threads must be >= 1, got " + t);
            }
            for (int n : sites) {
                if (n < 1) {
                    throw new IllegalArgumentException("--sites must be >= 1, got " + n);
                }
            }
            for (String p : policies) {
                PackingPolicy.byName(p);
            }
            for (String p : sitePolicies) {
                SiteChoicePolicy.byName(p);
            }
            Map<String, List<CapacityChange>> variantChanges = parseVariants(variants);
            Common c = common;
            if (c.quotas != null) {
                throw new IllegalArgumentException("sim sweep does not take --quotas yet (every point would ignore "
                        + "them); use sim run --queue drf --quotas " + c.quotas);
            }
            c.load(o);
            List<Sweep.Point> points = new ArrayList<>();
            List<String[]> keys = new ArrayList<>();
            for (Map.Entry<String, List<CapacityChange>> v : variantChanges.entrySet()) {
                for (int n : sites) {
                    List<SiteSpec> specs = c.topology(FleetSplitter.defaultSiteIds(n));
                    for (CapacityChange change : v.getValue()) {
                        specs = change.applyTo(specs);
                    }
                    List<Failure> failures = c.failures(specs);
                    for (String p : policies) {
                        for (String sp : sitePolicies) {
                            SimConfig cfg = new SimConfig(PackingPolicy.byName(p), SiteChoicePolicy.byName(sp),
                                    c.wholeNodes, failures, c.checkInvariants,
                                    SimConfig.DEFAULT_FRAGMENTATION_SAMPLE_SECONDS, c.queueDiscipline, 0);
                            points.add(new Sweep.Point("variant=" + v.getKey() + " sites=" + n + " policy=" + p
                                    + " site-policy=" + sp, specs, cfg));
                            keys.add(new String[] {Integer.toString(n), p, sp, v.getKey()});
                        }
                    }
                }
            }
            long t0 = System.nanoTime();
            List<Sweep.Outcome> outcomes = Sweep.run(c.tasks, points, t);
            double wall = (System.nanoTime() - t0) / 1e9;
            Files.createDirectories(c.out);
            String header = String.format(Locale.ROOT, "%-10s %-6s %-10s %-22s %9s %6s %12s %10s %10s %12s %10s %8s%n",
                    "variant", "sites", "policy", "site-policy", "completed", "never", "JCT mean s", "JCT p95", "JCT p99",
                    "wait mean s", "wait p99", "sim s");
            o.print(header);
            List<Map<String, Object>> json = new ArrayList<>();
            try (Writer w = Files.newBufferedWriter(c.out.resolve("sweep.csv"), StandardCharsets.UTF_8);
                 CsvWriter csv = CsvWriter.builder().build(w)) {
                csv.writeRecord("variant", "sites", "policy", "site_policy", "jobs", "completed", "never_ran", "jct_mean_s", "jct_p50_s",
                        "jct_p95_s", "jct_p99_s", "wait_mean_s", "wait_p50_s", "wait_p95_s", "wait_p99_s", "makespan_s",
                        "mean_utilization", "restarts", "sim_seconds");
                for (int i = 0; i < outcomes.size(); i++) {
                    Sweep.Outcome out = outcomes.get(i);
                    SimSummary s = out.summary();
                    String n = keys.get(i)[0];
                    String p = keys.get(i)[1];
                    String sp = keys.get(i)[2];
                    String variant = keys.get(i)[3];
                    double util = meanUtilization(s);
                    o.printf(Locale.ROOT, "%-10s %-6s %-10s %-22s %9d %6d %12.1f %10d %10d %12.1f %10d %8.2f%n", variant, n, p, sp,
                            s.completed(), s.neverRan(), s.jct().mean(), s.jct().p95(), s.jct().p99(),
                            s.queueingDelay().mean(), s.queueingDelay().p99(), out.wallSeconds());
                    csv.writeRecord(variant, n, p, sp, Integer.toString(s.jobs()), Integer.toString(s.completed()),
                            Integer.toString(s.neverRan()), fmt(s.jct().mean()), Long.toString(s.jct().p50()),
                            Long.toString(s.jct().p95()), Long.toString(s.jct().p99()), fmt(s.queueingDelay().mean()),
                            Long.toString(s.queueingDelay().p50()), Long.toString(s.queueingDelay().p95()),
                            Long.toString(s.queueingDelay().p99()), Long.toString(s.makespanSeconds()), fmt(util),
                            Long.toString(s.restarts()), fmt(out.wallSeconds()));
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("variant", variant);
                    row.put("capacityChanges", variantChanges.get(variant).toString());
                    row.put("sites", Integer.parseInt(n));
                    row.put("policy", p);
                    row.put("sitePolicy", sp);
                    row.put("summary", s);
                    row.put("simSeconds", out.wallSeconds());
                    json.add(row);
                }
            }
            Map<String, Object> doc = new LinkedHashMap<>();
            Map<String, Object> run = c.describe();
            run.put("threads", t);
            run.put("wallSeconds", wall);
            doc.put("run", run);
            doc.put("points", json);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(c.out.resolve("sweep.json").toFile(), doc);
            o.printf(Locale.ROOT, "%d simulations on %d threads in %.2f s; wrote %s%n", outcomes.size(), t, wall,
                    c.out.resolve("sweep.csv"));
            return 0;
        }

        /**
         * Parses {@code NAME=SITE:MODEL:NxD[;...]} variants, in order.
         *
         * @throws IllegalArgumentException naming the text if a variant is malformed or a name repeats
         */
        static Map<String, List<CapacityChange>> parseVariants(List<String> texts) {
            Map<String, List<CapacityChange>> out = new LinkedHashMap<>();
            if (texts.isEmpty()) {
                out.put("base", List.of());
                return out;
            }
            for (String t : texts) {
                int eq = t.indexOf('=');
                String name = eq < 0 ? "" : t.substring(0, eq).trim();
                if (name.isEmpty() || !name.matches("[A-Za-z0-9._-]+")) {
                    throw new IllegalArgumentException("--variant must be NAME=SITE:MODEL:NxD[;...] with a name of "
                            + "[A-Za-z0-9._-], got '" + t + "'");
                }
                List<CapacityChange> changes = new ArrayList<>();
                for (String part : t.substring(eq + 1).split(";")) {
                    if (!part.isBlank()) {
                        changes.add(CapacityChange.parse(part));
                    }
                }
                if (out.put(name, changes) != null) {
                    throw new IllegalArgumentException("--variant name '" + name + "' appears twice");
                }
            }
            return out;
        }

        private static String fmt(double v) {
            return String.format(Locale.ROOT, "%.4f", v);
        }

        /** @return device-weighted mean utilization over the sites */
        private static double meanUtilization(SimSummary s) {
            double busy = 0;
            double devices = 0;
            for (SimSummary.SiteFigures f : s.sites()) {
                busy += f.meanUtilization() * f.devices();
                devices += f.devices();
            }
            return devices == 0 ? 0 : busy / devices;
        }
    }

    /** Runs {@code sim} as a program and exits with its code. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new SimCommand()).execute(args));
    }
}
