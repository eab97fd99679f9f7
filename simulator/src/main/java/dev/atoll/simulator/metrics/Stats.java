package dev.atoll.simulator.metrics;

import org.HdrHistogram.Histogram;

/**
 * Distribution summary of a duration, seconds. Percentiles come from an HdrHistogram with 3 significant
 * digits (exact below 2,048 s, within 0.1% above, and never above {@code max}).
 *
 * @param count samples
 * @param mean arithmetic mean, seconds (exact)
 * @param p50 median, seconds
 * @param p95 95th percentile, seconds
 * @param p99 99th percentile, seconds
 * @param max largest, seconds (exact)
 */
public record Stats(long count, double mean, long p50, long p95, long p99, long max) {
    /** Empty statistics (count 0, all 0). */
    public static final Stats EMPTY = new Stats(0, 0, 0, 0, 0, 0);

    /** Collects samples; values must be {@code >= 0}. */
    public static final class Collector {
        private final Histogram h = new Histogram(3);
        private long count;
        private double sum;
        private long max;

        /** @throws IllegalArgumentException if {@code seconds < 0} */
        public void add(long seconds) {
            if (seconds < 0) {
                throw new IllegalArgumentException("seconds must be >= 0, got " + seconds);
            }
            h.recordValue(seconds);
            count++;
            sum += seconds;
            max = Math.max(max, seconds);
        }

        /** @return the statistics of the samples so far ({@link #EMPTY} if none) */
        public Stats stats() {
            if (count == 0) {
                return EMPTY;
            }
            // HdrHistogram reports a bucket's highest equivalent value; never report more than the true max.
            return new Stats(count, sum / count, Math.min(max, h.getValueAtPercentile(50)),
                    Math.min(max, h.getValueAtPercentile(95)), Math.min(max, h.getValueAtPercentile(99)), max);
        }
    }
}
