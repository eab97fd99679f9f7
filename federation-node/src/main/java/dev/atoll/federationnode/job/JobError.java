package dev.atoll.federationnode.job;

/**
 * A refused job command.
 *
 * @param kind NOT_FOUND (no such job), CONFLICT (the id exists with a different spec)
 * @param message words for the client, naming the job
 */
public record JobError(Kind kind, String message) implements Job.Reply {
    /** What went wrong. */
    public enum Kind { NOT_FOUND, CONFLICT }
}
