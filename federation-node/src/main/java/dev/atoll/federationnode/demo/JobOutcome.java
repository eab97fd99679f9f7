package dev.atoll.federationnode.demo;

import com.fasterxml.jackson.databind.JsonNode;

import java.util.Set;

/**
 * What became of one submitted task, as last seen through {@code GET /v1/jobs/{id}} (or the submission's
 * response when the node refused it).
 *
 * @param task the task
 * @param origin site whose node the task was posted to (the job's origin)
 * @param state the job state ({@code queued, negotiating, placed, running, completed, failed, rejected,
 *     cancelled}), or {@code error} when the submission itself failed (node unreachable, unexpected status)
 * @param site site the job was placed at, null if not placed
 * @param model accelerator model it was placed on, null if not placed or not reported
 * @param submittedAtMs when the origin accepted it, epoch milliseconds; -1 if unknown
 * @param placedAtMs when it was placed, epoch milliseconds; -1 if not placed
 * @param reportedDelaySeconds the node's {@code queueingDelaySeconds}, NaN if absent
 * @param reason why it was rejected, failed or is still queued; null if none given
 */
public record JobOutcome(DemoTask task, String origin, String state, String site, String model, long submittedAtMs,
                         long placedAtMs, double reportedDelaySeconds, String reason) {
    /** States after which the demo stops polling a job. */
    public static final Set<String> SETTLED = Set.of("placed", "running", "completed", "failed", "rejected",
            "cancelled", "error");
    /** States that mean the job got devices. */
    public static final Set<String> PLACED = Set.of("placed", "running", "completed");

    /** @return an outcome for a task whose submission failed or was refused */
    public static JobOutcome refused(DemoTask task, String origin, String state, String reason) {
        return new JobOutcome(task, origin, state, null, null, -1, -1, Double.NaN, reason);
    }

    /**
     * Reads a job status JSON ({@code {"id","state","site","model","submittedAt","placedAt",
     * "queueingDelaySeconds","reason",...}}); missing fields become null, -1 or NaN.
     */
    public static JobOutcome fromStatus(DemoTask task, String origin, JsonNode status) {
        String state = text(status, "state");
        return new JobOutcome(task, origin, state == null ? "queued" : state, text(status, "site"),
                text(status, "model"), status.path("submittedAt").asLong(-1), status.path("placedAt").asLong(-1),
                status.hasNonNull("queueingDelaySeconds") ? status.get("queueingDelaySeconds").asDouble() : Double.NaN,
                text(status, "reason"));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull()) {
            return null;
        }
        String s = v.asText();
        return s.isEmpty() ? null : s;
    }

    /** @return true once polling can stop: placed, running, completed, failed, rejected, cancelled or error */
    public boolean settled() {
        return SETTLED.contains(state);
    }

    /** @return true if the job got devices (placed, running or completed) */
    public boolean placed() {
        return PLACED.contains(state);
    }

    /** @return true if the federation refused the job */
    public boolean rejected() {
        return "rejected".equals(state);
    }

    /** @return true if the job still waits (queued or negotiating) */
    public boolean waiting() {
        return !settled();
    }

    /**
     * Queueing delay in trace seconds: (placedAt - submittedAt) wall time scaled by the speedup when both
     * are known, else the node's reported value; NaN if not placed.
     *
     * @param speedup trace seconds per wall second
     */
    public double queueingDelayTraceSeconds(double speedup) {
        if (!placed()) {
            return Double.NaN;
        }
        if (placedAtMs >= 0 && submittedAtMs >= 0) {
            return Math.max(0, placedAtMs - submittedAtMs) / 1000.0 * speedup;
        }
        return reportedDelaySeconds;
    }
}
