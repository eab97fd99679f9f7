package dev.atoll.simulator.engine;

import dev.atoll.placement.QueueOrder;
import dev.atoll.placement.QueueScheduler;
import dev.atoll.placement.SiteLedger;
import dev.atoll.placement.TenantQuota;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.simulator.trace.TraceTask;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;

/**
 * The simulator's {@link QueueDiscipline#DRF} mode: every "which job next, which site, which devices, whom to
 * preempt, what to reserve for the head" decision is {@link QueueScheduler#schedule(long)}'s (weighted DRF
 * across tenants, guaranteed and borrowable {@link TenantQuota}s, EASY backfill, priority and quota-reclaim
 * preemption). The scheduler owns the site ledgers (one {@link SiteLedger} per site, driven through its own
 * hold/commit/release events); this class only supplies the clock, arrivals and completions.
 *
 * <p>Event order at one virtual second: completions ({@link QueueScheduler#finish}), then arrivals
 * ({@link QueueScheduler#submit}; a {@link QueueScheduler.Decision.Rejected} job never runs, reason
 * {@code "no site can ever run it: ..."}), then one {@code schedule(now)} pass if anything happened.
 * Requests are {@link TraceTask#toJobSpec(boolean)} with the config's whole-nodes rule (best effort is the only
 * preemptible class). Run time on a site = ceil(duration / speed factor of the pool of the placement's first
 * node), as in {@link Simulation}; the scheduler's reservations assume the requested duration (speed 1), so
 * on faster pools a head may start earlier than reserved, on slower ones later.
 *
 * <p>A {@link QueueScheduler.Decision.Preempted} job loses its attempt: the device-seconds it ran are counted
 * as lost ({@link #lostGpuSeconds()}), its completion is cancelled, and the scheduler requeues it at its old
 * place; it restarts from the beginning (no checkpoints in traces). Its {@link JobOutcome#attempts()} counts
 * every start, its {@link JobOutcome#gpuSeconds()} every attempt.
 *
 * <p>Not supported here (refused by the constructor with the option names): injected failures
 * ({@code --fail-site}, {@code --fail-nodes}) — the scheduler has no "site down" input yet. Fragmentation is
 * not sampled (empty series). One instance runs once; deterministic (same inputs, same outcomes).
 */
public final class DrfSimulation {

    /**
     * Settings of the DRF queue.
     *
     * @param quotas per tenant; tenants not listed get {@link TenantQuota#bestEffort} (weight 1, no guarantee,
     *     unlimited borrowing)
     * @param maxPreemptionsPerJob how often one job may be preempted at most, {@code >= 0}
     */
    public record Settings(List<TenantQuota> quotas, int maxPreemptionsPerJob) {
        /** No quotas, at most 3 preemptions per job. */
        public static final Settings DEFAULT = new Settings(List.of(), 3);

        /** @throws IllegalArgumentException if maxPreemptionsPerJob is negative */
        public Settings {
            quotas = List.copyOf(quotas == null ? List.of() : quotas);
            if (maxPreemptionsPerJob < 0) {
                throw new IllegalArgumentException("maxPreemptionsPerJob must be >= 0, got " + maxPreemptionsPerJob);
            }
        }
    }

    private final List<SiteSpec> sites;
    private final SimConfig config;
    private final Settings settings;
    private long preemptions;
    private double lostGpuSeconds;
    private long backfilled;
    private boolean ran;

