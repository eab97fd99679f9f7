package dev.atoll.federationnode.demo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.fail;

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
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 5, fidelity: the same 2,000-task openb slice through the live 3-node federation and through the
 * simulator gives the same site for at least 95% of tasks and a mean queueing delay within 10%.
 *
 * <p>Same input on both sides: tasks 5,014..7,013 of {@code openb_pod_list_default.csv} in arrival order (the
 * densest 2,000-task window, 7.2 trace days), as whole devices (the live demo submits fractional pods as one
 * device); fleet = the first {@value #NODES} GPU nodes of {@code openb_node_list_gpu_node.csv} (16 P100)
 * split into site-a/b/c (6/6/4 devices) priced 1.0/1.5/2.0 per device-hour, so tasks really queue; packing
 * first-fit at every site; site choice {@code lowest-price}; calls for proposals to every site (fan-out 3).
 *
 * <p>The live side runs in virtual trace time ({@link LockstepReplay}): measured with the simulator
 * ({@code TimingSensitivityBench}), moving event times by U(0..5) trace seconds already changes the site of
 * about 30% of these tasks and the mean queueing delay by -30..+45%, so a wall-clock time-compressed run on a
 * loaded machine cannot match any model of it robustly; the lockstep replay removes timing from the
 * comparison and leaves every decision to the federation.
 *
 * <p>Needs {@code ../shared/data} (system property {@code atoll.data}): skipped without it, failed under
 * {@code CI=true}.
 */
class FidelityTest {
    static final int FROM = 5014;
    static final int COUNT = 2000;
    static final int NODES = 8;
    static final String POLICY = "lowest-price";

    @TempDir
    Path dir;

    private static Path dataFile(String name) {
        String root = System.getProperty("atoll.data");
        Path p = root == null ? null : Path.of(root, "alibaba-gpu-v2023", name);
        if (p == null || !Files.isRegularFile(p)) {
            String why = "openb trace file " + name + " not found (system property atoll.data = " + root + ")";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + "; CI must provide ../shared/data");
            }
            Assumptions.abort(why);
        }
        return p;
    }

    @Test
    @Timeout(value = 20, unit = TimeUnit.MINUTES)
    void liveFederationAndSimulatorPlaceAnOpenbSliceAlike() throws Exception {
        List<FleetNode> fleet = OpenbTraceReader.readNodes(dataFile("openb_node_list_gpu_node.csv"));
        List<TraceTask> slice = slice(OpenbTraceReader.readPods(dataFile("openb_pod_list_default.csv")).tasks());
        List<SiteSpec> sites = pricedSites(fleet);

        SimResult sim = new Simulation(sites, SimConfig.of("first-fit")
                .withSiteChoice(SiteChoicePolicy.byName(POLICY))).run(slice);

        List<DemoTask> tasks = new ArrayList<>();
        for (TraceTask t : slice) {
            tasks.add(TraceWorkload.fromTrace(t));
        }
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        // the demo's node JVM options without -XX:TieredStopAtLevel=1: this run is long enough for C2 to pay
        List<String> jvm = new ArrayList<>(DemoOptions.DEFAULT_NODE_JVM_OPTIONS);
        jvm.removeIf(o -> o.startsWith("-XX:TieredStopAtLevel"));
        jvm.addAll(List.of(
                "-Datoll.job.cfp-fanout=" + sites.size(),
                "-Datoll.job.site-choice=" + POLICY,
                // the replay is the queue: a waiting Job must not negotiate again on its own during the run
                "-Datoll.job.retry-min=2h", "-Datoll.job.retry-max=2h",
                // the simulator does not preempt yet (issue 3, step 3 of the live-placement work): the live nodes must
                // not either, or best-effort openb tasks would be evicted live only
                "-Datoll.preemption.max-per-job=0",
                "-Datoll.site-agent.advert-interval=2ms",
                "-Dpekko.cluster.distributed-data.gossip-interval=5ms",
                "-Dpekko.cluster.distributed-data.notify-subscribers-interval=2ms"));
        // The nodes' own executor runs each workload for duration / 0.05 wall seconds (1 s -> 20 s, the longest
        // task -> 112 days): far longer than the replay takes to reach its end, which cancels it.
        double executorSpeedup = 0.05;
        long t0 = System.nanoTime();
        List<LockstepReplay.Outcome> live;
        String quiet;
        LocalFederation fed = LocalFederation.start(sites, dir.resolve("run"), executorSpeedup, cp, jvm,
                LocalFederation.NODE_MAIN);
        try {
            fed.awaitUp(Duration.ofSeconds(180));
            fed.awaitConvergence(Duration.ofSeconds(180), new PrintWriter(System.err, true));
            LockstepReplay replay = new LockstepReplay(fed.endpoints(), Duration.ofSeconds(60));
            live = replay.run(tasks);
            quiet = replay.quietStats();
        } finally {
            fed.close();
        }
        double wall = (System.nanoTime() - t0) / 1e9;

        int both = 0;
        int same = 0;
        double simDelay = 0;
        double liveDelay = 0;
        int simPlaced = 0;
        int livePlaced = 0;
        long tries = 0;
        Map<String, Integer> simSites = new TreeMap<>();
        Map<String, Integer> liveSites = new TreeMap<>();
        for (int i = 0; i < slice.size(); i++) {
            JobOutcome s = sim.jobs().get(i);
            LockstepReplay.Outcome l = live.get(i);
            tries += l.tries();
            if (s.site() != null) {
                simPlaced++;
                simDelay += s.startSeconds() - slice.get(i).arrivalSeconds();
                simSites.merge(s.site(), 1, Integer::sum);
            }
            if (l.site() != null) {
                livePlaced++;
                liveDelay += l.startSeconds() - slice.get(i).arrivalSeconds();
                liveSites.merge(l.site(), 1, Integer::sum);
            }
            if (s.site() != null && l.site() != null) {
                both++;
                if (s.site().equals(l.site())) {
                    same++;
                }
            }
        }
        simDelay /= Math.max(1, simPlaced);
        liveDelay /= Math.max(1, livePlaced);
        String report = String.format(Locale.ROOT, "fidelity: %d tasks, placed live %d %s, simulator %d %s; same site"
                        + " %d of %d (%.1f%%); mean queueing delay live %.1f s, simulator %.1f s; %d live submissions,"
                        + " %s; wall %.1f s",
                slice.size(), livePlaced, liveSites, simPlaced, simSites, same, both, 100.0 * same / Math.max(1, both),
                liveDelay, simDelay, tries, quiet, wall);
        System.out.println(report);
        Files.writeString(Path.of("target", "fidelity.txt"), report + "\n");

        assertThat(livePlaced).as(report).isEqualTo(simPlaced);
        assertThat(both).as(report).isEqualTo(simPlaced);
        assertThat(100.0 * same / both).as(report).isGreaterThanOrEqualTo(95.0);
        assertThat(simDelay).as(report).isGreaterThan(60.0); // tasks really queue
        assertThat(Math.abs(liveDelay - simDelay)).as(report).isLessThanOrEqualTo(0.10 * simDelay);
    }

    /** @return the slice in arrival order, as whole devices */
    static List<TraceTask> slice(List<TraceTask> all) {
        List<TraceTask> sorted = new ArrayList<>(all);
        sorted.sort(Comparator.comparingLong(TraceTask::arrivalSeconds));
        List<TraceTask> out = new ArrayList<>(COUNT);
        for (TraceTask t : sorted.subList(FROM, FROM + COUNT)) {
            out.add(new TraceTask(t.id(), t.tenant(), t.arrivalSeconds(), t.durationSeconds(), t.devices(), 1000,
                    t.models(), t.kind(), t.priority(), t.line()));
        }
        return out;
    }

    /** @return the first {@link #NODES} fleet nodes split into site-a/b/c, priced 1.0 / 1.5 / 2.0 per device-hour */
    static List<SiteSpec> pricedSites(List<FleetNode> fleet) {
        List<SiteSpec> split = FleetSplitter.split(fleet.subList(0, NODES), FleetSplitter.defaultSiteIds(3),
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
}
