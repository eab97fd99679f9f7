package dev.atoll.federationnode.site;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atoll.federationnode.NodeKryo;
import dev.atoll.placement.SiteLedger;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.SiteDrainChanged;
import dev.atoll.protocol.serialization.AtollKryoSerializer;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The drain state goes through snapshots (current shape and the pre-drain shape under its old Kryo id). */
class SiteLedgerSnapshotDrainTest {
    private static final SiteSpec SPEC = new SiteSpec(SiteId.of("site-a"), "east",
            List.of(new PoolSpec(AcceleratorModel.of("H800"), 2, 8, 80, 1.0, 1.0)));

    @Test
    void aDrainedLedgerSnapshotsAndRestoresDrained() {
        NodeKryo.register();
        SiteLedger ledger = new SiteLedger(SPEC);
        ledger.apply(new SiteDrainChanged(true, "PDU swap", 1L));
        assertThat(ledger.advert(1, 2).draining()).isTrue();
        SiteLedgerSnapshot snap = SiteLedgerSnapshot.of(ledger, 1, List.of());
        AtollKryoSerializer kryo = new AtollKryoSerializer();
        SiteLedgerSnapshot back = (SiteLedgerSnapshot) kryo.fromBinary(kryo.toBinary(snap));
        assertThat(back).isEqualTo(snap);
        SiteAgent.State state = SiteAgent.State.restore(back, SPEC, 10);
        assertThat(state.ledger().draining()).isTrue();
        assertThat(state.ledger().drainReason()).isEqualTo("PDU swap");
        assertThat(state.version()).isEqualTo(1);

        ledger.apply(new SiteDrainChanged(false, "", 3L));
        assertThat(ledger.draining()).isFalse();
        assertThat(SiteAgent.State.restore(SiteLedgerSnapshot.of(ledger, 2, List.of()), SPEC, 10).ledger().draining())
                .isFalse();
    }

    @Test
    void theOldSnapshotShapeUpcastsToNotDraining() {
        NodeKryo.register();
        SiteLedgerSnapshotV1 old = new SiteLedgerSnapshotV1(7, List.of(), List.of(), List.of());
        AtollKryoSerializer kryo = new AtollKryoSerializer();
        Object back = kryo.fromBinary(kryo.toBinary(old));
        assertThat(back).isEqualTo(old);
        SiteAgent.State state = SiteAgent.State.restore(old.upcast(), SPEC, 10);
        assertThat(state.ledger().draining()).isFalse();
        assertThat(state.version()).isEqualTo(7);
    }
}
