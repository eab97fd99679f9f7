package dev.atoll.federationnode.demo;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

/**
 * Writes one line per submitted task to {@code jobs.csv} in the run directory, so the summary can be
 * checked job by job: {@code id,origin,state,site,model,arrival_s,duration_s,devices,gpu_milli,models,
 * whole_nodes,submitted_at_ms,placed_at_ms,queueing_delay_trace_s,node_queueing_delay_s,reason}.
 */
public final class JobsCsv {
    /** The header line. */
    public static final String HEADER = "id,origin,state,site,model,arrival_s,duration_s,devices,gpu_milli,models,"
            + "whole_nodes,submitted_at_ms,placed_at_ms,queueing_delay_trace_s,node_queueing_delay_s,reason";

    private JobsCsv() {
    }

    /**
     * @param file where to write (replaced)
     * @param outcomes the outcomes, in submission order
     * @param speedup trace seconds per wall second, to scale the delay
     */
    public static void write(Path file, List<JobOutcome> outcomes, double speedup) throws IOException {
        try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
            w.write(HEADER);
            w.write('\n');
            for (JobOutcome o : outcomes) {
                DemoTask t = o.task();
                double d = o.queueingDelayTraceSeconds(speedup);
                w.write(String.join(",", t.id(), o.origin(), o.state(), nz(o.site()), nz(o.model()),
                        Long.toString(t.arrivalSeconds()), Long.toString(t.durationSeconds()),
                        Integer.toString(t.devices()), Integer.toString(t.gpuMilli()), cell(t.models().toString()),
                        Boolean.toString(t.wholeNodes()), Long.toString(o.submittedAtMs()),
                        Long.toString(o.placedAtMs()), Double.isNaN(d) ? "" : String.format(Locale.ROOT, "%.3f", d),
                        Double.isNaN(o.reportedDelaySeconds()) ? ""
                                : String.format(Locale.ROOT, "%.3f", o.reportedDelaySeconds()),
                        cell(nz(o.reason()))));
                w.write('\n');
            }
        }
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** @return {@code s} quoted for CSV when it holds a comma, quote or line break */
    static String cell(String s) {
        if (s.indexOf(',') < 0 && s.indexOf('"') < 0 && s.indexOf('\n') < 0 && s.indexOf('\r') < 0) {
            return s;
        }
        return '"' + s.replace("\"", "\"\"") + '"';
    }
}