    /**
     * @param sites the federation; site ids must be distinct
     * @param config packing, site choice and whole-nodes rule are used; the queue must be {@link QueueDiscipline#DRF}
     * @param settings quotas and preemption limit
     * @throws IllegalArgumentException if sites is empty or ids repeat, if failures are configured (naming the
     *     options), or if the queue is not drf
     */
    public DrfSimulation(List<SiteSpec> sites, SimConfig config, Settings settings) {
        if (sites == null || sites.isEmpty()) {
            throw new IllegalArgumentException("sites must not be empty");
        }
        if (config.queue() != QueueDiscipline.DRF) {
            throw new IllegalArgumentException("DrfSimulation needs queue drf, got " + config.queue().cliName());
        }
        if (!config.failures().isEmpty()) {
            throw new IllegalArgumentException("--queue drf does not support injected failures yet (--fail-site, "
                    + "--fail-nodes): got " + config.failures().size() + "; drop them or use --queue fifo or sjf");
        }
        java.util.Set<String> ids = new java.util.HashSet<>();
        for (SiteSpec s : sites) {
            if (!ids.add(s.id().value())) {
                throw new IllegalArgumentException("site id '" + s.id() + "' appears twice");
            }
        }
        this.sites = List.copyOf(sites);
        this.config = config;
        this.settings = settings == null ? Settings.DEFAULT : settings;
    }

    /** @return preemptions over the run (each lost attempt of a preempted job counts once) */
    public long preemptions() {
        return preemptions;
    }

    /** @return device-seconds of preempted attempts (devices x gpuMilli/1000 x seconds run before preemption) */
    public double lostGpuSeconds() {
        return lostGpuSeconds;
    }

    /** @return starts that the scheduler marked as backfilled (behind a waiting head without delaying it) */
    public long backfilled() {
        return backfilled;
    }

    private static final class Job {
        final TraceTask task;
        final int index;
        final JobSpec spec;
        int attempts;
        long start = -1;
        long end = -1;
        String site;
        String model;
        int siteIndex = -1;
        long milli;
        double gpuSeconds;
        boolean done;
        String never;

        Job(TraceTask task, int index, JobSpec spec) {
            this.task = task;
            this.index = index;
            this.spec = spec;
        }
    }

    private record Completion(long time, long order, Job job, int attempt) {
    }

