package dev.atoll.protocol;

import java.util.Locale;

/**
 * Priority classes, highest first: inference &gt; production training &gt; best effort.
 * {@link #rank()} grows with priority.
 */
public enum PriorityClass {
    BEST_EFFORT(0),
    PRODUCTION(1),
    INFERENCE(2);

    private final int rank;

    PriorityClass(int rank) {
        this.rank = rank;
    }

    /** @return 0 for best effort, 1 production, 2 inference */
    public int rank() {
        return rank;
    }

    /** @return true if this class strictly outranks {@code other} */
    public boolean outranks(PriorityClass other) {
        return rank > other.rank;
    }

    /**
     * Parses {@code best-effort}, {@code production}, {@code inference} (case-insensitive, {@code _} or {@code -}).
     *
     * @throws IllegalArgumentException naming the value if it is none of them
     */
    public static PriorityClass parse(String text) {
        if (text == null) {
            throw new IllegalArgumentException("priority is required (best-effort, production or inference)");
        }
        String t = text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
        for (PriorityClass p : values()) {
            if (p.name().equals(t)) {
                return p;
            }
        }
        throw new IllegalArgumentException("priority must be best-effort, production or inference, got '" + text + "'");
    }

    /** @return the lower-case, dashed name used in JSON and the CLI */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT).replace('_', '-');
    }
}
