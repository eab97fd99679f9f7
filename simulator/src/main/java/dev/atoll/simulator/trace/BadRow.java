package dev.atoll.simulator.trace;

/**
 * Thrown inside a reader while parsing one row; caught by the reader and turned into a
 * {@link RowProblem}. Never escapes a reader.
 */
final class BadRow extends RuntimeException {
    final String field;
    final String value;
    final String reason;

    BadRow(String field, String value, String reason) {
        super(field + "='" + value + "': " + reason, null, false, false);
        this.field = field;
        this.value = value == null ? "" : value;
        this.reason = reason;
    }
}
