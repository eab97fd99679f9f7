package dev.atoll.placement;

import static dev.atoll.placement.Fixtures.commit;
import static dev.atoll.placement.Fixtures.on;
import static dev.atoll.placement.Fixtures.site;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.event.HoldCreated;
import java.util.List;
import org.junit.jupiter.api.Test;

class OffersTest {
    private static final AcceleratorModel H800 = AcceleratorModel.of("H800");
    private static final AcceleratorModel A100 = AcceleratorModel.of("A100-80GB");
    // nodes 0,1: H800 x8 at 3.5/h speed 2; node 2: A100 x4 at 2.0/h; node 3: A100 x4 at 1.5/h
    private final SiteLedger ledger = new SiteLedger(site("s1",
            new PoolSpec(H800, 2, 8, 80, 3.5, 2.0),
            new PoolSpec(A100, 1, 4, 80, 2.0, 1.0),
            new PoolSpec(A100, 1, 4, 80, 1.5, 1.0)));

    @Test
    void offerBeforeTheHoldCountsThePlacementsDevicesAsTaken() {
        commit(ledger, "busy", on(ledger, 0, 0, 3)); // 13 H800 free
        Placement p = on(ledger, 1, 0, 4);

        Offer o = Offers.of(ledger, p);

        assertThat(o).isEqualTo(new Offer(SiteId.of("s1"), H800, 0.0, 3.5, 2.0, 0, 9, "region-s1"));
        assertThat(Offers.of(ledger, p, 13)).isEqualTo(o);
    }

    @Test
    void offerForAHeldPlacementIsTheSameAsBeforeHoldingIt() {
        Placement p = on(ledger, 3, 1, 2);
        Offer before = Offers.of(ledger, p);
        ledger.apply(new HoldCreated(HoldId.of("h-x"), JobId.of("x"), 1, p, Long.MAX_VALUE));

        assertThat(Offers.of(ledger, p)).isEqualTo(before);
        assertThat(before).isEqualTo(new Offer(SiteId.of("s1"), A100, 0.0, 1.5, 1.0, 0, 6, "region-s1"));
    }

    @Test
    void aSharedDeviceAlreadyInUseIsNotFreeBeforeOrAfter() {
        Placement half = new Placement(ledger.site(), A100, List.of(new NodeShare(2, List.of(0), 500)));
        commit(ledger, "half", half); // device 0 of node 2 half used: 7 A100 fully free
        Placement other = new Placement(ledger.site(), A100, List.of(new NodeShare(2, List.of(0), 500)));

        assertThat(Offers.of(ledger, other).freeAfter()).isEqualTo(7);
        assertThat(Offers.of(ledger, other).pricePerDeviceHour()).isEqualTo(2.0);
    }

    @Test
    void badInputNamesTheProblem() {
        Placement elsewhere = new Placement(SiteId.of("s2"), H800, List.of(new NodeShare(0, List.of(0), 1000)));
        assertThatThrownBy(() -> Offers.of(ledger, elsewhere)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("site s2").hasMessageContaining("s1");
        Placement noNode = new Placement(ledger.site(), H800, List.of(new NodeShare(9, List.of(0), 1000)));
        assertThatThrownBy(() -> Offers.of(ledger, noNode)).hasMessageContaining("node 9");
        assertThatThrownBy(() -> Offers.of(ledger, on(ledger, 0, 0, 1), -1)).hasMessageContaining("freeOfModel");
    }
}
