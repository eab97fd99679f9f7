package dev.atoll.federationnode.site;

import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.event.HoldCreated;

/**
 * The worked example of a changed event shape (Kryo id 1140, kept forever): a hold as an earlier shape
 * wrote it, without {@code expiresAtMillis}. The SiteAgent's event adapter reads it as a current
 * {@link HoldCreated} that expired at epoch 0, so recovery releases it at once; its bytes are kept under
 * {@code src/test/resources/golden/HoldCreatedV0.kryo}.
 *
 * @param hold the hold id
 * @param job the bidding job
 * @param epoch the job's negotiation round
 * @param placement the held devices
 */
public record HoldCreatedV0(HoldId hold, JobId job, long epoch, Placement placement) implements AtollSerializable {

    /** @return the current shape: a hold that expired at epoch 0 (the old shape had no expiry) */
    public HoldCreated upcast() {
        return new HoldCreated(hold, job, epoch, placement, 0L);
    }
}
