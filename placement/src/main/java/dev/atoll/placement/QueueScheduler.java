package dev.atoll.placement;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.TenantId;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.HoldCreated;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The queue discipline of a broker over a set of sites: per-tenant queues, priority classes, weighted fair
 * share by dominant resource fairness, guaranteed and borrowable quotas, EASY backfill, all-or-nothing gangs
 * and preemption. Pure and deterministic (the same calls give the same decisions), single-threaded, on the
 * caller's clock in seconds. It drives the sites' {@link SiteLedger}s directly through their events (hold,
 * then commit, in one step), so the simulator and tests can use it as is; a live broker runs the same order
 * and asks sites for bids instead.
 *
 * <p>One scheduling pass ({@link #schedule(long)}):
 * <ol>
 *   <li><b>Order.</b> Each tenant's queue is ordered by priority class (inference &gt; production &gt;
 *       best effort, {@link dev.atoll.protocol.PriorityClass}), then by the {@link QueueOrder} (FIFO, the
 *       default: submission order; SJF: requested duration, then submission order; the simulator orders its
 *       queue with the same {@link QueueOrder}). Across tenants the
 *       next job is the head with the highest priority, then the lowest weighted dominant share (DRF, Ghodsi
 *       et al., "Dominant Resource Fairness", NSDI'11: a tenant's share of each accelerator model is its
 *       devices of that model over the federation's capacity of it; its dominant share is the largest of
 *       these divided by its {@link TenantQuota#weight()}), then the {@link QueueOrder}. Shares are updated
 *       after every start (progressive filling).
 *   <li><b>Quota.</b> A job may only take devices of a model up to its tenant's guarantee plus borrow limit
 *       ({@link TenantQuota#limitOf}). Devices beyond the guarantee are <i>borrowed</i>.
 *   <li><b>Start.</b> The sites where the whole gang fits now (all-or-nothing: one placement at one site,
 *       else nothing is held anywhere) are ranked by the {@link SiteChoicePolicy}; the best one gets it.
 *   <li><b>Preempt.</b> If it fits nowhere, the {@link PreemptionPlanner} looks for victims: running gangs
 *       of a strictly lower priority class, or, when the job stays within its tenant's guarantee, gangs of
 *       other tenants that use more than their own guarantee of that model (borrowers, who keep at least
 *       their guarantee). Victims are requeued at their old place.
 *   <li><b>Reserve and backfill (EASY).</b> Otherwise the job becomes the head: it gets a reservation at the
 *       earliest time running work (by its expected end) frees room for it at some site. Every later job may
 *       start now only where that does not move the head's reserved start: it ends before the reservation,
 *       or the head still fits at its reserved time with it running. Only the head preempts.
 * </ol>
 * A service with {@code replicas > 1} is one gang for all of this: its R replicas are placed all-or-nothing at
 * one site with at most {@code maxReplicasPerNode} on any node (the {@link PackingPolicy}'s rule 7, see
 * {@link AbstractPackingPolicy}), count R x devices against quotas and fair share, and are preempted and
 * requeued together. Preempted jobs go
 * back to their old place in their tenant's queue and are considered from the next pass on. Offers built here
 * all start at once ({@code startEstimateSeconds} 0) and carry no fragmentation delta, so the choice policy
 * decides on price, speed, free devices and region. Not thread-safe: one broker or simulation thread.
 */
public final class QueueScheduler {

    /** What a call decided for one job. */
    public sealed interface Decision {
        /** @return the job concerned */
        JobId job();

        /** Accepted into its tenant's queue. */
        record Queued(JobId job) implements Decision {
        }

        /** Refused at submission with a reason (e.g. no site can ever run it). */
        record Rejected(JobId job, String reason) implements Decision {
        }

        /**
         * Started at {@code site} on {@code placement} at {@code atSeconds}.
         *
         * @param backfilled started behind a waiting head without delaying it
         * @param borrowed its devices take the tenant beyond its guarantee
         */
        record Started(JobId job, SiteId site, Placement placement, long atSeconds, boolean backfilled,
                       boolean borrowed) implements Decision {
        }

        /** Stopped at {@code site} to make room for {@code by}, and requeued. */
        record Preempted(JobId job, JobId by, SiteId site, long atSeconds) implements Decision {
        }

        /** The head job waits with a reservation at {@code site} from {@code startSeconds}. */
        record Reserved(JobId job, SiteId site, long startSeconds) implements Decision {
        }
    }

    /**
     * A running job as the scheduler sees it.
     *
     * @param spec the request
     * @param site index into the scheduler's sites
     * @param placement its devices
     * @param startSeconds start time
     * @param endSeconds expected end (start + durationSeconds)
     * @param epoch its allocation's epoch (grows with every start of the job)
     * @param preemptions how often it has been preempted so far
     */
    public record Running(JobSpec spec, int site, Placement placement, long startSeconds, long endSeconds, long epoch,
                          int preemptions) {
    }

    private static final class Queued {
        final JobSpec spec;
        final long seq;
        int preemptions;
        long epoch;

        Queued(JobSpec spec, long seq) {
            this.spec = spec;
            this.seq = seq;
        }
    }

    private final List<SiteLedger> sites;
    private final Map<TenantId, TenantQuota> quotas;
    private final PackingPolicy packing;
    private final SiteChoicePolicy choice;
    private final PreemptionPlanner planner;
    private final QueueOrder order;
    private final Map<AcceleratorModel, Integer> capacity = new TreeMap<>();
    private final Map<TenantId, Map<AcceleratorModel, Integer>> usage = new HashMap<>();
    private final Map<JobId, Queued> queued = new LinkedHashMap<>();
    private final Map<JobId, Running> running = new LinkedHashMap<>();
    private final Map<JobId, Long> epochs = new HashMap<>();
    private final Map<JobId, Long> seqs = new HashMap<>();
    private long seq;

    /**
     * @param sites the sites' ledgers, driven by this scheduler from now on (they may already hold
     *     allocations of workloads it does not know: those are never preempted and never end for it)
     * @param quotas per tenant; unknown tenants get {@link TenantQuota#bestEffort}
     * @param packing in-site packing
     * @param choice cross-site ranking of the sites where a job fits
     * @param maxPreemptionsPerJob how often one job may be preempted at most
     * @throws IllegalArgumentException if sites is empty or an argument is null
     */
    public QueueScheduler(List<SiteLedger> sites, List<TenantQuota> quotas, PackingPolicy packing,
                          SiteChoicePolicy choice, int maxPreemptionsPerJob) {
        this(sites, quotas, packing, choice, maxPreemptionsPerJob, QueueOrder.FIFO);
    }

    /**
     * As {@link #QueueScheduler(List, List, PackingPolicy, SiteChoicePolicy, int)}, with the order of each
     * tenant's queue (and the last tie-break across tenants) given by {@code order} instead of FIFO.
     *
     * @param order {@link QueueOrder#FIFO} (the default) or {@link QueueOrder#SJF}
     * @throws IllegalArgumentException if sites is empty or an argument is null
     */
    public QueueScheduler(List<SiteLedger> sites, List<TenantQuota> quotas, PackingPolicy packing,
                          SiteChoicePolicy choice, int maxPreemptionsPerJob, QueueOrder order) {
        if (order == null) {
            throw new IllegalArgumentException("order is required");
        }
        this.order = order;
        if (sites == null || sites.isEmpty()) {
            throw new IllegalArgumentException("sites must not be empty");
        }
        if (packing == null || choice == null || quotas == null) {
            throw new IllegalArgumentException("packing, choice and quotas are required");
        }
        this.sites = List.copyOf(sites);
        Map<TenantId, TenantQuota> q = new HashMap<>();
        for (TenantQuota t : quotas) {
            q.put(t.tenant(), t);
        }
        this.quotas = q;
        this.packing = packing;
        this.choice = choice;
        this.planner = new PreemptionPlanner(packing, maxPreemptionsPerJob);
        for (SiteLedger l : this.sites) {
            for (PoolSpec p : l.spec().pools()) {
                capacity.merge(p.model(), p.capacity(), Integer::sum);
            }
        }
    }

    /** @return the ledgers, in the order given */
    public List<SiteLedger> sites() {
        return sites;
    }

    /** @return queued jobs in submission order (unmodifiable snapshot) */
    public List<JobSpec> queued() {
        List<JobSpec> out = new ArrayList<>();
        for (Queued q : queued.values()) {
            out.add(q.spec);
        }
        return Collections.unmodifiableList(out);
    }

    /** @return running jobs in start order (unmodifiable view) */
    public Map<JobId, Running> running() {
        return Collections.unmodifiableMap(running);
    }

    /** @return devices of {@code model} allocated to {@code tenant}'s jobs by this scheduler */
    public int usage(TenantId tenant, AcceleratorModel model) {
        return usage.getOrDefault(tenant, Map.of()).getOrDefault(model, 0);
    }

    /** @return the tenant's weighted dominant share (0 when it runs nothing) */
    public double dominantShare(TenantId tenant) {
        double share = 0;
        for (Map.Entry<AcceleratorModel, Integer> e : usage.getOrDefault(tenant, Map.of()).entrySet()) {
            Integer cap = capacity.get(e.getKey());
            if (cap != null && cap > 0) {
                share = Math.max(share, e.getValue() / (double) cap);
            }
        }
        return share / quota(tenant).weight();
    }

    private TenantQuota quota(TenantId t) {
        TenantQuota q = quotas.get(t);
        return q != null ? q : TenantQuota.bestEffort(t);
    }

    /**
     * Queues a job. A repeat of a queued or running job's id is a no-op answered with {@link Decision.Queued}.
     *
     * @param job the request
     * @param nowSeconds the clock
     * @return {@link Decision.Queued}, or {@link Decision.Rejected} with the reason when no site can ever run
     *     it (every site says {@link PlacementResult.Never}; for a service: no site could hold all its replicas
     *     under its per-node limit even when idle)
     */
    public Decision submit(JobSpec job, long nowSeconds) {
        if (queued.containsKey(job.id()) || running.containsKey(job.id())) {
            return new Decision.Queued(job.id());
        }
        List<String> reasons = new ArrayList<>();
        boolean possible = false;
        for (SiteLedger l : sites) {
            PlacementResult r = l.find(job, packing);
            if (r instanceof PlacementResult.Never) {
                reasons.add(r.reason());
            } else {
                possible = true;
                break;
            }
        }
        if (!possible) {
            return new Decision.Rejected(job.id(), String.join("; ", reasons));
        }
        queued.put(job.id(), new Queued(job, seq++));
        return new Decision.Queued(job.id());
    }

    /**
     * Ends a running job (completed, failed or cancelled) and frees its devices; a queued job is dropped.
     *
     * @return true if the job was running or queued
     */
    public boolean finish(JobId job, long nowSeconds) {
        if (queued.remove(job) != null) {
            return true;
        }
        Running r = running.remove(job);
        if (r == null) {
            return false;
        }
        sites.get(r.site()).apply(new AllocationReleased(job, r.epoch(), WorkloadEnded.Outcome.COMPLETED,
                nowSeconds * 1000, ""));
        addUsage(r.spec().tenant(), r.placement(), -1);
        return true;
    }

    /**
     * One scheduling pass at {@code nowSeconds} (see the class description).
     *
     * @return the decisions of the pass, in the order taken
     */
    public List<Decision> schedule(long nowSeconds) {
        List<Decision> out = new ArrayList<>();
        // Per-tenant queues ordered by priority, then submission.
        Map<TenantId, List<Queued>> byTenant = new TreeMap<>();
        for (Queued q : queued.values()) {
            byTenant.computeIfAbsent(q.spec.tenant(), k -> new ArrayList<>()).add(q);
        }
        Comparator<Queued> inTenant = (a, b) -> order.compare(a.spec, a.seq, b.spec, b.seq);
        Map<TenantId, Integer> cursor = new HashMap<>();
        for (List<Queued> l : byTenant.values()) {
            l.sort(inTenant);
        }
        long[] shadow = null; // per site: earliest start of the head there (Long.MAX_VALUE: never)
        int headSite = -1;
        JobSpec head = null;
        long headStart = Long.MAX_VALUE;
        while (true) {
            Queued next = null;
            double nextShare = 0;
            for (Map.Entry<TenantId, List<Queued>> e : byTenant.entrySet()) {
                int c = cursor.getOrDefault(e.getKey(), 0);
                if (c >= e.getValue().size()) {
                    continue;
                }
                Queued q = e.getValue().get(c);
                double share = dominantShare(e.getKey());
                if (next == null || better(q, share, next, nextShare)) {
                    next = q;
                    nextShare = share;
                }
            }
            if (next == null) {
                break;
            }
            cursor.merge(next.spec.tenant(), 1, Integer::sum);
            if (!queued.containsKey(next.spec.id())) {
                continue;
            }
            if (shadow == null) {
                boolean[] quotaBlocked = new boolean[1];
                if (tryStart(next, nowSeconds, null, -1, Long.MAX_VALUE, out, quotaBlocked)) {
                    continue;
                }
                if (quotaBlocked[0]) {
                    continue; // a quota, not the devices, holds it back: it reserves nothing
                }
                if (tryPreempt(next, nowSeconds, out)) {
                    continue;
                }
                shadow = new long[sites.size()];
                head = next.spec;
                int best = -1;
                for (int s = 0; s < sites.size(); s++) {
                    shadow[s] = earliestStart(sites.get(s), s, next.spec, nowSeconds);
                    if (shadow[s] < headStart) {
                        headStart = shadow[s];
                        best = s;
                    }
                }
                headSite = best;
                if (best >= 0) {
                    out.add(new Decision.Reserved(next.spec.id(), sites.get(best).site(), headStart));
                }
            } else {
                tryStart(next, nowSeconds, head, headSite, headStart, out, new boolean[1]);
            }
        }
        return out;
    }

    private boolean better(Queued a, double aShare, Queued b, double bShare) {
        return goesFirst(a.spec, aShare, a.seq, b.spec, bShare, b.seq, order);
    }

    /**
     * The order across tenants' queue heads, shared with {@link SiteAdmission}: the higher priority class first,
     * then the lower weighted dominant share (DRF), then {@code order} (FIFO: submission sequence; SJF: duration,
     * then sequence).
     *
     * @param aShare a's tenant's weighted dominant share, as {@link #dominantShare}
     * @param aSeq a's submission sequence (unique, growing with submission time)
     * @return true if {@code a} goes before {@code b}
     */
    public static boolean goesFirst(JobSpec a, double aShare, long aSeq, JobSpec b, double bShare, long bSeq,
                                    QueueOrder order) {
        if (a.priority() != b.priority()) {
            return a.priority().outranks(b.priority());
        }
        if (aShare != bShare) {
            return aShare < bShare;
        }
        return order.compare(a, aSeq, b, bSeq) < 0;
    }

    /**
     * Starts {@code q} where it fits now, ranked by the choice policy. With {@code head} set (backfill), only
     * where it does not delay the head's reserved start {@code headStart} at {@code headSite}: elsewhere, or
     * ending by then, or leaving room for the head at that time.
     */
    private boolean tryStart(Queued q, long now, JobSpec head, int headSite, long headStart, List<Decision> out,
                             boolean[] quotaBlocked) {
        JobSpec spec = q.spec;
        TenantQuota quota = quota(spec.tenant());
        List<Offer> offers = new ArrayList<>();
        Map<SiteId, Placement> placements = new HashMap<>();
        Map<SiteId, Integer> index = new HashMap<>();
        for (int s = 0; s < sites.size(); s++) {
            SiteLedger l = sites.get(s);
            PlacementResult r = l.find(spec, packing);
            if (!(r instanceof PlacementResult.Fit fit)) {
                continue;
            }
            Placement p = fit.placement();
            if (usage(spec.tenant(), p.model()) + p.deviceCount() > quota.limitOf(p.model())) {
                quotaBlocked[0] = true;
                continue;
            }
            if (head != null && s == headSite && now + spec.durationSeconds() > headStart
                    && !headFitsAt(l, s, head, headStart, p, spec)) {
                continue; // it would still run at the reserved start, in the head's way
            }
            offers.add(offerFor(l, p));
            placements.put(l.site(), p);
            index.put(l.site(), s);
        }
        if (offers.isEmpty()) {
            return false;
        }
        quotaBlocked[0] = false;
        Offer best = choice.rank(spec, offers).get(0);
        int s = index.get(best.site());
        start(q, s, placements.get(best.site()), now, head != null, out);
        return true;
    }

    private Offer offerFor(SiteLedger l, Placement p) {
        int free = 0;
        for (int n : l.nodesOf(p.model())) {
            free += l.freeDevices(n);
        }
        // The pool of the first node used gives price and speed.
        PoolSpec pool = l.spec().pools().get(l.pool(p.shares().get(0).node()));
        double price = pool.pricePerDeviceHour();
        double speed = pool.speedFactor();
        int taken = 0;
        for (NodeShare s : p.shares()) {
            for (int d : s.devices()) {
                if (l.usedMilli(s.node(), d) == 0) {
                    taken++;
                }
            }
        }
        return new Offer(l.site(), p.model(), 0, price, speed, 0, Math.max(0, free - taken), l.spec().region());
    }

    private void start(Queued q, int s, Placement p, long now, boolean backfilled, List<Decision> out) {
        SiteLedger l = sites.get(s);
        JobSpec spec = q.spec;
        long epoch = epochs.merge(spec.id(), 1L, Long::sum);
        HoldId hold = HoldId.of("q:" + spec.id().value() + ":" + epoch);
        long end = now + spec.durationSeconds();
        l.apply(new HoldCreated(hold, spec.id(), epoch, p, now * 1000 + 1));
        l.apply(new AllocationCommitted(hold, spec.id(), epoch, now * 1000, end * 1000));
        TenantQuota quota = quota(spec.tenant());
        boolean borrowed = usage(spec.tenant(), p.model()) + p.deviceCount() > quota.guaranteedOf(p.model());
        addUsage(spec.tenant(), p, +1);
        queued.remove(spec.id());
        seqs.put(spec.id(), q.seq);
        running.put(spec.id(), new Running(spec, s, p, now, end, epoch, q.preemptions));
        out.add(new Decision.Started(spec.id(), l.site(), p, now, backfilled, borrowed));
    }

    private boolean tryPreempt(Queued q, long now, List<Decision> out) {
        JobSpec spec = q.spec;
        TenantQuota pq = quota(spec.tenant());
        PreemptionPlanner.Plan best = null;
        int bestSite = -1;
        for (int s = 0; s < sites.size(); s++) {
            List<PreemptionPlanner.Candidate> cands = new ArrayList<>();
            for (Map.Entry<JobId, Running> e : running.entrySet()) {
                Running r = e.getValue();
                if (r.site() == s) {
                    cands.add(new PreemptionPlanner.Candidate(e.getKey(), r.spec(), r.epoch(), r.placement(),
                            r.startSeconds(), r.preemptions()));
                }
            }
            if (cands.isEmpty()) {
                continue;
            }
            PreemptionPlanner.Eligibility eligible = (v, chosen) -> {
                if (spec.priority().outranks(v.spec().priority())) {
                    return true;
                }
                if (v.spec().priority().outranks(spec.priority()) || v.spec().tenant().equals(spec.tenant())) {
                    return false;
                }
                AcceleratorModel m = v.placement().model();
                if (usage(spec.tenant(), m) + spec.totalDevices() > pq.guaranteedOf(m)) {
                    return false; // only a job within its guarantee reclaims
                }
                int victimTenantUse = usage(v.spec().tenant(), m);
                for (PreemptionPlanner.Candidate c : chosen) {
                    if (c.spec().tenant().equals(v.spec().tenant()) && c.placement().model().equals(m)) {
                        victimTenantUse -= c.placement().deviceCount();
                    }
                }
                return victimTenantUse - v.placement().deviceCount() >= quota(v.spec().tenant()).guaranteedOf(m);
            };
            Optional<PreemptionPlanner.Plan> plan = planner.plan(sites.get(s), spec, cands, now, eligible);
            if (plan.isEmpty()) {
                continue;
            }
            PreemptionPlanner.Plan p = plan.get();
            if (usage(spec.tenant(), p.placement().model()) + p.placement().deviceCount()
                    > pq.limitOf(p.placement().model())) {
                continue;
            }
            if (best == null || p.lostWorkDeviceSeconds() < best.lostWorkDeviceSeconds()
                    || (p.lostWorkDeviceSeconds() == best.lostWorkDeviceSeconds()
                        && p.surplusDevices() < best.surplusDevices())) {
                best = p;
                bestSite = s;
            }
        }
        if (best == null) {
            return false;
        }
        SiteLedger l = sites.get(bestSite);
        for (PreemptionPlanner.Candidate v : best.victims()) {
            Running r = running.remove(v.job());
            l.apply(new AllocationReleased(v.job(), v.epoch(), WorkloadEnded.Outcome.PREEMPTED, now * 1000,
                    "preempted by " + spec.id()));
            addUsage(r.spec().tenant(), r.placement(), -1);
            Queued back = new Queued(r.spec(), seqOf(r));
            back.preemptions = r.preemptions() + 1;
            queued.put(v.job(), back);
            out.add(new Decision.Preempted(v.job(), spec.id(), l.site(), now));
        }
        start(q, bestSite, best.placement(), now, false, out);
        return true;
    }

    private long seqOf(Running r) {
        // A preempted job goes back at its original place in its tenant's queue.
        return seqs.getOrDefault(r.spec().id(), 0L);
    }

    /**
     * Earliest time {@code head} fits at site {@code s}, releasing this scheduler's running jobs there in
     * order of expected end (seconds; {@code Long.MAX_VALUE} if never).
     */
    private long earliestStart(SiteLedger site, int s, JobSpec head, long now) {
        SiteLedger scratch = site.copy();
        if (scratch.find(head, packing).fits()) {
            return now;
        }
        List<Map.Entry<JobId, Running>> ends = new ArrayList<>();
        for (Map.Entry<JobId, Running> e : running.entrySet()) {
            if (e.getValue().site() == s) {
                ends.add(e);
            }
        }
        ends.sort(Comparator.<Map.Entry<JobId, Running>>comparingLong(e -> e.getValue().endSeconds())
                .thenComparing(Map.Entry::getKey));
        for (Map.Entry<JobId, Running> e : ends) {
            Running r = e.getValue();
            scratch.apply(new AllocationReleased(e.getKey(), r.epoch(), WorkloadEnded.Outcome.COMPLETED,
                    r.endSeconds() * 1000, ""));
            if (scratch.find(head, packing).fits()) {
                return Math.max(now, r.endSeconds());
            }
        }
        return Long.MAX_VALUE;
    }

    /**
     * Does {@code head} fit at site {@code s} at time {@code at}, with {@code extraSpec} running on
     * {@code extra} and every job of this scheduler there that ends by {@code at} gone? One what-if find on a
     * copy of the ledger.
     */
    private boolean headFitsAt(SiteLedger site, int s, JobSpec head, long at, Placement extra, JobSpec extraSpec) {
        SiteLedger scratch = site.copy();
        HoldId hid = HoldId.of("backfill-probe");
        scratch.apply(new HoldCreated(hid, extraSpec.id(), -1, extra, Long.MAX_VALUE));
        for (Map.Entry<JobId, Running> e : running.entrySet()) {
            Running r = e.getValue();
            if (r.site() == s && r.endSeconds() <= at) {
                scratch.apply(new AllocationReleased(e.getKey(), r.epoch(), WorkloadEnded.Outcome.COMPLETED,
                        r.endSeconds() * 1000, ""));
            }
        }
        return scratch.find(head, packing).fits();
    }

    private void addUsage(TenantId tenant, Placement p, int sign) {
        usage.computeIfAbsent(tenant, k -> new TreeMap<>()).merge(p.model(), sign * p.deviceCount(), Integer::sum);
    }
}
