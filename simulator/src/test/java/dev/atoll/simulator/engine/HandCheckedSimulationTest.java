package dev.atoll.simulator.engine;

import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.WorkloadKind;
import dev.atoll.simulator.trace.TraceTask;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Twenty jobs on two sites, every start and end worked out by hand.
 *
 * <pre>
 * Sites: A = H800, 2 nodes x 4 devices (n0, n1); B = A100, 1 node x 8 (n0). Packing first-fit (lowest node,
 * lowest devices; a shared request takes the lowest device with room), site choice placement's "lowest-price":
 * every price is 1.0, so ties go to the lower site id (A before B).
 * Failure: site B down at t=15 for 10 s. P = production, BE = best effort, INF = inference. Queue order:
 * priority, then arrival. Events at one second: completions, failures, recoveries, arrivals; then one pass.
 *
 * t=0  j01 4*any -> A n0 [0,10]; j02 4*any -> A n1 [0,20]; j03 8*any: A has no free nodes -> B n0 [0,5]
 * t=1  j04 2*H800 waits (A full; B has no H800)
 * t=2  j05 1*A100 waits (B full); j06 0.5*any waits (no device has room)
 * t=3  j07 16*any: A has 8, B 8 -> never. j08 1*V100: no site has V100 -> never
 * t=4  j09 4*any BE waits
 * t=5  j03 ends (B free). Pass: j04 waits (A full); j05 -> B d0 [5,8]; j06 -> B d1@500 [5,9];
 *      j09 (BE last) -> B d2-5 [5,11]
 * t=6  j10 2*any -> B d6,d7 [6,8]; j11 0.25*A100 -> B d1 (500+250) [6,11]
 * t=7  j12 8*any waits (A full, B free 0)
 * t=8  j05, j10 end. j13 1*H800 INF arrives. Pass: j13, j04 wait (A full); j12 waits (B has 3 free)
 * t=9  j06 ends; B free is d0,d6,d7 (d1 still 250 used): j12 waits
 * t=10 j01 ends (A n0 free). j13 (INF first) -> A n0 d0 [10,11]; j04 -> A n0 d1,d2 [10,20]; j12 waits
 * t=11 j09, j11, j13 end: B fully free -> j12 -> B [11,19]
 * t=12 j14 4*any waits (A n0 has 2 free, n1 busy; B busy)
 * t=13 j15 2*any -> A n0 d0,d3 [13,15]
 * t=14 j16 1*A100 waits (B busy)
 * t=15 j15 ends; B fails: j12 lost after 4 s (32 device-seconds) and requeued with arrival 7.
 *      Pass: j12 (no whole free node at A; B down), j14, j16 wait
 * t=16 j17 1*H800 BE -> A n0 d0 [16,19];  t=17 j18 0.5*any -> A n0 d3@500 [17,19]
 * t=19 j17, j18 end; nothing fits (A n0 has 2 free, n1 busy; B down)
 * t=20 j02, j04 end: A empty. j12 -> A n0+n1 [20,28] (attempt 2, 96 device-seconds in all); j14, j16 wait
 * t=21 j19 2*any INF waits (A full, B down)
 * t=25 B back. Pass: j19 (INF) -> B d0,d1 [25,29]; j14 -> B d2-5 [25,55]; j16 -> B d6 [25,30]
 * t=26 j20 1*any BE -> B d7 [26,27]
 * Makespan: first arrival 0, last end 55.
 * </pre>
 */
class HandCheckedSimulationTest {
    static final SiteSpec A = new SiteSpec(SiteId.of("A"), "r1", List.of(PoolSpec.of("H800", 2, 4, 80)));
    static final SiteSpec B = new SiteSpec(SiteId.of("B"), "r1", List.of(PoolSpec.of("A100", 1, 8, 80)));

    static TraceTask t(String id, long at, long dur, int dev, int milli, String models, PriorityClass p) {
        return new TraceTask(id, "t1", at, dur, dev, milli, ModelSet.parse(models), WorkloadKind.BATCH, p, 0);
    }

