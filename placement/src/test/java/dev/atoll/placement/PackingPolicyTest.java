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

    private static List<PackingPolicy> all() {
        return List.of(new FirstFit(), new BestFit(), new FragmentationGradientDescent());
    }

    private static JobSpec service(String id, int devices, int replicas, int perNode) {
        return JobSpec.builder(id, "t").kind(dev.atoll.protocol.WorkloadKind.INFERENCE).devices(devices)
                .replicas(replicas).maxReplicasPerNode(perNode).build();
    }

    @Test
    void threeReplicasOnePerNodeNeverFitTwoNodesWaitWhileOneOfThreeIsBusyAndTakeOneNodeEach() {
        for (PackingPolicy p : all()) {
            SiteLedger two = new SiteLedger(site("two", PoolSpec.of("G2", 2, 8, 32)));
            assertThat(two.find(service("svc", 1, 3, 1), p)).as(p.name()).isInstanceOf(PlacementResult.Never.class)
                    .extracting(PlacementResult::reason).asString()
                    .contains("at most 2 replicas even when idle").contains("at most 1 per node");

            SiteLedger three = new SiteLedger(site("three", PoolSpec.of("G2", 3, 8, 32)));
            commit(three, "busy", on(three, 1, 0, 8));
            String before = Fixtures.usage(three);
            PlacementResult wait = three.find(service("svc", 1, 3, 1), p);
            assertThat(wait).as(p.name()).isInstanceOf(PlacementResult.Wait.class);
            assertThat(wait.reason()).contains("3 replicas of 1 devices");
            assertThat(Fixtures.usage(three)).isEqualTo(before);

            SiteLedger idle = new SiteLedger(site("idle", PoolSpec.of("G2", 3, 8, 32)));
            Placement spread = run(idle, service("svc", 2, 3, 1), p);
            assertThat(spread.shares()).as(p.name()).hasSize(3);
            assertThat(spread.nodes()).containsExactly(0, 1, 2);
            for (NodeShare s : spread.shares()) {
                assertThat(s.deviceCount()).isEqualTo(2);
                assertThat(s.milli()).isEqualTo(1000);
            }
            assertThat(spread.deviceCount()).isEqualTo(6);
            assertThat(idle.usedDevices()).isEqualTo(6);
            idle.checkInvariants();
        }
    }

    @Test
    void twoReplicasPerNodePackTwoOnANodeBeforeTheNext() {
        JobSpec svc = service("svc", 1, 3, 2);
        for (PackingPolicy p : List.of(firstFit, bestFit)) {
            SiteLedger s = new SiteLedger(site("s", PoolSpec.of("G2", 3, 8, 32)));
            Placement pl = run(s, svc, p);
            assertThat(pl.shares()).as(p.name()).containsExactly(new NodeShare(0, List.of(0, 1), 1000),
                    new NodeShare(1, List.of(0), 1000));
        }
        SiteLedger s = new SiteLedger(site("s", PoolSpec.of("G2", 3, 8, 32)));
        Placement fgd = run(s, svc, new FragmentationGradientDescent());
        assertThat(fgd.deviceCount()).isEqualTo(3);
        assertThat(fgd.shares()).allSatisfy(sh -> assertThat(sh.deviceCount()).isBetween(1, 2));
        // No limit: all three on one node.
        SiteLedger t = new SiteLedger(site("t", PoolSpec.of("G2", 3, 8, 32)));
        assertThat(run(t, service("free", 1, 3, -1), firstFit).shares())
                .containsExactly(new NodeShare(0, List.of(0, 1, 2), 1000));
    }

    @Test
    void fractionalReplicasSharingANodeUseDistinctDevicesAndStackOnPartlyUsedOnes() {
        JobSpec svc = JobSpec.builder("svc", "t").kind(dev.atoll.protocol.WorkloadKind.INFERENCE).devices(1)
                .gpuMilli(300).replicas(3).maxReplicasPerNode(2).build();
        for (PackingPolicy p : all()) {
            SiteLedger one = new SiteLedger(site("one", PoolSpec.of("G2", 1, 4, 32)));
            assertThat(one.find(svc, p)).as(p.name()).isInstanceOf(PlacementResult.Never.class);
            SiteLedger s = new SiteLedger(site("s", PoolSpec.of("G2", 2, 4, 32)));
            Placement pl = run(s, svc, p);
            assertThat(pl.deviceCount()).as(p.name()).isEqualTo(3);
            assertThat(pl.shares()).allSatisfy(sh -> {
                assertThat(sh.milli()).isEqualTo(300);
                assertThat(sh.deviceCount()).isBetween(1, 2);
            });
            int total = 0;
            for (int n = 0; n < 2; n++) {
                for (int d = 0; d < 4; d++) {
                    total += s.usedMilli(n, d);
                    assertThat(s.usedMilli(n, d)).isIn(0, 300);
                }
            }
            assertThat(total).isEqualTo(900);
            s.checkInvariants();
        }
        // First-fit stacks a second service's replicas on the partly used devices.
        SiteLedger s = new SiteLedger(site("s", PoolSpec.of("G2", 2, 4, 32)));
        run(s, svc, firstFit);
        Placement again = run(s, JobSpec.builder("svc2", "t").gpuMilli(300).replicas(3).maxReplicasPerNode(2)
                .build(), firstFit);
        assertThat(again.shares()).containsExactly(new NodeShare(0, List.of(0, 1), 300),
                new NodeShare(1, List.of(0), 300));
        assertThat(s.usedMilli(0, 0)).isEqualTo(600);
        assertThat(s.usedMilli(1, 0)).isEqualTo(600);
    }

    @Test
    void wholeNodeReplicasTakeOneFreeNodeEach() {
        for (PackingPolicy p : all()) {
            SiteLedger s = new SiteLedger(site("s", PoolSpec.of("G2", 4, 8, 32)));
            commit(s, "x", on(s, 0, 0, 1));
            JobSpec svc = JobSpec.builder("svc", "t").devices(8).wholeNodes(true).replicas(2).build();
            Placement pl = run(s, svc, p);
            assertThat(pl.deviceCount()).as(p.name()).isEqualTo(16);
            assertThat(pl.nodes()).doesNotContain(0).hasSize(2);
            JobSpec big = JobSpec.builder("big", "t").devices(8).wholeNodes(true).replicas(5).build();
            assertThat(s.find(big, p)).isInstanceOf(PlacementResult.Never.class);
        }
    }
}
