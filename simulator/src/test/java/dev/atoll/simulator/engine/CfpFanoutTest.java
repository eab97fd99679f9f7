package dev.atoll.simulator.engine;

import dev.atoll.placement.PackingPolicy;
import dev.atoll.placement.SiteChoicePolicy;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.WorkloadKind;
import dev.atoll.simulator.trace.TraceTask;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The live Job's fan-out: only the sites with the most free devices are asked first. */
class CfpFanoutTest {
    @Test
    void fanoutAsksTheMostFreeSitesFirstThenTheRest() {
        // cheap: 1 node x 8 at price 1; dear: 4 nodes x 8 at price 3. Lowest price prefers cheap.
        List<SiteSpec> sites = List.of(
                new SiteSpec(SiteId.of("cheap"), "r", List.of(new PoolSpec(AcceleratorModel.of("H800"), 1, 8, 80, 1.0, 1.0))),
                new SiteSpec(SiteId.of("dear"), "r", List.of(new PoolSpec(AcceleratorModel.of("H800"), 4, 8, 80, 3.0, 1.0))));
        // j1 (8 devices, 100 s) at 0; j2 (8 devices) at 0 too.
        List<TraceTask> tasks = List.of(
                new TraceTask("j1", "t", 0, 100, 8, 1000, ModelSet.ANY, WorkloadKind.TRAINING, PriorityClass.PRODUCTION, 0),
                new TraceTask("j2", "t", 0, 100, 8, 1000, ModelSet.ANY, WorkloadKind.TRAINING, PriorityClass.PRODUCTION, 0));
        SimConfig cfg = new SimConfig(PackingPolicy.byName("first-fit"), SiteChoicePolicy.byName("lowest-price"), false,
                List.of(), true);
        // All sites asked: j1 -> cheap (lower price); j2: cheap is full -> dear.
        assertThat(new Simulation(sites, cfg).run(tasks).jobs()).extracting(JobOutcome::site).containsExactly("cheap", "dear");
        // Fan-out 1: only the site with most free devices (dear, 32 > 8) is asked, so both go to dear.
        assertThat(new Simulation(sites, cfg).withCfpFanout(1).run(tasks).jobs()).extracting(JobOutcome::site)
                .containsExactly("dear", "dear");
        // Fan-out 1 with dear full: its round fails, the second round asks cheap.
        List<TraceTask> big = List.of(
                new TraceTask("b1", "t", 0, 100, 32, 1000, ModelSet.ANY, WorkloadKind.TRAINING, PriorityClass.PRODUCTION, 0),
                new TraceTask("b2", "t", 0, 100, 8, 1000, ModelSet.ANY, WorkloadKind.TRAINING, PriorityClass.PRODUCTION, 0));
        assertThat(new Simulation(sites, cfg).withCfpFanout(1).run(big).jobs()).extracting(JobOutcome::site)
                .containsExactly("dear", "cheap");
        assertThatThrownBy(() -> new Simulation(sites, cfg).withCfpFanout(-1)).hasMessage("cfp fan-out must be >= 0, got -1");
    }
}
