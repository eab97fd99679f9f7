package dev.atoll.placement;

import dev.atoll.protocol.JobSpec;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * One reason to prefer a site, as a cost (lower is better) of an {@link Offer} for a job. Used alone (as a
 * {@link SiteChoicePolicy}: offers sorted by cost, ties by site id) or combined by weights
 * ({@link SiteChoicePolicy#weighted}) or in order ({@link SiteChoicePolicy#lexicographic}).
 */
public abstract class SiteCriterion implements SiteChoicePolicy {
    /** Start soonest: cost = {@code startEstimateSeconds}. */
    public static final String EARLIEST_START = "earliest-start";
    /** Cheapest device-hour: cost = {@code pricePerDeviceHour}. */
    public static final String LOWEST_PRICE = "lowest-price";
    /** Spread load: cost = -{@code freeAfter} (the site left with most free devices of the model wins). */
    public static final String LOAD_BALANCE = "load-balance";
    /** Heterogeneity-aware throughput (Gavel): cost = -speed of the job's class on the offered model. */
    public static final String THROUGHPUT = "throughput";
    /** The job's preferred region: cost 0 in it, 1 elsewhere (0 everywhere without a preference). */
    public static final String LOCALITY = "locality";
    /** Least fragmentation: cost = {@code fragmentationDelta}. */
    public static final String FRAGMENTATION = "fragmentation";

    private final String name;

    /** @param name the criterion's name, as {@link SiteChoicePolicy#byName} knows it */
    protected SiteCriterion(String name) {
        this.name = name;
    }

    /** @return the cost of {@code offer} for {@code job}; lower is better; finite */
    public abstract double cost(JobSpec job, Offer offer);

    @Override
    public String name() {
        return name;
    }

    @Override
    public List<Offer> rank(JobSpec job, List<Offer> offers) {
        List<Offer> out = new ArrayList<>(offers);
        // Costs computed once per offer, not per comparison.
        double[] costs = new double[out.size()];
        Integer[] idx = new Integer[out.size()];
        for (int i = 0; i < costs.length; i++) {
            costs[i] = cost(job, out.get(i));
            idx[i] = i;
        }
        java.util.Arrays.sort(idx, Comparator.<Integer>comparingDouble(i -> costs[i])
                .thenComparing(i -> out.get(i).site()));
        List<Offer> sorted = new ArrayList<>(costs.length);
        for (Integer i : idx) {
            sorted.add(out.get(i));
        }
        return sorted;
    }

    @Override
    public String toString() {
        return name;
    }

    /** @return {@link #EARLIEST_START} */
    public static SiteCriterion earliestStart() {
        return of(EARLIEST_START, (j, o) -> o.startEstimateSeconds());
    }

    /** @return {@link #LOWEST_PRICE} */
    public static SiteCriterion lowestPrice() {
        return of(LOWEST_PRICE, (j, o) -> o.pricePerDeviceHour());
    }

    /** @return {@link #LOAD_BALANCE} */
    public static SiteCriterion loadBalance() {
        return of(LOAD_BALANCE, (j, o) -> -o.freeAfter());
    }

    /** @return {@link #THROUGHPUT} with the offers' own speed factors (no per-class table) */
    public static SiteCriterion throughput() {
        return throughput(ThroughputTable.EMPTY);
    }

    /**
     * Heterogeneity-aware throughput after Gavel (Narayanan et al., "Heterogeneity-Aware Cluster Scheduling
     * Policies for Deep Learning Workloads", OSDI'20): the speed of the job's class ({@link JobSpec#jobClass()})
     * on the offered model from {@code table}, else the offer's own speed factor.
     */
    public static SiteCriterion throughput(ThroughputTable table) {
        return of(THROUGHPUT, (j, o) -> -table.speed(j.jobClass(), o.model(), o.speedFactor()));
    }

    /** @return {@link #LOCALITY} */
    public static SiteCriterion locality() {
        return of(LOCALITY, (j, o) -> j.preferredRegion() == null || j.preferredRegion().equals(o.region()) ? 0 : 1);
    }

    /** @return {@link #FRAGMENTATION} */
    public static SiteCriterion fragmentation() {
        return of(FRAGMENTATION, (j, o) -> o.fragmentationDelta());
    }

    /** The cost function of a criterion. */
    @FunctionalInterface
    public interface Cost {
        /** @return the cost, lower is better */
        double cost(JobSpec job, Offer offer);
    }

    /** @return a criterion named {@code name} with cost function {@code cost} */
    public static SiteCriterion of(String name, Cost cost) {
        return new SiteCriterion(name) {
            @Override
            public double cost(JobSpec job, Offer offer) {
                return cost.cost(job, offer);
            }
        };
    }
}
