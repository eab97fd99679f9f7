package dev.atoll.placement;

import static dev.atoll.placement.Fixtures.commit;
import static dev.atoll.placement.Fixtures.on;
import static dev.atoll.placement.Fixtures.site;
import static dev.atoll.placement.Fixtures.usage;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.Advert;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.PoolAdvert;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.HoldCreated;
import dev.atoll.protocol.event.HoldReleased;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import java.util.List;
import org.junit.jupiter.api.Test;

class SiteLedgerTest {
    private final SiteLedger ledger = new SiteLedger(site("s1",
            new PoolSpec(AcceleratorModel.of("H800"), 2, 8, 80, 3.5, 2.0),
            new PoolSpec(AcceleratorModel.of("A100-80GB"), 1, 4, 80, 2.0, 1.0),
            new PoolSpec(AcceleratorModel.of("A100-80GB"), 1, 4, 80, 1.5, 1.0)));

    @Test
    void newLedgerIsEmptyAndNumbersNodesPoolByPool() {
        assertThat(ledger.nodeCount()).isEqualTo(4);
        assertThat(ledger.model(0).name()).isEqualTo("H800");
        assertThat(ledger.model(2).name()).isEqualTo("A100-80GB");
        assertThat(ledger.pool(3)).isEqualTo(2);
        assertThat(ledger.devicesPerNode(1)).isEqualTo(8);
        assertThat(ledger.freeDevices(3)).isEqualTo(4);
        assertThat(ledger.usedDevices()).isZero();
        assertThat(ledger.appliedEvents()).isZero();
        ledger.checkInvariants();
    }

    @Test
    void holdCommitReleaseMovesDevicesAndCounts() {
        HoldId h = HoldId.of("h1");
        JobId j = JobId.of("j1");
        ledger.apply(new HoldCreated(h, j, 3, on(ledger, 0, 0, 3), 5_000));
        assertThat(ledger.freeDevices(0)).isEqualTo(5);
        assertThat(ledger.hold(h).job()).isEqualTo(j);
        assertThat(ledger.holdFor(j, 3).id()).isEqualTo(h);
        assertThat(ledger.holdFor(j, 2)).isNull();
        assertThat(ledger.expiredHolds(4_999)).isEmpty();
        assertThat(ledger.expiredHolds(5_000)).extracting(SiteLedger.Hold::id).containsExactly(h);

        ledger.apply(new AllocationCommitted(h, j, 3, 1_000, 61_000));
        assertThat(ledger.holds()).isEmpty();
        assertThat(ledger.allocation(j).startedAtMillis()).isEqualTo(1_000);
        assertThat(ledger.usedDevices(AcceleratorModel.of("H800"))).isEqualTo(3);
        assertThat(ledger.usedDevices(AcceleratorModel.of("A100-80GB"))).isZero();
        ledger.checkInvariants();

        // A release for another epoch is ignored; the right one frees the devices.
        ledger.apply(new AllocationReleased(j, 2, WorkloadEnded.Outcome.COMPLETED, 2_000, ""));
        assertThat(ledger.freeDevices(0)).isEqualTo(5);
        ledger.apply(new AllocationReleased(j, 3, WorkloadEnded.Outcome.COMPLETED, 2_000, ""));
        assertThat(ledger.freeDevices(0)).isEqualTo(8);
        assertThat(ledger.allocations()).isEmpty();
        assertThat(ledger.appliedEvents()).isEqualTo(4);
        ledger.checkInvariants();
    }

    @Test
    void duplicateReleasesAreNoOps() {
        HoldId h = HoldId.of("h1");
        ledger.apply(new HoldCreated(h, JobId.of("j"), 1, on(ledger, 1, 2, 2), 10));
        ledger.apply(new HoldReleased(h, "expired"));
        ledger.apply(new HoldReleased(h, "expired"));
        ledger.apply(new AllocationReleased(JobId.of("nobody"), 1, WorkloadEnded.Outcome.CANCELLED, 0, "x"));
        assertThat(ledger.freeDevices(1)).isEqualTo(8);
        ledger.checkInvariants();
    }

