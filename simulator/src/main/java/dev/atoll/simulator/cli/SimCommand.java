package dev.atoll.simulator.cli;

import dev.atoll.placement.PackingPolicy;
import dev.atoll.placement.SiteChoicePolicy;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.simulator.engine.Failure;
import dev.atoll.simulator.engine.SimConfig;
import dev.atoll.simulator.engine.SimResult;
import dev.atoll.simulator.engine.Simulation;
import dev.atoll.simulator.metrics.ReportWriter;
import dev.atoll.simulator.metrics.SimSummary;
import dev.atoll.simulator.topology.FleetNode;
import dev.atoll.simulator.topology.FleetSplitter;
import dev.atoll.simulator.trace.FleetFile;
import dev.atoll.simulator.trace.RowProblem;
import dev.atoll.simulator.trace.TraceFormat;
import dev.atoll.simulator.trace.TraceReadResult;
import dev.atoll.simulator.trace.TraceTask;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;

/**
 * {@code sim}: the simulator's command line. A plain picocli command, usable on its own with
 * {@code new CommandLine(new SimCommand()).execute(args)} or as a subcommand of a root command.
 * Subcommand {@code run} replays one trace on a fleet split into sites.
 */
@Command(name = "sim", mixinStandardHelpOptions = true,
        description = "Discrete-event simulation of a federation over a real trace, using the placement module.",
        subcommands = {SimCommand.Run.class})
public final class SimCommand implements Callable<Integer> {
    @Spec
    CommandLine.Model.CommandSpec spec;

    /** Prints usage; exit code 2 (a subcommand is required). */
    @Override
    public Integer call() {
        spec.commandLine().usage(spec.commandLine().getErr());
        return 2;
    }

    /**
     * {@code sim run}: reads the trace and the fleet, splits the fleet into sites, simulates, prints a
     * summary table and writes summary.json, jobs.csv, PNG charts and report.html into {@code --out}.
     * Exit code 0 on success, 2 on bad input (the message names the option and value).
     */
    @Command(name = "run", mixinStandardHelpOptions = true, description = "Replay one trace and write a report.")
    public static final class Run implements Callable<Integer> {
        @Spec
        CommandLine.Model.CommandSpec spec;

        @Option(names = "--trace", required = true, description = "Trace CSV file.")
        Path trace;

        @Option(names = "--trace-format", defaultValue = "openb",
                description = "openb, philly, helios, alibaba2025 or generic (default ${DEFAULT-VALUE}).")
        String traceFormat;

        @Option(names = "--zone", description = "Time zone of local times in philly/helios traces "
                + "(default America/Los_Angeles for philly, Asia/Shanghai for helios).")
        String zone;

        @Option(names = "--nodes", required = true,
                description = "Fleet CSV: openb node list (sn,cpu_milli,memory_mib,gpu,model) or spot fleet (gpu_model,gpu_capacity_num,cpu_num,node_name).")
        Path nodes;

        @Option(names = "--sites", defaultValue = "2", description = "Number of sites to split the fleet into (default ${DEFAULT-VALUE}).")
        int sites;

        @Option(names = "--site-ids", split = ",", description = "Site ids (overrides --sites), e.g. a,b,c.")
        List<String> siteIds;

        @Option(names = "--policy", defaultValue = "best-fit", description = "In-site packing policy of the placement module (default ${DEFAULT-VALUE}).")
        String policy;

        @Option(names = "--site-policy", defaultValue = "default",
                description = "Placement's cross-site policy: default, earliest-start, lowest-price, load-balance, throughput, "
                        + "locality, fragmentation, or weighted name:weight,... (default ${DEFAULT-VALUE}).")
        String sitePolicy;

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

        @Override
        public Integer call() {
            PrintWriter o = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                return run(o);
            } catch (IllegalArgumentException e) {
                err.println("sim run: " + e.getMessage());
                err.flush();
                return 2;
            } catch (java.io.UncheckedIOException e) {
                err.println("sim run: " + e.getMessage());
                err.flush();
                return 1;
            }
        }

