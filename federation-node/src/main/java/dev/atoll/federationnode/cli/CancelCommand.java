package dev.atoll.federationnode.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.util.concurrent.Callable;

/** {@code atoll cancel <id>}: cancels a job ({@code DELETE /v1/jobs/{id}}). */
@Command(name = "cancel", mixinStandardHelpOptions = true,
        description = "Cancel a job (DELETE /v1/jobs/{id}); prints its status after the request.")
final class CancelCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions node;

    @Parameters(index = "0", paramLabel = "<id>", description = "Job id.")
    String id;

    @Override
    public Integer call() throws IOException {
        AtollClient c = node.client();
        AtollClient.Response r = c.await(c.cancelAsync(id));
        return ClientSupport.finishJobCommand(spec, node.json, "cancel", r, "cancelled " + id);
    }
}
