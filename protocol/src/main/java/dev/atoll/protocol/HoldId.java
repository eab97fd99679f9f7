package dev.atoll.protocol;

/**
 * Identifier of a hold: 1..128 characters of {@code [A-Za-z0-9._:-]}.
 *
 * @param value the identifier text
 * @throws IllegalArgumentException if {@code value} breaks the rule (the message names the value)
 */
public record HoldId(String value) implements Comparable<HoldId> {
    public HoldId {
        Checks.identifier("hold id", value);
    }

    /** Same as the constructor; reads well at call sites. */
    public static HoldId of(String value) {
        return new HoldId(value);
    }

    @Override
    public int compareTo(HoldId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
