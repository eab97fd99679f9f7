package dev.atoll.simulator.topology;

import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.WorkloadKind;
import dev.atoll.simulator.trace.TraceTask;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Each VC its own site, sized from its peak concurrent demand. */
class VcSitesTest {
    private static TraceTask t(String id, String vc, long at, long dur, int dev) {
        return new TraceTask(id, vc, at, dur, dev, 1000, ModelSet.ANY, WorkloadKind.TRAINING, PriorityClass.PRODUCTION, 0);
    }

    @Test
    void peakDemandSizesEachSiteAndJobsOnlyAcceptTheirOwnVc() {
        // VC x: [0,100) 4 devices, [50,150) 8 devices, [100,200) 16 devices -> peak at 100..150: 8 + 16 = 24
        // (the first ends at 100 before the third starts). VC y: one 2-device job -> peak 2, largest 2.
        List<TraceTask> tasks = List.of(t("a", "x", 0, 100, 4), t("b", "x", 50, 100, 8), t("c", "x", 100, 100, 16),
                t("d", "y", 10, 5, 2));
        VcSites vc = VcSites.of(tasks, 0.5, 8);
        assertThat(vc.peakDemand()).containsEntry("x", 24).containsEntry("y", 2);
        // x: max(ceil(12 / 8), ceil(16 / 8)) = 2 nodes; y: max(ceil(1 / 8), ceil(2 / 8)) = 1 node.
        assertThat(vc.sites()).extracting(s -> s.id().value()).containsExactly("vc-x", "vc-y");
        assertThat(vc.sites()).extracting(s -> s.deviceCount()).containsExactly(16, 8);
        assertThat(vc.tasks().get(0).models()).isEqualTo(ModelSet.parse("VC-x"));
        assertThat(vc.tasks().get(3).models()).isEqualTo(ModelSet.parse("VC-y"));
    }
}
