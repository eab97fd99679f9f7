package dev.atoll.simulator.metrics;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import de.siegmar.fastcsv.writer.CsvWriter;
import dev.atoll.simulator.engine.JobOutcome;
import dev.atoll.simulator.engine.SimResult;
import dev.atoll.simulator.engine.StepSeries;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Writes a run's outputs into a directory: {@code summary.json}, {@code jobs.csv} (one row per task),
 * {@code utilization.png} (per site, over time), {@code queue.png} (waiting jobs over time),
 * {@code jct-cdf.png} and {@code report.html} linking them.
 */
public final class ReportWriter {
    /** Charts are drawn from at most this many time buckets. */
    public static final int BUCKETS = 600;

    private ReportWriter() {
    }

    /**
     * @param run free-form run description (trace, policy, seed...) put first in summary.json and the report
     * @throws UncheckedIOException if a file cannot be written
     */
    public static void write(Path outDir, Map<String, Object> run, SimResult result, SimSummary summary) {
        System.setProperty("java.awt.headless", "true");
        try {
            Files.createDirectories(outDir);
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("run", run);
            json.put("summary", summary);
            new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(outDir.resolve("summary.json").toFile(), json);
            writeJobs(outDir.resolve("jobs.csv"), result);
            long from = 0;
            long to = Math.max(1, summary.makespanSeconds() + firstArrival(result));
            utilizationChart(outDir.resolve("utilization.png"), result, from, to);
            queueChart(outDir.resolve("queue.png"), result.queueLength(), from, to);
            fragmentationChart(outDir.resolve("fragmentation.png"), result, from, to);
            jctChart(outDir.resolve("jct-cdf.png"), result);
            Files.writeString(outDir.resolve("report.html"), html(run, summary), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write report to " + outDir + ": " + e.getMessage(), e);
        }
    }

    private static long firstArrival(SimResult r) {
        long first = Long.MAX_VALUE;
        for (JobOutcome o : r.jobs()) {
            if (o.state() == JobOutcome.State.COMPLETED) {
                first = Math.min(first, o.task().arrivalSeconds());
            }
        }
        return first == Long.MAX_VALUE ? 0 : first;
    }

    /** Writes jobs.csv: id,tenant,arrival_s,duration_s,devices,gpu_milli,models,priority,state,site,model,start_s,end_s,jct_s,queueing_delay_s,attempts,gpu_hours,reason. */
    public static void writeJobs(Path file, SimResult result) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8); CsvWriter csv = CsvWriter.builder().build(w)) {
            csv.writeRecord("id", "tenant", "arrival_s", "duration_s", "devices", "gpu_milli", "models", "priority",
                    "state", "site", "model", "start_s", "end_s", "jct_s", "queueing_delay_s", "attempts", "gpu_hours",
                    "reason");
            for (JobOutcome o : result.jobs()) {
                csv.writeRecord(o.task().id(), o.task().tenant(), Long.toString(o.task().arrivalSeconds()),
                        Long.toString(o.task().durationSeconds()), Integer.toString(o.task().devices()),
                        Integer.toString(o.task().gpuMilli()), o.task().models().toString(),
                        o.task().priority().wireName(), o.state().name().toLowerCase(Locale.ROOT),
                        o.site() == null ? "" : o.site(), o.model() == null ? "" : o.model(),
                        Long.toString(o.startSeconds()), Long.toString(o.endSeconds()), Long.toString(o.jctSeconds()),
                        Long.toString(o.queueingDelaySeconds()), Integer.toString(o.attempts()),
                        String.format(Locale.ROOT, "%.4f", o.gpuSeconds() / 3600.0), o.reason());
            }
        }
    }

    /** @return bucket start times (hours) and time-weighted means of {@code s} over [from, to) in {@code n} buckets */
    static double[][] buckets(StepSeries s, long from, long to, int n) {
        long width = Math.max(1, (to - from + n - 1) / n);
        int count = (int) Math.max(1, (to - from + width - 1) / width);
        double[] x = new double[count];
        double[] y = new double[count];
        for (int i = 0; i < count; i++) {
            long a = from + i * width;
            x[i] = a / 3600.0;
            y[i] = s.mean(a, Math.min(to, a + width));
        }
        return new double[][] {x, y};
    }

    private static XYChart chart(String title, String x, String y) {
        XYChart c = new XYChartBuilder().width(900).height(420).title(title).xAxisTitle(x).yAxisTitle(y).build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Line);
        c.getStyler().setMarkerSize(0);
        c.getStyler().setXAxisDecimalPattern("#,##0.#");
        c.getStyler().setYAxisDecimalPattern("#,##0.##");
        return c;
    }

    private static void utilizationChart(Path file, SimResult r, long from, long to) throws IOException {
        XYChart c = chart("Utilization per site", "hours from trace start", "busy devices / capacity (%)");
        for (int i = 0; i < r.sites().size(); i++) {
            double[][] b = buckets(r.utilization().get(i), from, to, BUCKETS);
            for (int k = 0; k < b[1].length; k++) {
                b[1][k] *= 100;
            }
            c.addSeries(r.sites().get(i).id().value(), b[0], b[1]).setMarker(SeriesMarkers.NONE);
        }
        save(c, file);
    }

    private static void fragmentationChart(Path file, SimResult r, long from, long to) throws IOException {
        XYChart c = chart("Fragmentation per site", "hours from trace start",
                "free devices no waiting request can use (bucket mean)");
        for (int i = 0; i < r.sites().size(); i++) {
            double[][] b = buckets(r.fragmentation().get(i), from, to, BUCKETS);
            c.addSeries(r.sites().get(i).id().value(), b[0], b[1]).setMarker(SeriesMarkers.NONE);
        }
        save(c, file);
    }

    private static void queueChart(Path file, StepSeries q, long from, long to) throws IOException {
        XYChart c = chart("Waiting jobs", "hours from trace start", "jobs waiting (bucket mean)");
        double[][] b = buckets(q, from, to, BUCKETS);
        c.addSeries("queue", b[0], b[1]).setMarker(SeriesMarkers.NONE);
        save(c, file);
    }

    private static void jctChart(Path file, SimResult r) throws IOException {
        List<Long> jct = new ArrayList<>();
        for (JobOutcome o : r.jobs()) {
            if (o.state() == JobOutcome.State.COMPLETED) {
                jct.add(o.jctSeconds());
            }
        }
        jct.sort(null);
        XYChart c = chart("JCT CDF", "job completion time (hours, log)", "fraction of completed jobs");
        if (!jct.isEmpty()) {
            int points = Math.min(1000, jct.size());
            double[] x = new double[points];
            double[] y = new double[points];
            for (int i = 0; i < points; i++) {
                int idx = (int) Math.min(jct.size() - 1, Math.round((double) (i + 1) * jct.size() / points) - 1);
                x[i] = Math.max(1, jct.get(idx)) / 3600.0;
                y[i] = (idx + 1) / (double) jct.size();
            }
            c.getStyler().setXAxisLogarithmic(true);
            c.addSeries("JCT", x, y).setMarker(SeriesMarkers.NONE);
        } else {
            c.addSeries("JCT", new double[] {0}, new double[] {0});
        }
        save(c, file);
    }

    private static void save(XYChart c, Path file) throws IOException {
        String name = file.toString();
        BitmapEncoder.saveBitmap(c, name.substring(0, name.length() - 4), BitmapEncoder.BitmapFormat.PNG);
    }

    private static String esc(Object o) {
        return String.valueOf(o).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }

    private static String html(Map<String, Object> run, SimSummary s) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>Atoll simulation report</title>\n")
                .append("<style>body{font-family:sans-serif;max-width:960px;margin:2em auto}"
                        + "table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}"
                        + "th{background:#eee}td:first-child{text-align:left}</style></head><body>\n")
                .append("<h1>Atoll simulation report</h1>\n<table>\n");
        for (Map.Entry<String, Object> e : run.entrySet()) {
            h.append("<tr><td>").append(esc(e.getKey())).append("</td><td>").append(esc(e.getValue())).append("</td></tr>\n");
        }
        h.append("</table>\n<h2>Summary</h2>\n<p>").append(s.jobs()).append(" jobs, ").append(s.completed())
                .append(" completed, ").append(s.neverRan()).append(" never ran ").append(esc(s.neverRanByReason()))
                .append(", ").append(s.restarts()).append(" restarts. Makespan ").append(SimSummary.human(s.makespanSeconds()))
                .append(".</p>\n<table><tr><th>seconds</th><th>mean</th><th>p50</th><th>p95</th><th>p99</th><th>max</th></tr>\n");
        statsRow(h, "JCT", s.jct());
        statsRow(h, "queueing delay", s.queueingDelay());
        h.append("</table>\n<h2>Sites</h2>\n<table><tr><th>site</th><th>devices</th><th>mean utilization</th><th>completed jobs</th><th>mean fragmentation (devices)</th></tr>\n");
        for (SimSummary.SiteFigures f : s.sites()) {
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%d</td><td>%.1f%%</td><td>%d</td><td>%.1f</td></tr>%n",
                    esc(f.site()), f.devices(), 100 * f.meanUtilization(), f.completedJobs(), f.meanFragmentation()));
        }
        h.append("</table>\n<h2>GPU-hours by tenant</h2>\n<table><tr><th>tenant</th><th>device-hours</th></tr>\n");
        for (Map.Entry<String, Double> e : s.gpuHoursByTenant().entrySet()) {
            h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.1f</td></tr>%n", esc(e.getKey()), e.getValue()));
        }
        h.append("</table>\n<h2>Charts</h2>\n<img src=\"utilization.png\" alt=\"utilization per site\">\n")
                .append("<img src=\"queue.png\" alt=\"queue length\">\n<img src=\"fragmentation.png\" alt=\"fragmentation per site\">\n")
                .append("<img src=\"jct-cdf.png\" alt=\"JCT CDF\">\n")
                .append("<p>Per-job detail: <a href=\"jobs.csv\">jobs.csv</a>; figures: <a href=\"summary.json\">summary.json</a>.</p>\n")
                .append("</body></html>\n");
        return h.toString();
    }

    private static void statsRow(StringBuilder h, String name, Stats s) {
        h.append(String.format(Locale.ROOT, "<tr><td>%s</td><td>%.1f</td><td>%d</td><td>%d</td><td>%d</td><td>%d</td></tr>%n",
                name, s.mean(), s.p50(), s.p95(), s.p99(), s.max()));
    }
}