    @Test
    void overCommitIsRefusedAndChangesNothing() {
        commit(ledger, "a", on(ledger, 0, 0, 6));
        String before = usage(ledger);
        long events = ledger.appliedEvents();
        HoldCreated overlap = new HoldCreated(HoldId.of("hx"), JobId.of("b"), 1, on(ledger, 0, 4, 4), 10);
        assertThatThrownBy(() -> ledger.apply(overlap)).isInstanceOf(LedgerViolation.class)
                .hasMessageContaining("over-commit").hasMessageContaining("device 4 on node 0")
                .hasMessageContaining("1000/1000 already");
        assertThatThrownBy(() -> ledger.check(overlap)).isInstanceOf(LedgerViolation.class);
        assertThat(usage(ledger)).isEqualTo(before);
        assertThat(ledger.appliedEvents()).isEqualTo(events);
        assertThat(ledger.hold(HoldId.of("hx"))).isNull();
        ledger.checkInvariants();
    }

    @Test
    void aNodeListedTwiceInOneHoldIsRefusedAndChangesNothing() {
        // Each share alone fits (600 <= 1000), together they would put device 0 of node 2 at 1200/1000.
        Placement twice = new Placement(ledger.site(), ledger.model(2),
                List.of(new NodeShare(2, List.of(0), 600), new NodeShare(2, List.of(0), 600)));
        Placement descending = new Placement(ledger.site(), ledger.model(2),
                List.of(new NodeShare(3, List.of(0), 1000), new NodeShare(2, List.of(0), 1000)));
        String before = usage(ledger);
        long events = ledger.appliedEvents();
        HoldCreated h1 = new HoldCreated(HoldId.of("hx"), JobId.of("x"), 1, twice, 10);
        HoldCreated h2 = new HoldCreated(HoldId.of("hy"), JobId.of("y"), 1, descending, 10);
        assertThatThrownBy(() -> ledger.apply(h1)).isInstanceOf(LedgerViolation.class)
                .hasMessageContaining("lists node 2 after node 2");
        assertThatThrownBy(() -> ledger.check(h1)).isInstanceOf(LedgerViolation.class);
        assertThatThrownBy(() -> ledger.apply(h2)).isInstanceOf(LedgerViolation.class)
                .hasMessageContaining("lists node 2 after node 3");
        assertThat(usage(ledger)).isEqualTo(before);
        assertThat(ledger.usedMilli(2, 0)).isZero();
        assertThat(ledger.appliedEvents()).isEqualTo(events);
        assertThat(ledger.holds()).isEmpty();
        ledger.checkInvariants();
    }

    @Test
    void sharedDeviceCannotExceedOneThousandMilli() {
        Placement p600 = new Placement(ledger.site(), ledger.model(2), List.of(new NodeShare(2, List.of(1), 600)));
        Placement p500 = new Placement(ledger.site(), ledger.model(2), List.of(new NodeShare(2, List.of(1), 500)));
        Placement p400 = new Placement(ledger.site(), ledger.model(2), List.of(new NodeShare(2, List.of(1), 400)));
        commit(ledger, "a", p600);
        assertThatThrownBy(() -> commit(ledger, "b", p500)).isInstanceOf(LedgerViolation.class)
                .hasMessageContaining("wants 500/1000").hasMessageContaining("600/1000 already");
        commit(ledger, "c", p400);
        assertThat(ledger.usedMilli(2, 1)).isEqualTo(1000);
        assertThat(ledger.freeDevices(2)).isEqualTo(3);
        ledger.checkInvariants();
    }

