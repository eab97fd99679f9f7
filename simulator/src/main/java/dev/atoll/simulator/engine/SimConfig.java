package dev.atoll.simulator.engine;

import dev.atoll.placement.PackingPolicy;
import dev.atoll.placement.SiteChoicePolicy;

import java.util.List;

/**
 * How to run a simulation.
 *
 * @param packing in-site packing policy from the placement module (e.g. {@code PackingPolicy.byName("best-fit")})
 * @param siteChoice the placement module's cross-site policy, ranking the offers of the sites that fit now
 *     (e.g. {@code SiteChoicePolicy.byName("default")}, the live federation's)
 * @param wholeNodes passed to {@link dev.atoll.simulator.trace.TraceTask#toJobSpec(boolean)} for every task
 * @param failures injected failures
 * @param checkInvariants if true, every site ledger checks its invariants after each change (slow; for tests)
 * @param fragmentationSampleSeconds how often (virtual seconds) to measure each site's fragmentation with
 *     placement's {@link dev.atoll.placement.Fragmentation} against the waiting requests; 0 = never
 * @param queue the order in which waiting jobs are tried ({@link QueueDiscipline#FIFO} by default)
 * @param seriesSampleSeconds 0 = record utilization and queue length at every change (exact; memory grows with
 *     the number of events); {@code > 0} = record them at most once per this many virtual seconds (bounded
 *     memory for very long runs; means over time become averages of samples)
 */
public record SimConfig(PackingPolicy packing, SiteChoicePolicy siteChoice, boolean wholeNodes, List<Failure> failures,
                        boolean checkInvariants, long fragmentationSampleSeconds, QueueDiscipline queue,
                        long seriesSampleSeconds) {
    /** Default {@link #fragmentationSampleSeconds()}: one virtual hour. */
    public static final long DEFAULT_FRAGMENTATION_SAMPLE_SECONDS = 3600;

    public SimConfig {
        if (packing == null) {
            throw new IllegalArgumentException("packing policy is required");
        }
        if (siteChoice == null) {
            throw new IllegalArgumentException("site choice policy is required");
        }
        failures = List.copyOf(failures == null ? List.of() : failures);
        if (fragmentationSampleSeconds < 0) {
            throw new IllegalArgumentException("fragmentationSampleSeconds must be >= 0, got " + fragmentationSampleSeconds);
        }
        if (queue == null) {
            queue = QueueDiscipline.FIFO;
        }
        if (seriesSampleSeconds < 0) {
            throw new IllegalArgumentException("seriesSampleSeconds must be >= 0, got " + seriesSampleSeconds);
        }
    }

    /** As the canonical constructor with FIFO and exact series. */
    public SimConfig(PackingPolicy packing, SiteChoicePolicy siteChoice, boolean wholeNodes, List<Failure> failures,
                     boolean checkInvariants, long fragmentationSampleSeconds) {
        this(packing, siteChoice, wholeNodes, failures, checkInvariants, fragmentationSampleSeconds, QueueDiscipline.FIFO, 0);
    }

    /** As the canonical constructor with {@link #DEFAULT_FRAGMENTATION_SAMPLE_SECONDS}. */
    public SimConfig(PackingPolicy packing, SiteChoicePolicy siteChoice, boolean wholeNodes, List<Failure> failures,
                     boolean checkInvariants) {
        this(packing, siteChoice, wholeNodes, failures, checkInvariants, DEFAULT_FRAGMENTATION_SAMPLE_SECONDS);
    }

    /**
     * @return a config with {@code packing} by name, the live federation's default site choice, no failures,
     *     no invariant checks
     * @throws IllegalArgumentException if the policy name is unknown
     */
    public static SimConfig of(String packing) {
        return new SimConfig(PackingPolicy.byName(packing), SiteChoicePolicy.liveDefault(), false, List.of(), false,
                DEFAULT_FRAGMENTATION_SAMPLE_SECONDS);
    }

    /** @return a copy with these failures */
    public SimConfig withFailures(List<Failure> f) {
        return new SimConfig(packing, siteChoice, wholeNodes, f, checkInvariants, fragmentationSampleSeconds, queue,
                seriesSampleSeconds);
    }

    /** @return a copy with this cross-site policy */
    public SimConfig withSiteChoice(SiteChoicePolicy c) {
        return new SimConfig(packing, c, wholeNodes, failures, checkInvariants, fragmentationSampleSeconds, queue,
                seriesSampleSeconds);
    }

    /** @return a copy with invariant checks on or off */
    public SimConfig withInvariantChecks(boolean on) {
        return new SimConfig(packing, siteChoice, wholeNodes, failures, on, fragmentationSampleSeconds, queue,
                seriesSampleSeconds);
    }

    /** @param seconds 0 = never measure */
    public SimConfig withFragmentationSampleSeconds(long seconds) {
        return new SimConfig(packing, siteChoice, wholeNodes, failures, checkInvariants, seconds, queue,
                seriesSampleSeconds);
    }

    /** @return a copy in which every gang takes whole nodes, or not */
    public SimConfig withWholeNodes(boolean on) {
        return new SimConfig(packing, siteChoice, on, failures, checkInvariants, fragmentationSampleSeconds, queue,
                seriesSampleSeconds);
    }

    /** @return a copy with this queue discipline */
    public SimConfig withQueue(QueueDiscipline q) {
        return new SimConfig(packing, siteChoice, wholeNodes, failures, checkInvariants, fragmentationSampleSeconds, q,
                seriesSampleSeconds);
    }

    /** @param seconds 0 = record utilization and queue length at every change; else at most once per this many seconds */
    public SimConfig withSeriesSampleSeconds(long seconds) {
        return new SimConfig(packing, siteChoice, wholeNodes, failures, checkInvariants, fragmentationSampleSeconds, queue,
                seconds);
    }
}
