package dev.atoll.placement;

import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Plans a preemption at one site: which running gangs to stop so that a request fits.
 *
 * <p>Rules:
 * <ul>
 *   <li>whole gangs only: a victim loses all its devices, at every node;
 *   <li>only victims the caller's {@link Eligibility} accepts (e.g. lower priority, or borrowing beyond their
 *       tenant's guarantee), that are preemptible and have been preempted fewer than
 *       {@code maxPreemptionsPerJob} times;
 *   <li>victims are chosen to lose the least work since their last checkpoint (device-seconds: devices x
 *       ((now - start) mod checkpoint interval), or x (now - start) without checkpoints), then to free the
 *       fewest devices beyond the need; a plan first tries each node of an acceptable model (most requests
 *       sit on one node), then the whole site, and drops victims it turns out not to need;
 *   <li>the preemptor gets exactly what was freed: its placement is computed on the site with the victims
 *       removed and uses only devices that were free or freed, and the caller applies the releases and the
 *       preemptor's hold together, so nobody else can take the freed devices in between.
 * </ul>
 * Deterministic: ties go to the lower job id.
 */
public final class PreemptionPlanner {
    /**
     * A running workload that might be preempted.
     *
     * @param job its id
     * @param spec its request (priority, preemptible, checkpoint interval)
     * @param epoch its allocation's epoch at the site
     * @param placement its devices
     * @param startedAtSeconds when it started (seconds, the caller's clock)
     * @param preemptions how often it has been preempted so far
     */
    public record Candidate(JobId job, JobSpec spec, long epoch, Placement placement, long startedAtSeconds,
                            int preemptions) {
    }

    /**
     * A plan.
     *
     * @param victims gangs to stop, in the order chosen
     * @param placement where the preemptor goes once they are stopped
     * @param lostWorkDeviceSeconds work the victims lose since their last checkpoints, device-seconds
     * @param surplusDevices devices freed that the preemptor does not take
     */
    public record Plan(List<Candidate> victims, Placement placement, long lostWorkDeviceSeconds, int surplusDevices) {
    }

    /** Says whether a candidate may be preempted, given the victims already chosen in this plan. */
    @FunctionalInterface
    public interface Eligibility {
        /** @return true if {@code victim} may be stopped in addition to {@code chosen} */
        boolean test(Candidate victim, List<Candidate> chosen);
    }

    private final PackingPolicy packing;
    private final int maxPreemptionsPerJob;

    /**
     * @param packing how the preemptor is placed on the freed site
     * @param maxPreemptionsPerJob how often one job may be preempted at most, >= 0
     * @throws IllegalArgumentException naming the value if it is negative, or if packing is null
     */
    public PreemptionPlanner(PackingPolicy packing, int maxPreemptionsPerJob) {
        if (packing == null) {
            throw new IllegalArgumentException("packing is required");
        }
        if (maxPreemptionsPerJob < 0) {
            throw new IllegalArgumentException("maxPreemptionsPerJob must be >= 0, got " + maxPreemptionsPerJob);
        }
        this.packing = packing;
        this.maxPreemptionsPerJob = maxPreemptionsPerJob;
    }

    /** @return work lost if {@code c} is stopped at {@code nowSeconds}, device-seconds */
    public static long lostWork(Candidate c, long nowSeconds) {
        long ran = Math.max(0, nowSeconds - c.startedAtSeconds());
        long interval = c.spec().checkpointIntervalSeconds();
        long lost = interval > 0 ? ran % interval : ran;
        return lost * c.placement().deviceCount();
    }