        private int run(PrintWriter o) {
            if (sites < 1) {
                throw new IllegalArgumentException("--sites must be >= 1, got " + sites);
            }
            if (limit < 0) {
                throw new IllegalArgumentException("--limit must be >= 0, got " + limit);
            }
            TraceFormat format = TraceFormat.byName(traceFormat);
            PackingPolicy packing = PackingPolicy.byName(policy);
            SiteChoicePolicy chooser = SiteChoicePolicy.byName(sitePolicy);
            ZoneId z;
            try {
                z = zone == null ? null : ZoneId.of(zone);
            } catch (java.time.DateTimeException e) {
                throw new IllegalArgumentException("--zone must be a time zone id such as UTC or Asia/Shanghai, got '" + zone + "'");
            }
            List<Failure.SiteDown> siteFailures = new ArrayList<>();
            for (String f : failSites) {
                siteFailures.add(parseSiteFailure(f));
            }
            long t0 = System.nanoTime();
            TraceReadResult read = format.read(trace, z);
            List<FleetNode> fleet = FleetFile.read(nodes);
            List<String> ids = siteIds != null && !siteIds.isEmpty() ? siteIds : FleetSplitter.defaultSiteIds(sites);
            List<SiteSpec> specs = FleetSplitter.split(fleet, ids);
            List<TraceTask> tasks = read.tasks();
            if (limit > 0 && tasks.size() > limit) {
                tasks = tasks.subList(0, limit);
            }
            long t1 = System.nanoTime();
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
            o.printf("fleet %s: %d nodes, %d devices -> %d sites%n", nodes, fleet.size(),
                    fleet.stream().mapToInt(FleetNode::devices).sum(), specs.size());
            List<Failure> failures = failures(siteFailures, specs, tasks);
            SimConfig config = new SimConfig(packing, chooser, wholeNodes, failures, checkInvariants);
            SimResult result = new Simulation(specs, config).run(tasks);
            long t2 = System.nanoTime();
            SimSummary summary = SimSummary.of(result);
            o.print(summary.table());
            o.printf("read %.2f s, simulated %.2f s%n", (t1 - t0) / 1e9, (t2 - t1) / 1e9);
            Map<String, Object> run = new LinkedHashMap<>();
            run.put("trace", trace.toString());
            run.put("traceFormat", format.cliName());
            run.put("nodes", nodes.toString());
            run.put("sites", ids);
            run.put("policy", packing.name());
            run.put("sitePolicy", chooser.name());
            run.put("wholeNodes", wholeNodes);
            run.put("seed", seed);
            run.put("failures", failures.toString());
            run.put("traceRows", read.rowCount());
            run.put("traceSkipped", read.skippedByReason());
            run.put("simulatedSeconds", (t2 - t1) / 1e9);
            ReportWriter.write(out, run, result, summary);
            o.println("wrote " + out.resolve("report.html"));
            o.flush();
            return 0;
        }

        private List<Failure> failures(List<Failure.SiteDown> siteFailures, List<SiteSpec> specs, List<TraceTask> tasks) {
            List<Failure> f = new ArrayList<>(siteFailures);
            if (failNodes < 0) {
                throw new IllegalArgumentException("--fail-nodes must be >= 0, got " + failNodes);
            }
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

        /** Parses {@code SITE@AT[+DOWN]}. @throws IllegalArgumentException naming the value */
        static Failure.SiteDown parseSiteFailure(String text) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("([^@]+)@(\\d+)(?:\\+(\\d+))?").matcher(text.trim());
            if (!m.matches()) {
                throw new IllegalArgumentException("--fail-site must be SITE@AT_SECONDS[+DOWN_SECONDS], got '" + text + "'");
            }
            return new Failure.SiteDown(m.group(1), Long.parseLong(m.group(2)), m.group(3) == null ? 0 : Long.parseLong(m.group(3)));
        }
    }

    /** Runs {@code sim} as a program. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new SimCommand()).execute(args));
    }
}
