package dev.atoll.federationnode.site;

import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.event.HoldCreated;
import java.util.List;

/**
 * The shape of {@link SiteLedgerSnapshot} with the drain state but before it carried allocation owners (Kryo id
 * 1122), read from snapshot stores written by earlier versions and upcast to a snapshot whose allocations have no
 * known owner (as if their events were of the earlier {@code AllocationCommittedV1} shape).
 *
 * @param version events applied to the ledger when the snapshot was taken
 * @param holds live holds, in creation order
 * @param allocations live allocations, in commit order
 * @param ended recently ended allocations, oldest first
 * @param draining the site is drained
 * @param drainReason the operator's reason ("" when not draining)
 */
public record SiteLedgerSnapshotV2(long version, List<HoldCreated> holds, List<SiteLedgerSnapshot.Allocation> allocations,
                                   List<AllocationStatus> ended, boolean draining, String drainReason)
        implements AtollSerializable {
    /** @return the same snapshot in the current shape, no owners */
    public SiteLedgerSnapshot upcast() {
        return new SiteLedgerSnapshot(version, holds, allocations, ended, draining, drainReason, List.of(), List.of());
    }
}
