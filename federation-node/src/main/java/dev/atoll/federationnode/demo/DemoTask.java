package dev.atoll.federationnode.demo;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.federationnode.cli.AtollClient;
import dev.atoll.protocol.Checks;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.WorkloadKind;

import java.util.Locale;

/**
 * One task the demo submits, in trace time.
 *
 * @param id job id (protocol identifier)
 * @param tenant tenant id (protocol identifier)
 * @param arrivalSeconds submit time, trace seconds from the trace start, {@code >= 0}
 * @param durationSeconds run time once placed, trace seconds, {@code >= 1}
 * @param devices devices requested
 * @param gpuMilli share of one device asked for by the source, 1..1000 (below 1000 only with one device);
 *     the demo submits every task with whole devices, so a share below 1000 is rounded up to one device
 * @param models acceptable accelerator models ({@link ModelSet#ANY} = any)
 * @param wholeNodes true if the gang must take whole nodes
 * @param kind workload kind
 * @param priority priority class
 */
public record DemoTask(String id, String tenant, long arrivalSeconds, long durationSeconds, int devices,
                       int gpuMilli, ModelSet models, boolean wholeNodes, WorkloadKind kind, PriorityClass priority) {
    public DemoTask {
        Checks.identifier("id", id);
        Checks.identifier("tenant", tenant);
        Checks.inRange("arrivalSeconds", arrivalSeconds, 0, Long.MAX_VALUE / 4);
        Checks.inRange("durationSeconds", durationSeconds, 1, Long.MAX_VALUE / 4);
        Checks.inRange("devices", devices, 1, 65_536);
        Checks.inRange("gpuMilli", gpuMilli, 1, 1000);
        if (gpuMilli < 1000 && devices != 1) {
            throw new IllegalArgumentException("gpuMilli below 1000 needs devices = 1, got devices=" + devices
                    + " gpuMilli=" + gpuMilli + " (task " + id + ")");
        }
        Checks.notNull("models", models);
        Checks.notNull("kind", kind);
        Checks.notNull("priority", priority);
    }

    /** @return the {@code POST /v1/jobs} body; {@code gpuMilli} is always 1000 (whole devices) */
    public ObjectNode toJson() {
        ObjectNode n = AtollClient.JSON.createObjectNode();
        n.put("id", id);
        n.put("tenant", tenant);
        n.put("devices", devices);
        if (!models.isAny()) {
            n.put("models", models.toString());
        }
        n.put("wholeNodes", wholeNodes);
        n.put("durationSeconds", durationSeconds);
        n.put("priority", priority.wireName());
        n.put("kind", kind.name().toLowerCase(Locale.ROOT));
        n.put("gpuMilli", 1000);
        return n;
    }

    /** @return true if the source asked for a fraction of one device, submitted as one whole device */
    public boolean roundedUp() {
        return gpuMilli < 1000;
    }

    /** @return devices x duration: device-seconds this task allocates when it runs to the end */
    public double deviceSeconds() {
        return (double) devices * durationSeconds;
    }
}
