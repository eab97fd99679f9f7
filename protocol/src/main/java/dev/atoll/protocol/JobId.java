package dev.atoll.protocol;

/**
 * Identifier of a job: 1..128 characters of {@code [A-Za-z0-9._:-]}.
 *
 * @param value the identifier text
 * @throws IllegalArgumentException if {@code value} breaks the rule (the message names the value)
 */
public record JobId(String value) implements Comparable<JobId> {
    public JobId {
        Checks.identifier("job id", value);
    }

    /** Same as the constructor; reads well at call sites. */
    public static JobId of(String value) {
        return new JobId(value);
    }

    @Override
    public int compareTo(JobId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
