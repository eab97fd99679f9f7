package dev.atoll.simulator.engine;

import dev.atoll.protocol.SiteSpec;

import java.util.List;

/**
 * Everything a simulation run produced.
 *
 * @param sites the sites simulated, in order
 * @param jobs one outcome per task, in the order of the input task list
 * @param utilization per site (same order as {@code sites}): busy device-equivalents / capacity, 0..1, over time
 * @param queueLength jobs waiting (arrived, not running, not rejected) over time
 * @param events events processed
 * @param schedulingPasses scheduling passes run
 * @param placementCalls calls into the placement module's packing policy
 */
public record SimResult(List<SiteSpec> sites, List<JobOutcome> jobs, List<StepSeries> utilization,
                        StepSeries queueLength, long events, long schedulingPasses, long placementCalls) {
    public SimResult {
        sites = List.copyOf(sites);
        jobs = List.copyOf(jobs);
        utilization = List.copyOf(utilization);
    }
}
