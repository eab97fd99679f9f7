package dev.atoll.federationnode.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code atoll drain [--undo] [--reason R]}: drains (cordons) the site of the node at {@code --url}, or resumes
 * it with {@code --undo}, like Slurm's {@code scontrol update state=DRAIN} or Kubernetes' {@code cordon}. The
 * site is the node's own ({@code GET /v1/health}), then {@code POST /v1/sites/{site}/drain} or {@code /resume}.
 * Exit codes as the other client commands: 0 done, 2 rejected (400), 1 node unreachable or failed.
 */
@Command(name = "drain", mixinStandardHelpOptions = true,
        description = "Drain (cordon) the site of the node at --url: it takes no new jobs, running ones continue to "
                + "completion; the state survives restarts. --undo resumes it (POST /v1/sites/{site}/drain|resume).")
final class DrainCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions node;

    @Option(names = "--undo", description = "Resume the site: it takes new jobs again.")
    boolean undo;

    @Option(names = "--reason", paramLabel = "<text>", description = "Why (shown in the site's declines).")
    String reason;

    @Override
    public Integer call() throws IOException {
        AtollClient c = node.client();
        AtollClient.Response health = c.await(c.healthAsync());
        if (!health.ok()) {
            return ClientSupport.fail(spec.commandLine().getErr(), "drain", health);
        }
        String site = health.body().path("site").asText("");
        if (site.isEmpty()) {
            spec.commandLine().getErr().println("atoll drain: " + c.base() + "/v1/health names no site: " + health.body());
            spec.commandLine().getErr().flush();
            return AtollCli.FAILED;
        }
        AtollClient.Response r = c.await(c.drainAsync(site, !undo, reason));
        if (!r.ok()) {
            return ClientSupport.fail(spec.commandLine().getErr(), "drain", r);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (node.json) {
            out.println(r.body().toString());
        } else {
            out.println(describe(r.body()));
        }
        out.flush();
        return AtollCli.OK;
    }

    /** @return one line: the site's drain state, whether it changed, what still runs */
    static String describe(JsonNode d) {
        String site = ClientSupport.text(d, "site");
        boolean draining = d.path("draining").asBoolean();
        String reason = d.path("reason").asText("");
        String state = draining ? "draining" + (reason.isEmpty() ? "" : " (" + reason + ")") : "open (takes new jobs)";
        return "site " + site + ": " + state + (d.path("changed").asBoolean() ? "" : " (unchanged)") + "; "
                + d.path("running").asInt() + " running allocations continue, " + d.path("holds").asInt() + " holds";
    }
}
