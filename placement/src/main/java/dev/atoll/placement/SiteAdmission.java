package dev.atoll.placement;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.TenantId;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.HoldCreated;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One site's admission of requests (calls for proposals): the site's queue of waiting requests and the decision
 * "bid now / wait / never" for a new request, the same for the live SiteAgent and the simulator's site model.
 * Pure and deterministic, no Pekko, not thread-safe (one actor or one simulation thread).
 *
 * <p>The waiting requests are the ones that got {@link Answer.Wait} here (spec, arrival, submission sequence).
 * They are soft state: a request that has not asked again for {@code forgetAfterMillis} is forgotten (its job was
 * placed elsewhere, cancelled, or its origin stopped asking), and a request that gets a bid or {@link Answer.Never}
 * leaves the queue.
 *
 * <p>Decision for a request {@code r} at time {@code now} ({@link #decide}):
 * <ol>
 *   <li>The packing policy on the ledger ({@link SiteLedger#find}): {@link PlacementResult.Never} -&gt;
 *       {@link Answer.Never}; {@link PlacementResult.Wait} -&gt; {@link Answer.Wait} and {@code r} joins the queue.
 *   <li>It fits now. The <i>head</i> is the first waiting request (other than {@code r}) in
 *       {@link QueueScheduler#goesFirst} order: priority class, then the tenant's weighted dominant share at this
 *       site (DRF, Ghodsi et al. NSDI'11, over this site's capacity per accelerator model, weights from the
 *       {@link TenantQuota}s; unknown tenants weight 1), then the {@link QueueOrder}. If there is no head, or
 *       {@code r} itself goes first, it bids.
 *   <li>Otherwise EASY backfill (Lifka 1995; Mu'alem and Feitelson 2001): the head's reserved start is the earliest
 *       time it fits here, releasing running allocations in order of their expected end ({@code endsAtMillis}).
 *       {@code r} may jump ahead only if it ends by then ({@code now + runMillis <= reserved start}) or the head
 *       still fits at its reserved start with {@code r} running (it uses devices the head does not need);
 *       else {@code r} waits behind the head ({@link Answer.Wait} naming it) and joins the queue.
 * </ol>
 * Only the head holds a reservation. Times are in the ledger's milliseconds (the live executor's wall clock, or
 * the simulator's virtual seconds x 1000).
 */
public final class SiteAdmission {

    /** The answer for one request. */
    public sealed interface Answer {
        /** It may have devices now. */
        record Bid(Placement placement) implements Answer {
        }

        /**
         * Not now.
         *
         * @param reason words for the job
         * @param behind the waiting request whose reserved start it would delay, or null when it simply does not fit
         */
        record Wait(String reason, JobId behind) implements Answer {
        }

        /** Never at this site. */
        record Never(String reason) implements Answer {
        }
    }

    /**
     * A waiting request.
     *
     * @param spec the request
     * @param seq its order of arrival here (first ask)
     * @param lastAskedMillis when it last asked
     */
    public record Waiting(JobSpec spec, long seq, long lastAskedMillis) {
    }

    private final PackingPolicy packing;
    private final QueueOrder order;
    private final Map<TenantId, TenantQuota> quotas = new HashMap<>();
    private final long forgetAfterMillis;
    private final LinkedHashMap<JobId, Waiting> waiting = new LinkedHashMap<>();
    private long seq;

    /**
     * @param packing the site's packing policy
     * @param order FIFO or SJF, as the {@link QueueScheduler}
     * @param quotas tenants' weights (others weigh 1)
     * @param forgetAfterMillis a waiting request that has not asked again for this long is forgotten, &gt; 0
     * @throws IllegalArgumentException naming the argument if one is null or forgetAfterMillis is not positive
     */
    public SiteAdmission(PackingPolicy packing, QueueOrder order, List<TenantQuota> quotas, long forgetAfterMillis) {
        if (packing == null || order == null || quotas == null) {
            throw new IllegalArgumentException("packing, order and quotas are required");
        }
        if (forgetAfterMillis <= 0) {
            throw new IllegalArgumentException("forgetAfterMillis must be > 0, got " + forgetAfterMillis);
        }
        this.packing = packing;
        this.order = order;
        for (TenantQuota q : quotas) {
            this.quotas.put(q.tenant(), q);
        }
        this.forgetAfterMillis = forgetAfterMillis;
    }

    /**
     * Decides on {@code spec} (see the class description). Does not change the ledger.
     *
     * @param ledger the site's ledger now
     * @param spec the request
     * @param runMillis how long it would run here, in the ledger's milliseconds
     * @param nowMillis the clock, in the ledger's milliseconds
     * @param tenants the tenant of each running allocation (for the DRF shares); allocations not in it count for
     *     no tenant
     * @return the answer; a {@link Answer.Bid}'s placement is where the packing policy puts it now
     */
    public Answer decide(SiteLedger ledger, JobSpec spec, long runMillis, long nowMillis, Map<JobId, TenantId> tenants) {
        forget(nowMillis);
        PlacementResult r = ledger.find(spec, packing);
        if (r instanceof PlacementResult.Never) {
            waiting.remove(spec.id());
            return new Answer.Never(r.reason());
        }
        if (!(r instanceof PlacementResult.Fit fit)) {
            note(spec, nowMillis);
            return new Answer.Wait(r.reason(), null);
        }
        Waiting head = head(ledger, spec, nowMillis, tenants);
        if (head == null) {
            waiting.remove(spec.id());
            return new Answer.Bid(fit.placement());
        }
        long reserved = earliestStart(ledger, head.spec(), nowMillis);
        if (reserved == Long.MAX_VALUE || nowMillis + runMillis <= reserved
                || headFitsAt(ledger, head.spec(), reserved, fit.placement(), spec)) {
            waiting.remove(spec.id());
            return new Answer.Bid(fit.placement());
        }
        note(spec, nowMillis);
        return new Answer.Wait("devices reserved for waiting job " + head.spec().id() + " ("
                + head.spec().priority().wireName() + ", waiting since its first call here) from "
                + (reserved - nowMillis) + " ms on; this job would run past that", head.spec().id());
    }

    /** Removes {@code job} from the queue (it was placed, here or elsewhere, or cancelled). */
    public void remove(JobId job) {
        waiting.remove(job);
    }

    /** @return the waiting requests, oldest first (after forgetting those silent for too long at {@code nowMillis}) */
    public List<Waiting> waiting(long nowMillis) {
        forget(nowMillis);
        return List.copyOf(waiting.values());
    }

    /** @return the waiting requests' specs, oldest first: the pending mix for the site's fragmentation */
    public List<JobSpec> pending(long nowMillis) {
        List<JobSpec> out = new ArrayList<>();
        for (Waiting w : waiting(nowMillis)) {
            out.add(w.spec());
        }
        return out;
    }

    private void note(JobSpec spec, long now) {
        Waiting w = waiting.get(spec.id());
        waiting.put(spec.id(), new Waiting(spec, w != null ? w.seq() : seq++, now));
    }

    private void forget(long now) {
        waiting.values().removeIf(w -> now - w.lastAskedMillis() > forgetAfterMillis);
    }

    /** @return the first waiting request (not {@code spec}) that goes before {@code spec}, or null */
    private Waiting head(SiteLedger ledger, JobSpec spec, long now, Map<JobId, TenantId> tenants) {
        Map<TenantId, Double> shares = shares(ledger, tenants);
        Waiting mine = waiting.get(spec.id());
        long mySeq = mine != null ? mine.seq() : seq;
        double myShare = shares.getOrDefault(spec.tenant(), 0.0) / weight(spec.tenant());
        Waiting head = null;
        double headShare = 0;
        for (Waiting w : waiting.values()) {
            if (w.spec().id().equals(spec.id())) {
                continue;
            }
            double share = shares.getOrDefault(w.spec().tenant(), 0.0) / weight(w.spec().tenant());
            if (head == null || QueueScheduler.goesFirst(w.spec(), share, w.seq(), head.spec(), headShare, head.seq(),
                    order)) {
                head = w;
                headShare = share;
            }
        }
        if (head == null || QueueScheduler.goesFirst(spec, myShare, mySeq, head.spec(), headShare, head.seq(), order)) {
            return null;
        }
        return head;
    }

    private double weight(TenantId t) {
        TenantQuota q = quotas.get(t);
        return q != null ? q.weight() : 1.0;
    }

    /** @return each tenant's (unweighted) dominant share of this site: max over models of its devices / capacity */
    private static Map<TenantId, Double> shares(SiteLedger ledger, Map<JobId, TenantId> tenants) {
        Map<AcceleratorModel, Integer> capacity = new TreeMap<>();
        for (PoolSpec p : ledger.spec().pools()) {
            capacity.merge(p.model(), p.capacity(), Integer::sum);
        }
        Map<TenantId, Map<AcceleratorModel, Integer>> use = new HashMap<>();
        for (SiteLedger.Allocation a : ledger.allocations()) {
            TenantId t = tenants.get(a.job());
            if (t != null) {
                use.computeIfAbsent(t, k -> new TreeMap<>()).merge(a.placement().model(), a.placement().deviceCount(),
                        Integer::sum);
            }
        }
        Map<TenantId, Double> out = new HashMap<>();
        for (Map.Entry<TenantId, Map<AcceleratorModel, Integer>> e : use.entrySet()) {
            double share = 0;
            for (Map.Entry<AcceleratorModel, Integer> m : e.getValue().entrySet()) {
                Integer cap = capacity.get(m.getKey());
                if (cap != null && cap > 0) {
                    share = Math.max(share, m.getValue() / (double) cap);
                }
            }
            out.put(e.getKey(), share);
        }
        return out;
    }

    /** @return the earliest time {@code head} fits, releasing allocations by expected end; MAX_VALUE if never */
    private long earliestStart(SiteLedger ledger, JobSpec head, long now) {
        SiteLedger scratch = ledger.copy();
        if (scratch.find(head, packing).fits()) {
            return now;
        }
        List<SiteLedger.Allocation> ends = new ArrayList<>(ledger.allocations());
        ends.sort(Comparator.comparingLong(SiteLedger.Allocation::endsAtMillis)
                .thenComparing(a -> a.job().value()));
        for (SiteLedger.Allocation a : ends) {
            scratch.apply(new AllocationReleased(a.job(), a.epoch(), WorkloadEnded.Outcome.COMPLETED,
                    a.endsAtMillis(), ""));
            if (scratch.find(head, packing).fits()) {
                return Math.max(now, a.endsAtMillis());
            }
        }
        return Long.MAX_VALUE;
    }

    /** @return whether {@code head} fits at {@code at} with {@code extra} held for {@code extraSpec} */
    private boolean headFitsAt(SiteLedger ledger, JobSpec head, long at, Placement extra, JobSpec extraSpec) {
        SiteLedger scratch = ledger.copy();
        scratch.apply(new HoldCreated(HoldId.of("admission-probe"), extraSpec.id(), -1, extra, Long.MAX_VALUE));
        for (SiteLedger.Allocation a : ledger.allocations()) {
            if (a.endsAtMillis() <= at) {
                scratch.apply(new AllocationReleased(a.job(), a.epoch(), WorkloadEnded.Outcome.COMPLETED,
                        a.endsAtMillis(), ""));
            }
        }
        return scratch.find(head, packing).fits();
    }
}
