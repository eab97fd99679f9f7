package dev.atoll.simulator.engine;

import dev.atoll.placement.Fragmentation;
import dev.atoll.placement.Offer;
import dev.atoll.placement.Offers;
import dev.atoll.placement.PlacementResult;
import dev.atoll.placement.SiteLedger;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.HoldCreated;
import dev.atoll.protocol.event.HoldReleased;
import dev.atoll.protocol.event.SiteEvent;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import dev.atoll.simulator.trace.TraceTask;

import dev.atoll.protocol.AcceleratorModel;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Discrete-event simulation of a federation of sites over a trace, driving one placement
 * {@link SiteLedger} per site.
 *
 * <p>Virtual time is in whole seconds from trace start. Events at the same second run in this order:
 * completions, failures, recoveries, arrivals (then by scheduling order); after all events of a second,
 * one scheduling pass runs. Every decision goes through the placement module: each site's packing
 * policy ({@link SiteLedger#find}) says where a job fits (or that it waits, or never fits); each site that
 * fits makes an {@link Offer} by {@link Offers#of(SiteLedger, Placement, int)}, the function the live SiteAgent
 * builds its bid with (start estimate 0, the price and speed of the pool of the placement's first node,
 * fragmentation delta 0, free devices of the model left after the placement, the site's region); the placement module's {@link dev.atoll.placement.SiteChoicePolicy}
 * ranks the offers and the first wins; the start is recorded in the site's ledger as
 * a {@link HoldCreated} immediately followed by {@link AllocationCommitted} (negotiation takes no
 * virtual time); completions and failures apply {@link AllocationReleased}.
 *
 * <p>Queue discipline (greedy backfill): waiting jobs are tried in order of priority (highest first),
 * then arrival, then trace line; a job that does not fit is skipped and later jobs may start. Within
 * one pass, once a request shape (models, devices, share, whole nodes) has failed everywhere, later jobs
 * of the same shape are skipped, since starting jobs only takes devices away. A job that no site could
 * ever run ({@link PlacementResult.Never} at every site) is rejected at arrival with the sites' reasons.
 *
 * <p>Run time on a site = ceil(duration / speed factor of the pool of its first node). Failures:
 * {@link Failure.SiteDown} takes a site out of the candidates and loses its running work;
 * {@link Failure.NodeDown} loses the work touching the node and fences the node with a maintenance hold
 * until it recovers. Lost jobs rejoin the queue in their original order.
 *
 * <p>Streaming ({@link #run(Iterator, Consumer)}): arrivals are pulled from an iterator one at a time (only
 * the next arrival is scheduled), and each job's outcome is handed to a sink as soon as it is final and then
 * forgotten, so memory holds only the jobs waiting or running (plus the time series, bounded by
 * {@link SimConfig#seriesSampleSeconds()}), not the trace.
 *
 * <p>Queue order: {@link SimConfig#queue()} ({@link QueueDiscipline}).
 *
 * <p>Not thread-safe; one instance runs once. Deterministic: the same inputs give the same result.
 */
public final class Simulation {
    private static final int T_COMPLETION = 0;
    private static final int T_FAILURE = 1;
    private static final int T_RECOVERY = 2;
    private static final int T_ARRIVAL = 3;
    private static final long HOLD_TTL_MILLIS = 60_000;

    private final List<SiteSpec> sites;
    private final SimConfig config;
    private final SiteLedger[] ledgers;
    private final boolean[] up;
    private final long[] busyMilli;
    private final long[] capacity;
    private final Map<String, Integer> siteIndex = new HashMap<>();
    private final EventQueue<Object> events = new EventQueue<>();
    private final Comparator<Job> order;
    private final boolean lexicographicChoice;
    private final TreeSet<Job> pending;
    private final Map<AcceleratorModel, Integer>[] modelIndex;
    private final int[][] freeByModel; // site -> model index -> fully free devices (maintained in apply)
    private Iterator<TraceTask> source;
    private Consumer<JobOutcome> sink;
    private int nextSeq;
    private long lastArrival = -1;
    private long jobsHeld;
    private long peakJobsHeld;
    private long jobsSeen;
    private long nextSeriesSample;
    private final Map<Shape, Integer> pendingShapes = new HashMap<>();
    private final List<Job> arrivedThisStep = new ArrayList<>();
    private final Map<Shape, String> neverCache = new HashMap<>();
    private final Map<Long, HoldId> maintenance = new HashMap<>(); // site<<32|node -> hold
    private final List<StepSeries> utilization = new ArrayList<>();
    private final List<StepSeries> fragmentation = new ArrayList<>();
    private final Map<Shape, JobSpec> shapeSpec = new HashMap<>();
    private long nextFragmentationSample;
    private final StepSeries queueLength = new StepSeries();
    private boolean freed;
    private long now;
    private long holdSerial;
    private long eventCount;
    private long passes;
    private long placementCalls;
    private boolean ran;

    /**
     * @param sites the federation; site ids must be distinct
     * @param config policies and failures
     * @throws IllegalArgumentException if sites is empty, ids repeat, or a failure names an unknown site or node
     */
    public Simulation(List<SiteSpec> sites, SimConfig config) {
        if (sites == null || sites.isEmpty()) {
            throw new IllegalArgumentException("sites must not be empty");
        }
        this.sites = List.copyOf(sites);
        this.config = config;
        int n = sites.size();
        order = config.queue() == QueueDiscipline.SJF ? Job.SJF : Job.ORDER;
        String choiceName = config.siteChoice().name();
        lexicographicChoice = !choiceName.contains(":") && !choiceName.contains(",");
        pending = new TreeSet<>(order);
        @SuppressWarnings("unchecked")
        Map<AcceleratorModel, Integer>[] mi = new Map[n];
        modelIndex = mi;
        freeByModel = new int[n][];
        ledgers = new SiteLedger[n];
        up = new boolean[n];
        busyMilli = new long[n];
        capacity = new long[n];
        for (int i = 0; i < n; i++) {
            SiteSpec s = sites.get(i);
            if (siteIndex.put(s.id().value(), i) != null) {
                throw new IllegalArgumentException("site id '" + s.id() + "' appears twice");
            }
            ledgers[i] = new SiteLedger(s);
            modelIndex[i] = new HashMap<>();
            for (dev.atoll.protocol.PoolSpec pool : s.pools()) {
                modelIndex[i].putIfAbsent(pool.model(), modelIndex[i].size());
            }
            freeByModel[i] = new int[modelIndex[i].size()];
            for (int node = 0; node < ledgers[i].nodeCount(); node++) {
                freeByModel[i][modelIndex[i].get(ledgers[i].model(node))] += ledgers[i].freeDevices(node);
            }
            up[i] = true;
            capacity[i] = s.deviceCount();
            utilization.add(new StepSeries());
            fragmentation.add(new StepSeries());
        }
        for (Failure f : config.failures()) {
            Integer i = siteIndex.get(siteOf(f));
            if (i == null) {
                throw new IllegalArgumentException("failure names unknown site '" + siteOf(f) + "'; sites are "
                        + siteIndex.keySet());
            }
            if (f instanceof Failure.NodeDown nd && nd.node() >= sites.get(i).nodeCount()) {
                throw new IllegalArgumentException("failure names node " + nd.node() + " of site " + nd.site()
                        + ", which has " + sites.get(i).nodeCount() + " nodes");
            }
        }
    }

    private static String siteOf(Failure f) {
        return f instanceof Failure.SiteDown s ? s.site() : ((Failure.NodeDown) f).site();
    }

    /**
     * Runs the trace to the end (until no event is left).
     *
     * @param tasks tasks with distinct ids, in any order (ties in arrival keep list order)
     * @return outcomes in the order of {@code tasks}, timelines and counters
     * @throws IllegalArgumentException if two tasks share an id
     * @throws IllegalStateException if called twice
     * @throws dev.atoll.placement.LedgerViolation if a ledger invariant breaks (a bug)
     */
    public SimResult run(List<TraceTask> tasks) {
        Set<String> ids = new HashSet<>();
        for (TraceTask t : tasks) {
            if (!ids.add(t.id())) {
                throw new IllegalArgumentException("task id '" + t.id() + "' appears twice (line " + t.line() + ")");
            }
        }
        Integer[] perm = new Integer[tasks.size()];
        for (int i = 0; i < perm.length; i++) {
            perm[i] = i;
        }
        java.util.Arrays.sort(perm, Comparator.comparingLong(i -> tasks.get(i).arrivalSeconds())); // stable
        List<TraceTask> sorted = new ArrayList<>(tasks.size());
        for (Integer i : perm) {
            sorted.add(tasks.get(i));
        }
        JobOutcome[] out = new JobOutcome[tasks.size()];
        int[] seqToIndex = new int[perm.length];
        for (int k = 0; k < perm.length; k++) {
            seqToIndex[k] = perm[k];
        }
        SimResult r = run(sorted.iterator(), new SeqSink(out, seqToIndex));
        return new SimResult(sites, java.util.Arrays.asList(out), r.utilization(), r.fragmentation(), r.queueLength(),
                r.events(), r.schedulingPasses(), r.placementCalls());
    }

    /** Places each outcome at the list index of its task (the sequence number is set just before the call). */
    private final class SeqSink implements Consumer<JobOutcome> {
        final JobOutcome[] out;
        final int[] seqToIndex;

        SeqSink(JobOutcome[] out, int[] seqToIndex) {
            this.out = out;
            this.seqToIndex = seqToIndex;
        }

        @Override
        public void accept(JobOutcome o) {
            out[seqToIndex[emittingSeq]] = o;
        }
    }

    private int emittingSeq;

    /**
     * Streams a trace through the simulation: pulls tasks lazily and hands each job's final outcome to
     * {@code sink} (completed, rejected at arrival as never fitting, or still waiting when no event is left),
     * then forgets the job. Task ids are not checked for uniqueness here (that would hold every id).
     *
     * @param tasks tasks in non-decreasing arrival order
     * @param sink receives every outcome exactly once, in the order they become final
     * @return timelines and counters; {@link SimResult#jobs()} is empty (the outcomes went to the sink)
     * @throws IllegalArgumentException if an arrival is earlier than the previous one
     * @throws IllegalStateException if called twice
     * @throws dev.atoll.placement.LedgerViolation if a ledger invariant breaks (a bug)
     */
    public SimResult run(Iterator<TraceTask> tasks, Consumer<JobOutcome> sink) {
        if (ran) {
            throw new IllegalStateException("a Simulation runs once");
        }
        ran = true;
        this.source = tasks;
        this.sink = sink;
        pullArrival();
        for (Failure f : config.failures()) {
            events.add(f.atSeconds(), T_FAILURE, f);
        }
        while (!events.isEmpty()) {
            now = events.peek().timeSeconds();
            while (!events.isEmpty() && events.peek().timeSeconds() == now) {
                handle(events.poll().payload());
                eventCount++;
            }
            schedule();
            record();
        }
        for (Job j : pending) {
            emit(j);
        }
        pending.clear();
        return new SimResult(sites, List.of(), utilization, fragmentation, queueLength, eventCount, passes, placementCalls);
    }

    /** @return the largest number of jobs waiting or running at once during the run */
    public long peakJobsHeld() {
        return peakJobsHeld;
    }

    /** @return jobs waiting or running now (arrived, not yet final) */
    public long jobsHeld() {
        return jobsHeld;
    }

    /** @return tasks pulled from the trace */
    public long jobsSeen() {
        return jobsSeen;
    }

    private void pullArrival() {
        if (!source.hasNext()) {
            return;
        }
        TraceTask t = source.next();
        if (t.arrivalSeconds() < lastArrival) {
            throw new IllegalArgumentException("tasks must come in arrival order: task " + t.id() + " arrives at "
                    + t.arrivalSeconds() + " s, after one at " + lastArrival + " s");
        }
        lastArrival = t.arrivalSeconds();
        jobsSeen++;
        Job j = new Job(t, t.toJobSpec(config.wholeNodes()), nextSeq++);
        events.add(t.arrivalSeconds(), T_ARRIVAL, j);
    }

    private void emit(Job j) {
        emittingSeq = j.seq;
        jobsHeld--;
        sink.accept(j.outcome(sites));
    }

    // ---- events ----

    private record Completion(Job job, long epoch) {
    }

    private record Recovery(Failure failure) {
    }

    private void handle(Object e) {
        if (e instanceof Job j) {
            arrive(j);
        } else if (e instanceof Completion c) {
            complete(c.job(), c.epoch());
        } else if (e instanceof Failure.SiteDown s) {
            siteDown(siteIndex.get(s.site()), s);
        } else if (e instanceof Failure.NodeDown n) {
            nodeDown(siteIndex.get(n.site()), n);
        } else if (e instanceof Recovery r) {
            recover(r.failure());
        } else {
            throw new IllegalStateException("unknown event " + e);
        }
    }

    private void arrive(Job j) {
        pullArrival();
        jobsHeld++;
        peakJobsHeld = Math.max(peakJobsHeld, jobsHeld);
        String never = neverReason(j);
        if (never != null) {
            j.neverReason = never;
            emit(j);
            return;
        }
        enqueue(j);
        arrivedThisStep.add(j);
    }

    private String neverReason(Job j) {
        Shape shape = j.shape;
        if (neverCache.containsKey(shape)) {
            return neverCache.get(shape);
        }
        StringBuilder reasons = new StringBuilder();
        String result = null;
        boolean allNever = true;
        for (SiteLedger l : ledgers) {
            PlacementResult r = find(l, j.spec);
            if (!(r instanceof PlacementResult.Never)) {
                allNever = false;
                break;
            }
            if (reasons.length() > 0) {
                reasons.append("; ");
            }
            reasons.append(r.reason());
        }
        if (allNever) {
            result = "no site can ever run it: " + reasons;
        }
        neverCache.put(shape, result);
        return result;
    }

    private void complete(Job j, long epoch) {
        if (j.running && j.epoch == epoch) {
            stop(j, WorkloadEnded.Outcome.COMPLETED, "");
            j.end = now;
            j.done = true;
            emit(j);
        }
    }

    private void stop(Job j, WorkloadEnded.Outcome outcome, String reason) {
        apply(j.site, new AllocationReleased(j.id, j.epoch, outcome, now * 1000, reason));
        busyMilli[j.site] -= j.milli;
        j.gpuSeconds += (now - j.start) * (j.milli / 1000.0);
        j.running = false;
        runningById.remove(j.id);
        freed = true;
    }

    private void lose(Job j, String why) {
        stop(j, WorkloadEnded.Outcome.LOST, why);
        j.lostReason = why;
        enqueue(j);
    }

    private void siteDown(int site, Failure.SiteDown f) {
        if (!up[site]) {
            return;
        }
        up[site] = false;
        for (Job j : runningAt(site, -1)) {
            lose(j, "site " + f.site() + " lost at " + now + " s");
        }
        if (f.downForSeconds() > 0) {
            events.add(now + f.downForSeconds(), T_RECOVERY, new Recovery(f));
        }
    }

    private void nodeDown(int site, Failure.NodeDown f) {
        long key = ((long) site << 32) | f.node();
        if (maintenance.containsKey(key)) {
            return;
        }
        for (Job j : runningAt(site, f.node())) {
            lose(j, "node " + f.node() + " of site " + f.site() + " lost at " + now + " s");
        }
        SiteLedger l = ledgers[site];
        List<Integer> devices = new ArrayList<>();
        for (int d = 0; d < l.devicesPerNode(f.node()); d++) {
            devices.add(d);
        }
        HoldId hold = HoldId.of("maint-" + (holdSerial++));
        Placement p = new Placement(l.site(), l.model(f.node()), List.of(new NodeShare(f.node(), devices, 1000)));
        apply(site, new HoldCreated(hold, JobId.of("maintenance-" + f.site() + "-" + f.node()), 0, p, Long.MAX_VALUE));
        maintenance.put(key, hold);
        if (f.downForSeconds() > 0) {
            events.add(now + f.downForSeconds(), T_RECOVERY, new Recovery(f));
        }
    }

    private void recover(Failure f) {
        if (f instanceof Failure.SiteDown s) {
            up[siteIndex.get(s.site())] = true;
        } else if (f instanceof Failure.NodeDown n) {
            int site = siteIndex.get(n.site());
            HoldId hold = maintenance.remove(((long) site << 32) | n.node());
            if (hold != null) {
                apply(site, new HoldReleased(hold, "node recovered"));
            }
        }
        freed = true;
    }

    private final Map<dev.atoll.protocol.JobId, Job> runningById = new LinkedHashMap<>();

    private List<Job> runningAt(int site, int node) {
        List<Job> out = new ArrayList<>();
        for (SiteLedger.Allocation a : ledgers[site].allocations()) {
            Job j = runningById.get(a.job());
            if (j != null && (node < 0 || a.placement().nodes().contains(node))) {
                out.add(j);
            }
        }
        return out;
    }

    // ---- scheduling ----

    private void enqueue(Job j) {
        pending.add(j);
        if (pendingShapes.merge(j.shape, 1, Integer::sum) == 1) {
            shapeSpec.put(j.shape, j.spec);
        }
    }

    private void dequeue(Job j) {
        pending.remove(j);
        pendingShapes.merge(j.shape, -1, (a, b) -> a + b == 0 ? null : a + b);
    }

    private void schedule() {
        if (pending.isEmpty()) {
            arrivedThisStep.clear();
            freed = false;
            return;
        }
        Iterable<Job> candidates;
        if (freed) {
            candidates = pending;
        } else {
            List<Job> arrivals = new ArrayList<>(arrivedThisStep);
            arrivals.removeIf(j -> !pending.contains(j));
            arrivals.sort(order);
            candidates = arrivals;
        }
        arrivedThisStep.clear();
        freed = false;
        passes++;
        Set<Shape> failed = new HashSet<>();
        int shapesPending = pendingShapes.size();
        List<Offer> offers = new ArrayList<>();
        Map<dev.atoll.protocol.SiteId, Integer> offerSite = new HashMap<>();
        Map<dev.atoll.protocol.SiteId, Placement> offerPlacement = new HashMap<>();
        List<Job> started = new ArrayList<>();
        for (Job j : candidates) {
            if (failed.size() >= shapesPending) {
                break;
            }
            if (failed.contains(j.shape)) {
                continue;
            }
            if (cfpFanout > 0) {
                if (startWithFanout(j)) {
                    started.add(j);
                } else {
                    failed.add(j.shape);
                }
                continue;
            }
            int probed = probeInRankOrder(j);
            if (probed == PROBE_STARTED) {
                started.add(j);
                continue;
            }
            if (probed == PROBE_NONE_FITS) {
                failed.add(j.shape);
                continue;
            }
            offers.clear();
            offerSite.clear();
            offerPlacement.clear();
            for (int i = 0; i < ledgers.length; i++) {
                if (!up[i]) {
                    continue;
                }
                if (j.spec.gpuMilli() == 1000) {
                    // Micro-optimisation: a full-device gang needs that many fully free devices of one accepted
                    // model; with fewer, the packing policy can only answer Wait, so it is not asked.
                    int most = mostFreeOfAcceptedModel(i, j.spec);
                    if (most < j.spec.devices()) {
                        j.waitReason = "site " + sites.get(i).id() + ": at most " + most + " " + j.spec.models()
                                + " devices free, request needs " + j.spec.devices();
                        continue;
                    }
                }
                PlacementResult r = find(ledgers[i], j.spec);
                if (r instanceof PlacementResult.Fit fit) {
                    offers.add(offer(i, fit.placement()));
                    offerSite.put(sites.get(i).id(), i);
                    offerPlacement.put(sites.get(i).id(), fit.placement());
                } else {
                    j.waitReason = r.reason();
                }
            }
            if (offers.isEmpty()) {
                failed.add(j.shape);
                continue;
            }
            dev.atoll.protocol.SiteId chosen = offers.size() == 1 ? offers.get(0).site()
                    : config.siteChoice().rank(j.spec, offers).get(0).site();
            start(j, offerSite.get(chosen), offerPlacement.get(chosen));
            started.add(j);
        }
        for (Job j : started) {
            dequeue(j);
        }
    }

    private int cfpFanout;

    /**
     * Models the live Job's fan-out: calls for proposals go first to the {@code k} up sites with the most free
     * devices of the job's accepted models (ties to the lower site id), as {@code atoll.job.cfp-fanout} does
     * with adverts (here the counts are exact, adverts are never stale); if none of them fits, the remaining
     * sites are asked in a second round at the same virtual time. 0 (default) = ask every site at once.
     *
     * @param k sites per round, {@code >= 0}
     * @return this
     * @throws IllegalArgumentException if k is negative
     */
    public Simulation withCfpFanout(int k) {
        if (k < 0) {
            throw new IllegalArgumentException("cfp fan-out must be >= 0, got " + k);
        }
        this.cfpFanout = k;
        return this;
    }

    private boolean startWithFanout(Job j) {
        List<Integer> up = new ArrayList<>();
        int[] free = new int[ledgers.length];
        for (int i = 0; i < ledgers.length; i++) {
            if (this.up[i]) {
                up.add(i);
                for (Map.Entry<AcceleratorModel, Integer> m : modelIndex[i].entrySet()) {
                    if (j.spec.models().accepts(m.getKey())) {
                        free[i] += freeByModel[i][m.getValue()];
                    }
                }
            }
        }
        up.sort(Comparator.comparingInt((Integer i) -> -free[i]).thenComparing(i -> sites.get(i).id().value()));
        int k = Math.min(cfpFanout, up.size());
        return fullRound(j, up.subList(0, k)) || fullRound(j, up.subList(k, up.size()));
    }

    /** Asks {@code candidates}; ranks the offers of those that fit with the site-choice policy; starts the best. */
    private boolean fullRound(Job j, List<Integer> candidates) {
        List<Offer> offers = new ArrayList<>();
        Map<dev.atoll.protocol.SiteId, Integer> at = new HashMap<>();
        Map<dev.atoll.protocol.SiteId, Placement> where = new HashMap<>();
        for (int i : candidates) {
            PlacementResult r = find(ledgers[i], j.spec);
            if (r instanceof PlacementResult.Fit fit) {
                offers.add(offer(i, fit.placement()));
                at.put(sites.get(i).id(), i);
                where.put(sites.get(i).id(), fit.placement());
            } else {
                j.waitReason = r.reason();
            }
        }
        if (offers.isEmpty()) {
            return false;
        }
        dev.atoll.protocol.SiteId chosen = offers.size() == 1 ? offers.get(0).site()
                : config.siteChoice().rank(j.spec, offers).get(0).site();
        start(j, at.get(chosen), where.get(chosen));
        return true;
    }

    private static final int PROBE_STARTED = 0;
    private static final int PROBE_NONE_FITS = 1;
    private static final int PROBE_NOT_APPLICABLE = 2;

    /**
     * Speed-up with identical decisions: when every offer a site could make for {@code j} is known before
     * placing (a full-device gang, so the free devices left are free - devices; and one accepted pool per site,
     * so model, price and speed are fixed) and the site-choice policy is a lexicographic comparator (not a
     * weighted one, whose min-max scaling depends on the whole offer set), the offers are ranked first and the
     * sites are asked in rank order; the first that fits wins. Removing the sites that do not fit from a
     * comparator-sorted list does not reorder the rest, so this is the site the full round would choose. Each
     * winning offer is rebuilt from the real placement and compared; any mismatch falls back to the full round.
     *
     * @return PROBE_STARTED, PROBE_NONE_FITS or PROBE_NOT_APPLICABLE
     */
    private int probeInRankOrder(Job j) {
        if (!lexicographicChoice || j.spec.gpuMilli() != 1000) {
            return PROBE_NOT_APPLICABLE;
        }
        List<Offer> provisional = new ArrayList<>(ledgers.length);
        for (int i = 0; i < ledgers.length; i++) {
            if (!up[i]) {
                continue;
            }
            dev.atoll.protocol.PoolSpec only = null;
            for (dev.atoll.protocol.PoolSpec pool : sites.get(i).pools()) {
                if (j.spec.models().accepts(pool.model())) {
                    if (only != null) {
                        return PROBE_NOT_APPLICABLE;
                    }
                    only = pool;
                }
            }
            if (only == null) {
                continue;
            }
            int free = freeByModel[i][modelIndex[i].get(only.model())];
            if (free < j.spec.devices()) {
                j.waitReason = "site " + sites.get(i).id() + ": " + free + " " + j.spec.models()
                        + " devices free, request needs " + j.spec.devices();
                continue;
            }
            provisional.add(Offers.of(sites.get(i), only, only.model(), free - j.spec.devices()));
        }
        List<Offer> ranked = provisional.size() <= 1 ? provisional : config.siteChoice().rank(j.spec, provisional);
        for (Offer o : ranked) {
            int i = siteIndex.get(o.site().value());
            PlacementResult r = find(ledgers[i], j.spec);
            if (r instanceof PlacementResult.Fit fit) {
                if (!offer(i, fit.placement()).equals(o)) {
                    return PROBE_NOT_APPLICABLE; // not as predicted: take the full round
                }
                start(j, i, fit.placement());
                return PROBE_STARTED;
            }
            j.waitReason = r.reason();
        }
        return PROBE_NONE_FITS;
    }

    /**
     * The offer site {@code i} makes for {@code p}: {@link Offers#of(SiteLedger, Placement, int)}, the rule the
     * live SiteAgent builds its bid with (this passes the per-model free count it keeps instead of a node scan).
     */
    private Offer offer(int i, Placement p) {
        return Offers.of(ledgers[i], p, freeByModel[i][modelIndex[i].get(p.model())]);
    }

    private PlacementResult find(SiteLedger l, JobSpec spec) {
        placementCalls++;
        return l.find(spec, config.packing());
    }

    /** Starts {@code j}; the caller removes it from the pending queue. */
    private void start(Job j, int site, Placement p) {
        j.epoch++;
        j.attempts++;
        SiteSpec spec = sites.get(site);
        double speed = spec.pools().get(ledgers[site].pool(p.shares().get(0).node())).speedFactor();
        long run = Math.max(1, (long) Math.ceil(j.task.durationSeconds() / speed));
        HoldId hold = HoldId.of("h-" + (holdSerial++));
        apply(site, new HoldCreated(hold, j.id, j.epoch, p, now * 1000 + HOLD_TTL_MILLIS));
        apply(site, new AllocationCommitted(hold, j.id, j.epoch, now * 1000, (now + run) * 1000));
        j.running = true;
        j.site = site;
        j.model = p.model().name();
        j.start = now;
        busyMilli[site] += j.milli;
        runningById.put(j.id, j);
        events.add(now + run, T_COMPLETION, new Completion(j, j.epoch));
    }

    private int mostFreeOfAcceptedModel(int site, JobSpec spec) {
        int most = 0;
        for (Map.Entry<AcceleratorModel, Integer> m : modelIndex[site].entrySet()) {
            if (spec.models().accepts(m.getKey())) {
                most = Math.max(most, freeByModel[site][m.getValue()]);
            }
        }
        return most;
    }

    private void apply(int site, SiteEvent e) {
        SiteLedger l = ledgers[site];
        Placement touched = null;
        if (e instanceof HoldCreated h) {
            touched = h.placement();
        } else if (e instanceof AllocationReleased r) {
            SiteLedger.Allocation a = l.allocation(r.job());
            touched = a == null ? null : a.placement();
        } else if (e instanceof HoldReleased r) {
            SiteLedger.Hold h = l.hold(r.hold());
            touched = h == null ? null : h.placement();
        }
        int before = touched == null ? 0 : freeOn(l, touched);
        l.apply(e);
        if (touched != null) {
            freeByModel[site][modelIndex[site].get(touched.model())] += freeOn(l, touched) - before;
        }
        if (config.checkInvariants()) {
            ledgers[site].checkInvariants();
        }
    }

    private static int freeOn(SiteLedger l, Placement p) {
        int f = 0;
        for (NodeShare s : p.shares()) {
            f += l.freeDevices(s.node());
        }
        return f;
    }

    private void record() {
        long everySeries = config.seriesSampleSeconds();
        if (everySeries > 0) {
            if (now < nextSeriesSample && !events.isEmpty()) {
                return;
            }
            nextSeriesSample = now + everySeries;
        }
        for (int i = 0; i < ledgers.length; i++) {
            utilization.get(i).add(now, capacity[i] == 0 ? 0 : busyMilli[i] / (capacity[i] * 1000.0));
        }
        queueLength.add(now, pending.size());
        long every = config.fragmentationSampleSeconds();
        if (every > 0) {
            if (pending.isEmpty()) {
                for (StepSeries f : fragmentation) {
                    f.add(now, 0);
                }
            } else if (now >= nextFragmentationSample) {
                List<JobSpec> waiting = new ArrayList<>();
                for (Shape shape : pendingShapes.keySet()) {
                    waiting.add(shapeSpec.get(shape));
                }
                for (int i = 0; i < ledgers.length; i++) {
                    fragmentation.get(i).add(now, up[i] ? Fragmentation.of(ledgers[i], waiting) : 0);
                }
                nextFragmentationSample = now + every;
            }
        }
    }

    // ---- jobs ----

    /** The shape of a request: jobs of equal shape fit in exactly the same places. */
    private record Shape(ModelSet models, int devices, int gpuMilli, boolean wholeNodes) {
    }

    private static final class Job {
        static final Comparator<Job> ORDER = Comparator
                .comparingInt((Job j) -> -j.task.priority().rank())
                .thenComparingLong(j -> j.task.arrivalSeconds())
                .thenComparingInt(j -> j.seq);
        static final Comparator<Job> SJF = Comparator
                .comparingInt((Job j) -> -j.task.priority().rank())
                .thenComparingLong(j -> j.task.durationSeconds())
                .thenComparingLong(j -> j.task.arrivalSeconds())
                .thenComparingInt(j -> j.seq);

        final TraceTask task;
        final JobSpec spec;
        final JobId id;
        final int seq;
        final Shape shape;
        final long milli;
        boolean running;
        boolean done;
        long epoch;
        int attempts;
        int site = -1;
        String model;
        long start = -1;
        long end = -1;
        double gpuSeconds;
        String neverReason;
        String waitReason;
        String lostReason;

        Job(TraceTask task, JobSpec spec, int seq) {
            this.task = task;
            this.spec = spec;
            this.id = spec.id();
            this.seq = seq;
            this.shape = new Shape(spec.models(), spec.devices(), spec.gpuMilli(), spec.wholeNodes());
            this.milli = (long) spec.devices() * spec.gpuMilli();
        }

        JobOutcome outcome(List<SiteSpec> sites) {
            if (done) {
                return new JobOutcome(task, JobOutcome.State.COMPLETED, start, end, sites.get(site).id().value(), model, attempts,
                        gpuSeconds, "");
            }
            String reason = neverReason != null ? neverReason
                    : "still waiting when the simulation ended"
                    + (waitReason != null ? " (last answer: " + waitReason + ")" : "")
                    + (lostReason != null ? " after " + lostReason : "");
            return new JobOutcome(task, JobOutcome.State.NEVER_RAN, -1, -1, null, null, attempts, gpuSeconds, reason);
        }

    }
}