    static final PriorityClass P = PriorityClass.PRODUCTION;
    static final PriorityClass BE = PriorityClass.BEST_EFFORT;
    static final PriorityClass INF = PriorityClass.INFERENCE;

    static List<TraceTask> tasks() {
        List<TraceTask> l = new ArrayList<>();
        l.add(t("j01", 0, 10, 4, 1000, "*", P));
        l.add(t("j02", 0, 20, 4, 1000, "*", P));
        l.add(t("j03", 0, 5, 8, 1000, "*", P));
        l.add(t("j04", 1, 10, 2, 1000, "H800", P));
        l.add(t("j05", 2, 3, 1, 1000, "A100", P));
        l.add(t("j06", 2, 4, 1, 500, "*", P));
        l.add(t("j07", 3, 100, 16, 1000, "*", P));
        l.add(t("j08", 3, 10, 1, 1000, "V100", P));
        l.add(t("j09", 4, 6, 4, 1000, "*", BE));
        l.add(t("j10", 6, 2, 2, 1000, "*", P));
        l.add(t("j11", 6, 5, 1, 250, "A100", P));
        l.add(t("j12", 7, 8, 8, 1000, "*", P));
        l.add(t("j13", 8, 1, 1, 1000, "H800", INF));
        l.add(t("j14", 12, 30, 4, 1000, "*", P));
        l.add(t("j15", 13, 2, 2, 1000, "*", P));
        l.add(t("j16", 14, 5, 1, 1000, "A100", P));
        l.add(t("j17", 16, 3, 1, 1000, "H800", BE));
        l.add(t("j18", 17, 2, 1, 500, "*", P));
        l.add(t("j19", 21, 4, 2, 1000, "*", INF));
        l.add(t("j20", 26, 1, 1, 1000, "*", BE));
        return l;
    }

    static SimResult run() {
        SimConfig cfg = SimConfig.of("first-fit").withInvariantChecks(true)
                .withSiteChoice(dev.atoll.placement.SiteChoicePolicy.byName("lowest-price"))
                .withFragmentationSampleSeconds(1)
                .withFailures(List.of(new Failure.SiteDown("B", 15, 10)));
        return new Simulation(List.of(A, B), cfg).run(tasks());
    }

    @Test
    void everyStartAndEndAsWorkedOutByHand() {
        SimResult r = run();
        Map<String, JobOutcome> by = r.jobs().stream().collect(Collectors.toMap(o -> o.task().id(), Function.identity()));
        String[][] expected = {
                // id, site, start, end, attempts
                {"j01", "A", "0", "10", "1"}, {"j02", "A", "0", "20", "1"}, {"j03", "B", "0", "5", "1"},
                {"j04", "A", "10", "20", "1"}, {"j05", "B", "5", "8", "1"}, {"j06", "B", "5", "9", "1"},
                {"j09", "B", "5", "11", "1"}, {"j10", "B", "6", "8", "1"}, {"j11", "B", "6", "11", "1"},
                {"j12", "A", "20", "28", "2"}, {"j13", "A", "10", "11", "1"}, {"j14", "B", "25", "55", "1"},
                {"j15", "A", "13", "15", "1"}, {"j16", "B", "25", "30", "1"}, {"j17", "A", "16", "19", "1"},
                {"j18", "A", "17", "19", "1"}, {"j19", "B", "25", "29", "1"}, {"j20", "B", "26", "27", "1"},
        };
        for (String[] e : expected) {
            JobOutcome o = by.get(e[0]);
            assertThat(o.state()).as(e[0]).isEqualTo(JobOutcome.State.COMPLETED);
            assertThat(o.site()).as(e[0] + " site").isEqualTo(e[1]);
            assertThat(o.startSeconds()).as(e[0] + " start").isEqualTo(Long.parseLong(e[2]));
            assertThat(o.endSeconds()).as(e[0] + " end").isEqualTo(Long.parseLong(e[3]));
            assertThat(o.attempts()).as(e[0] + " attempts").isEqualTo(Integer.parseInt(e[4]));
        }
        assertThat(by.get("j07").state()).isEqualTo(JobOutcome.State.NEVER_RAN);
        assertThat(by.get("j07").reason()).startsWith("no site can ever run it").contains("site A").contains("site B");
        assertThat(by.get("j08").state()).isEqualTo(JobOutcome.State.NEVER_RAN);
        assertThat(by.get("j08").reason()).contains("V100");
        assertThat(by.get("j12").gpuSeconds()).isEqualTo(96.0);
        assertThat(by.get("j12").jctSeconds()).isEqualTo(21);
        assertThat(by.get("j12").queueingDelaySeconds()).isEqualTo(13);
        assertThat(by.get("j06").gpuSeconds()).isEqualTo(2.0);
        assertThat(r.jobs()).extracting(o -> o.task().id()).containsExactlyElementsOf(
                tasks().stream().map(TraceTask::id).toList());
    }

