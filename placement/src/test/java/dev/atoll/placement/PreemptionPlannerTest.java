package dev.atoll.placement;

import static dev.atoll.placement.Fixtures.commit;
import static dev.atoll.placement.Fixtures.on;
import static dev.atoll.placement.Fixtures.site;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.PoolSpec;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreemptionPlannerTest {
    private static PreemptionPlanner.Candidate running(SiteLedger s, String id, int node, int from, int count,
                                                       long start, long checkpoint, boolean preemptible, int preempted) {
        commit(s, id, on(s, node, from, count));
        JobSpec spec = JobSpec.builder(id, "t").devices(count).checkpointIntervalSeconds(checkpoint)
                .preemptible(preemptible).build();
        return new PreemptionPlanner.Candidate(JobId.of(id), spec, 1, s.allocation(JobId.of(id)).placement(), start,
                preempted);
    }

    @Test
    void lostWorkCountsOnlySinceTheLastCheckpoint() {
        SiteLedger s = new SiteLedger(site("s", PoolSpec.of("G", 1, 8, 32)));
        PreemptionPlanner.Candidate c = running(s, "c", 0, 0, 2, 100, 60, true, 0);
        assertThat(PreemptionPlanner.lostWork(c, 250)).isEqualTo(30 * 2); // 150 s ran, checkpoint at 120
        PreemptionPlanner.Candidate n = running(s, "n", 0, 2, 3, 100, 0, true, 0);
        assertThat(PreemptionPlanner.lostWork(n, 250)).isEqualTo(150 * 3);
    }

    @Test
    void wholeGangsOnlyAndThePreemptorTakesOnlyFreedOrFreeDevices() {
        SiteLedger s = new SiteLedger(site("s", PoolSpec.of("G", 2, 4, 32)));
        List<PreemptionPlanner.Candidate> all = new ArrayList<>();
        // A 6-device gang over both nodes, and two singles.
        commit(s, "gang", new dev.atoll.protocol.Placement(s.site(), s.model(0), List.of(
                new NodeShare(0, List.of(0, 1, 2), 1000), new NodeShare(1, List.of(0, 1, 2), 1000))));
        all.add(new PreemptionPlanner.Candidate(JobId.of("gang"), JobSpec.builder("gang", "t").devices(6).build(), 1,
                s.allocation(JobId.of("gang")).placement(), 0, 0));
        all.add(running(s, "x", 0, 3, 1, 0, 0, false, 0)); // not preemptible
        all.add(running(s, "y", 1, 3, 1, 0, 0, true, 2)); // preempted twice already
        PreemptionPlanner planner = new PreemptionPlanner(new BestFit(), 2);
        JobSpec two = JobSpec.builder("two", "u").devices(2).build();
        PreemptionPlanner.Plan p = planner.plan(s, two, all, 10, (v, chosen) -> true).orElseThrow();
        assertThat(p.victims()).extracting(PreemptionPlanner.Candidate::job).containsExactly(JobId.of("gang"));
        assertThat(p.surplusDevices()).isEqualTo(4);
        assertThat(p.lostWorkDeviceSeconds()).isEqualTo(60);
        for (NodeShare share : p.placement().shares()) {
            for (int d : share.devices()) {
                assertThat(d).isLessThan(3); // inside the gang's freed devices
            }
        }
        // Nothing eligible: no plan; the ledger is untouched by planning.
        assertThat(planner.plan(s, two, all, 10, (v, chosen) -> false)).isEmpty();
        assertThat(s.usedDevices()).isEqualTo(8);
        assertThatThrownBy(() -> new PreemptionPlanner(new BestFit(), -1))
                .hasMessage("maxPreemptionsPerJob must be >= 0, got -1");
    }
}
