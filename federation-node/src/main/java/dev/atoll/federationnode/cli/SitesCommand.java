package dev.atoll.federationnode.cli;

import com.fasterxml.jackson.databind.JsonNode;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

import java.io.IOException;
import java.io.PrintWriter;
import java.util.concurrent.Callable;

/** {@code atoll sites}: the federation's sites as one node sees them ({@code GET /v1/sites}). */
@Command(name = "sites", mixinStandardHelpOptions = true,
        description = "List the federation's sites as this node sees them: reachability, capacity and free devices "
                + "per pool (GET /v1/sites).")
final class SitesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    NodeOptions node;

    @Override
    public Integer call() throws IOException {
        AtollClient c = node.client();
        AtollClient.Response r = c.await(c.sitesAsync());
        if (!r.ok()) {
            return ClientSupport.fail(spec.commandLine().getErr(), "sites", r);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (node.json) {
            out.println(r.body().toString());
        } else {
            out.print(table(r.body()));
        }
        out.flush();
        return AtollCli.OK;
    }

    /** @return a text table of a {@code /v1/sites} array: one line per site, then one indented line per pool */
    static String table(JsonNode sites) {
        StringBuilder sb = new StringBuilder();
        sb.append(String.format("%-14s %-10s %-9s %8s %8s %8s  %s%n", "site", "region", "reachable", "version",
                "capacity", "free", "state"));
        for (JsonNode s : sites) {
            String state = s.path("lost").asBoolean() ? "lost" : s.path("draining").asBoolean() ? "draining" : "open";
            sb.append(String.format("%-14s %-10s %-9s %8s %8s %8s  %s%n", ClientSupport.text(s, "site"),
                    ClientSupport.text(s, "region"), ClientSupport.text(s, "reachable"), ClientSupport.text(s, "version"),
                    ClientSupport.text(s, "capacity"), ClientSupport.text(s, "free"), state));
            for (JsonNode p : s.path("pools")) {
                sb.append(String.format("  %-23s %19s %8s %8s%n", ClientSupport.text(p, "model"), "",
                        ClientSupport.text(p, "capacity"), ClientSupport.text(p, "free")));
            }
        }
        return sb.toString();
    }
}
