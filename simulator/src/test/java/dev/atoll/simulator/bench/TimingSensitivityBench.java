package dev.atoll.simulator.bench;

import dev.atoll.placement.SiteChoicePolicy;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.simulator.engine.JobOutcome;
import dev.atoll.simulator.engine.SimConfig;
import dev.atoll.simulator.engine.SimResult;
import dev.atoll.simulator.engine.Simulation;
import dev.atoll.simulator.topology.FleetNode;
import dev.atoll.simulator.topology.FleetSplitter;
import dev.atoll.simulator.trace.OpenbTraceReader;
import dev.atoll.simulator.trace.TraceTask;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Random;

/**
 * How much the simulated outcome of an openb slice moves when event times move by a few trace seconds (not a
 * test; {@code ./mvnw verify} does not run it). It answers: how precisely must a live, wall-clock
 * time-compressed federation keep trace time for its per-task sites and mean queueing delay to match the
 * simulator's?
 *
 * <p>Setup (the fidelity comparison's): {@code --count} (2,000) openb GPU tasks in arrival order from index
 * {@code --from} (5,014: the densest 2,000-task window of {@code openb_pod_list_default.csv}, 7.2 trace days),
 * submitted as whole devices (as the live demo submits them); fleet = the first {@code --nodes} GPU nodes of
 * {@code openb_node_list_gpu_node.csv} split into site-a/b/c by {@link FleetSplitter}, priced 1.0 / 1.5 / 2.0
 * per device-hour; packing first-fit; site choice {@code --policy} (lowest-price).
 *
 * <p>For each jitter J it runs the unperturbed slice and {@code --seeds} perturbed copies: each task arrives
 * U(0, J) s later (negotiation latency) and runs U(-J, J) s longer or shorter (completion timing). It prints
 * the share of tasks placed at the same site as unperturbed (worst and mean over seeds) and the mean queueing
 * delay (measured from the original arrival, as the live demo measures from submission).
 *
 * <pre>
 * ./mvnw -B -q -o test-compile -pl simulator
 * java -cp simulator/target/test-classes:simulator/target/classes:$(cat cp.txt) \
 *     dev.atoll.simulator.bench.TimingSensitivityBench --data ../shared/data --nodes 8,12,16 --jitter 2,5,20,100
 * </pre>
 * ({@code cp.txt} from {@code ./mvnw -q -o -pl simulator dependency:build-classpath -Dmdep.outputFile=cp.txt}.)
 */
public final class TimingSensitivityBench {
    private TimingSensitivityBench() {
    }

