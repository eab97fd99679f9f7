package dev.atoll.placement;

/**
 * Thrown when a change would break a ledger invariant (DESIGN.md invariant 1: per site, pool and node,
 * allocated + held &lt;= capacity; no count below zero) or names something the ledger does not know in
 * a way that cannot be idempotent (e.g. committing a released hold). Nothing is changed when it is thrown.
 */
public final class LedgerViolation extends IllegalStateException {
    /** @param message what would break and where (site, node, device, hold or job) */
    public LedgerViolation(String message) {
        super(message);
    }
}
