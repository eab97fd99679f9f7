package dev.atoll.simulator.engine;

import dev.atoll.placement.Offer;
import dev.atoll.placement.PackingPolicy;
import dev.atoll.placement.SiteChoicePolicy;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.simulator.DataFiles;
import dev.atoll.simulator.trace.PhillyTraceReader;
import dev.atoll.simulator.trace.SyntheticTrace;
import dev.atoll.simulator.trace.TraceTask;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's ranked probing (ask sites in the policy's rank order, stop at the first fit) must choose exactly
 * what the full round (every site places, then the policy ranks the real offers) chooses. The full round is forced
 * by a policy whose name looks weighted but which ranks exactly as the live default.
 */
class RankedProbeTest {
    @Test
    void rankedProbingChoosesTheSameSitesAsTheFullRound() {
        SyntheticTrace fitted = SyntheticTrace.fit(PhillyTraceReader.read(DataFiles.require("philly/philly.csv")));
        List<SiteSpec> sites = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            sites.add(new SiteSpec(SiteId.of("s" + i), "r" + i, List.of(PoolSpec.of("H800", 10 + 3 * i, 8, 80))));
        }
        // Heavy load on 496 devices, so sites fill, jobs wait and the choice matters.
        List<TraceTask> tasks = fitted.scaledToLoad(4.0, 496).generate(4000, 3).toList();
        SiteChoicePolicy live = SiteChoicePolicy.byName("default");
        SiteChoicePolicy sameButFullRound = new SiteChoicePolicy() {
            @Override
            public String name() {
                return "default:full-round";
            }

            @Override
            public List<Offer> rank(JobSpec job, List<Offer> offers) {
                return live.rank(job, offers);
            }
        };
        for (String packing : List.of("first-fit", "best-fit", "fgd")) {
            SimConfig a = new SimConfig(PackingPolicy.byName(packing), live, false, List.of(), true);
            SimResult probed = new Simulation(sites, a).run(tasks);
            SimResult full = new Simulation(sites, a.withSiteChoice(sameButFullRound)).run(tasks);
            assertThat(probed.jobs()).isEqualTo(full.jobs());
            assertThat(probed.placementCalls()).as(packing).isLessThan(full.placementCalls());
            assertThat(probed.jobs().stream().filter(o -> o.startSeconds() > o.task().arrivalSeconds()).count())
                    .as("jobs that waited under " + packing).isGreaterThan(400);
        }
    }
}
