package dev.atoll.simulator.metrics;

import dev.atoll.protocol.SiteSpec;
import dev.atoll.simulator.engine.JobOutcome;
import dev.atoll.simulator.engine.SimResult;
import dev.atoll.simulator.engine.StepSeries;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The headline figures of a run.
 *
 * @param jobs tasks simulated
 * @param completed tasks that completed
 * @param neverRan tasks that never ran
 * @param neverRanByReason never-ran tasks by reason class: {@code never-fits} (no site could ever run it) or
 *     {@code still-waiting} (it could fit somewhere but was still queued when no event was left, e.g. a site
 *     never came back)
 * @param jct job completion time (end - arrival), seconds, over completed tasks
 * @param queueingDelay start of the final attempt - arrival, seconds, over completed tasks
 * @param makespanSeconds last completion - first arrival, seconds (0 if nothing completed)
 * @param sites per site: capacity and time-weighted mean utilization over the makespan
 * @param gpuHoursByTenant device-hours consumed (all attempts, shares counted by fraction), by tenant
 * @param restarts attempts lost to failures, over all tasks
 * @param events events processed
 * @param placementCalls calls into the placement module
 */
public record SimSummary(int jobs, int completed, int neverRan, Map<String, Integer> neverRanByReason, Stats jct,
                         Stats queueingDelay, long makespanSeconds, List<SiteFigures> sites,
                         Map<String, Double> gpuHoursByTenant, long restarts, long events, long placementCalls) {

    /**
     * @param site site id
     * @param devices capacity, devices
     * @param meanUtilization busy device-equivalents / capacity, time-weighted over the makespan, 0..1
     * @param completedJobs tasks that completed there
     * @param meanFragmentation free devices no waiting request could use, time-weighted over the makespan
     *     (placement's {@link dev.atoll.placement.Fragmentation}, sampled; 0 when not sampled)
     */
    public record SiteFigures(String site, int devices, double meanUtilization, int completedJobs,
                              double meanFragmentation) {
    }

    /** Computes the summary of {@code r} from its job list. */
    public static SimSummary of(SimResult r) {
        Accumulator a = new Accumulator();
        for (JobOutcome o : r.jobs()) {
            a.accept(o);
        }
        return a.summary(r);
    }

    /**
     * Builds a summary from outcomes streamed one at a time (e.g. the sink of
     * {@link dev.atoll.simulator.engine.Simulation#run(java.util.Iterator, java.util.function.Consumer)}),
     * holding no per-job record: distributions go into HdrHistograms ({@link Stats.Collector}), the rest into
     * counters by tenant and site. Memory is constant in the number of jobs.
     */
    public static final class Accumulator implements java.util.function.Consumer<JobOutcome> {
        private final Stats.Collector jct = new Stats.Collector();
        private final Stats.Collector wait = new Stats.Collector();
        private final Map<String, Integer> never = new TreeMap<>();
        private final Map<String, Double> gpuHours = new TreeMap<>();
        private final Map<String, Integer> perSite = new LinkedHashMap<>();
        private long first = Long.MAX_VALUE;
        private long last = Long.MIN_VALUE;
        private int jobs;
        private int completed;
        private long restarts;

        /** Adds one final outcome. */
        @Override
        public void accept(JobOutcome o) {
            jobs++;
            gpuHours.merge(o.task().tenant(), o.gpuSeconds() / 3600.0, Double::sum);
            if (o.state() == JobOutcome.State.COMPLETED) {
                completed++;
                restarts += o.attempts() - 1;
                jct.add(o.jctSeconds());
                wait.add(o.queueingDelaySeconds());
                first = Math.min(first, o.task().arrivalSeconds());
                last = Math.max(last, o.endSeconds());
                perSite.merge(o.site(), 1, Integer::sum);
            } else {
                restarts += o.attempts();
                never.merge(o.reason().startsWith("no site can ever run it") ? "never-fits" : "still-waiting", 1,
                        Integer::sum);
            }
        }

        /**
         * @param r the run's timelines and counters (its job list is not read)
         * @return the summary of the outcomes added so far
         */
        public SimSummary summary(SimResult r) {
            long makespan = completed == 0 ? 0 : last - first;
            List<SiteFigures> sites = new ArrayList<>();
            for (int i = 0; i < r.sites().size(); i++) {
                SiteSpec s = r.sites().get(i);
                StepSeries u = r.utilization().get(i);
                double mean = completed == 0 ? 0 : u.mean(first, last);
                double frag = completed == 0 ? 0 : r.fragmentation().get(i).mean(first, last);
                sites.add(new SiteFigures(s.id().value(), s.deviceCount(), mean,
                        perSite.getOrDefault(s.id().value(), 0), frag));
            }
            return new SimSummary(jobs, completed, jobs - completed, never, jct.stats(), wait.stats(), makespan, sites,
                    gpuHours, restarts, r.events(), r.placementCalls());
        }
    }

    /** @return a plain-text table for a terminal */
    public String table() {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format(Locale.ROOT, "jobs %d  completed %d  never ran %d %s  restarts %d%n", jobs, completed,
                neverRan, neverRanByReason, restarts));
        sb.append(String.format(Locale.ROOT, "makespan %s (%d s)%n", human(makespanSeconds), makespanSeconds));
        sb.append(String.format(Locale.ROOT, "%-16s %12s %10s %10s %10s %10s%n", "seconds", "mean", "p50", "p95", "p99", "max"));
        row(sb, "JCT", jct);
        row(sb, "queueing delay", queueingDelay);
        sb.append(String.format(Locale.ROOT, "%-16s %8s %12s %10s %14s%n", "site", "devices", "utilization", "completed",
                "fragmentation"));
        for (SiteFigures s : sites) {
            sb.append(String.format(Locale.ROOT, "%-16s %8d %11.1f%% %10d %14.1f%n", s.site(), s.devices(),
                    100 * s.meanUtilization(), s.completedJobs(), s.meanFragmentation()));
        }
        sb.append(String.format(Locale.ROOT, "events %d, placement calls %d%n", events, placementCalls));
        return sb.toString();
    }

    private static void row(StringBuilder sb, String name, Stats s) {
        sb.append(String.format(Locale.ROOT, "%-16s %12.1f %10d %10d %10d %10d%n", name, s.mean(), s.p50(), s.p95(),
                s.p99(), s.max()));
    }

    /** @return e.g. {@code 3d 04:05:06} */
    public static String human(long seconds) {
        long d = seconds / 86400;
        long h = seconds % 86400 / 3600;
        long m = seconds % 3600 / 60;
        long s = seconds % 60;
        return d > 0 ? String.format(Locale.ROOT, "%dd %02d:%02d:%02d", d, h, m, s)
                : String.format(Locale.ROOT, "%02d:%02d:%02d", h, m, s);
    }
}
