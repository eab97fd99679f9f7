package dev.atoll.simulator.trace;

/**
 * A trace row that could not be turned into a task. The row is not kept; it is counted under
 * {@code reason} in {@link TraceReadResult#skippedByReason()}.
 *
 * @param line 1-based line number in the source file
 * @param field the column at fault (or {@code "row"} for the row as a whole)
 * @param value the offending text as read (may be empty)
 * @param reason short reason code, e.g. {@code non-positive-duration}, {@code not-a-number},
 *     {@code end-before-start}, {@code never-started}, {@code negative-count}, {@code dst-gap}
 */
public record RowProblem(int line, String field, String value, String reason) {
    @Override
    public String toString() {
        return "line " + line + ": " + field + "='" + value + "': " + reason;
    }
}
