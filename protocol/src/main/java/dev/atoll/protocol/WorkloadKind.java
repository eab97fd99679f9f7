package dev.atoll.protocol;

/** What a workload is; decides gang semantics and default priority (see DESIGN.md, "Words"). */
public enum WorkloadKind {
    /** Gang: all-or-nothing on N devices, often whole nodes; preemptible with a checkpoint interval. */
    TRAINING,
    /** Replicas, long-running, latency-sensitive, high priority. */
    INFERENCE,
    /** Anything else that runs to completion. */
    BATCH
}