    @Test
    void malformedHoldsAreRefused() {
        HoldId h = HoldId.of("h");
        JobId j = JobId.of("j");
        Placement otherSite = new Placement(SiteId.of("elsewhere"), ledger.model(0),
                List.of(new NodeShare(0, List.of(0), 1000)));
        Placement wrongModel = new Placement(ledger.site(), AcceleratorModel.of("A100-80GB"),
                List.of(new NodeShare(0, List.of(0), 1000)));
        Placement noNode = new Placement(ledger.site(), ledger.model(0), List.of(new NodeShare(9, List.of(0), 1000)));
        Placement badDevice = new Placement(ledger.site(), ledger.model(0), List.of(new NodeShare(0, List.of(8), 1000)));
        Placement unsorted = new Placement(ledger.site(), ledger.model(0), List.of(new NodeShare(0, List.of(3, 1), 1000)));
        Placement empty = new Placement(ledger.site(), ledger.model(0), List.of());
        assertThatThrownBy(() -> ledger.apply(new HoldCreated(h, j, 1, otherSite, 1))).hasMessageContaining("elsewhere");
        assertThatThrownBy(() -> ledger.apply(new HoldCreated(h, j, 1, wrongModel, 1))).hasMessageContaining("H800");
        assertThatThrownBy(() -> ledger.apply(new HoldCreated(h, j, 1, noNode, 1))).hasMessageContaining("node 9");
        assertThatThrownBy(() -> ledger.apply(new HoldCreated(h, j, 1, badDevice, 1))).hasMessageContaining("device 8");
        assertThatThrownBy(() -> ledger.apply(new HoldCreated(h, j, 1, unsorted, 1))).hasMessageContaining("device 1");
        assertThatThrownBy(() -> ledger.apply(new HoldCreated(h, j, 1, empty, 1))).hasMessageContaining("no devices");
        assertThat(ledger.appliedEvents()).isZero();
        assertThat(ledger.usedDevices()).isZero();
    }

    @Test
    void commitNeedsALiveHoldOfTheSameJobAndOneAllocationPerJob() {
        assertThatThrownBy(() -> ledger.apply(new AllocationCommitted(HoldId.of("none"), JobId.of("j"), 1, 0, 1)))
                .isInstanceOf(LedgerViolation.class).hasMessageContaining("no such live hold");
        ledger.apply(new HoldCreated(HoldId.of("h1"), JobId.of("j"), 1, on(ledger, 0, 0, 1), 10));
        assertThatThrownBy(() -> ledger.apply(new AllocationCommitted(HoldId.of("h1"), JobId.of("k"), 1, 0, 1)))
                .hasMessageContaining("belongs to job j");
        ledger.apply(new AllocationCommitted(HoldId.of("h1"), JobId.of("j"), 1, 0, 1));
        ledger.apply(new HoldCreated(HoldId.of("h2"), JobId.of("j"), 2, on(ledger, 1, 0, 1), 10));
        assertThatThrownBy(() -> ledger.apply(new AllocationCommitted(HoldId.of("h2"), JobId.of("j"), 2, 0, 1)))
                .hasMessageContaining("already runs");
        assertThatThrownBy(() -> ledger.apply(new HoldCreated(HoldId.of("h2"), JobId.of("x"), 1, on(ledger, 1, 4, 1), 1)))
                .hasMessageContaining("exists already");
        ledger.checkInvariants();
    }

    @Test
    void advertSummarisesEachModel() {
        commit(ledger, "a", on(ledger, 0, 0, 3));
        commit(ledger, "b", on(ledger, 3, 0, 1));
        Advert ad = ledger.advert(7, 1234);
        assertThat(ad.site()).isEqualTo(SiteId.of("s1"));
        assertThat(ad.region()).isEqualTo("region-s1");
        assertThat(ad.version()).isEqualTo(7);
        assertThat(ad.pools()).containsExactly(
                new PoolAdvert(AcceleratorModel.of("A100-80GB"), 8, 7, 4, 1, 4, 0, 1.5, 1.0),
                new PoolAdvert(AcceleratorModel.of("H800"), 16, 13, 8, 1, 8, 0, 3.5, 2.0));
        assertThat(ad.free()).isEqualTo(20);
        assertThat(ad.capacity()).isEqualTo(24);
        // A fixed fragmentation figure is clamped to each model's free devices.
        assertThat(ledger.advert(8, 0, 9).pools()).extracting(PoolAdvert::fragmentation).containsExactly(7, 9);
    }

