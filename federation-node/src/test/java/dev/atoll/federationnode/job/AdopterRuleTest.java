package dev.atoll.federationnode.job;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atoll.protocol.Advert;
import dev.atoll.protocol.SiteId;
import dev.atoll.siteregistry.SiteInfo;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The adoption rule: only the lowest site id of a strict majority of reachable, not lost sites adopts. */
class AdopterRuleTest {
    private static SiteInfo site(String id, boolean reachable, boolean lost) {
        return new SiteInfo(new Advert(SiteId.of(id), "r", 1, 0L, List.of()), null, reachable, lost,
                lost ? 1L : 0L);
    }

    @Test
    void theLowestIdOfTheMajorityAdoptsFromEveryLostSite() {
        List<SiteInfo> view = List.of(site("site-a", true, false), site("site-b", true, false),
                site("site-c", false, true), site("site-d", true, false), site("site-e", false, true));
        assertThat(Adopter.lostSitesToAdopt(SiteId.of("site-a"), view))
                .containsExactly(SiteId.of("site-c"), SiteId.of("site-e"));
        assertThat(Adopter.lostSitesToAdopt(SiteId.of("site-b"), view)).isEmpty();
    }

    @Test
    void theMinoritySideOfAPartitionNeverAdopts() {
        // site-c's view while it is cut off from a and b: it is alone, so it must not take their jobs.
        List<SiteInfo> view = List.of(site("site-a", false, true), site("site-b", false, true),
                site("site-c", true, false));
        assertThat(Adopter.lostSitesToAdopt(SiteId.of("site-c"), view)).isEmpty();
        // Two sites, one lost: one of two is no majority either.
        assertThat(Adopter.lostSitesToAdopt(SiteId.of("site-a"),
                List.of(site("site-a", true, false), site("site-b", false, true)))).isEmpty();
    }

    @Test
    void anUnreachableButNotYetLostSiteIsNeitherAdoptedNorCountedAsLive() {
        List<SiteInfo> view = List.of(site("site-a", true, false), site("site-b", false, false),
                site("site-c", true, false), site("site-d", false, true));
        // live: a, c (2 of 4) is no strict majority
        assertThat(Adopter.lostSitesToAdopt(SiteId.of("site-a"), view)).isEmpty();
        List<SiteInfo> five = List.of(site("site-a", true, false), site("site-b", false, false),
                site("site-c", true, false), site("site-d", false, true), site("site-e", true, false));
        assertThat(Adopter.lostSitesToAdopt(SiteId.of("site-a"), five)).containsExactly(SiteId.of("site-d"));
    }

    @Test
    void entityIdsOfAdoptedJobsCarryTheGeneration() {
        assertThat(JobDirectory.jobIdOf("train-1")).isEqualTo("train-1");
        assertThat(JobDirectory.generationOf("train-1")).isZero();
        assertThat(JobDirectory.adoptedEntityId("train-1", 2)).isEqualTo("train-1|a2");
        assertThat(JobDirectory.jobIdOf("train-1|a2")).isEqualTo("train-1");
        assertThat(JobDirectory.generationOf("train-1|a2")).isEqualTo(2);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> JobDirectory.generationOf("train-1|ax"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("train-1|ax");
    }
}
