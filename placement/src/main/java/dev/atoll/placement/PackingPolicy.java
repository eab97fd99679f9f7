package dev.atoll.placement;

import dev.atoll.protocol.JobSpec;
import java.util.List;
import java.util.Locale;

/**
 * Chooses the nodes and devices for a request inside one site (in-site packing): one replica for a job, all
 * {@code replicas} of a service at once (all-or-nothing, at most {@code maxReplicasPerNode} per node; see
 * {@link AbstractPackingPolicy} rule 7).
 * Implementations are pure functions of the {@link SiteView} and the request: they never change the
 * ledger; the caller turns a {@link PlacementResult.Fit} into a hold.
 */
public interface PackingPolicy {
    /** @return the policy's name as used in config and on the command line, e.g. {@code first-fit} */
    String name();

    /**
     * @param site the current state of one site
     * @param job the request; {@code job.devices()} devices (or a {@code gpuMilli} share of one) per replica,
     *     {@code job.replicas()} replicas
     * @return a fit, or why it waits, or why it can never fit here
     */
    PlacementResult place(SiteView site, JobSpec job);

    /** @return the names {@link #byName(String)} accepts */
    static List<String> names() {
        return List.of(FirstFit.NAME, BestFit.NAME, FragmentationGradientDescent.NAME);
    }

    /**
     * @param name {@code first-fit}, {@code best-fit} or {@code fgd} (fragmentation gradient descent against
     *     {@link WorkloadMix#defaultMix()}; build {@link FragmentationGradientDescent} directly for another
     *     mix), case-insensitive
     * @throws IllegalArgumentException naming the value and the known names if it is unknown
     */
    static PackingPolicy byName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        switch (n) {
            case FirstFit.NAME:
                return new FirstFit();
            case BestFit.NAME:
                return new BestFit();
            case FragmentationGradientDescent.NAME:
                return new FragmentationGradientDescent();
            default:
                throw new IllegalArgumentException("packing policy must be one of " + names() + ", got '" + name + "'");
        }
    }
}
