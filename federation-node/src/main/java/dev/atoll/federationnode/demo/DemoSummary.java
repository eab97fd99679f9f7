package dev.atoll.federationnode.demo;

import dev.atoll.protocol.SiteSpec;
import org.HdrHistogram.Histogram;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * The numbers the demo ends with, computed from the tasks and what became of them.
 *
 * <p>Definitions. A task is <em>placed</em> if its last state is placed, running or completed;
 * <em>rejected</em> if the federation refused it (state {@code rejected}, reason kept); <em>waiting</em>
 * if still queued or negotiating when the demo stopped polling. Per site, <em>submitted</em>,
 * <em>rejected</em> and <em>waiting</em> count by origin (the node the task was posted to) and
 * <em>placed</em> counts by the site that took it. <em>Queueing delay</em> is placedAt - submittedAt on
 * the origin node, scaled to trace seconds by the speedup (see {@link JobOutcome#queueingDelayTraceSeconds});
 * mean is exact, p95 comes from an HdrHistogram of trace milliseconds with 4 significant digits.
 * <em>Utilization</em> of a site = device-seconds allocated / (device capacity x span), where the span
 * runs from the first arrival to the latest arrival + duration of any submitted task (trace seconds) and
 * each placed task allocates devices x the part of [arrival + delay, arrival + delay + duration] inside
 * the span.
 */
public final class DemoSummary {
    /** One row of the per-site table. */
    public record SiteRow(String site, int capacity, int submitted, int placed, int rejected, int waiting,
                          double deviceSeconds, double utilization) {
    }

    /** One row of the per-model table: by requested model set, and placements by device model. */
    public record ModelRow(String models, int submitted, int placed, int rejected, int waiting) {
    }

    /**
     * Rejected tasks of one origin site and requested model set with one reason.
     *
     * @param site origin (the node the task was posted to)
     * @param models requested model set ({@code *} = any)
     * @param reason the grouped reason (see {@link #reasonOf})
     * @param count tasks
     */
    public record RejectRow(String site, String models, String reason, int count) {
    }

    /** Rows of the per-site, per-model rejection table shown at most; the rest is summed in one line. */
    public static final int MAX_REJECT_ROWS = 30;

    private final Workload workload;
    private final List<JobOutcome> outcomes;
    private final double speedup;
    private final double wallSeconds;
    private final List<SiteRow> sites = new ArrayList<>();
    private final List<ModelRow> requested = new ArrayList<>();
    private final Map<String, Integer> placedByDeviceModel = new TreeMap<>();
    private final Map<String, Integer> rejectReasons;
    private final List<RejectRow> rejectRows = new ArrayList<>();
    private final Map<String, Integer> waitingReasons;
    private final Map<String, Integer> errorReasons;
    private final Histogram delays = new Histogram(4);
    private final int placed;
    private final int rejected;
    private final int waiting;
    private final int failed;
    private final int cancelled;
    private final int errors;
    private final double meanDelay;
    private final long spanStart;
    private final long spanEnd;

    /**
     * @param workload the workload replayed (sites, skip counts)
     * @param outcomes one per submitted task
     * @param speedup trace seconds per wall second used for the replay
     * @param wallSeconds wall time of the whole demo, seconds
     */
    public DemoSummary(Workload workload, List<JobOutcome> outcomes, double speedup, double wallSeconds) {
        this.workload = workload;
        this.outcomes = List.copyOf(outcomes);
        this.speedup = speedup;
        this.wallSeconds = wallSeconds;
        long start = Long.MAX_VALUE;
        long end = Long.MIN_VALUE;
        for (JobOutcome o : outcomes) {
            start = Math.min(start, o.task().arrivalSeconds());
            end = Math.max(end, o.task().arrivalSeconds() + o.task().durationSeconds());
        }
        this.spanStart = outcomes.isEmpty() ? 0 : start;
        this.spanEnd = outcomes.isEmpty() ? 0 : end;

        Map<String, double[]> siteDeviceSeconds = new LinkedHashMap<>();
        Map<String, int[]> siteCounts = new LinkedHashMap<>(); // submitted, placed, rejected, waiting
        for (SiteSpec s : workload.sites()) {
            siteCounts.put(s.id().value(), new int[4]);
            siteDeviceSeconds.put(s.id().value(), new double[1]);
        }
        Map<String, int[]> modelCounts = new TreeMap<>();
        Map<String, Integer> rejects = new TreeMap<>();
        Map<List<String>, Integer> rejectsBySiteModel = new java.util.HashMap<>();
        Map<String, Integer> waits = new TreeMap<>();
        Map<String, Integer> errs = new TreeMap<>();
        int p = 0, r = 0, w = 0, f = 0, c = 0, e = 0;
        double delaySum = 0;
        int delayCount = 0;
        for (JobOutcome o : outcomes) {
            int[] origin = siteCounts.computeIfAbsent(o.origin(), k -> new int[4]);
            siteDeviceSeconds.computeIfAbsent(o.origin(), k -> new double[1]);
            int[] model = modelCounts.computeIfAbsent(o.task().models().toString(), k -> new int[4]);
            origin[0]++;
            model[0]++;
            if (o.placed()) {
                p++;
                model[1]++;
                String at = o.site() == null ? "?" : o.site();
                siteCounts.computeIfAbsent(at, k -> new int[4])[1]++;
                placedByDeviceModel.merge(o.model() == null ? "?" : o.model(), 1, Integer::sum);
                double delay = o.queueingDelayTraceSeconds(speedup);
                double startAt = o.task().arrivalSeconds() + (Double.isNaN(delay) ? 0 : delay);
                double endAt = startAt + o.task().durationSeconds();
                double overlap = Math.max(0, Math.min(endAt, spanEnd) - Math.max(startAt, spanStart));
                siteDeviceSeconds.computeIfAbsent(at, k -> new double[1])[0] += o.task().devices() * overlap;
                if (!Double.isNaN(delay)) {
                    delays.recordValue(Math.round(delay * 1000));
                    delaySum += delay;
                    delayCount++;
                }
            } else if (o.rejected()) {
                r++;
                origin[2]++;
                model[2]++;
                rejects.merge(reasonOf(o), 1, Integer::sum);
                rejectsBySiteModel.merge(List.of(o.origin(), o.task().models().toString(), reasonOf(o)), 1,
                        Integer::sum);
            } else if (o.waiting()) {
                w++;
                origin[3]++;
                model[3]++;
                waits.merge(o.state() + ": " + reasonOf(o), 1, Integer::sum);
            } else if ("failed".equals(o.state())) {
                f++;
                errs.merge("failed: " + reasonOf(o), 1, Integer::sum);
            } else if ("cancelled".equals(o.state())) {
                c++;
            } else {
                e++;
                errs.merge(o.state() + ": " + reasonOf(o), 1, Integer::sum);
            }
        }
        this.placed = p;
        this.rejected = r;
        this.waiting = w;
        this.failed = f;
        this.cancelled = c;
        this.errors = e;
        this.meanDelay = delayCount == 0 ? Double.NaN : delaySum / delayCount;
        this.rejectReasons = sortByCount(rejects);
        this.waitingReasons = sortByCount(waits);
        this.errorReasons = sortByCount(errs);
        Map<String, Integer> capacity = new LinkedHashMap<>();
        for (SiteSpec s : workload.sites()) {
            capacity.put(s.id().value(), s.deviceCount());
        }
        long span = spanEnd - spanStart;
        for (Map.Entry<String, int[]> en : siteCounts.entrySet()) {
            int cap = capacity.getOrDefault(en.getKey(), 0);
            double ds = siteDeviceSeconds.get(en.getKey())[0];
            double util = cap == 0 || span <= 0 ? Double.NaN : ds / ((double) cap * span);
            int[] v = en.getValue();
            sites.add(new SiteRow(en.getKey(), cap, v[0], v[1], v[2], v[3], ds, util));
        }
        for (Map.Entry<String, int[]> en : modelCounts.entrySet()) {
            int[] v = en.getValue();
            requested.add(new ModelRow(en.getKey(), v[0], v[1], v[2], v[3]));
        }
        List<String> siteOrder = new ArrayList<>(siteCounts.keySet());
        rejectsBySiteModel.forEach((k, v) -> rejectRows.add(new RejectRow(k.get(0), k.get(1), k.get(2), v)));
        rejectRows.sort(java.util.Comparator.comparingInt((RejectRow x) -> siteOrder.indexOf(x.site()))
                .thenComparing(RejectRow::models)
                .thenComparing(RejectRow::count, java.util.Comparator.reverseOrder())
                .thenComparing(RejectRow::reason));
    }

    /**
     * @return the outcome's reason made groupable: the job's own id becomes {@code <id>} and actor
     *     incarnation numbers ({@code #-1319451124}) are dropped, so the same cause counts once
     */
    static String reasonOf(JobOutcome o) {
        if (o.reason() == null) {
            return "(no reason given)";
        }
        return o.reason().replace(o.task().id(), "<id>").replaceAll("#-?\\d+", "");
    }

    private static Map<String, Integer> sortByCount(Map<String, Integer> m) {
        Map<String, Integer> out = new LinkedHashMap<>();
        m.entrySet().stream().sorted(Map.Entry.<String, Integer>comparingByValue().reversed()
                .thenComparing(Map.Entry.comparingByKey())).forEach(en -> out.put(en.getKey(), en.getValue()));
        return out;
    }

    /** @return tasks submitted */
    public int submitted() {
        return outcomes.size();
    }

    /** @return tasks placed (placed, running or completed) */
    public int placed() {
        return placed;
    }

    /** @return tasks rejected by the federation */
    public int rejected() {
        return rejected;
    }

    /** @return tasks still queued or negotiating when polling stopped */
    public int waiting() {
        return waiting;
    }

    /** @return tasks that failed after placement */
    public int failed() {
        return failed;
    }

    /** @return tasks cancelled */
    public int cancelled() {
        return cancelled;
    }

    /** @return submissions that failed (node unreachable, unexpected HTTP status) */
    public int errors() {
        return errors;
    }

    /** @return per-site rows: the workload's sites in order, then any other site seen */
    public List<SiteRow> sites() {
        return List.copyOf(sites);
    }

    /** @return per requested model set ({@code *} = any), sorted by name */
    public List<ModelRow> requestedModels() {
        return List.copyOf(requested);
    }

    /** @return placed tasks by the device model they got, sorted by model */
    public Map<String, Integer> placedByDeviceModel() {
        return Map.copyOf(placedByDeviceModel);
    }

    /** @return rejection reasons with counts, most frequent first */
    public Map<String, Integer> rejectReasons() {
        return rejectReasons;
    }

    /**
     * @return rejections by origin site (workload order), requested model set (by name) and reason (most
     *     frequent first); their counts add up to {@link #rejected()}
     */
    public List<RejectRow> rejectionsBySiteAndModel() {
        return List.copyOf(rejectRows);
    }

    /** @return "state: reason" of waiting tasks with counts, most frequent first */
    public Map<String, Integer> waitingReasons() {
        return waitingReasons;
    }

    /** @return mean queueing delay of placed tasks, trace seconds (NaN if none) */
    public double meanDelaySeconds() {
        return meanDelay;
    }

    /** @return 95th percentile queueing delay of placed tasks, trace seconds (NaN if none) */
    public double p95DelaySeconds() {
        return delays.getTotalCount() == 0 ? Double.NaN : delays.getValueAtPercentile(95) / 1000.0;
    }

    /** @return the utilization span, trace seconds: latest arrival + duration minus first arrival */
    public long spanSeconds() {
        return spanEnd - spanStart;
    }

    /** @return the final line, {@code demo: placed P of S submitted tasks (R rejected) in T s} */
    public String lastLine() {
        return String.format(Locale.ROOT, "demo: placed %d of %d submitted tasks (%d rejected) in %.1f s",
                placed, submitted(), rejected, wallSeconds);
    }

    /** @return the summary tables followed by {@link #lastLine()}, each line ending in a newline */
    public String render() {
        StringBuilder sb = new StringBuilder();
        sb.append("\n== Atoll demo summary ==\n");
        sb.append("workload: ").append(workload.source()).append('\n');
        sb.append(String.format(Locale.ROOT, "speedup: %,.1f trace s per wall s; span %s (%,d trace s)%n",
                speedup, hours(spanSeconds()), spanSeconds()));
        sb.append(String.format(Locale.ROOT, "tasks: %d submitted, %d placed, %d rejected, %d still waiting, "
                + "%d failed, %d cancelled, %d submit errors%n", submitted(), placed, rejected, waiting, failed,
                cancelled, errors));
        sb.append(String.format(Locale.ROOT, "input: %d CPU-only tasks skipped; %d fractional tasks "
                + "(gpu_milli < 1000) rounded to one device", workload.cpuOnlySkipped(), workload.fractionalRounded()));
        if (!workload.otherSkipped().isEmpty()) {
            sb.append("; other rows skipped: ").append(workload.otherSkipped());
        }
        sb.append('\n');
        sb.append(String.format(Locale.ROOT, "queueing delay (placed tasks, trace s): mean %s, p95 %s "
                + "(wall: mean %.2f s, p95 %.2f s)%n", seconds(meanDelay), seconds(p95DelaySeconds()),
                meanDelay / speedup, p95DelaySeconds() / speedup));

        sb.append("\nper site (submitted/rejected/waiting by origin, placed by placement site)\n");
        sb.append(String.format(Locale.ROOT, "%-12s %8s %9s %7s %8s %7s %16s %6s%n", "site", "devices",
                "submitted", "placed", "rejected", "waiting", "device-hours", "util"));
        for (SiteRow s : sites) {
            sb.append(String.format(Locale.ROOT, "%-12s %8d %9d %7d %8d %7d %16s %6s%n", s.site(), s.capacity(),
                    s.submitted(), s.placed(), s.rejected(), s.waiting(),
                    String.format(Locale.ROOT, "%,.1f", s.deviceSeconds() / 3600.0), percent(s.utilization())));
        }

        sb.append("\nper requested model set (* = any)\n");
        int w = Math.max(12, requested.stream().mapToInt(m -> m.models().length()).max().orElse(0));
        sb.append(String.format(Locale.ROOT, "%-" + w + "s %9s %7s %8s %7s%n", "models", "submitted", "placed",
                "rejected", "waiting"));
        for (ModelRow m : requested) {
            sb.append(String.format(Locale.ROOT, "%-" + w + "s %9d %7d %8d %7d%n", m.models(), m.submitted(),
                    m.placed(), m.rejected(), m.waiting()));
        }
        if (!placedByDeviceModel.isEmpty()) {
            sb.append("placed by device model: ");
            StringBuilder parts = new StringBuilder();
            placedByDeviceModel.forEach((k, v) -> parts.append(parts.length() > 0 ? ", " : "").append(k).append(' ')
                    .append(v));
            sb.append(parts).append('\n');
        }
        reasons(sb, "rejection reasons", rejectReasons);
        if (!rejectRows.isEmpty()) {
            sb.append("\nrejections by origin site and requested model set\n");
            int mw = Math.max(6, rejectRows.stream().mapToInt(x -> x.models().length()).max().orElse(0));
            String fmt = "%-12s %-" + mw + "s %7s  %s%n";
            sb.append(String.format(Locale.ROOT, fmt, "site", "models", "tasks", "reason"));
            int rest = 0;
            int restRows = 0;
            for (int i = 0; i < rejectRows.size(); i++) {
                RejectRow x = rejectRows.get(i);
                if (i < MAX_REJECT_ROWS) {
                    sb.append(String.format(Locale.ROOT, fmt, x.site(), x.models(), Integer.toString(x.count()),
                            x.reason()));
                } else {
                    rest += x.count();
                    restRows++;
                }
            }
            if (rest > 0) {
                sb.append(String.format(Locale.ROOT, fmt, "(other)", "", Integer.toString(rest),
                        "(" + restRows + " more site, model and reason combinations)"));
            }
        }
        reasons(sb, "still waiting (state: reason)", waitingReasons);
        reasons(sb, "failures and submit errors", errorReasons);
        sb.append('\n').append(lastLine()).append('\n');
        return sb.toString();
    }

    private static void reasons(StringBuilder sb, String title, Map<String, Integer> reasons) {
        if (reasons.isEmpty()) {
            return;
        }
        sb.append('\n').append(title).append('\n');
        int shown = 0;
        int rest = 0;
        for (Map.Entry<String, Integer> e : reasons.entrySet()) {
            if (shown < 10) {
                sb.append(String.format(Locale.ROOT, "%7d  %s%n", e.getValue(), e.getKey()));
                shown++;
            } else {
                rest += e.getValue();
            }
        }
        if (rest > 0) {
            sb.append(String.format(Locale.ROOT, "%7d  (other reasons)%n", rest));
        }
    }

    private static String seconds(double s) {
        if (Double.isNaN(s)) {
            return "n/a";
        }
        return s >= 3600 ? String.format(Locale.ROOT, "%,.1f s (%.2f h)", s, s / 3600) : String.format(Locale.ROOT,
                "%,.1f s", s);
    }

    private static String hours(long s) {
        return String.format(Locale.ROOT, "%,.1f h", s / 3600.0);
    }

    private static String percent(double u) {
        return Double.isNaN(u) ? "n/a" : String.format(Locale.ROOT, "%.1f%%", 100 * u);
    }
}
