package dev.atoll.protocol;

/**
 * Identifier of a tenant: 1..128 characters of {@code [A-Za-z0-9._:-]}.
 *
 * @param value the identifier text
 * @throws IllegalArgumentException if {@code value} breaks the rule (the message names the value)
 */
public record TenantId(String value) implements Comparable<TenantId> {
    public TenantId {
        Checks.identifier("tenant id", value);
    }

    /** Same as the constructor; reads well at call sites. */
    public static TenantId of(String value) {
        return new TenantId(value);
    }

    @Override
    public int compareTo(TenantId o) {
        return value.compareTo(o.value);
    }

    @Override
    public String toString() {
        return value;
    }
}
