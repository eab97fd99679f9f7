package dev.atoll.federationnode.site;

import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.event.HoldCreated;
import java.util.List;

/**
 * The shape of {@link SiteLedgerSnapshot} with allocation owners but before it carried the allocations' terms
 * (spec and preemption count; Kryo id 1124), read from snapshot stores written by earlier versions and upcast to a
 * snapshot whose allocations have unknown terms (never preempted, as allocations of the
 * {@code AllocationCommittedV2} shape).
 *
 * @param version events applied to the ledger when the snapshot was taken
 * @param holds live holds, in creation order
 * @param allocations live allocations, in commit order
 * @param ended recently ended allocations, oldest first
 * @param draining the site is drained
 * @param drainReason the operator's reason ("" when not draining)
 * @param owners the owner of each live allocation whose award named one
 */
public record SiteLedgerSnapshotV3(long version, List<HoldCreated> holds, List<SiteLedgerSnapshot.Allocation> allocations,
                                   List<AllocationStatus> ended, boolean draining, String drainReason,
                                   List<SiteLedgerSnapshot.Owner> owners) implements AtollSerializable {
    /** @return the same snapshot in the current shape, no terms */
    public SiteLedgerSnapshot upcast() {
        return new SiteLedgerSnapshot(version, holds, allocations, ended, draining, drainReason, owners, List.of());
    }
}
