package dev.atoll.placement;

import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.HoldCreated;
import java.util.ArrayList;
import java.util.List;

/** Small builders shared by the placement tests. */
final class Fixtures {
    private static int holdSeq;

    private Fixtures() {
    }

    static SiteSpec site(String id, PoolSpec... pools) {
        return new SiteSpec(SiteId.of(id), "region-" + id, List.of(pools));
    }

    static SiteSpec site(String id, String region, PoolSpec... pools) {
        return new SiteSpec(SiteId.of(id), region, List.of(pools));
    }

    static JobSpec job(String id, int devices) {
        return JobSpec.builder(id, "t").devices(devices).build();
    }

    static JobSpec job(String id, int devices, String models) {
        return JobSpec.builder(id, "t").devices(devices).models(models).build();
    }

    static JobSpec shared(String id, int milli) {
        return JobSpec.builder(id, "t").devices(1).gpuMilli(milli).build();
    }

    /** Finds a place with {@code policy}, holds and commits it. */
    static Placement run(SiteLedger ledger, JobSpec job, PackingPolicy policy) {
        PlacementResult r = ledger.find(job, policy);
        if (!r.fits()) {
            throw new AssertionError("expected " + job.id() + " to fit: " + r);
        }
        commit(ledger, job.id().value(), r.placement());
        return r.placement();
    }

    /** Holds and commits {@code placement} for {@code job}. */
    static void commit(SiteLedger ledger, String job, Placement placement) {
        HoldId h = HoldId.of("h" + (++holdSeq));
        ledger.apply(new HoldCreated(h, JobId.of(job), 1, placement, Long.MAX_VALUE));
        ledger.apply(new AllocationCommitted(h, JobId.of(job), 1, 0, 3_600_000));
    }

    /** A placement of whole devices {@code from..from+count-1} on {@code node}. */
    static Placement on(SiteLedger ledger, int node, int from, int count) {
        List<Integer> devs = new ArrayList<>();
        for (int d = from; d < from + count; d++) {
            devs.add(d);
        }
        return new Placement(ledger.site(), ledger.model(node), List.of(new NodeShare(node, devs, 1000)));
    }

    /** A snapshot of per-device usage, for "nothing changed" checks. */
    static String usage(SiteView v) {
        StringBuilder sb = new StringBuilder();
        for (int n = 0; n < v.nodeCount(); n++) {
            for (int d = 0; d < v.devicesPerNode(n); d++) {
                sb.append(v.usedMilli(n, d)).append(',');
            }
            sb.append('|');
        }
        return sb.toString();
    }
}
