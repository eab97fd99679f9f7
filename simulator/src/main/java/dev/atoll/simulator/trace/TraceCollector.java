package dev.atoll.simulator.trace;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Accumulates a reader's output and builds the {@link TraceReadResult}. */
final class TraceCollector {
    final List<TraceTask> tasks = new ArrayList<>();
    final List<RowProblem> problems = new ArrayList<>();
    final Map<String, Integer> skipped = new TreeMap<>();

    void add(TraceTask t) {
        tasks.add(t);
    }

    /** A row skipped by design (not a problem). */
    void skip(String reason) {
        skipped.merge(reason, 1, Integer::sum);
    }

    /** A row that makes no sense: reported and counted. */
    void problem(int line, BadRow b) {
        problems.add(new RowProblem(line, b.field, b.value, b.reason));
        skip(b.reason);
    }

    void problem(int line, String field, String value, String reason) {
        problem(line, new BadRow(field, value, reason));
    }

    TraceReadResult result() {
        tasks.sort(Comparator.comparingLong(TraceTask::arrivalSeconds).thenComparingInt(TraceTask::line));
        problems.sort(Comparator.comparingInt(RowProblem::line));
        return new TraceReadResult(tasks, problems, skipped);
    }
}
