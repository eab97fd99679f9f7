package dev.atoll.federationnode.demo;

import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.WorkloadKind;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DemoSummaryTest {
    private static final double SPEEDUP = 100;

    private static DemoTask task(String id, long arrival, long duration, int devices, int milli) {
        return new DemoTask(id, "vc", arrival, duration, devices, milli, ModelSet.ANY, false, WorkloadKind.BATCH,
                PriorityClass.PRODUCTION);
    }

    private static JobOutcome placed(DemoTask t, String origin, String site, long submitted, long placedAt) {
        return new JobOutcome(t, origin, "running", site, site.equals("site-a") ? "H800" : "A100-80GB", submitted,
                placedAt, Double.NaN, null);
    }

    /** Two sites of 8 devices; 8 tasks: 4 placed (one past the span), 2 rejected, 1 queued, 1 submit error. */
    private static DemoSummary summary() {
        List<SiteSpec> sites = List.of(
                new SiteSpec(SiteId.of("site-a"), "east", List.of(PoolSpec.of("H800", 2, 4, 80))),
                new SiteSpec(SiteId.of("site-b"), "west", List.of(PoolSpec.of("A100-80GB", 1, 8, 80))));
        DemoTask t1 = task("t1", 0, 100, 2, 1000);
        DemoTask t2 = task("t2", 10, 50, 4, 1000);
        DemoTask t3 = task("t3", 20, 80, 8, 1000);
        DemoTask t4 = task("t4", 30, 10, 16, 1000);
        DemoTask t5 = task("t5", 40, 10, 16, 1000);
        DemoTask t6 = task("t6", 50, 200, 1, 500);
        DemoTask t7 = task("t7", 60, 10, 1, 1000);
        DemoTask t8 = task("t8", 240, 10, 1, 1000);
        List<JobOutcome> outcomes = List.of(
                placed(t1, "site-a", "site-a", 1000, 1000),         // delay 0
                placed(t2, "site-b", "site-a", 2000, 2100),         // 0.1 wall s x 100 = 10 trace s
                placed(t3, "site-a", "site-b", 3000, 3200),         // 20 trace s
                JobOutcome.refused(t4, "site-b", "rejected", "too big"),
                JobOutcome.refused(t5, "site-a", "rejected", "too big"),
                new JobOutcome(t6, "site-b", "queued", null, null, 4000, -1, Double.NaN, "waiting for capacity"),
                JobOutcome.refused(t7, "site-a", "error", "cannot reach site-a: connection refused"),
                placed(t8, "site-b", "site-b", 5000, 5050));        // 5 trace s; runs 245..255, span ends at 250
        Workload w = new Workload("hand-made", sites, List.of(t1, t2, t3, t4, t5, t6, t7, t8), 3, Map.of());
        return new DemoSummary(w, outcomes, SPEEDUP, 12.34);
    }

    @Test
    void countsTasksByOutcome() {
        DemoSummary s = summary();
        assertThat(s.submitted()).isEqualTo(8);
        assertThat(s.placed()).isEqualTo(4);
        assertThat(s.rejected()).isEqualTo(2);
        assertThat(s.waiting()).isEqualTo(1);
        assertThat(s.errors()).isEqualTo(1);
        assertThat(s.failed()).isZero();
        assertThat(s.rejectReasons()).containsExactly(Map.entry("too big", 2));
        assertThat(s.waitingReasons()).containsExactly(Map.entry("queued: waiting for capacity", 1));
        assertThat(s.placedByDeviceModel()).containsOnly(Map.entry("H800", 2), Map.entry("A100-80GB", 2));
    }

    @Test
    void queueingDelayIsWallDelayTimesSpeedup() {
        DemoSummary s = summary();
        // delays 0, 10, 20, 5 trace seconds
        assertThat(s.meanDelaySeconds()).isCloseTo(8.75, within(1e-9));
        assertThat(s.p95DelaySeconds()).isEqualTo(20.0);
    }

    @Test
    void perSiteRowsCountByOriginAndPlacementAndClipUtilizationToTheSpan() {
        DemoSummary s = summary();
        assertThat(s.spanSeconds()).isEqualTo(250);
        DemoSummary.SiteRow a = s.sites().get(0);
        DemoSummary.SiteRow b = s.sites().get(1);
        assertThat(a.site()).isEqualTo("site-a");
        assertThat(a.capacity()).isEqualTo(8);
        assertThat(a.submitted()).isEqualTo(4);  // t1, t3, t5, t7 posted there
        assertThat(a.placed()).isEqualTo(2);     // t1, t2 placed there
        assertThat(a.rejected()).isEqualTo(1);   // t5
        assertThat(a.waiting()).isZero();
        // t1: 2 devices x 100 s; t2: 4 x 50 s (20..70)
        assertThat(a.deviceSeconds()).isCloseTo(400.0, within(1e-9));
        assertThat(a.utilization()).isCloseTo(400.0 / (8 * 250), within(1e-12));
        assertThat(b.submitted()).isEqualTo(4);  // t2, t4, t6, t8
        assertThat(b.placed()).isEqualTo(2);     // t3, t8
        assertThat(b.rejected()).isEqualTo(1);
        assertThat(b.waiting()).isEqualTo(1);
        // t3: 8 x 80 s (40..120); t8: 1 x 5 s (245..250 of 245..255)
        assertThat(b.deviceSeconds()).isCloseTo(645.0, within(1e-9));
        assertThat(b.utilization()).isCloseTo(645.0 / (8 * 250), within(1e-12));
    }

    @Test
    void perModelRowsAndInputCounts() {
        DemoSummary s = summary();
        assertThat(s.requestedModels()).containsExactly(new DemoSummary.ModelRow("*", 8, 4, 2, 1));
        String text = s.render();
        assertThat(text).contains("input: 3 CPU-only tasks skipped; 1 fractional tasks (gpu_milli < 1000) rounded to "
                + "one device");
        assertThat(text).contains("mean 8.8 s, p95 20.0 s (wall: mean 0.09 s, p95 0.20 s)");
        assertThat(text).contains("      2  too big");
    }

    private static DemoTask modelTask(String id, String models) {
        return new DemoTask(id, "vc", 0, 10, 1, 1000, ModelSet.parse(models), false, WorkloadKind.BATCH,
                PriorityClass.PRODUCTION);
    }

    @Test
    void rejectionReasonsAreBrokenDownBySiteAndModel() {
        DemoTask v1 = modelTask("v1", "V100");
        DemoTask v2 = modelTask("v2", "V100");
        DemoTask v3 = modelTask("v3", "V100");
        DemoTask h1 = modelTask("h1", "H800");
        DemoTask h2 = modelTask("h2", "H800");
        DemoTask a1 = modelTask("a1", "A100-80GB|H800");
        DemoTask ok = modelTask("ok", "H800");
        String noV100 = "no site has V100";
        List<JobOutcome> outcomes = List.of(
                JobOutcome.refused(v1, "site-b", "rejected", noV100),
                JobOutcome.refused(v2, "site-a", "rejected", noV100),
                JobOutcome.refused(v3, "site-b", "rejected", noV100),
                JobOutcome.refused(h1, "site-b", "rejected", "too big for h1"),
                JobOutcome.refused(h2, "site-b", "rejected", "HTTP 400: devices: must be in [1, 65536], got 70000"),
                JobOutcome.refused(a1, "site-a", "rejected", "too big for a1"),
                placed(ok, "site-a", "site-a", 0, 10));
        List<SiteSpec> sites = List.of(
                new SiteSpec(SiteId.of("site-a"), "east", List.of(PoolSpec.of("H800", 2, 4, 80))),
                new SiteSpec(SiteId.of("site-b"), "west", List.of(PoolSpec.of("A100-80GB", 1, 8, 80))));
        Workload w = new Workload("x", sites, List.of(v1, v2, v3, h1, h2, a1, ok), 0, Map.of());
        DemoSummary s = new DemoSummary(w, outcomes, 1, 1);

        assertThat(s.rejected()).isEqualTo(6);
        assertThat(s.rejectionsBySiteAndModel()).containsExactly(
                new DemoSummary.RejectRow("site-a", "A100-80GB|H800", "too big for <id>", 1),
                new DemoSummary.RejectRow("site-a", "V100", noV100, 1),
                new DemoSummary.RejectRow("site-b", "H800", "HTTP 400: devices: must be in [1, 65536], got 70000", 1),
                new DemoSummary.RejectRow("site-b", "H800", "too big for <id>", 1),
                new DemoSummary.RejectRow("site-b", "V100", noV100, 2));
        assertThat(s.rejectReasons()).containsExactly(Map.entry(noV100, 3), Map.entry("too big for <id>", 2),
                Map.entry("HTTP 400: devices: must be in [1, 65536], got 70000", 1));
        assertThat(s.render()).contains("\nrejections by origin site and requested model set\n"
                + "site         models           tasks  reason\n"
                + "site-a       A100-80GB|H800       1  too big for <id>\n"
                + "site-a       V100                 1  no site has V100\n"
                + "site-b       H800                 1  HTTP 400: devices: must be in [1, 65536], got 70000\n"
                + "site-b       H800                 1  too big for <id>\n"
                + "site-b       V100                 2  no site has V100\n");
    }

    @Test
    void reasonsNamingTheJobOrAnActorIncarnationGroupTogether() {
        DemoTask a = task("pod-1", 0, 10, 1, 1000);
        DemoTask b = task("pod-2", 0, 10, 1, 1000);
        String why = "Ask timed out on [EntityRef(Job-site-b), %s] via [Actor[pekko://atoll/user/site-registry#%d]]";
        List<JobOutcome> outcomes = List.of(
                JobOutcome.refused(a, "site-a", "error", String.format(why, "pod-1", -1319451124)),
                JobOutcome.refused(b, "site-a", "error", String.format(why, "pod-2", 42)));
        Workload w = new Workload("x", List.of(new SiteSpec(SiteId.of("site-a"), "r",
                List.of(PoolSpec.of("H800", 1, 8, 80)))), List.of(a, b), 0, Map.of());
        String text = new DemoSummary(w, outcomes, 1, 1).render();
        assertThat(text).contains("      2  error: Ask timed out on [EntityRef(Job-site-b), <id>] via "
                + "[Actor[pekko://atoll/user/site-registry]]");
    }

    @Test
    void lastLineHasTheFixedFormatAndIsPrintedLast() {
        DemoSummary s = summary();
        assertThat(s.lastLine()).isEqualTo("demo: placed 4 of 8 submitted tasks (2 rejected) in 12.3 s");
        String[] lines = s.render().split("\n");
        assertThat(lines[lines.length - 1]).isEqualTo(s.lastLine());
    }
}