    @Test
    void timelinesFollowTheWorking() {
        SimResult r = run();
        StepSeries a = r.utilization().get(0);
        StepSeries b = r.utilization().get(1);
        assertThat(a.valueAt(0)).isEqualTo(1.0);
        assertThat(b.valueAt(0)).isEqualTo(1.0);
        assertThat(b.valueAt(5)).isEqualTo(5.5 / 8);         // j05 1 + j06 0.5 + j09 4
        assertThat(b.valueAt(6)).isEqualTo(7.75 / 8);        // + j10 2 + j11 0.25
        assertThat(a.valueAt(10)).isEqualTo(7.0 / 8);        // j02 4 + j13 1 + j04 2
        assertThat(b.valueAt(15)).isEqualTo(0.0);            // site down
        assertThat(b.valueAt(26)).isEqualTo(1.0);
        assertThat(b.valueAt(55)).isEqualTo(0.0);
        StepSeries q = r.queueLength();
        assertThat(q.valueAt(1)).isEqualTo(1);   // j04
        assertThat(q.valueAt(4)).isEqualTo(4);   // j04 j05 j06 j09 (j07, j08 rejected)
        assertThat(q.valueAt(5)).isEqualTo(1);
        assertThat(q.valueAt(8)).isEqualTo(3);   // j04 j12 j13
        assertThat(q.valueAt(15)).isEqualTo(3);  // j12 j14 j16
        assertThat(q.valueAt(21)).isEqualTo(3);  // j14 j16 j19
        assertThat(q.valueAt(25)).isEqualTo(0);
    }

    @Test
    void fragmentationFollowsTheWorking() {
        // Free devices that no waiting request can use (placement's Fragmentation), after each second's pass.
        // t=8: waiting j13 (1 H800), j04 (2 H800), j12 (8 any). A is full. B has d0, d6, d7 free (d1 is shared
        //      by j06 and j11): no H800 there, and j12 needs 8 free on one node -> B 3.
        // t=10: waiting j12 only. A has n0 d3 free, but 8 H800 are not free in all -> A 1; B still 3.
        // t=11: nothing waits -> 0 everywhere.
        SimResult r = run();
        StepSeries a = r.fragmentation().get(0);
        StepSeries b = r.fragmentation().get(1);
        assertThat(b.valueAt(8)).isEqualTo(3);
        assertThat(b.valueAt(9)).isEqualTo(3);
        assertThat(a.valueAt(9)).isEqualTo(0);
        assertThat(a.valueAt(10)).isEqualTo(1);
        assertThat(b.valueAt(10)).isEqualTo(3);
        assertThat(a.valueAt(11)).isEqualTo(0);
        assertThat(b.valueAt(11)).isEqualTo(0);
    }

    @Test
    void sameInputSameResult() {
        assertThat(run().jobs()).isEqualTo(run().jobs());
    }
}
