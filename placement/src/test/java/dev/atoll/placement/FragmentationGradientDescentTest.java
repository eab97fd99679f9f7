package dev.atoll.placement;

import static dev.atoll.placement.Fixtures.commit;
import static dev.atoll.placement.Fixtures.job;
import static dev.atoll.placement.Fixtures.on;
import static dev.atoll.placement.Fixtures.run;
import static dev.atoll.placement.Fixtures.shared;
import static dev.atoll.placement.Fixtures.site;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.PoolSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class FragmentationGradientDescentTest {
    private static WorkloadMix mix(int[]... shapes) {
        return new WorkloadMix(java.util.Arrays.stream(shapes)
                .map(s -> new WorkloadMix.TaskClass(s[0], s[1], false, ModelSet.ANY, s[2])).toList());
    }

    private static Placement sharedOn(SiteLedger s, int node, int device, int milli) {
        return new Placement(s.site(), s.model(node), List.of(new NodeShare(node, List.of(device), milli)));
    }

    @Test
    void registeredByName() {
        assertThat(PackingPolicy.byName("FGD")).isInstanceOf(FragmentationGradientDescent.class);
        assertThat(PackingPolicy.names()).containsExactly("first-fit", "best-fit", "fgd");
        assertThat(new FragmentationGradientDescent().mix().classes()).hasSize(16);
    }

    @Test
    void nodeFragmentationFollowsThePaperDefinition() {
        SiteLedger s = new SiteLedger(site("s", PoolSpec.of("G2", 1, 8, 32)));
        FragmentationGradientDescent whole = new FragmentationGradientDescent(mix(new int[] {1, 1000, 1}));
        FragmentationGradientDescent half = new FragmentationGradientDescent(mix(new int[] {1, 500, 1}));
        FragmentationGradientDescent both = new FragmentationGradientDescent(
                mix(new int[] {1, 1000, 1}, new int[] {1, 500, 1}));
        assertThat(whole.nodeFragmentation(s, 0)).isZero();
        commit(s, "a", sharedOn(s, 0, 0, 300)); // device 0 has 700 free
        assertThat(whole.nodeFragmentation(s, 0)).isEqualTo(700.0); // a partly used device is useless to it
        assertThat(half.nodeFragmentation(s, 0)).isZero(); // 700 >= 500
        assertThat(both.nodeFragmentation(s, 0)).isCloseTo(350.0, within(1e-9));
        commit(s, "b", sharedOn(s, 0, 0, 300)); // 400 free
        assertThat(half.nodeFragmentation(s, 0)).isEqualTo(400.0);
        // A 16-device class cannot run on an 8-device node at all: every free thousandth is a fragment.
        FragmentationGradientDescent big = new FragmentationGradientDescent(mix(new int[] {9, 1000, 1}));
        commit(s, "c", on(s, 0, 1, 7));
        assertThat(big.nodeFragmentation(s, 0)).isEqualTo(400.0);
        // A class for another model sees the whole node as fragments.
        FragmentationGradientDescent other = new FragmentationGradientDescent(new WorkloadMix(List.of(
                new WorkloadMix.TaskClass(1, 100, false, ModelSet.of("T4"), 1))));
        assertThat(other.nodeFragmentation(s, 0)).isEqualTo(400.0);
        assertThat(other.siteFragmentation(s)).isEqualTo(0.4);
    }

    /**
     * Nodes of 4 devices; node 0 has 2 free, node 1 has 3 free; a mix of 2-device tasks. Arrivals 1, 2, 2:
     * first-fit and best-fit put the single on node 0 and then strand two single devices; fgd puts it on
     * node 1 and all three fit.
     */
    @Test
    void fgdKeepsBlocksTheMixNeedsWhereBestFitStrandsThem() {
        FragmentationGradientDescent fgd = new FragmentationGradientDescent(mix(new int[] {2, 1000, 1}));
        int[] placedBy = new int[3];
        List<PackingPolicy> policies = List.of(new FirstFit(), new BestFit(), fgd);
        for (int p = 0; p < 3; p++) {
            SiteLedger s = new SiteLedger(site("s", PoolSpec.of("G2", 2, 4, 32)));
            commit(s, "x", on(s, 0, 0, 2));
            commit(s, "y", on(s, 1, 0, 1));
            PlacementResult one = s.find(job("one", 1), policies.get(p));
            commit(s, "one", one.placement());
            int placed = 1;
            for (String id : List.of("two-a", "two-b")) {
                PlacementResult r = s.find(job(id, 2), policies.get(p));
                if (r.fits()) {
                    commit(s, id, r.placement());
                    placed++;
                }
            }
            placedBy[p] = placed;
            if (p == 2) {
                assertThat(one.placement().shares()).containsExactly(new NodeShare(1, List.of(1), 1000));
            } else {
                assertThat(one.placement().nodes()).containsExactly(0);
            }
            s.checkInvariants();
        }
        assertThat(placedBy).containsExactly(2, 2, 3);
    }

    @Test
    void sharedTaskGoesToTheDeviceThatGrowsFragmentationLeast() {
        // Device 0 has 350 free, device 1 has 800 free; a 300 share. With a mix of 500 shares, device 0
        // (left with 50) removes a fragment; device 1 (left with 500) would keep device 0's 350 stranded.
        SiteLedger s = new SiteLedger(site("s", PoolSpec.of("T4", 1, 2, 16)));
        commit(s, "a", sharedOn(s, 0, 0, 650));
        commit(s, "b", sharedOn(s, 0, 1, 200));
        FragmentationGradientDescent fgd = new FragmentationGradientDescent(mix(new int[] {1, 500, 1}));
        Placement p = run(s, shared("c", 300), fgd);
        assertThat(p.shares()).containsExactly(new NodeShare(0, List.of(0), 300));
        assertThat(fgd.nodeFragmentation(s, 0)).isEqualTo(50.0);
    }

    @Test
    void gangsAndModelRulesAreTheTemplates() {
        SiteLedger s = new SiteLedger(site("s", PoolSpec.of("V100M16", 2, 8, 16), PoolSpec.of("V100M32", 1, 8, 32)));
        FragmentationGradientDescent fgd = new FragmentationGradientDescent();
        JobSpec gang = JobSpec.builder("g", "t").devices(16).wholeNodes(true).models("V100M16|V100M32").build();
        assertThat(s.find(gang, fgd).placement().nodes()).containsExactly(0, 1);
        assertThat(s.find(job("a", 1, "A100"), fgd)).isInstanceOf(PlacementResult.Never.class);
        Placement big = s.find(job("b", 12), fgd).placement();
        assertThat(big.deviceCount()).isEqualTo(12);
        assertThat(big.model().name()).isEqualTo("V100M16");
        assertThat(s.find(job("c", 20), fgd).reason())
                .isEqualTo("site s has at most 16 devices of one model, request needs 20 (a gang never mixes models)");
    }

    @Test
    void workloadMixValidatesAndWeighsByCount() {
        WorkloadMix m = WorkloadMix.of(List.of(job("a", 1), job("b", 1), shared("c", 500), job("d", 1)));
        assertThat(m.classes()).containsExactly(
                new WorkloadMix.TaskClass(1, 1000, false, ModelSet.ANY, 0.75),
                new WorkloadMix.TaskClass(1, 500, false, ModelSet.ANY, 0.25));
        assertThatThrownBy(() -> WorkloadMix.of(List.of())).hasMessageContaining("jobs");
        assertThatThrownBy(() -> new WorkloadMix.TaskClass(0, 1000, false, ModelSet.ANY, 1))
                .hasMessage("devices must be in [1, 65536], got 0");
        assertThatThrownBy(() -> new WorkloadMix.TaskClass(2, 500, false, ModelSet.ANY, 1))
                .hasMessageContaining("gpuMilli");
        assertThatThrownBy(() -> new WorkloadMix.TaskClass(1, 1000, false, ModelSet.ANY, -1))
                .hasMessage("weight must be a finite number > 0, got -1.0");
        assertThatThrownBy(() -> new FragmentationGradientDescent(null)).hasMessage("mix is required");
        double sum = WorkloadMix.defaultMix().classes().stream().mapToDouble(WorkloadMix.TaskClass::weight).sum();
        assertThat(sum).isCloseTo(1.0, within(1e-12));
    }
}