    @Test
    void replayingTheSameEventsGivesTheSameLedger() {
        List<dev.atoll.protocol.event.SiteEvent> events = List.of(
                new HoldCreated(HoldId.of("h1"), JobId.of("a"), 1, on(ledger, 0, 0, 8), 10),
                new HoldCreated(HoldId.of("h2"), JobId.of("b"), 1, on(ledger, 2, 1, 2), 10),
                new AllocationCommitted(HoldId.of("h1"), JobId.of("a"), 1, 0, 10),
                new HoldReleased(HoldId.of("h2"), "lost the auction"),
                new HoldCreated(HoldId.of("h3"), JobId.of("c"), 1, on(ledger, 1, 0, 5), 10));
        SiteLedger other = new SiteLedger(ledger.spec());
        for (var e : events) {
            ledger.apply(e);
            other.apply(e);
        }
        assertThat(usage(other)).isEqualTo(usage(ledger)).isEqualTo(
                "1000,1000,1000,1000,1000,1000,1000,1000,|1000,1000,1000,1000,1000,0,0,0,|0,0,0,0,|0,0,0,0,|");
        assertThat(other.advert(1, 0)).isEqualTo(ledger.advert(1, 0));
    }

    @Test
    void copyIsIndependent() {
        commit(ledger, "a", on(ledger, 0, 0, 2));
        SiteLedger c = ledger.copy();
        assertThat(usage(c)).isEqualTo(usage(ledger));
        assertThat(c.appliedEvents()).isEqualTo(ledger.appliedEvents());
        commit(c, "b", on(c, 1, 0, 8));
        c.apply(new AllocationReleased(JobId.of("a"), 1, WorkloadEnded.Outcome.COMPLETED, 0, ""));
        assertThat(ledger.freeDevices(0)).isEqualTo(6);
        assertThat(ledger.freeDevices(1)).isEqualTo(8);
        assertThat(ledger.allocation(JobId.of("a"))).isNotNull();
        assertThat(c.freeDevices(0)).isEqualTo(8);
        c.checkInvariants();
        ledger.checkInvariants();
    }

    @Test
    void advertMeasuresFragmentationPerModelAgainstThePendingMix() {
        commit(ledger, "a", on(ledger, 0, 0, 5)); // H800 node 0: 3 free; node 1: 8 free
        commit(ledger, "b", on(ledger, 2, 0, 3)); // A100 node 2: 1 free; node 3: 4 free
        List<dev.atoll.protocol.JobSpec> pending = List.of(
                dev.atoll.protocol.JobSpec.builder("p", "t").devices(4).build());
        Advert ad = ledger.advert(3, 0, pending);
        // A100: node 2's single free device is useless to a 4-device request; H800: node 0's 3 are.
        assertThat(ad.pools()).extracting(PoolAdvert::fragmentation).containsExactly(1, 3);
        assertThat(Fragmentation.byModel(ledger, pending)).containsEntry(AcceleratorModel.of("A100-80GB"), 1)
                .containsEntry(AcceleratorModel.of("H800"), 3);
        assertThat(Fragmentation.of(ledger, pending, AcceleratorModel.of("T4"))).isZero();
        assertThat(ledger.advert(3, 0, (List<dev.atoll.protocol.JobSpec>) null).pools())
                .extracting(PoolAdvert::fragmentation).containsExactly(0, 0);
    }
}
