package dev.atoll.federationnode;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.placement.ModelEquivalence;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.TenantId;
import dev.atoll.protocol.WorkloadKind;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Reads the body of {@code POST /v1/jobs} into a {@link JobSpec}, field by field, so that every error names
 * its field and value:
 * {@code {"id":"j1","tenant":"vc1","devices":8,"models":"A100-80GB|H800","wholeNodes":false,
 * "durationSeconds":3600,"priority":"production","kind":"training","gpuMilli":1000}}. {@code id},
 * {@code tenant}, {@code devices} and {@code durationSeconds} are required; {@code models} defaults to any
 * model, {@code wholeNodes} to false, {@code priority} to production, {@code kind} to training and
 * {@code gpuMilli} to 1000. Unknown fields are errors.
 *
 * <p>Inference services: {@code replicas} (1..10,000, default 1) copies of the {@code devices} /
 * {@code gpuMilli} shape, placed all-or-nothing at one site, and {@code maxReplicasPerNode} (1..10,000, absent
 * = no limit) caps the replicas on any node (anti-affinity). More than one replica, or a per-node cap, needs
 * {@code kind} inference (the default then); devices x replicas is at most 1,048,576.
 *
 * <p>Site choice inputs: {@code jobClass} (the row of the node's throughput table, see
 * {@link ModelSettings#throughputTable}) and {@code preferredRegion} (the locality criterion's region), both
 * optional non-blank strings of at most 200 characters.
 *
 * <p>Model equivalence: with {@code allowEquivalents: true} (default false) the accepted {@code models} are
 * widened with the node's declared aliases and families ({@link ModelSettings#equivalence}) before the spec is
 * built; without it, or for models nothing is declared for, names match exactly (never by prefix).
 */
public final class SubmitRequest {
    /** A bad request: {@code field} (may be null for the whole body) and a message naming the value. */
    public static final class Invalid extends RuntimeException {
        private final String field;

        Invalid(String field, String message) {
            super(message);
            this.field = field;
        }

        /** @return the offending field, or null when the body as a whole is wrong */
        public String field() {
            return field;
        }
    }

    private static final List<String> FIELDS = List.of("id", "tenant", "devices", "models", "wholeNodes",
            "durationSeconds", "priority", "kind", "gpuMilli", "replicas", "maxReplicasPerNode", "jobClass",
            "preferredRegion", "allowEquivalents");
    private static final Set<String> KNOWN = Set.copyOf(FIELDS);
    private static final int MAX_TEXT = 200;

    private SubmitRequest() {
    }

    /**
     * As {@link #parse(JsonNode, ModelEquivalence)} with no declared equivalence.
     *
     * @throws Invalid naming the field and the value
     */
    public static JobSpec parse(JsonNode body) {
        return parse(body, ModelEquivalence.NONE);
    }

    /**
     * @param body the parsed JSON body
     * @param equivalence the node's declared model equivalence, applied only when the body says
     *     {@code allowEquivalents: true}
     * @return the validated spec
     * @throws Invalid naming the field and the value
     */
    public static JobSpec parse(JsonNode body, ModelEquivalence equivalence) {
        if (body == null || !body.isObject()) {
            throw new Invalid(null, "body must be a JSON object, got " + (body == null ? "nothing" : body.getNodeType()
                    .name().toLowerCase(Locale.ROOT)));
        }
        for (Iterator<String> it = body.fieldNames(); it.hasNext(); ) {
            String f = it.next();
            if (!KNOWN.contains(f)) {
                throw new Invalid(f, "unknown field '" + f + "' = " + body.get(f) + " (known: "
                        + String.join(", ", FIELDS) + ")");
            }
        }
        JobId id = field("id", () -> JobId.of(string(body, "id", true)));
        TenantId tenant = field("tenant", () -> TenantId.of(string(body, "tenant", true)));
        int devices = (int) integer(body, "devices", null, 1, JobSpec.MAX_DEVICES);
        String modelsText = string(body, "models", false);
        ModelSet models = field("models", () -> ModelSet.parse(modelsText));
        boolean wholeNodes = bool(body, "wholeNodes", false);
        long duration = integer(body, "durationSeconds", null, 1, JobSpec.MAX_DURATION_SECONDS);
        String priorityText = string(body, "priority", false);
        PriorityClass priority = priorityText == null ? PriorityClass.PRODUCTION
                : field("priority", () -> PriorityClass.parse(priorityText));
        int replicas = (int) integer(body, "replicas", 1L, 1, 10_000);
        int maxPerNode = (int) integer(body, "maxReplicasPerNode", -1L, 1, 10_000);
        boolean service = replicas > 1 || maxPerNode != -1;
        String kindText = string(body, "kind", false);
        WorkloadKind kind = kindText == null ? (service ? WorkloadKind.INFERENCE : WorkloadKind.TRAINING)
                : field("kind", () -> kind(kindText));
        if (service && kind != WorkloadKind.INFERENCE) {
            String f = replicas > 1 ? "replicas" : "maxReplicasPerNode";
            throw new Invalid(f, f + " " + (replicas > 1 ? replicas : maxPerNode) + " needs kind inference (an "
                    + "inference service), got kind " + kind.name().toLowerCase(Locale.ROOT));
        }
        if ((long) devices * replicas > 1_048_576) {
            throw new Invalid("replicas", "devices x replicas must be at most 1048576, got " + devices + " x "
                    + replicas);
        }
        int gpuMilli = (int) integer(body, "gpuMilli", 1000L, 1, 1000);
        String jobClass = text(body, "jobClass");
        String preferredRegion = text(body, "preferredRegion");
        boolean allowEquivalents = bool(body, "allowEquivalents", false);
        ModelSet accepted = equivalence.widen(models, allowEquivalents);
        return field("gpuMilli", () -> new JobSpec(id, tenant, kind, devices, gpuMilli, accepted, wholeNodes,
                duration, priority, priority == PriorityClass.BEST_EFFORT, 0, replicas, maxPerNode, preferredRegion,
                jobClass));
    }

    /** @return an optional non-blank string of at most {@link #MAX_TEXT} characters, trimmed, or null */
    private static String text(JsonNode body, String name) {
        String v = string(body, name, false);
        if (v == null) {
            return null;
        }
        String t = v.trim();
        if (t.isEmpty() || t.length() > MAX_TEXT) {
            throw new Invalid(name, name + " must be 1.." + MAX_TEXT + " characters (not blank), got '" + v + "'");
        }
        return t;
    }

    private static WorkloadKind kind(String text) {
        for (WorkloadKind k : WorkloadKind.values()) {
            if (k.name().equalsIgnoreCase(text.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("kind must be training, inference or batch, got '" + text + "'");
    }

    private static <T> T field(String name, java.util.function.Supplier<T> f) {
        try {
            return f.get();
        } catch (IllegalArgumentException e) {
            throw new Invalid(name, e.getMessage());
        }
    }

    private static String string(JsonNode body, String name, boolean required) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            if (required) {
                throw new Invalid(name, name + " is required");
            }
            return null;
        }
        if (!v.isTextual()) {
            throw new Invalid(name, name + " must be a string, got " + v);
        }
        return v.asText();
    }

    private static long integer(JsonNode body, String name, Long dflt, long min, long max) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            if (dflt == null) {
                throw new Invalid(name, name + " is required");
            }
            return dflt;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new Invalid(name, name + " must be an integer, got " + v);
        }
        long x = v.asLong();
        if (x < min || x > max) {
            throw new Invalid(name, name + " must be in [" + min + ", " + max + "], got " + x);
        }
        return x;
    }

    private static boolean bool(JsonNode body, String name, boolean dflt) {
        JsonNode v = body.get(name);
        if (v == null || v.isNull()) {
            return dflt;
        }
        if (!v.isBoolean()) {
            throw new Invalid(name, name + " must be true or false, got " + v);
        }
        return v.asBoolean();
    }
}