    /**
     * @param site the site's ledger (not changed)
     * @param preemptor the request that does not fit now
     * @param running the site's running workloads that could be stopped
     * @param nowSeconds the caller's clock, seconds
     * @param eligible which candidates may be stopped
     * @return the cheapest plan, or empty if no eligible set of victims makes room
     */
    public Optional<Plan> plan(SiteLedger site, JobSpec preemptor, List<Candidate> running, long nowSeconds,
                               Eligibility eligible) {
        List<Candidate> pool = new ArrayList<>();
        for (Candidate c : running) {
            if (c.spec().preemptible() && c.preemptions() < maxPreemptionsPerJob
                    && site.allocation(c.job()) != null && site.allocation(c.job()).epoch() == c.epoch()) {
                pool.add(c);
            }
        }
        if (pool.isEmpty()) {
            return Optional.empty();
        }
        Comparator<Candidate> cheapest = Comparator.<Candidate>comparingLong(c -> lostWork(c, nowSeconds))
                .thenComparingInt(c -> c.placement().deviceCount())
                .thenComparing(Candidate::job);
        pool.sort(cheapest);
        Plan best = null;
        // Node by node: victims touching the node, cheapest first.
        Set<Integer> nodes = new HashSet<>();
        for (Candidate c : pool) {
            if (preemptor.models().accepts(c.placement().model())) {
                nodes.addAll(c.placement().nodes());
            }
        }
        List<Integer> sortedNodes = new ArrayList<>(nodes);
        sortedNodes.sort(null);
        for (int node : sortedNodes) {
            List<Candidate> onNode = new ArrayList<>();
            for (Candidate c : pool) {
                if (c.placement().nodes().contains(node)) {
                    onNode.add(c);
                }
            }
            best = better(best, greedy(site, preemptor, onNode, nowSeconds, eligible));
        }
        best = better(best, greedy(site, preemptor, pool, nowSeconds, eligible));
        return Optional.ofNullable(best);
    }

    private static Plan better(Plan a, Plan b) {
        if (a == null) {
            return b;
        }
        if (b == null) {
            return a;
        }
        int c = Long.compare(b.lostWorkDeviceSeconds(), a.lostWorkDeviceSeconds());
        if (c == 0) {
            c = Integer.compare(b.surplusDevices(), a.surplusDevices());
        }
        if (c == 0) {
            c = Integer.compare(b.victims().size(), a.victims().size());
        }
        return c < 0 ? b : a;
    }

    private Plan greedy(SiteLedger site, JobSpec preemptor, List<Candidate> ordered, long now, Eligibility eligible) {
        List<Candidate> chosen = new ArrayList<>();
        Placement fit = null;
        for (Candidate c : ordered) {
            if (!eligible.test(c, chosen)) {
                continue;
            }
            chosen.add(c);
            fit = fitWithout(site, preemptor, chosen);
            if (fit != null) {
                break;
            }
        }
        if (fit == null) {
            return null;
        }
        // Drop victims not needed, most expensive first.
        for (int i = chosen.size() - 1; i >= 0 && chosen.size() > 1; i--) {
            List<Candidate> fewer = new ArrayList<>(chosen);
            Candidate dropped = fewer.remove(i);
            if (!stillEligible(fewer, eligible)) {
                continue;
            }
            Placement p = fitWithout(site, preemptor, fewer);
            if (p != null) {
                chosen = fewer;
                fit = p;
            } else {
                fewer.add(i, dropped);
            }
        }
        long lost = 0;
        int freed = 0;
        for (Candidate c : chosen) {
            lost += lostWork(c, now);
            freed += c.placement().deviceCount();
        }
        int usedFreed = 0;
        for (NodeShare s : fit.shares()) {
            for (int d : s.devices()) {
                if (site.usedMilli(s.node(), d) > 0) {
                    usedFreed++;
                }
            }
        }
        return new Plan(List.copyOf(chosen), fit, lost, freed - usedFreed);
    }

    private static boolean stillEligible(List<Candidate> chosen, Eligibility eligible) {
        List<Candidate> so = new ArrayList<>();
        for (Candidate c : chosen) {
            if (!eligible.test(c, so)) {
                return false;
            }
            so.add(c);
        }
        return true;
    }

    private Placement fitWithout(SiteLedger site, JobSpec preemptor, List<Candidate> victims) {
        SiteLedger scratch = site.copy();
        for (Candidate v : victims) {
            scratch.apply(new AllocationReleased(v.job(), v.epoch(), WorkloadEnded.Outcome.PREEMPTED, 0, "plan"));
        }
        PlacementResult r = scratch.find(preemptor, packing);
        return r.fits() ? r.placement() : null;
    }
}
