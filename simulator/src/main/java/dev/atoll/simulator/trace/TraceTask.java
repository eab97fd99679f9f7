package dev.atoll.simulator.trace;

import dev.atoll.protocol.Checks;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.WorkloadKind;

/**
 * One workload read from a trace, in the simulator's units.
 *
 * @param id job id, unique within the trace; a valid {@link dev.atoll.protocol.JobId} (1..128 of {@code [A-Za-z0-9._:-]})
 * @param tenant owner (virtual cluster); a valid {@link dev.atoll.protocol.TenantId}
 * @param arrivalSeconds submit time, seconds from trace start, {@code >= 0}
 * @param durationSeconds run time once started, seconds, {@code >= 1}
 * @param devices devices of the gang (1..65,536)
 * @param gpuMilli share of one device in thousandths, 1..1000; below 1000 only when {@code devices == 1}
 * @param models acceptable accelerator models ({@link ModelSet#ANY} = any)
 * @param kind workload kind
 * @param priority priority class
 * @param line 1-based line number of the row in the source file (0 if not from a file)
 * @throws IllegalArgumentException naming the field and value when a limit above is broken
 */
public record TraceTask(String id, String tenant, long arrivalSeconds, long durationSeconds, int devices,
                        int gpuMilli, ModelSet models, WorkloadKind kind, PriorityClass priority, int line) {

    public TraceTask {
        if (id == null || !CsvRows.isIdentifier(id)) {
            Checks.identifier("id", id); // throws with the protocol's message
        }
        if (tenant == null || !CsvRows.isIdentifier(tenant)) {
            Checks.identifier("tenant", tenant);
        }
        Checks.inRange("arrivalSeconds", arrivalSeconds, 0, Long.MAX_VALUE / 4);
        Checks.inRange("durationSeconds", durationSeconds, 1, JobSpec.MAX_DURATION_SECONDS);
        Checks.inRange("devices", devices, 1, JobSpec.MAX_DEVICES);
        Checks.inRange("gpuMilli", gpuMilli, 1, 1000);
        if (gpuMilli < 1000 && devices != 1) {
            throw new IllegalArgumentException("gpuMilli below 1000 needs devices = 1, got devices=" + devices
                    + " gpuMilli=" + gpuMilli + " (task " + id + ")");
        }
        Checks.notNull("models", models);
        Checks.notNull("kind", kind);
        Checks.notNull("priority", priority);
        Checks.inRange("line", line, 0, Integer.MAX_VALUE);
    }

    /** @return devices x gpuMilli / 1000: the device-equivalents this task occupies while running */
    public double deviceEquivalents() {
        return devices * (gpuMilli / 1000.0);
    }

    /**
     * Builds the protocol request for this task. Rules: id and tenant carried over; one replica;
     * preemptible exactly when the priority is {@link PriorityClass#BEST_EFFORT}; no checkpoints
     * (a preempted task restarts from the beginning); no preferred region.
     *
     * @param wholeNodes if true the gang must take whole nodes, and a fractional {@code gpuMilli} is
     *     rounded up to a whole device (1000), since a whole-node request cannot share a device
     * @return the job spec
     * @throws IllegalArgumentException if the id or tenant is not a valid protocol identifier
     */
    public JobSpec toJobSpec(boolean wholeNodes) {
        return JobSpec.builder(id, tenant)
                .kind(kind)
                .devices(devices)
                .gpuMilli(wholeNodes ? 1000 : gpuMilli)
                .models(models)
                .wholeNodes(wholeNodes)
                .durationSeconds(durationSeconds)
                .priority(priority)
                .preemptible(priority == PriorityClass.BEST_EFFORT)
                .checkpointIntervalSeconds(0)
                .replicas(1)
                .build();
    }
}