    /**
     * @param args {@code --data dir --from n --count n --nodes n,n --policy name --jitter s,s --seeds n}
     * @throws IllegalArgumentException naming an unknown argument
     */
    public static void main(String[] args) {
        Path data = Path.of("../shared/data");
        int from = 5014;
        int count = 2000;
        String nodes = "8,12,16";
        String policy = "lowest-price";
        String jitters = "2,5,20,100";
        int seeds = 3;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--data" -> data = Path.of(args[++i]);
                case "--from" -> from = Integer.parseInt(args[++i]);
                case "--count" -> count = Integer.parseInt(args[++i]);
                case "--nodes" -> nodes = args[++i];
                case "--policy" -> policy = args[++i];
                case "--jitter" -> jitters = args[++i];
                case "--seeds" -> seeds = Integer.parseInt(args[++i]);
                default -> throw new IllegalArgumentException("unknown argument '" + args[i] + "'; known: --data"
                        + " --from --count --nodes --policy --jitter --seeds");
            }
        }
        Path dir = data.resolve("alibaba-gpu-v2023");
        List<FleetNode> fleet = OpenbTraceReader.readNodes(dir.resolve("openb_node_list_gpu_node.csv"));
        List<TraceTask> slice = slice(OpenbTraceReader.readPods(dir.resolve("openb_pod_list_default.csv")).tasks(),
                from, count);
        SimConfig config = SimConfig.of("first-fit").withSiteChoice(SiteChoicePolicy.byName(policy));
        for (String n : nodes.split(",")) {
            List<SiteSpec> sites = pricedSites(fleet, Integer.parseInt(n.trim()));
            SimResult base = new Simulation(sites, config).run(slice);
            System.out.printf(Locale.ROOT, "nodes %s (%d devices), policy %s: unperturbed mean queueing delay %.0f s%n",
                    n.trim(), sites.stream().mapToInt(SiteSpec::deviceCount).sum(), policy, meanDelay(base, slice));
            for (String js : jitters.split(",")) {
                long j = Long.parseLong(js.trim());
                double worst = 100;
                double sumSame = 0;
                double minDelay = Double.MAX_VALUE;
                double maxDelay = 0;
                for (int seed = 1; seed <= seeds; seed++) {
                    SimResult r = new Simulation(sites, config).run(perturb(slice, j, seed));
                    double same = sameSitePercent(base, r);
                    worst = Math.min(worst, same);
                    sumSame += same;
                    double d = meanDelay(r, slice);
                    minDelay = Math.min(minDelay, d);
                    maxDelay = Math.max(maxDelay, d);
                }
                System.out.printf(Locale.ROOT, "  jitter %4d s: same site %.1f%% worst, %.1f%% mean of %d seeds;"
                        + " mean queueing delay %.0f .. %.0f s%n", j, worst, sumSame / seeds, seeds, minDelay, maxDelay);
            }
        }
    }

    /** @return tasks {@code from .. from+count-1} in arrival order, as whole devices */
    static List<TraceTask> slice(List<TraceTask> all, int from, int count) {
        List<TraceTask> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingLong(TraceTask::arrivalSeconds));
        if (from < 0 || count < 1 || from + count > sorted.size()) {
            throw new IllegalArgumentException("--from/--count: " + from + "+" + count + " outside the "
                    + sorted.size() + " GPU tasks");
        }
        List<TraceTask> out = new ArrayList<>(count);
        for (TraceTask t : sorted.subList(from, from + count)) {
            out.add(new TraceTask(t.id(), t.tenant(), t.arrivalSeconds(), t.durationSeconds(), t.devices(), 1000,
                    t.models(), t.kind(), t.priority(), t.line()));
        }
        return out;
    }

    /** @return the first {@code n} fleet nodes split into site-a/b/c, priced 1.0 / 1.5 / 2.0 per device-hour */
    static List<SiteSpec> pricedSites(List<FleetNode> fleet, int n) {
        List<SiteSpec> split = FleetSplitter.split(fleet.subList(0, n), FleetSplitter.defaultSiteIds(3),
                FleetSplitter.DEFAULT_REGION);
        List<SiteSpec> out = new ArrayList<>();
        for (int i = 0; i < split.size(); i++) {
            SiteSpec s = split.get(i);
            List<PoolSpec> pools = new ArrayList<>();
            for (PoolSpec p : s.pools()) {
                pools.add(new PoolSpec(p.model(), p.nodes(), p.devicesPerNode(), p.memoryGiB(), 1.0 + 0.5 * i,
                        p.speedFactor()));
            }
            out.add(new SiteSpec(s.id(), s.region(), pools));
        }
        return out;
    }

    private static List<TraceTask> perturb(List<TraceTask> slice, long j, long seed) {
        Random r = new Random(seed);
        List<TraceTask> out = new ArrayList<>(slice.size());
        for (TraceTask t : slice) {
            long late = (long) (r.nextDouble() * j);
            long longer = (long) ((r.nextDouble() * 2 - 1) * j);
            out.add(new TraceTask(t.id(), t.tenant(), t.arrivalSeconds() + late,
                    Math.max(1, t.durationSeconds() + longer), t.devices(), t.gpuMilli(), t.models(), t.kind(),
                    t.priority(), t.line()));
        }
        return out;
    }

    private static double sameSitePercent(SimResult a, SimResult b) {
        int both = 0;
        int same = 0;
        for (int i = 0; i < a.jobs().size(); i++) {
            JobOutcome x = a.jobs().get(i);
            JobOutcome y = b.jobs().get(i);
            if (x.site() != null && y.site() != null) {
                both++;
                if (x.site().equals(y.site())) {
                    same++;
                }
            }
        }
        return both == 0 ? 0 : 100.0 * same / both;
    }

    /** Mean of start - original arrival over the tasks that started. */
    private static double meanDelay(SimResult r, List<TraceTask> original) {
        double sum = 0;
        int n = 0;
        for (int i = 0; i < r.jobs().size(); i++) {
            JobOutcome o = r.jobs().get(i);
            if (o.startSeconds() >= 0) {
                sum += o.startSeconds() - original.get(i).arrivalSeconds();
                n++;
            }
        }
        return n == 0 ? Double.NaN : sum / n;
    }
}
