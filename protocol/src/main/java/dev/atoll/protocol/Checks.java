package dev.atoll.protocol;

/**
 * Argument checks shared by the protocol's value types. Every failure is an
 * {@link IllegalArgumentException} whose message names the field and the offending value,
 * so an HTTP or CLI edge can hand it to the user unchanged.
 */
public final class Checks {
    private Checks() {
    }

    /** @return {@code value} if it is non-null and not blank; throws naming {@code field} otherwise. */
    public static String nonBlank(String field, String value) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException(field + " must not be empty, got " + quote(value));
        }
        return value;
    }

    /** @return {@code value} if it is in {@code [min, max]}; throws naming {@code field} otherwise. */
    public static int inRange(String field, int value, int min, int max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    /** @return {@code value} if it is in {@code [min, max]}; throws naming {@code field} otherwise. */
    public static long inRange(String field, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException(field + " must be in [" + min + ", " + max + "], got " + value);
        }
        return value;
    }

    /** @return {@code value} if it is finite and {@code >= 0}; throws naming {@code field} otherwise. */
    public static double nonNegative(String field, double value) {
        if (!(value >= 0) || Double.isInfinite(value)) {
            throw new IllegalArgumentException(field + " must be a finite number >= 0, got " + value);
        }
        return value;
    }

    /** @return {@code value} if non-null; throws naming {@code field} otherwise. */
    public static <T> T notNull(String field, T value) {
        if (value == null) {
            throw new IllegalArgumentException(field + " is required");
        }
        return value;
    }

    /** Identifier rule shared by sites, jobs, tenants and holds: 1..128 chars of {@code [A-Za-z0-9._:-]}. */
    public static String identifier(String field, String value) {
        nonBlank(field, value);
        if (value.length() > 128 || !isIdentifierText(value)) {
            throw new IllegalArgumentException(field + " must be 1..128 characters of [A-Za-z0-9._:-], got "
                    + quote(value));
        }
        return value;
    }

    /**
     * Same rule as the regex {@code [A-Za-z0-9._:-]+} without compiling a pattern on every call (ids are
     * checked for every job, hold and event; the simulator creates millions).
     */
    private static boolean isIdentifierText(String v) {
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                    || c == ':' || c == '-')) {
                return false;
            }
        }
        return !v.isEmpty();
    }

    static String quote(String s) {
        return s == null ? "null" : "'" + s + "'";
    }
}
