package dev.atoll.federationnode.demo;

import dev.atoll.protocol.SiteSpec;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the demo replays: the sites to start and the tasks to submit.
 *
 * @param source one line saying where it came from (e.g. {@code built-in generator, seed 42})
 * @param sites the sites, one node process each, in start order
 * @param tasks tasks sorted by arrival (then id)
 * @param cpuOnlySkipped trace rows skipped because they ask for no device (counted over the whole source,
 *     also when {@link #limit(int)} keeps only the first tasks)
 * @param otherSkipped other rows skipped by the trace reader, by reason (problems such as {@code zero-duration})
 */
public record Workload(String source, List<SiteSpec> sites, List<DemoTask> tasks, int cpuOnlySkipped,
                       Map<String, Integer> otherSkipped) {
    public Workload {
        sites = List.copyOf(sites);
        tasks = tasks.stream().sorted(Comparator.comparingLong(DemoTask::arrivalSeconds)
                .thenComparing(DemoTask::id)).toList();
        otherSkipped = java.util.Collections.unmodifiableMap(new TreeMap<>(otherSkipped));
        if (sites.isEmpty()) {
            throw new IllegalArgumentException("sites must not be empty");
        }
    }

    /** @return tasks whose fractional device share ({@code gpuMilli < 1000}) is submitted as one whole device */
    public int fractionalRounded() {
        return (int) tasks.stream().filter(DemoTask::roundedUp).count();
    }

    /**
     * @return the first {@code n} tasks by arrival, with the same sites and skip counts
     * @throws IllegalArgumentException naming {@code --limit} when {@code n < 1}
     */
    public Workload limit(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("--limit: must be >= 1, got " + n);
        }
        if (n >= tasks.size()) {
            return this;
        }
        return new Workload(source + ", first " + n + " tasks", sites, tasks.subList(0, n), cpuOnlySkipped,
                otherSkipped);
    }

    /** @return last arrival minus first arrival, trace seconds (0 for fewer than two tasks) */
    public long arrivalSpanSeconds() {
        if (tasks.isEmpty()) {
            return 0;
        }
        return tasks.get(tasks.size() - 1).arrivalSeconds() - tasks.get(0).arrivalSeconds();
    }
}
