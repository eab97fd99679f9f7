package dev.atoll.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.negotiation.Bid;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SiteChoicePolicyTest {
    private static final AcceleratorModel H800 = AcceleratorModel.of("H800");
    private static final AcceleratorModel A100 = AcceleratorModel.of("A100-80GB");
    private static final AcceleratorModel ASCEND = AcceleratorModel.of("Ascend-910B");

    // site, model, start s, price, speed, frag delta, free after, region
    private final Offer a = new Offer(SiteId.of("a"), H800, 600, 4.0, 2.0, 2, 10, "east");
    private final Offer b = new Offer(SiteId.of("b"), A100, 0, 2.0, 1.0, 0, 40, "west");
    private final Offer c = new Offer(SiteId.of("c"), ASCEND, 0, 1.0, 0.8, 1, 100, "east");
    private final Offer d = new Offer(SiteId.of("d"), A100, 60, 2.5, 1.0, 3, 40, "north");
    private final List<Offer> offers = List.of(a, b, c, d);

    private static JobSpec job(String jobClass, String region) {
        return JobSpec.builder("j", "t").devices(8).jobClass(jobClass).preferredRegion(region).build();
    }

    private static List<String> sites(List<Offer> ranked) {
        return ranked.stream().map(o -> o.site().value()).toList();
    }

    @Test
    void eachCriterionRanksByItsCostThenSiteId() {
        JobSpec j = job(null, "east");
        assertThat(sites(SiteChoicePolicy.byName("earliest-start").rank(j, offers))).containsExactly("b", "c", "d", "a");
        assertThat(sites(SiteChoicePolicy.byName("lowest-price").rank(j, offers))).containsExactly("c", "b", "d", "a");
        assertThat(sites(SiteChoicePolicy.byName("load-balance").rank(j, offers))).containsExactly("c", "b", "d", "a");
        assertThat(sites(SiteChoicePolicy.byName("throughput").rank(j, offers))).containsExactly("a", "b", "d", "c");
        assertThat(sites(SiteChoicePolicy.byName("locality").rank(j, offers))).containsExactly("a", "c", "b", "d");
        assertThat(sites(SiteChoicePolicy.byName("fragmentation").rank(j, offers))).containsExactly("b", "c", "a", "d");
        // Without a preferred region locality is indifferent: site id order.
        assertThat(sites(SiteChoicePolicy.byName("locality").rank(job(null, null), offers)))
                .containsExactly("a", "b", "c", "d");
    }

    @Test
    void liveDefaultIsEarliestStartThenMostFreeDevices() {
        SiteChoicePolicy p = SiteChoicePolicy.byName("default");
        assertThat(p.name()).isEqualTo("default");
        // b and c both start at once; c keeps 100 free, b 40.
        assertThat(sites(p.rank(job(null, null), offers))).containsExactly("c", "b", "d", "a");
        assertThat(sites(SiteChoicePolicy.liveDefault().rank(job(null, null), offers))).containsExactly("c", "b", "d", "a");
    }

    @Test
    void gavelTableDecidesThroughputPerJobClass() {
        Map<String, Map<AcceleratorModel, Double>> m = new LinkedHashMap<>();
        m.put("transformer", Map.of(H800, 3.1, A100, 1.0, ASCEND, 0.7));
        m.put("resnet50", Map.of(H800, 1.6, A100, 1.0, ASCEND, 1.9));
        ThroughputTable table = ThroughputTable.of(m);
        SiteChoicePolicy t = SiteChoicePolicy.byName("throughput", table);
        assertThat(sites(t.rank(job("transformer", null), offers))).containsExactly("a", "b", "d", "c");
        assertThat(sites(t.rank(job("resnet50", null), offers))).containsExactly("c", "a", "b", "d");
        // An unknown class falls back to the offers' speed factors.
        assertThat(sites(t.rank(job("bert", null), offers))).containsExactly("a", "b", "d", "c");
        assertThat(table.speed("resnet50", AcceleratorModel.of("T4"), 0.5)).isEqualTo(0.5);
        assertThatThrownBy(() -> ThroughputTable.of(Map.of("x", Map.of(H800, -1.0))))
                .hasMessage("speed of job class 'x' on H800 must be a finite number > 0, got -1.0");
    }

    @Test
    void weightsCombineNormalisedCosts() {
        JobSpec j = job(null, null);
        // start: a 1, b 0, c 0, d 0.1; price: a 1, b 1/3, c 0, d 0.5.
        SiteChoicePolicy w = SiteChoicePolicy.byName("earliest-start:1,lowest-price:1");
        assertThat(w.name()).isEqualTo("earliest-start:1,lowest-price:1");
        assertThat(sites(w.rank(j, offers))).containsExactly("c", "b", "d", "a");
        // Heavy weight on speed: a (speed 2) despite starting last; then b, d (1.0) before c (0.8).
        SiteChoicePolicy fast = SiteChoicePolicy.byName("earliest-start:1, throughput:10");
        assertThat(sites(fast.rank(j, offers))).containsExactly("a", "b", "d", "c");
        // A weight of 1 is the default.
        assertThat(SiteChoicePolicy.byName("lowest-price,locality").name()).isEqualTo("lowest-price:1,locality:1");
    }

    @Test
    void rankingIgnoresInputOrderAndKeepsEveryOffer() {
        JobSpec j = job(null, "east");
        for (String name : List.of("default", "earliest-start", "lowest-price:2,load-balance:1,locality:3")) {
            SiteChoicePolicy p = SiteChoicePolicy.byName(name);
            List<Offer> shuffled = new ArrayList<>(offers);
            Collections.reverse(shuffled);
            assertThat(p.rank(j, shuffled)).isEqualTo(p.rank(j, offers)).containsExactlyInAnyOrderElementsOf(offers);
        }
        assertThat(SiteChoicePolicy.byName("earliest-start").rank(j, List.of())).isEmpty();
    }

    @Test
    void badNamesAndWeightsAreRejectedNamingThem() {
        assertThatThrownBy(() -> SiteChoicePolicy.byName("cheapest")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'cheapest'").hasMessageContaining("lowest-price");
        assertThatThrownBy(() -> SiteChoicePolicy.byName("lowest-price:x"))
                .hasMessage("weight of 'lowest-price' must be a number, got 'x' in 'lowest-price:x'");
        assertThatThrownBy(() -> SiteChoicePolicy.byName("lowest-price:0"))
                .hasMessage("weight of lowest-price must be a finite number > 0, got 0.0");
        assertThatThrownBy(() -> SiteChoicePolicy.byName("")).hasMessageContaining("got ''");
        assertThatThrownBy(() -> new Offer(SiteId.of("x"), H800, -1, 1, 1, 0, 0, null))
                .hasMessage("startEstimateSeconds must be a finite number >= 0, got -1.0");
        assertThatThrownBy(() -> new Offer(SiteId.of("x"), H800, 0, 1, 0, 0, 0, null))
                .hasMessage("speedFactor must be a finite number > 0, got 0.0");
    }

    @Test
    void offerCarriesWhatABidCarries() {
        Placement p = new Placement(SiteId.of("s"), H800, List.of(new NodeShare(0, List.of(0, 1), 1000)));
        Bid bid = new Bid(JobId.of("j"), 3, SiteId.of("s"), HoldId.of("h"), 99, 12.5, 3.0, 2.0, -1, 14, p);
        assertThat(Offer.of(bid, "east")).isEqualTo(new Offer(SiteId.of("s"), H800, 12.5, 3.0, 2.0, -1, 14, "east"));
    }

    @Test
    void modelEquivalenceIsDeclaredNeverByPrefixAndOnlyWhenAllowed() {
        ModelEquivalence eq = ModelEquivalence.builder()
                .family("a100-class", "A100-40GB", "A100-80GB")
                .alias("A800", "A100-80GB")
                .build();
        ModelSet asked = ModelSet.parse("A100-80GB");
        assertThat(eq.widen(asked, false)).isEqualTo(asked);
        assertThat(eq.widen(asked, true)).isEqualTo(ModelSet.parse("A100-40GB|A100-80GB|A800"));
        assertThat(eq.equivalent(AcceleratorModel.of("A800"), AcceleratorModel.of("A100-40GB"))).isTrue();
        // No prefix matching: A100 is nothing's equivalent unless declared.
        assertThat(eq.equivalent(AcceleratorModel.of("A100"), AcceleratorModel.of("A100-80GB"))).isFalse();
        assertThat(eq.widen(ModelSet.parse("A100"), true)).isEqualTo(ModelSet.parse("A100"));
        assertThat(eq.widen(ModelSet.ANY, true)).isEqualTo(ModelSet.ANY);
        assertThat(ModelEquivalence.NONE.widen(asked, true)).isEqualTo(asked);
        assertThatThrownBy(() -> ModelEquivalence.builder().family("solo", "H800"))
                .hasMessage("family 'solo' must name at least 2 models, got 1");
        // Widened sets place on equivalent hardware at a site.
        SiteLedger s = new SiteLedger(Fixtures.site("s", dev.atoll.protocol.PoolSpec.of("A800", 1, 8, 80)));
        JobSpec exact = JobSpec.builder("j", "t").devices(4).models(asked).build();
        assertThat(s.find(exact, new BestFit())).isInstanceOf(PlacementResult.Never.class);
        JobSpec widened = JobSpec.builder("j", "t").devices(4).models(eq.widen(asked, true)).build();
        assertThat(s.find(widened, new BestFit()).placement().model().name()).isEqualTo("A800");
    }
}
