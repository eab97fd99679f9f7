package dev.atoll.protocol;

/**
 * What a broker asks for: one workload, immutable once submitted.
 *
 * <p>Shapes and units: {@code devices} is the device count of one replica (a gang for training,
 * all-or-nothing); {@code gpuMilli} is the share of one device in thousandths (1..1000, below 1000
 * only when {@code devices == 1}, as openb's {@code gpu_milli}); {@code durationSeconds} is the
 * estimated run time in seconds; {@code checkpointIntervalSeconds} is how much work a preemption can
 * lose at most (0 = never checkpoints). {@code replicas} counts inference replicas (1 for jobs);
 * {@code maxReplicasPerNode} is -1 for no limit. {@code preferredRegion} and {@code jobClass} may be
 * null.
 *
 * @throws IllegalArgumentException naming the field and the value when any limit is broken: devices
 *     must be 1..65,536, gpuMilli 1..1000 (and 1000 unless devices is 1), duration 1 s..10 years,
 *     replicas 1..10,000, devices x replicas at most 1,048,576
 */
public record JobSpec(
        JobId id,
        TenantId tenant,
        WorkloadKind kind,
        int devices,
        int gpuMilli,
        ModelSet models,
        boolean wholeNodes,
        long durationSeconds,
        PriorityClass priority,
        boolean preemptible,
        long checkpointIntervalSeconds,
        int replicas,
        int maxReplicasPerNode,
        String preferredRegion,
        String jobClass) {

    /** Largest device count of one replica. */
    public static final int MAX_DEVICES = 65_536;
    /** Ten years, in seconds. */
    public static final long MAX_DURATION_SECONDS = 10L * 365 * 24 * 3600;

    public JobSpec {
        Checks.notNull("id", id);
        Checks.notNull("tenant", tenant);
        Checks.notNull("kind", kind);
        Checks.inRange("devices", devices, 1, MAX_DEVICES);
        Checks.inRange("gpuMilli", gpuMilli, 1, 1000);
        if (gpuMilli < 1000 && devices != 1) {
            throw new IllegalArgumentException("gpuMilli below 1000 needs devices = 1, got devices=" + devices
                    + " gpuMilli=" + gpuMilli);
        }
        Checks.notNull("models", models);
        Checks.inRange("durationSeconds", durationSeconds, 1, MAX_DURATION_SECONDS);
        Checks.notNull("priority", priority);
        Checks.inRange("checkpointIntervalSeconds", checkpointIntervalSeconds, 0, MAX_DURATION_SECONDS);
        Checks.inRange("replicas", replicas, 1, 10_000);
        if (maxReplicasPerNode != -1) {
            Checks.inRange("maxReplicasPerNode", maxReplicasPerNode, 1, 10_000);
        }
        if ((long) devices * replicas > 1_048_576) {
            throw new IllegalArgumentException("devices x replicas must be at most 1048576, got " + devices + " x "
                    + replicas);
        }
    }

    /** @return total whole or shared devices over all replicas */
    public int totalDevices() {
        return devices * replicas;
    }

    /** @return a builder with defaults: training, whole devices, any model, production, 1 replica */
    public static Builder builder(String id, String tenant) {
        return new Builder(JobId.of(id), TenantId.of(tenant));
    }

    /** Mutable builder for {@link JobSpec}; {@link #build()} validates. */
    public static final class Builder {
        private final JobId id;
        private final TenantId tenant;
        private WorkloadKind kind = WorkloadKind.TRAINING;
        private int devices = 1;
        private int gpuMilli = 1000;
        private ModelSet models = ModelSet.ANY;
        private boolean wholeNodes;
        private long durationSeconds = 3600;
        private PriorityClass priority = PriorityClass.PRODUCTION;
        private boolean preemptible = true;
        private long checkpointIntervalSeconds;
        private int replicas = 1;
        private int maxReplicasPerNode = -1;
        private String preferredRegion;
        private String jobClass;

        private Builder(JobId id, TenantId tenant) {
            this.id = id;
            this.tenant = tenant;
        }

        public Builder kind(WorkloadKind v) { this.kind = v; return this; }
        public Builder devices(int v) { this.devices = v; return this; }
        public Builder gpuMilli(int v) { this.gpuMilli = v; return this; }
        public Builder models(ModelSet v) { this.models = v; return this; }
        public Builder models(String v) { this.models = ModelSet.parse(v); return this; }
        public Builder wholeNodes(boolean v) { this.wholeNodes = v; return this; }
        public Builder durationSeconds(long v) { this.durationSeconds = v; return this; }
        public Builder priority(PriorityClass v) { this.priority = v; return this; }
        public Builder preemptible(boolean v) { this.preemptible = v; return this; }
        public Builder checkpointIntervalSeconds(long v) { this.checkpointIntervalSeconds = v; return this; }
        public Builder replicas(int v) { this.replicas = v; return this; }
        public Builder maxReplicasPerNode(int v) { this.maxReplicasPerNode = v; return this; }
        public Builder preferredRegion(String v) { this.preferredRegion = v; return this; }
        public Builder jobClass(String v) { this.jobClass = v; return this; }

        /** @throws IllegalArgumentException as {@link JobSpec}'s constructor */
        public JobSpec build() {
            return new JobSpec(id, tenant, kind, devices, gpuMilli, models, wholeNodes, durationSeconds, priority,
                    preemptible, checkpointIntervalSeconds, replicas, maxReplicasPerNode, preferredRegion, jobClass);
        }
    }
}
