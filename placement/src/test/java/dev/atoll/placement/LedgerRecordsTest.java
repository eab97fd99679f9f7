package dev.atoll.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.HoldCreated;
import dev.atoll.protocol.event.HoldReleased;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The ledger's compact records give back exactly what was stored: placements of every encoding (one node with
 * devices below 32, devices 32..63, several nodes, shared devices), holds in creation order, allocations in
 * commit order, and lookups by job after many commits and releases (the hash index's deletions).
 */
class LedgerRecordsTest {
    private static final SiteId S = SiteId.of("s");
    private static final AcceleratorModel M = AcceleratorModel.of("H800");
    private final SiteLedger ledger = new SiteLedger(new SiteSpec(S, "r",
            List.of(new PoolSpec(M, 40, 64, 80, 1.0, 1.0))));

    private static Placement place(int node, int milli, Integer... devices) {
        return new Placement(S, M, List.of(new NodeShare(node, List.of(devices), milli)));
    }

    @Test
    void everyEncodingRoundTripsAndOrderIsKept() {
        Placement compact = place(0, 1000, 0, 5, 31);
        Placement wide = place(1, 1000, 3, 32, 63);
        Placement shared = place(2, 250, 40);
        Placement gang = new Placement(S, M, List.of(new NodeShare(3, List.of(0, 1), 1000),
                new NodeShare(39, List.of(62, 63), 1000)));
        List<Placement> all = List.of(compact, wide, shared, gang);
        for (int i = 0; i < all.size(); i++) {
            ledger.apply(new HoldCreated(HoldId.of("h" + i), JobId.of("j" + i), i + 1, all.get(i), 10_000 + i));
        }
        assertThat(ledger.holds()).extracting(SiteLedger.Hold::placement).containsExactlyElementsOf(all);
        assertThat(ledger.hold(HoldId.of("h3")).expiresAtMillis()).isEqualTo(10_003);
        // Commit in another order than creation: allocations() follows commit order.
        for (int i : new int[] {2, 0, 3, 1}) {
            ledger.apply(new AllocationCommitted(HoldId.of("h" + i), JobId.of("j" + i), i + 1, 100 * i, 100 * i + 50));
        }
        assertThat(ledger.holds()).isEmpty();
        assertThat(ledger.allocations()).extracting(a -> a.job().value()).containsExactly("j2", "j0", "j3", "j1");
        assertThat(ledger.allocation(JobId.of("j3"))).isEqualTo(new SiteLedger.Allocation(HoldId.of("h3"),
                JobId.of("j3"), 4, gang, 300, 350));
        assertThat(ledger.startedAtMillis(JobId.of("j1"))).isEqualTo(100);
        assertThat(ledger.startedAtMillis(JobId.of("nobody"))).isEqualTo(-1);
        assertThat(ledger.usedMilli(2, 40)).isEqualTo(250);
        assertThat(ledger.freeDevices(M)).isEqualTo(40 * 64 - 3 - 3 - 1 - 4);
        ledger.checkInvariants();

        SiteLedger copy = ledger.copy();
        ledger.apply(new AllocationReleased(JobId.of("j3"), 4, WorkloadEnded.Outcome.COMPLETED, 400, ""));
        assertThat(ledger.allocations()).extracting(a -> a.job().value()).containsExactly("j2", "j0", "j1");
        assertThat(copy.allocations()).extracting(a -> a.job().value()).containsExactly("j2", "j0", "j3", "j1");
        assertThat(ledger.freeDevices(M)).isEqualTo(copy.freeDevices(M) + 4);
        ledger.checkInvariants();
        copy.checkInvariants();
    }

    @Test
    void manyCommitsAndReleasesMatchAPlainMap() {
        Random rnd = new Random(7);
        Map<String, Placement> expected = new LinkedHashMap<>();
        List<String> live = new ArrayList<>();
        int serial = 0;
        for (int step = 0; step < 20_000; step++) {
            if (live.isEmpty() || (live.size() < 2_000 && rnd.nextInt(3) > 0)) {
                String job = "job-" + serial++;
                int node = rnd.nextInt(40);
                int device = rnd.nextInt(64);
                Placement p = place(node, 1 + rnd.nextInt(10), device);
                HoldId h = HoldId.of("h-" + job);
                ledger.apply(new HoldCreated(h, JobId.of(job), 1, p, Long.MAX_VALUE));
                if (rnd.nextInt(10) == 0) {
                    ledger.apply(new HoldReleased(h, "dropped"));
                    continue;
                }
                ledger.apply(new AllocationCommitted(h, JobId.of(job), 1, step, step + 1));
                expected.put(job, p);
                live.add(job);
            } else {
                String job = live.remove(rnd.nextInt(live.size()));
                ledger.apply(new AllocationReleased(JobId.of(job), 1, WorkloadEnded.Outcome.COMPLETED, step, ""));
                expected.remove(job);
            }
        }
        assertThat(ledger.allocationCount()).isEqualTo(expected.size());
        assertThat(ledger.allocations()).extracting(a -> a.job().value()).containsExactlyElementsOf(expected.keySet());
        for (Map.Entry<String, Placement> e : expected.entrySet()) {
            assertThat(ledger.allocation(JobId.of(e.getKey())).placement()).isEqualTo(e.getValue());
        }
        ledger.checkInvariants();
    }
}
