package dev.atoll.simulator.metrics;

import dev.atoll.simulator.engine.HandCheckedRun;
import dev.atoll.simulator.engine.SimResult;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class SimSummaryTest {
    @Test
    void figuresOfTheHandCheckedRun() {
        SimResult r = HandCheckedRun.run();
        SimSummary s = SimSummary.of(r);
        assertThat(s.jobs()).isEqualTo(20);
        assertThat(s.completed()).isEqualTo(18);
        assertThat(s.neverRanByReason()).containsEntry("never-fits", 2).hasSize(1);
        assertThat(s.makespanSeconds()).isEqualTo(55);
        assertThat(s.restarts()).isEqualTo(1);
        // JCTs (end - arrival) of the 18 completed jobs, from the hand-checked working:
        // j01 10, j02 20, j03 5, j04 19, j05 6, j06 7, j09 7, j10 2, j11 5, j12 21, j13 3, j14 43, j15 2,
        // j16 16, j17 3, j18 2, j19 8, j20 1 -> sum 180, mean 10; sorted: 1 2 2 2 3 3 5 5 6 7 7 8 10 16 19 20 21 43
        assertThat(s.jct().mean()).isEqualTo(10.0);
        assertThat(s.jct().p50()).isEqualTo(6);
        assertThat(s.jct().max()).isEqualTo(43);
        assertThat(s.jct().p95()).isEqualTo(43);
        // Queueing delays: j04 9, j05 3, j06 3, j09 1, j12 13, j13 2, j14 13, j16 11, j17 0, j19 4, others 0
        assertThat(s.queueingDelay().mean()).isEqualTo(59 / 18.0);
        assertThat(s.queueingDelay().max()).isEqualTo(13);
        // Device-seconds by tenant (all "t1"): completed work plus j12's lost 32.
        assertThat(s.gpuHoursByTenant().get("t1")).isCloseTo(gpuSecondsOfWorking() / 3600.0, within(1e-9));
        // A: j01 j02 j04 j12 j13 j15 j17 j18; B: j03 j05 j06 j09 j10 j11 j14 j16 j19 j20
        assertThat(s.sites()).extracting(SimSummary.SiteFigures::completedJobs).containsExactly(8, 10);
        assertThat(s.table()).contains("makespan 00:00:55 (55 s)");
    }

    private static double gpuSecondsOfWorking() {
        // devices x share x run seconds per completed job + 32 lost by j12
        return 4 * 10 + 4 * 20 + 8 * 5 + 2 * 10 + 1 * 3 + 0.5 * 4 + 4 * 6 + 2 * 2 + 0.25 * 5 + 8 * 8 + 1 * 1 + 4 * 30
                + 2 * 2 + 1 * 5 + 1 * 3 + 0.5 * 2 + 2 * 4 + 1 * 1 + 32;
    }

    @Test
    void statsPercentilesAreExactForSmallValues() {
        Stats.Collector c = new Stats.Collector();
        for (int i = 1; i <= 100; i++) {
            c.add(i);
        }
        Stats s = c.stats();
        assertThat(s).isEqualTo(new Stats(100, 50.5, 50, 95, 99, 100));
        assertThat(new Stats.Collector().stats()).isEqualTo(Stats.EMPTY);
        Stats.Collector big = new Stats.Collector();
        big.add(2_677_541);
        big.add(10);
        assertThat(big.stats().p99()).isEqualTo(2_677_541); // not the bucket's upper edge 2,678,783
        assertThat(big.stats().p50()).isEqualTo(10);
    }
}
