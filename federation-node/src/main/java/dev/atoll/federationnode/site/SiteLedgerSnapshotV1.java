package dev.atoll.federationnode.site;

import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.event.HoldCreated;
import java.util.List;

/**
 * The shape of {@link SiteLedgerSnapshot} before it carried the drain state (Kryo id 1120), read from
 * snapshot stores written by earlier versions and upcast to a snapshot of a site that is not draining.
 *
 * @param version events applied to the ledger when the snapshot was taken
 * @param holds live holds, in creation order
 * @param allocations live allocations, in commit order
 * @param ended recently ended allocations, oldest first
 */
public record SiteLedgerSnapshotV1(long version, List<HoldCreated> holds, List<SiteLedgerSnapshot.Allocation> allocations,
                                   List<AllocationStatus> ended) implements AtollSerializable {
    /** @return the same snapshot in the current shape, not draining */
    public SiteLedgerSnapshot upcast() {
        return new SiteLedgerSnapshot(version, holds, allocations, ended, false, "");
    }
}
