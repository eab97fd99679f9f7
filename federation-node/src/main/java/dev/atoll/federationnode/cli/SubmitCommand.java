package dev.atoll.federationnode.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atoll.protocol.Checks;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.WorkloadKind;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.Locale;
import java.util.concurrent.Callable;

/** {@code atoll submit}: posts one job to a node ({@code POST /v1/jobs}) and prints its status. */
@Command(name = "submit", mixinStandardHelpOptions = true,
        description = "Submit a job to a node (POST /v1/jobs); prints the job's status. The node becomes the job's "
                + "origin site.")
final class SubmitCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions node;

    @Option(names = "--id", paramLabel = "<id>",
            description = "Job id, 1..128 of [A-Za-z0-9._:-] (default: cli-<time>); resubmitting an id is idempotent.")
    String id;

    @Option(names = "--tenant", paramLabel = "<tenant>", defaultValue = "default",
            description = "Tenant (virtual cluster) id (default: ${DEFAULT-VALUE}).")
    String tenant;

    @Option(names = {"--devices", "-d"}, paramLabel = "<n>", defaultValue = "1",
            description = "Devices of the gang, 1..65536 (default: ${DEFAULT-VALUE}).")
    int devices;

    @Option(names = {"--models", "-m"}, paramLabel = "<A|B>",
            description = "Acceptable accelerator models, e.g. 'A100-80GB|H800' (default: any).")
    String models;

    @Option(names = "--whole-nodes", description = "Take whole nodes only.")
    boolean wholeNodes;

    @Option(names = "--duration", paramLabel = "<seconds>", defaultValue = "3600",
            description = "Run time in seconds, >= 1 (default: ${DEFAULT-VALUE}).")
    long durationSeconds;

    @Option(names = "--priority", paramLabel = "<class>", defaultValue = "production",
            description = "best-effort, production or inference (default: ${DEFAULT-VALUE}).")
    String priority;

    @Option(names = "--kind", paramLabel = "<kind>",
            description = "training, inference or batch (default: training; inference for a service, i.e. with "
                    + "--replicas above 1 or --max-replicas-per-node).")
    String kind;

    @Option(names = "--replicas", paramLabel = "<n>", defaultValue = "1",
            description = "Replicas of an inference service, 1..10000, all placed at one site (default: "
                    + "${DEFAULT-VALUE}).")
    int replicas;

    @Option(names = "--max-replicas-per-node", paramLabel = "<k>",
            description = "At most this many of the service's replicas on any node, 1..10000 (default: no limit).")
    Integer maxReplicasPerNode;

    @Option(names = "--job-class", paramLabel = "<class>",
            description = "Job class, the row of the node's throughput table used by the throughput site choice.")
    String jobClass;

    @Option(names = "--preferred-region", paramLabel = "<region>",
            description = "Region the locality site choice prefers (where the data is).")
    String preferredRegion;

    @Option(names = "--allow-equivalents",
            description = "Also accept the models the node declares equivalent to --models (aliases, families).")
    boolean allowEquivalents;

    @Option(names = "--gpu-milli", paramLabel = "<milli>", defaultValue = "1000",
            description = "Share of one device in thousandths, 1..1000; below 1000 only with --devices 1 "
                    + "(default: ${DEFAULT-VALUE}).")
    int gpuMilli;

    /** @return the request body, checked; errors name the option and value */
    ObjectNode body() {
        String jobId = id != null ? id : "cli-" + Long.toString(System.currentTimeMillis(), 36);
        check("--id", () -> Checks.identifier("id", jobId));
        check("--tenant", () -> Checks.identifier("tenant", tenant));
        check("--devices", () -> Checks.inRange("devices", devices, 1, 65_536));
        check("--gpu-milli", () -> Checks.inRange("gpuMilli", gpuMilli, 1, 1000));
        if (gpuMilli < 1000 && devices != 1) {
            throw new IllegalArgumentException("--gpu-milli: below 1000 needs --devices 1, got --devices " + devices
                    + " --gpu-milli " + gpuMilli);
        }
        check("--duration", () -> Checks.inRange("durationSeconds", durationSeconds, 1, Long.MAX_VALUE / 4));
        PriorityClass p = parse("--priority", () -> PriorityClass.parse(priority));
        check("--replicas", () -> Checks.inRange("replicas", replicas, 1, 10_000));
        if (maxReplicasPerNode != null) {
            check("--max-replicas-per-node", () -> Checks.inRange("maxReplicasPerNode", maxReplicasPerNode, 1,
                    10_000));
        }
        boolean service = replicas > 1 || maxReplicasPerNode != null;
        WorkloadKind k = kind == null ? (service ? WorkloadKind.INFERENCE : WorkloadKind.TRAINING)
                : parse("--kind", () -> parseKind(kind));
        ModelSet m = parse("--models", () -> ModelSet.parse(models));
        ObjectNode n = AtollClient.JSON.createObjectNode();
        n.put("id", jobId);
        n.put("tenant", tenant);
        n.put("devices", devices);
        if (!m.isAny()) {
            n.put("models", m.toString());
        }
        n.put("wholeNodes", wholeNodes);
        n.put("durationSeconds", durationSeconds);
        n.put("priority", p.wireName());
        n.put("kind", k.name().toLowerCase(Locale.ROOT));
        n.put("gpuMilli", gpuMilli);
        if (replicas != 1) {
            n.put("replicas", replicas);
        }
        if (maxReplicasPerNode != null) {
            n.put("maxReplicasPerNode", maxReplicasPerNode);
        }
        if (jobClass != null) {
            n.put("jobClass", jobClass);
        }
        if (preferredRegion != null) {
            n.put("preferredRegion", preferredRegion);
        }
        if (allowEquivalents) {
            n.put("allowEquivalents", true);
        }
        return n;
    }

    static WorkloadKind parseKind(String text) {
        for (WorkloadKind k : WorkloadKind.values()) {
            if (k.name().equalsIgnoreCase(text.trim())) {
                return k;
            }
        }
        throw new IllegalArgumentException("kind must be training, inference or batch, got '" + text + "'");
    }

    private static void check(String option, Runnable r) {
        parse(option, () -> {
            r.run();
            return null;
        });
    }

    private static <T> T parse(String option, java.util.function.Supplier<T> s) {
        try {
            return s.get();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(option + ": " + e.getMessage(), e);
        }
    }

    @Override
    public Integer call() throws IOException {
        ObjectNode body = body();
        AtollClient c = node.client();
        AtollClient.Response r = c.await(c.submitAsync(body));
        PrintWriter out = spec.commandLine().getOut();
        if (!r.ok()) {
            return ClientSupport.fail(spec.commandLine().getErr(), "submit", r);
        }
        if (node.json) {
            out.println(r.body().toString());
            out.flush();
        } else {
            ClientSupport.printJob(out, r.body());
        }
        return AtollCli.OK;
    }
}
