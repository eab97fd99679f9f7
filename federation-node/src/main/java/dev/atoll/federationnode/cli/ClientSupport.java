package dev.atoll.federationnode.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;

import java.io.PrintWriter;

/** Turns node responses into output and exit codes for the client subcommands. */
final class ClientSupport {
    private ClientSupport() {
    }

    /** @return the exit code for an HTTP status: 0 for 2xx, 2 for 400, 3 for 404, 1 otherwise */
    static int exitCode(int status) {
        if (status >= 200 && status < 300) {
            return AtollCli.OK;
        }
        if (status == 404) {
            return AtollCli.NOT_FOUND;
        }
        if (status == 400 || status == 409 || status == 422) {
            return AtollCli.USAGE;
        }
        return AtollCli.FAILED;
    }

    /** Prints a failed response as {@code atoll <cmd>: HTTP <status>: <field>: <error>} and returns its exit code. */
    static int fail(PrintWriter err, String command, AtollClient.Response r) {
        err.println("atoll " + command + ": HTTP " + r.status() + ": " + r.errorText());
        err.flush();
        return exitCode(r.status());
    }

    /** @return {@code n} as indented JSON */
    static String pretty(JsonNode n) {
        try {
            return AtollClient.JSON.writerWithDefaultPrettyPrinter().writeValueAsString(n);
        } catch (JsonProcessingException e) {
            return n.toString();
        }
    }

    /** @return a field as text, or "-" when absent or null */
    static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() || v.asText().isEmpty() ? "-" : (v.isContainerNode() ? v.toString() : v.asText());
    }

    /**
     * Prints a job status, one {@code key: value} per line in a fixed order (then any other field).
     */
    /**
     * Finishes a command whose answer is one job: on an HTTP error prints it and returns its exit code;
     * otherwise prints the raw JSON ({@code --json}), the job's fields, or {@code otherwise} when the body
     * is not a job object, and returns {@link AtollCli#OK}.
     */
    static int finishJobCommand(picocli.CommandLine.Model.CommandSpec spec, boolean json, String command,
                                AtollClient.Response r, String otherwise) {
        if (!r.ok()) {
            return fail(spec.commandLine().getErr(), command, r);
        }
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            out.println(r.body().toString());
        } else if (r.body().isObject()) {
            printJob(out, r.body());
        } else {
            out.println(otherwise);
        }
        out.flush();
        return AtollCli.OK;
    }

    static void printJob(PrintWriter out, JsonNode job) {
        String[] order = {"id", "tenant", "state", "site", "model", "nodes", "submittedAt", "placedAt", "endedAt",
                "queueingDelaySeconds", "reason"};
        java.util.Set<String> done = new java.util.HashSet<>();
        for (String k : order) {
            if (job.has(k)) {
                out.printf("%-21s %s%n", k + ":", time(k, job.get(k)));
                done.add(k);
            }
        }
        job.fields().forEachRemaining(e -> {
            if (!done.contains(e.getKey())) {
                out.printf("%-21s %s%n", e.getKey() + ":", text(job, e.getKey()));
            }
        });
        out.flush();
    }

    private static String time(String key, JsonNode v) {
        if (v == null || v.isNull() || (v.isTextual() && v.asText().isEmpty())) {
            return "-";
        }
        if (key.endsWith("At") && v.canConvertToLong() && v.asLong() > 0) {
            return v.asLong() + " (" + java.time.Instant.ofEpochMilli(v.asLong()) + ")";
        }
        return v.isContainerNode() ? v.toString() : v.asText();
    }
}
