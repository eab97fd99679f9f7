package dev.atoll.siteregistry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.Advert;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.PoolAdvert;
import dev.atoll.protocol.SiteId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The registry's candidate rule for draining sites, without a cluster: {@link SiteRegistry#candidates}. */
class CandidateRuleTest {

    private static final JobSpec EIGHT = JobSpec.builder("j", "t").devices(8).models("H800").build();

    private static SiteInfo site(String id, int free, boolean draining) {
        Advert advert = new Advert(SiteId.of(id), "r", 1, 0L,
                List.of(new PoolAdvert(AcceleratorModel.of("H800"), 16, free, Math.min(8, free), free / 8, 8, 0, 2.0, 1.0)),
                draining);
        return new SiteInfo(advert, null, true);
    }

    @Test
    void aDrainingSiteIsNeverACandidateHoweverMuchIsFree() {
        SiteInfo drained = site("a", 16, true);
        SiteInfo open = site("b", 8, false);

        CandidateSites c = SiteRegistry.candidates(List.of(drained, open), EIGHT);

        assertThat(c.now()).containsExactly(open);
        assertThat(c.anyEverFits()).isTrue();
    }

    @Test
    void jobsWaitWithTheDrainAsReasonWhenOnlyDrainingSitesCouldFit() {
        CandidateSites c = SiteRegistry.candidates(List.of(site("a", 16, true)), EIGHT);

        assertThat(c.now()).isEmpty();
        assertThat(c.anyEverFits()).as("a drained site still counts for 'could ever fit': the job waits").isTrue();
        assertThat(c.reason()).isEqualTo("no reachable site has 8 devices of H800 free now (a is draining)");
    }

    @Test
    void drainAndBusyReasonsAreListedTogether() {
        CandidateSites c = SiteRegistry.candidates(List.of(site("a", 16, true), site("b", 0, false)), EIGHT);

        assertThat(c.now()).isEmpty();
        assertThat(c.reason()).isEqualTo(
                "no reachable site has 8 devices of H800 free now (a is draining, b has 0 free of 16)");
    }

    @Test
    void resumingMakesTheSiteACandidateAgain() {
        CandidateSites c = SiteRegistry.candidates(List.of(site("a", 16, false)), EIGHT);

        assertThat(c.now()).extracting(s -> s.site().value()).containsExactly("a");
        assertThat(c.reason()).isEmpty();
    }
}