    /**
     * Runs the trace to the end.
     *
     * @param tasks tasks with distinct ids, in any order (ties in arrival keep list order)
     * @return outcomes in the order of {@code tasks}, utilization and queue-length timelines, counters
     *     ({@code placementCalls} is 0: the scheduler's packing calls are not counted)
     * @throws IllegalArgumentException if two tasks share an id
     * @throws IllegalStateException if called twice
     */
    public SimResult run(List<TraceTask> tasks) {
        if (ran) {
            throw new IllegalStateException("a DrfSimulation runs once");
        }
        ran = true;
        List<SiteLedger> ledgers = new ArrayList<>();
        long[] capacity = new long[sites.size()];
        Map<String, Integer> siteIndex = new HashMap<>();
        for (int i = 0; i < sites.size(); i++) {
            ledgers.add(new SiteLedger(sites.get(i)));
            capacity[i] = sites.get(i).deviceCount();
            siteIndex.put(sites.get(i).id().value(), i);
        }
        QueueScheduler scheduler = new QueueScheduler(ledgers, settings.quotas(), config.packing(),
                config.siteChoice(), settings.maxPreemptionsPerJob(), QueueOrder.FIFO);
        Map<String, Job> byId = new HashMap<>();
        Job[] jobs = new Job[tasks.size()];
        for (int i = 0; i < tasks.size(); i++) {
            TraceTask t = tasks.get(i);
            Job j = new Job(t, i, t.toJobSpec(config.wholeNodes()));
            j.milli = (long) t.devices() * j.spec.gpuMilli();
            if (byId.put(t.id(), j) != null) {
                throw new IllegalArgumentException("task id '" + t.id() + "' appears twice (line " + t.line() + ")");
            }
            jobs[i] = j;
        }
        Job[] arrivals = jobs.clone();
        Arrays.sort(arrivals, Comparator.comparingLong((Job j) -> j.task.arrivalSeconds())); // stable
        PriorityQueue<Completion> completions = new PriorityQueue<>(Comparator.comparingLong(Completion::time)
                .thenComparingLong(Completion::order));
        List<StepSeries> utilization = new ArrayList<>();
        List<StepSeries> fragmentation = new ArrayList<>();
        for (int i = 0; i < sites.size(); i++) {
            utilization.add(new StepSeries());
            fragmentation.add(new StepSeries());
        }
        StepSeries queueLength = new StepSeries();
        long[] busyMilli = new long[sites.size()];
        long events = 0;
        long passes = 0;
        long completionOrder = 0;
        int waiting = 0;
        int next = 0;
        while (next < arrivals.length || !completions.isEmpty()) {
            long now = completions.isEmpty() ? arrivals[next].task.arrivalSeconds()
                    : next >= arrivals.length ? completions.peek().time()
                    : Math.min(completions.peek().time(), arrivals[next].task.arrivalSeconds());
            boolean changed = false;
            while (!completions.isEmpty() && completions.peek().time() == now) {
                Completion c = completions.poll();
                events++;
                Job j = c.job();
                if (c.attempt() != j.attempts || j.done || j.start < 0) {
                    continue; // a preempted attempt's completion
                }
                scheduler.finish(j.spec.id(), now);
                busyMilli[j.siteIndex] -= j.milli;
                j.done = true;
                j.end = now;
                j.gpuSeconds += j.milli / 1000.0 * (now - j.start);
                changed = true;
            }
            while (next < arrivals.length && arrivals[next].task.arrivalSeconds() == now) {
                Job j = arrivals[next++];
                events++;
                QueueScheduler.Decision d = scheduler.submit(j.spec, now);
                if (d instanceof QueueScheduler.Decision.Rejected r) {
                    j.never = "no site can ever run it: " + r.reason();
                } else {
                    waiting++;
                    changed = true;
                }
            }
            if (changed) {
                passes++;
                for (QueueScheduler.Decision d : scheduler.schedule(now)) {
                    if (d instanceof QueueScheduler.Decision.Started s) {
                        Job j = byId.get(s.job().value());
                        int site = siteIndex.get(s.site().value());
                        SiteSpec spec = sites.get(site);
                        SiteLedger l = ledgers.get(site);
                        PoolSpec pool = spec.pools().get(l.pool(s.placement().shares().get(0).node()));
                        long run = Math.max(1, (long) Math.ceil(j.task.durationSeconds() / pool.speedFactor()));
                        j.attempts++;
                        j.start = now;
                        j.site = spec.id().value();
                        j.model = s.placement().model().name();
                        j.siteIndex = site;
                        busyMilli[site] += j.milli;
                        waiting--;
                        if (s.backfilled()) {
                            backfilled++;
                        }
                        completions.add(new Completion(now + run, completionOrder++, j, j.attempts));
                    } else if (d instanceof QueueScheduler.Decision.Preempted p) {
                        Job j = byId.get(p.job().value());
                        double lost = j.milli / 1000.0 * (now - j.start);
                        j.gpuSeconds += lost;
                        lostGpuSeconds += lost;
                        preemptions++;
                        busyMilli[j.siteIndex] -= j.milli;
                        j.start = -1; // its pending completion is now stale (the next start bumps attempts)
                        waiting++;
                    }
                }
            }
            for (int i = 0; i < sites.size(); i++) {
                utilization.get(i).add(now, capacity[i] == 0 ? 0 : busyMilli[i] / (capacity[i] * 1000.0));
            }
            queueLength.add(now, waiting);
        }
        List<JobOutcome> out = new ArrayList<>(jobs.length);
        for (Job j : jobs) {
            if (j.done) {
                out.add(new JobOutcome(j.task, JobOutcome.State.COMPLETED, j.start, j.end, j.site, j.model, j.attempts,
                        j.gpuSeconds, ""));
            } else {
                String reason = j.never != null ? j.never : "still waiting when the simulation ended";
                out.add(new JobOutcome(j.task, JobOutcome.State.NEVER_RAN, -1, -1, null, null, j.attempts,
                        j.gpuSeconds, reason));
            }
        }
        return new SimResult(sites, out, utilization, fragmentation, queueLength, events, passes, 0);
    }
}
