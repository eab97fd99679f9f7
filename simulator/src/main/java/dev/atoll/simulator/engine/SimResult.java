package dev.atoll.simulator.engine;

import dev.atoll.protocol.SiteSpec;

import java.util.List;

/**
 * Everything a simulation run produced.
 *
 * @param sites the sites simulated, in order
 * @param jobs one outcome per task, in the order of the input task list
 * @param utilization per site (same order as {@code sites}): busy device-equivalents / capacity, 0..1, over time
 * @param fragmentation per site: devices free but unusable by any waiting request (placement's
 *     {@link dev.atoll.placement.Fragmentation}), sampled every {@link SimConfig#fragmentationSampleSeconds()}
 *     while jobs wait, 0 while none waits; empty series when sampling is off
 * @param queueLength jobs waiting (arrived, not running, not rejected) over time
 * @param events events processed
 * @param schedulingPasses scheduling passes run
 * @param placementCalls calls into the placement module's packing policy
 */
public record SimResult(List<SiteSpec> sites, List<JobOutcome> jobs, List<StepSeries> utilization,
                        List<StepSeries> fragmentation, StepSeries queueLength, long events, long schedulingPasses, long placementCalls) {
    public SimResult {
        sites = List.copyOf(sites);
        jobs = List.copyOf(jobs);
        utilization = List.copyOf(utilization);
        fragmentation = List.copyOf(fragmentation);
    }
}
