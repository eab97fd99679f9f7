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
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.TenantId;
import dev.atoll.protocol.WorkloadKind;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.function.Consumer;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
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
 * <p>Queue order: {@link SimConfig#queue()} ({@link QueueDiscipline}). With {@link QueueDiscipline#DRF},
 * {@link #run(List)} hands the whole run to {@link DrfSimulation} (placement's QueueScheduler makes every pass).
 *
 * <p>Memory per job held (waiting or running): the engine keeps each job as one slot of primitive columns
 * (arrival, duration, line, an interned template of tenant/size/models/kind/priority, sequence, attempts, site,
 * model, state, last wait answer) plus its id text, shared with the site ledger's compact allocation record;
 * pending completions sit in a primitive heap ({@link CompletionHeap}); a {@link TraceTask} is rebuilt only
 * when the outcome is emitted, and a {@link JobSpec} exists only while the job waits. Every job's hold uses
 * the same hold id (holds are committed in the same step, so at most one is live).
 *
 * <p>Not thread-safe; one instance runs once. Deterministic: the same inputs give the same result.
 */
public final class Simulation {
    private static final int T_FAILURE = 1;
    private static final int T_RECOVERY = 2;
    private static final int T_ARRIVAL = 3;
    private static final long HOLD_TTL_MILLIS = 60_000;
    private static final byte FREE = 0;
    private static final byte WAITING = 1;
    private static final byte RUNNING = 2;
    private static final byte RETIRED = 3; // emitted after a loss: its slot is never reused (stale completions)

    private final List<SiteSpec> sites;
    private final SimConfig config;
    private final SiteLedger[] ledgers;
    private final boolean[] up;
    private final long[] busyMilli;
    private final long[] capacity;
    private final Map<String, Integer> siteIndex = new HashMap<>();
    private final EventQueue<Object> events = new EventQueue<>();
    private final CompletionHeap completions = new CompletionHeap();
    private final Comparator<Integer> order;
    private final dev.atoll.placement.QueueOrder queueOrder;
    private final boolean lexicographicChoice;
    private final TreeSet<Integer> pending;
    /** Every job in a simulation starts with a hold that is committed at once, so one hold id serves all. */
    private final HoldId jobHold = HoldId.of("sim-hold");
    private Iterator<TraceTask> source;
    private Consumer<JobOutcome> sink;
    private int nextSeq;
    private long lastArrival = -1;
    private long jobsHeld;
    private long peakJobsHeld;
    private long jobsSeen;
    private long nextSeriesSample;
    private final List<Integer> arrivedThisStep = new ArrayList<>();
    private final Map<Long, HoldId> maintenance = new HashMap<>(); // site<<32|node -> hold
    private final List<StepSeries> utilization = new ArrayList<>();
    private final List<StepSeries> fragmentation = new ArrayList<>();
    private long nextFragmentationSample;
    private final StepSeries queueLength = new StepSeries();
    private boolean freed;
    private long now;
    private long holdSerial;
    private long eventCount;
    private long passes;
    private long placementCalls;
    private boolean ran;

    // ---- interned request templates and shapes (few per trace) ----

    /** What jobs share: everything of a task but id, arrival, duration and line. */
    private record Template(String tenant, int devices, int gpuMilli, ModelSet models, WorkloadKind kind,
                            PriorityClass priority) {
    }

    /** The shape of a request: jobs of equal shape fit in exactly the same places. */
    private record Shape(ModelSet models, int devices, int gpuMilli, boolean wholeNodes) {
    }

    private final Map<Template, Integer> templateIndex = new HashMap<>();
    private final List<Template> templates = new ArrayList<>();
    private final List<TenantId> templateTenant = new ArrayList<>();
    private int[] templateShape = new int[8];
    private int[] templateRank = new int[8];
    private final Map<Shape, Integer> shapeIndex = new HashMap<>();
    private final List<Shape> shapes = new ArrayList<>();
    private int[] shapePending = new int[8]; // waiting jobs per shape
    private JobSpec[] shapeSpec = new JobSpec[8]; // a waiting job's spec per shape with waiting jobs
    private String[] shapeNever = new String[8]; // cached never-fits answer per shape
    private boolean[] shapeNeverKnown = new boolean[8];
    private int[] shapeFailedPass = new int[8];
    private int shapesWaiting;
    private final List<AcceleratorModel> modelList = new ArrayList<>();
    private final Map<AcceleratorModel, Integer> modelNumber = new HashMap<>();

    // ---- jobs held (waiting or running), one slot each, as columns ----
    // About 50 bytes per held job plus its id text, instead of a TraceTask, a JobSpec, a job object, a Shape,
    // map entries and an event object per job. A TraceTask is rebuilt when the outcome is emitted.

    private String[] jId = new String[16];
    private long[] jArrival = new long[16];
    private int[] jDuration = new int[16];
    private int[] jLine = new int[16];
    private int[] jTemplate = new int[16];
    private int[] jSeq = new int[16];
    private int[] jEpoch = new int[16]; // starts so far (= attempts)
    private short[] jSite = new short[16];
    private short[] jModel = new short[16];
    private byte[] jState = new byte[16];
    private String[] jWait = new String[16]; // last answer of a site that did not take it
    private final Map<Integer, JobSpec> waitingSpec = new HashMap<>(); // request objects of waiting jobs only
    private int slots;
    private int[] freeSlots = new int[16];
    private int freeCount;
    /** Jobs that lost an attempt: the reason and the device-seconds of the lost attempts. */
    private final Map<Integer, Lost> lost = new HashMap<>();

    private static final class Lost {
        String reason;
        double gpuSeconds;
    }

    /**
     * @param sites the federation; site ids must be distinct
     * @param config policies and failures
     * @throws IllegalArgumentException if sites is empty, ids repeat, a failure names an unknown site or node,
     *     or there are more than 32,767 sites
     */
    public Simulation(List<SiteSpec> sites, SimConfig config) {
        if (sites == null || sites.isEmpty()) {
            throw new IllegalArgumentException("sites must not be empty");
        }
        if (sites.size() > Short.MAX_VALUE) {
            throw new IllegalArgumentException("sites must be at most " + Short.MAX_VALUE + ", got " + sites.size());
        }
        this.sites = List.copyOf(sites);
        this.config = config;
        int n = sites.size();
        queueOrder = config.queue().order();
        order = this::compare;
        String choiceName = config.siteChoice().name();
        lexicographicChoice = !choiceName.contains(":") && !choiceName.contains(",");
        pending = new TreeSet<>(order);
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
            for (dev.atoll.protocol.PoolSpec pool : s.pools()) {
                if (modelNumber.putIfAbsent(pool.model(), modelList.size()) == null) {
                    modelList.add(pool.model());
                }
            }
            up[i] = true;
            capacity[i] = s.deviceCount();
            utilization.add(new StepSeries());
            fragmentation.add(new StepSeries());
        }
        if (modelList.size() > Short.MAX_VALUE) {
            throw new IllegalArgumentException("accelerator models must be at most " + Short.MAX_VALUE + ", got "
                    + modelList.size());
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
        if (config.queue() == QueueDiscipline.DRF) {
            return runDrf(tasks);
        }
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
        if (config.queue() == QueueDiscipline.DRF) {
            throw new IllegalArgumentException("--queue drf runs only on a whole trace list, not streamed; "
                    + "use fifo or sjf here");
        }
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
        while (!events.isEmpty() || !completions.isEmpty()) {
            now = events.isEmpty() ? completions.peekTime()
                    : completions.isEmpty() ? events.peek().timeSeconds()
                    : Math.min(completions.peekTime(), events.peek().timeSeconds());
            // Completions run first at a second (they had the lowest type priority); handling any event at
            // this second never schedules a completion at it (run times are at least 1 s).
            while (!completions.isEmpty() && completions.peekTime() == now) {
                int slot = completions.peekSlot();
                int epoch = completions.peekEpoch();
                completions.poll();
                complete(slot, epoch);
                eventCount++;
            }
            while (!events.isEmpty() && events.peek().timeSeconds() == now) {
                handle(events.poll().payload());
                eventCount++;
            }
            schedule();
            record();
        }
        for (int j : pending) {
            emit(j, null);
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
        int j = newSlot(t);
        events.add(t.arrivalSeconds(), T_ARRIVAL, new Arrival(j));
    }

    private int newSlot(TraceTask t) {
        int j;
        if (freeCount > 0) {
            j = freeSlots[--freeCount];
        } else {
            if (slots == jId.length) {
                int n = slots + (slots >> 1);
                jId = java.util.Arrays.copyOf(jId, n);
                jArrival = java.util.Arrays.copyOf(jArrival, n);
                jDuration = java.util.Arrays.copyOf(jDuration, n);
                jLine = java.util.Arrays.copyOf(jLine, n);
                jTemplate = java.util.Arrays.copyOf(jTemplate, n);
                jSeq = java.util.Arrays.copyOf(jSeq, n);
                jEpoch = java.util.Arrays.copyOf(jEpoch, n);
                jSite = java.util.Arrays.copyOf(jSite, n);
                jModel = java.util.Arrays.copyOf(jModel, n);
                jState = java.util.Arrays.copyOf(jState, n);
                jWait = java.util.Arrays.copyOf(jWait, n);
            }
            j = slots++;
        }
        jId[j] = t.id();
        jArrival[j] = t.arrivalSeconds();
        jDuration[j] = Math.toIntExact(t.durationSeconds()); // at most 10 years (JobSpec's limit)
        jLine[j] = t.line();
        jTemplate[j] = template(t);
        jSeq[j] = nextSeq++;
        jEpoch[j] = 0;
        jSite[j] = -1;
        jModel[j] = -1;
        jState[j] = WAITING;
        jWait[j] = null;
        return j;
    }

    private int template(TraceTask t) {
        Template key = new Template(t.tenant(), t.devices(), t.gpuMilli(), t.models(), t.kind(), t.priority());
        Integer known = templateIndex.get(key);
        if (known != null) {
            return known;
        }
        int k = templates.size();
        templates.add(key);
        templateTenant.add(TenantId.of(t.tenant()));
        templateIndex.put(key, k);
        if (k == templateShape.length) {
            templateShape = java.util.Arrays.copyOf(templateShape, 2 * k);
            templateRank = java.util.Arrays.copyOf(templateRank, 2 * k);
        }
        boolean whole = config.wholeNodes();
        Shape shape = new Shape(t.models(), t.devices(), whole ? 1000 : t.gpuMilli(), whole);
        Integer si = shapeIndex.get(shape);
        if (si == null) {
            si = shapes.size();
            shapes.add(shape);
            shapeIndex.put(shape, si);
            if (si == shapePending.length) {
                shapePending = java.util.Arrays.copyOf(shapePending, 2 * si);
                shapeSpec = java.util.Arrays.copyOf(shapeSpec, 2 * si);
                shapeNever = java.util.Arrays.copyOf(shapeNever, 2 * si);
                shapeNeverKnown = java.util.Arrays.copyOf(shapeNeverKnown, 2 * si);
                shapeFailedPass = java.util.Arrays.copyOf(shapeFailedPass, 2 * si);
            }
        }
        templateShape[k] = si;
        templateRank[k] = t.priority().rank();
        return k;
    }

    /** @return the task of slot {@code j} as it was read */
    private TraceTask task(int j) {
        Template t = templates.get(jTemplate[j]);
        return new TraceTask(jId[j], t.tenant(), jArrival[j], jDuration[j], t.devices(), t.gpuMilli(), t.models(),
                t.kind(), t.priority(), jLine[j]);
    }

    /** @return the request of slot {@code j}: as {@link TraceTask#toJobSpec(boolean)} with the config's whole-nodes rule */
    private JobSpec spec(int j) {
        JobSpec s = waitingSpec.get(j);
        if (s == null) {
            Template t = templates.get(jTemplate[j]);
            boolean whole = config.wholeNodes();
            s = new JobSpec(JobId.of(jId[j]), templateTenant.get(jTemplate[j]), t.kind(), t.devices(),
                    whole ? 1000 : t.gpuMilli(), t.models(), whole, jDuration[j], t.priority(),
                    t.priority() == PriorityClass.BEST_EFFORT, 0, 1, -1, null, null);
            if (jState[j] == WAITING) {
                waitingSpec.put(j, s);
            }
        }
        return s;
    }

    private long milli(int j) {
        Template t = templates.get(jTemplate[j]);
        return (long) t.devices() * (config.wholeNodes() ? 1000 : t.gpuMilli());
    }

    private int shape(int j) {
        return templateShape[jTemplate[j]];
    }

    /**
     * The queue order is placement's {@link dev.atoll.placement.QueueOrder}, the one {@link
     * dev.atoll.placement.QueueScheduler} uses: priority class, then (SJF) duration, then submission sequence.
     * Jobs are pulled in arrival order, so the sequence grows with arrival time.
     */
    private int compare(int a, int b) {
        return queueOrder.compare(templateRank[jTemplate[a]], jDuration[a], jSeq[a], templateRank[jTemplate[b]],
                jDuration[b], jSeq[b]);
    }

    /**
     * Hands the final outcome of slot {@code j} to the sink and forgets the job.
     *
     * @param never the reason it can never run (rejected at arrival), or null
     */
    private void emit(int j, String never) {
        emittingSeq = jSeq[j];
        jobsHeld--;
        Lost l = lost.remove(j);
        JobOutcome o;
        if (jState[j] == RUNNING) {
            throw new IllegalStateException("job " + jId[j] + " emitted while running");
        }
        if (never != null) {
            o = new JobOutcome(task(j), JobOutcome.State.NEVER_RAN, -1, -1, null, null, jEpoch[j], 0.0, never);
        } else {
            String reason = "still waiting when the simulation ended"
                    + (jWait[j] != null ? " (last answer: " + jWait[j] + ")" : "")
                    + (l != null ? " after " + l.reason : "");
            o = new JobOutcome(task(j), JobOutcome.State.NEVER_RAN, -1, -1, null, null, jEpoch[j],
                    l == null ? 0.0 : l.gpuSeconds, reason);
        }
        sink.accept(o);
        release(j, l != null);
    }

    /** Frees slot {@code j}; a job that lost an attempt may still have a stale completion queued: never reused. */
    private void release(int j, boolean hadLoss) {
        jId[j] = null;
        jWait[j] = null;
        waitingSpec.remove(j);
        if (hadLoss) {
            jState[j] = RETIRED;
            return;
        }
        jState[j] = FREE;
        if (freeCount == freeSlots.length) {
            freeSlots = java.util.Arrays.copyOf(freeSlots, 2 * freeCount);
        }
        freeSlots[freeCount++] = j;
    }

    // ---- events ----

    private record Arrival(int slot) {
    }

    private record Recovery(Failure failure) {
    }

    private void handle(Object e) {
        if (e instanceof Arrival a) {
            arrive(a.slot());
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

    private void arrive(int j) {
        pullArrival();
        jobsHeld++;
        peakJobsHeld = Math.max(peakJobsHeld, jobsHeld);
        String never = neverReason(j);
        if (never != null) {
            emit(j, never);
            return;
        }
        enqueue(j);
        arrivedThisStep.add(j);
    }

    private String neverReason(int j) {
        int shape = shape(j);
        if (shapeNeverKnown[shape]) {
            return shapeNever[shape];
        }
        StringBuilder reasons = new StringBuilder();
        String result = null;
        boolean allNever = true;
        JobSpec spec = spec(j);
        for (SiteLedger l : ledgers) {
            PlacementResult r = find(l, spec);
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
        shapeNever[shape] = result;
        shapeNeverKnown[shape] = true;
        return result;
    }

    private void complete(int j, int epoch) {
        if (jState[j] == RUNNING && jEpoch[j] == epoch) {
            long start = startOf(j);
            double gpu = stop(j, WorkloadEnded.Outcome.COMPLETED, "");
            Lost l = lost.remove(j);
            double total = l == null ? 0.0 + gpu : l.gpuSeconds + gpu;
            emittingSeq = jSeq[j];
            jobsHeld--;
            sink.accept(new JobOutcome(task(j), JobOutcome.State.COMPLETED, start, now,
                    sites.get(jSite[j]).id().value(), modelList.get(jModel[j]).name(), jEpoch[j], total, ""));
            release(j, l != null);
        }
    }

    /** @return the start of slot {@code j}'s running attempt, seconds (kept by its site's ledger only) */
    private long startOf(int j) {
        return ledgers[jSite[j]].startedAtMillis(JobId.of(jId[j])) / 1000;
    }

    /** Stops the running attempt of {@code j}; @return its device-seconds */
    private double stop(int j, WorkloadEnded.Outcome outcome, String reason) {
        int site = jSite[j];
        long start = startOf(j);
        apply(site, new AllocationReleased(JobId.of(jId[j]), jEpoch[j], outcome, now * 1000, reason));
        long milli = milli(j);
        busyMilli[site] -= milli;
        jState[j] = WAITING;
        freed = true;
        return (now - start) * (milli / 1000.0);
    }

    private void lose(int j, String why) {
        double gpu = stop(j, WorkloadEnded.Outcome.LOST, why);
        Lost l = lost.computeIfAbsent(j, k -> new Lost());
        l.gpuSeconds += gpu;
        l.reason = why;
        enqueue(j);
    }

    private void siteDown(int site, Failure.SiteDown f) {
        if (!up[site]) {
            return;
        }
        up[site] = false;
        for (int j : runningAt(site, -1)) {
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
        for (int j : runningAt(site, f.node())) {
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

    /** @return the slots of the jobs running at {@code site} (touching {@code node} if >= 0), in commit order */
    private List<Integer> runningAt(int site, int node) {
        Map<String, Integer> here = new HashMap<>();
        for (int j = 0; j < slots; j++) {
            if (jState[j] == RUNNING && jSite[j] == site) {
                here.put(jId[j], j);
            }
        }
        List<Integer> out = new ArrayList<>();
        for (SiteLedger.Allocation a : ledgers[site].allocations()) {
            Integer j = here.get(a.job().value());
            if (j != null && (node < 0 || a.placement().nodes().contains(node))) {
                out.add(j);
            }
        }
        return out;
    }

    // ---- scheduling ----

    private void enqueue(int j) {
        pending.add(j);
        int shape = shape(j);
        if (shapePending[shape]++ == 0) {
            shapesWaiting++;
            shapeSpec[shape] = spec(j);
        }
    }

    private void dequeue(int j) {
        pending.remove(j);
        int shape = shape(j);
        if (--shapePending[shape] == 0) {
            shapesWaiting--;
            shapeSpec[shape] = null;
        }
    }

    private void schedule() {
        if (pending.isEmpty()) {
            arrivedThisStep.clear();
            freed = false;
            return;
        }
        Iterable<Integer> candidates;
        if (freed) {
            candidates = pending;
        } else {
            List<Integer> arrivals = new ArrayList<>(arrivedThisStep);
            arrivals.removeIf(j -> !pending.contains(j));
            arrivals.sort(order);
            candidates = arrivals;
        }
        arrivedThisStep.clear();
        freed = false;
        passes++;
        int pass = (int) passes; // stamps shapes that failed in this pass
        int failedShapes = 0;
        int shapesPending = shapesWaiting;
        List<Offer> offers = new ArrayList<>();
        Map<dev.atoll.protocol.SiteId, Integer> offerSite = new HashMap<>();
        Map<dev.atoll.protocol.SiteId, Placement> offerPlacement = new HashMap<>();
        List<Integer> started = new ArrayList<>();
        for (int j : candidates) {
            if (failedShapes >= shapesPending) {
                break;
            }
            int shape = shape(j);
            if (shapeFailedPass[shape] == pass) {
                continue;
            }
            JobSpec spec = spec(j);
            if (cfpFanout > 0) {
                if (startWithFanout(j, spec)) {
                    started.add(j);
                } else {
                    shapeFailedPass[shape] = pass;
                    failedShapes++;
                }
                continue;
            }
            int probed = probeInRankOrder(j, spec);
            if (probed == PROBE_STARTED) {
                started.add(j);
                continue;
            }
            if (probed == PROBE_NONE_FITS) {
                shapeFailedPass[shape] = pass;
                failedShapes++;
                continue;
            }
            offers.clear();
            offerSite.clear();
            offerPlacement.clear();
            for (int i = 0; i < ledgers.length; i++) {
                if (!up[i]) {
                    continue;
                }
                if (spec.gpuMilli() == 1000) {
                    // Micro-optimisation: a full-device gang needs that many fully free devices of one accepted
                    // model; with fewer, the packing policy can only answer Wait, so it is not asked.
                    int most = mostFreeOfAcceptedModel(i, spec);
                    if (most < spec.devices()) {
                        jWait[j] = "site " + sites.get(i).id() + ": at most " + most + " " + spec.models()
                                + " devices free, request needs " + spec.devices();
                        continue;
                    }
                }
                PlacementResult r = find(ledgers[i], spec);
                if (r instanceof PlacementResult.Fit fit) {
                    offers.add(offer(i, fit.placement()));
                    offerSite.put(sites.get(i).id(), i);
                    offerPlacement.put(sites.get(i).id(), fit.placement());
                } else {
                    jWait[j] = r.reason();
                }
            }
            if (offers.isEmpty()) {
                shapeFailedPass[shape] = pass;
                failedShapes++;
                continue;
            }
            dev.atoll.protocol.SiteId chosen = offers.size() == 1 ? offers.get(0).site()
                    : config.siteChoice().rank(spec, offers).get(0).site();
            start(j, offerSite.get(chosen), offerPlacement.get(chosen));
            started.add(j);
        }
        for (int j : started) {
            dequeue(j);
            waitingSpec.remove(j); // a running job keeps no request object
        }
    }

    private int cfpFanout;
    private DrfSimulation.Settings drfSettings = DrfSimulation.Settings.DEFAULT;
    private DrfSimulation drfRun;

    /**
     * Quotas and preemption limit for {@link QueueDiscipline#DRF} (ignored by fifo and sjf).
     *
     * @return this
     */
    public Simulation withDrf(DrfSimulation.Settings settings) {
        this.drfSettings = settings == null ? DrfSimulation.Settings.DEFAULT : settings;
        return this;
    }

    /** @return the DRF run after {@link #run(List)} with queue drf (preemptions, lost work), else null */
    public DrfSimulation drfRun() {
        return drfRun;
    }

    /** Queue drf: the whole pass is placement's QueueScheduler ({@link DrfSimulation}). */
    private SimResult runDrf(List<TraceTask> tasks) {
        if (cfpFanout > 0) {
            throw new IllegalArgumentException("--queue drf cannot be combined with --cfp-fanout " + cfpFanout
                    + " (the scheduler asks every site); drop --cfp-fanout or use --queue fifo or sjf");
        }
        if (ran) {
            throw new IllegalStateException("a Simulation runs once");
        }
        ran = true;
        drfRun = new DrfSimulation(sites, config, drfSettings);
        return drfRun.run(tasks);
    }

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

    private boolean startWithFanout(int j, JobSpec spec) {
        List<Integer> up = new ArrayList<>();
        int[] free = new int[ledgers.length];
        for (int i = 0; i < ledgers.length; i++) {
            if (this.up[i]) {
                up.add(i);
                for (dev.atoll.protocol.PoolSpec pool : distinctModels(i)) {
                    if (spec.models().accepts(pool.model())) {
                        free[i] += ledgers[i].freeDevices(pool.model());
                    }
                }
            }
        }
        up.sort(Comparator.comparingInt((Integer i) -> -free[i]).thenComparing(i -> sites.get(i).id().value()));
        int k = Math.min(cfpFanout, up.size());
        return fullRound(j, spec, up.subList(0, k)) || fullRound(j, spec, up.subList(k, up.size()));
    }

    /** @return the first pool of each model of site {@code i}, in pool order */
    private List<dev.atoll.protocol.PoolSpec> distinctModels(int i) {
        List<dev.atoll.protocol.PoolSpec> out = new ArrayList<>();
        Set<AcceleratorModel> seen = new HashSet<>();
        for (dev.atoll.protocol.PoolSpec pool : sites.get(i).pools()) {
            if (seen.add(pool.model())) {
                out.add(pool);
            }
        }
        return out;
    }

    /** Asks {@code candidates}; ranks the offers of those that fit with the site-choice policy; starts the best. */
    private boolean fullRound(int j, JobSpec spec, List<Integer> candidates) {
        List<Offer> offers = new ArrayList<>();
        Map<dev.atoll.protocol.SiteId, Integer> at = new HashMap<>();
        Map<dev.atoll.protocol.SiteId, Placement> where = new HashMap<>();
        for (int i : candidates) {
            PlacementResult r = find(ledgers[i], spec);
            if (r instanceof PlacementResult.Fit fit) {
                offers.add(offer(i, fit.placement()));
                at.put(sites.get(i).id(), i);
                where.put(sites.get(i).id(), fit.placement());
            } else {
                jWait[j] = r.reason();
            }
        }
        if (offers.isEmpty()) {
            return false;
        }
        dev.atoll.protocol.SiteId chosen = offers.size() == 1 ? offers.get(0).site()
                : config.siteChoice().rank(spec, offers).get(0).site();
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
    private int probeInRankOrder(int j, JobSpec spec) {
        if (!lexicographicChoice || spec.gpuMilli() != 1000) {
            return PROBE_NOT_APPLICABLE;
        }
        List<Offer> provisional = new ArrayList<>(ledgers.length);
        for (int i = 0; i < ledgers.length; i++) {
            if (!up[i]) {
                continue;
            }
            dev.atoll.protocol.PoolSpec only = null;
            for (dev.atoll.protocol.PoolSpec pool : sites.get(i).pools()) {
                if (spec.models().accepts(pool.model())) {
                    if (only != null) {
                        return PROBE_NOT_APPLICABLE;
                    }
                    only = pool;
                }
            }
            if (only == null) {
                continue;
            }
            int free = ledgers[i].freeDevices(only.model());
            if (free < spec.devices()) {
                jWait[j] = "site " + sites.get(i).id() + ": " + free + " " + spec.models()
                        + " devices free, request needs " + spec.devices();
                continue;
            }
            provisional.add(Offers.of(sites.get(i), only, only.model(), free - spec.devices()));
        }
        List<Offer> ranked = provisional.size() <= 1 ? provisional : config.siteChoice().rank(spec, provisional);
        for (Offer o : ranked) {
            int i = siteIndex.get(o.site().value());
            PlacementResult r = find(ledgers[i], spec);
            if (r instanceof PlacementResult.Fit fit) {
                if (!offer(i, fit.placement()).equals(o)) {
                    return PROBE_NOT_APPLICABLE; // not as predicted: take the full round
                }
                start(j, i, fit.placement());
                return PROBE_STARTED;
            }
            jWait[j] = r.reason();
        }
        return PROBE_NONE_FITS;
    }

    /**
     * The offer site {@code i} makes for {@code p}: {@link Offers#of(SiteLedger, Placement, int)}, the rule the
     * live SiteAgent builds its bid with (this passes the ledger's per-model free count instead of a node scan).
     */
    private Offer offer(int i, Placement p) {
        return Offers.of(ledgers[i], p, ledgers[i].freeDevices(p.model()));
    }

    private PlacementResult find(SiteLedger l, JobSpec spec) {
        placementCalls++;
        return l.find(spec, config.packing());
    }

    /** Starts {@code j}; the caller removes it from the pending queue. */
    private void start(int j, int site, Placement p) {
        int epoch = ++jEpoch[j];
        SiteSpec spec = sites.get(site);
        double speed = spec.pools().get(ledgers[site].pool(p.shares().get(0).node())).speedFactor();
        long run = Math.max(1, (long) Math.ceil(jDuration[j] / speed));
        JobId id = JobId.of(jId[j]);
        apply(site, new HoldCreated(jobHold, id, epoch, p, now * 1000 + HOLD_TTL_MILLIS));
        apply(site, new AllocationCommitted(jobHold, id, epoch, now * 1000, (now + run) * 1000));
        jState[j] = RUNNING;
        jSite[j] = (short) site;
        jModel[j] = (short) (int) modelNumber.get(p.model());
        busyMilli[site] += milli(j);
        completions.add(now + run, j, epoch);
    }

    private int mostFreeOfAcceptedModel(int site, JobSpec spec) {
        int most = 0;
        for (dev.atoll.protocol.PoolSpec pool : sites.get(site).pools()) {
            if (spec.models().accepts(pool.model())) {
                most = Math.max(most, ledgers[site].freeDevices(pool.model()));
            }
        }
        return most;
    }

    private void apply(int site, SiteEvent e) {
        ledgers[site].apply(e);
        if (config.checkInvariants()) {
            ledgers[site].checkInvariants();
        }
    }

    private void record() {
        long everySeries = config.seriesSampleSeconds();
        if (everySeries > 0) {
            if (now < nextSeriesSample && !(events.isEmpty() && completions.isEmpty())) {
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
                for (int s = 0; s < shapes.size(); s++) {
                    if (shapePending[s] > 0) {
                        waiting.add(shapeSpec[s]);
                    }
                }
                for (int i = 0; i < ledgers.length; i++) {
                    fragmentation.get(i).add(now, up[i] ? Fragmentation.of(ledgers[i], waiting) : 0);
                }
                nextFragmentationSample = now + every;
            }
        }
    }
}
