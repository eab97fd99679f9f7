package dev.atoll.placement;

import static dev.atoll.placement.Fixtures.commit;
import static dev.atoll.placement.Fixtures.job;
import static dev.atoll.placement.Fixtures.on;
import static dev.atoll.placement.Fixtures.run;
import static dev.atoll.placement.Fixtures.shared;
import static dev.atoll.placement.Fixtures.site;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.PoolSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class PackingPolicyTest {
    private final PackingPolicy firstFit = new FirstFit();
    private final PackingPolicy bestFit = new BestFit();

    private static SiteLedger fourNodes() {
        return new SiteLedger(site("s", PoolSpec.of("G2", 4, 8, 32)));
    }

    @Test
    void byNameKnowsEveryPolicyAndRejectsOthersNamingTheValue() {
        assertThat(PackingPolicy.byName("first-fit")).isInstanceOf(FirstFit.class);
        assertThat(PackingPolicy.byName(" Best-Fit ")).isInstanceOf(BestFit.class);
        for (String n : PackingPolicy.names()) {
            assertThat(PackingPolicy.byName(n).name()).isEqualTo(n);
        }
        assertThatThrownBy(() -> PackingPolicy.byName("worst-fit")).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'worst-fit'").hasMessageContaining("first-fit");
        assertThatThrownBy(() -> PackingPolicy.byName(null)).hasMessageContaining("'null'");
    }

    @Test
    void firstFitTakesTheLowestNodeBestFitTheFullest() {
        SiteLedger s = fourNodes();
        commit(s, "x", on(s, 1, 0, 5)); // node 1 has 3 free
        commit(s, "y", on(s, 2, 0, 6)); // node 2 has 2 free
        JobSpec two = job("two", 2);
        assertThat(s.find(two, firstFit).placement().shares()).containsExactly(new NodeShare(0, List.of(0, 1), 1000));
        assertThat(s.find(two, bestFit).placement().shares()).containsExactly(new NodeShare(2, List.of(6, 7), 1000));
        JobSpec three = job("three", 3);
        assertThat(s.find(three, bestFit).placement().shares()).containsExactly(new NodeShare(1, List.of(5, 6, 7), 1000));
    }

    @Test
    void partialRequestLargerThanANodeTakesWholeNodesThenTheRemainder() {
        SiteLedger s = fourNodes();
        commit(s, "x", on(s, 0, 0, 5));
        Placement p = s.find(job("big", 19), bestFit).placement();
        assertThat(p.deviceCount()).isEqualTo(19);
        assertThat(p.nodes()).containsExactly(0, 1, 2);
        assertThat(p.shares().get(0)).isEqualTo(new NodeShare(0, List.of(5, 6, 7), 1000));
        assertThat(s.find(job("huge", 30), bestFit)).isInstanceOf(PlacementResult.Wait.class);
        assertThat(s.find(job("impossible", 33), bestFit)).isInstanceOf(PlacementResult.Never.class)
                .extracting(PlacementResult::reason).asString().contains("at most 32 devices");
    }

    @Test
    void fractionalRequestsShareOneDevice() {
        SiteLedger s = fourNodes();
        Placement a = run(s, shared("a", 600), firstFit);
        assertThat(a.shares()).containsExactly(new NodeShare(0, List.of(0), 600));
        Placement b = run(s, shared("b", 300), bestFit);
        assertThat(b.shares()).containsExactly(new NodeShare(0, List.of(0), 300)); // the most used device with room
        Placement c = run(s, shared("c", 200), firstFit);
        assertThat(c.shares()).containsExactly(new NodeShare(0, List.of(1), 200));
        assertThat(s.usedMilli(0, 0)).isEqualTo(900);
        assertThat(s.freeDevices(0)).isEqualTo(6);
        s.checkInvariants();
    }

    @Test
    void placementResultAccessors() {
        PlacementResult w = new PlacementResult.Wait("short");
        assertThat(w.fits()).isFalse();
        assertThat(w.reason()).isEqualTo("short");
        assertThatThrownBy(w::placement).isInstanceOf(IllegalStateException.class).hasMessageContaining("short");
        SiteLedger s = fourNodes();
        PlacementResult f = s.find(job("j", 1), firstFit);
        assertThat(f.fits()).isTrue();
        assertThat(f.reason()).isEmpty();
        assertThat(new PlacementResult.Never("no").reason()).isEqualTo("no");
    }

    @Test
    void findChangesNothing() {
        SiteLedger s = fourNodes();
        s.find(job("j", 8), bestFit);
        s.find(job("k", 20), firstFit);
        assertThat(s.usedDevices()).isZero();
        assertThat(s.appliedEvents()).isZero();
    }

    @Test
    void wholeNodeGangTakesNodesOfOneSizeEvenWhenSmallerNodesComeFirst() {
        // Found by the backfill property: greedy over mixed node sizes took 1+1+1+8+4 and was left one short.
        SiteLedger s = new SiteLedger(site("s", PoolSpec.of("H800", 3, 1, 80), PoolSpec.of("H800", 3, 8, 80),
                PoolSpec.of("H800", 2, 4, 80)));
        JobSpec gang = JobSpec.builder("g", "t").devices(16).wholeNodes(true).build();
        for (PackingPolicy p : PackingPolicy.names().stream().map(PackingPolicy::byName).toList()) {
            assertThat(s.find(gang, p).placement().nodes()).as(p.name()).containsExactly(3, 4);
        }
        // Two pools of the same model and node size add up: 3 x 8 devices over 2 + 1 nodes.
        SiteLedger t = new SiteLedger(site("t", PoolSpec.of("H800", 2, 8, 80), PoolSpec.of("H800", 1, 8, 80)));
        JobSpec big = JobSpec.builder("b", "t").devices(24).wholeNodes(true).build();
        assertThat(t.find(big, bestFit).placement().nodes()).containsExactly(0, 1, 2);
        JobSpec tooBig = JobSpec.builder("c", "t").devices(32).wholeNodes(true).build();
        assertThat(t.find(tooBig, bestFit)).isInstanceOf(PlacementResult.Never.class);
    }
}
