package dev.atoll.protocol;

/**
 * Identifier of a site: 1..128 characters of {@code [A-Za-z0-9._:-]}.
 *
 * @param value the identifier text
 * @throws IllegalArgumentException if {@code value} breaks the rule (the message names the value)
 */
public record SiteId(String value) implements Comparable<SiteId> {
    public SiteId {
        Checks.identifier("site id", value);
    }

    /** Same as the constructor; reads well at call sites. */
    public static SiteId of(String value) {
        return new SiteId(value);
    }

    @Override
    public int compareTo(SiteId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
