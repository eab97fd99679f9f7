package dev.atoll.simulator.trace;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a trace reader produced. Every data row ends up either as a task or counted under exactly one
 * reason in {@code skippedByReason}; rows skipped because they make no sense also appear in
 * {@code problems} with their line number (rows skipped by design, such as {@code cpu-only}, do not).
 * So {@code tasks.size() + sum(skippedByReason) == rowCount()} equals the number of data rows.
 *
 * @param tasks tasks in order of (arrivalSeconds, line)
 * @param problems rows that make no sense, in line order
 * @param skippedByReason rows not kept, by reason code, sorted by code
 */
public record TraceReadResult(List<TraceTask> tasks, List<RowProblem> problems, Map<String, Integer> skippedByReason) {
    public TraceReadResult {
        tasks = List.copyOf(tasks);
        problems = List.copyOf(problems);
        skippedByReason = Collections.unmodifiableMap(new TreeMap<>(skippedByReason));
    }

    /** @return data rows read: tasks plus every skipped row */
    public int rowCount() {
        return tasks.size() + skippedCount();
    }

    /** @return rows skipped for any reason */
    public int skippedCount() {
        return skippedByReason.values().stream().mapToInt(Integer::intValue).sum();
    }

    /** @return rows skipped for {@code reason}, 0 if none */
    public int skipped(String reason) {
        return skippedByReason.getOrDefault(reason, 0);
    }
}
