package dev.atoll.federationnode.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.util.concurrent.Callable;

/** {@code atoll status <id>}: prints a job's status ({@code GET /v1/jobs/{id}}). */
@Command(name = "status", mixinStandardHelpOptions = true,
        description = "Show a job's state, site, model, nodes, times (epoch ms) and queueing delay (GET /v1/jobs/{id}).")
final class StatusCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions node;

    @Parameters(index = "0", paramLabel = "<id>", description = "Job id.")
    String id;

    @Override
    public Integer call() throws IOException {
        AtollClient c = node.client();
        AtollClient.Response r = c.await(c.jobAsync(id));
        return ClientSupport.finishJobCommand(spec, node.json, "status", r, "job " + id + ": " + r.body());
    }
}
