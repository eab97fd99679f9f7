package dev.atoll.simulator.engine;

import java.util.Arrays;

/**
 * A step function of time: value {@code values[i]} holds from {@code times[i]} until the next time.
 * Appends only; a value equal to the last one is not stored.
 */
public final class StepSeries {
    private long[] times = new long[64];
    private double[] values = new double[64];
    private int size;

    /**
     * @param timeSeconds non-decreasing
     * @throws IllegalArgumentException if time goes backwards
     */
    public void add(long timeSeconds, double value) {
        if (size > 0) {
            if (timeSeconds < times[size - 1]) {
                throw new IllegalArgumentException("time must not go backwards: " + timeSeconds + " < " + times[size - 1]);
            }
            if (values[size - 1] == value) {
                return;
            }
            if (times[size - 1] == timeSeconds) {
                values[size - 1] = value;
                if (size > 1 && values[size - 2] == value) {
                    size--;
                }
                return;
            }
        }
        if (size == times.length) {
            times = Arrays.copyOf(times, size * 2);
            values = Arrays.copyOf(values, size * 2);
        }
        times[size] = timeSeconds;
        values[size] = value;
        size++;
    }

    /** @return stored change points */
    public int size() {
        return size;
    }

    /** @return time of change point {@code i}, seconds */
    public long time(int i) {
        return times[i];
    }

    /** @return value from change point {@code i} on */
    public double value(int i) {
        return values[i];
    }

    /** @return the value in force at {@code t} (0 before the first point) */
    public double valueAt(long t) {
        int i = Arrays.binarySearch(times, 0, size, t);
        if (i < 0) {
            i = -i - 2;
        } else {
            while (i + 1 < size && times[i + 1] == t) {
                i++;
            }
        }
        return i < 0 ? 0 : values[i];
    }

    /** @return the time-weighted mean over [from, to) seconds; 0 if the interval is empty */
    public double mean(long from, long to) {
        if (to <= from) {
            return 0;
        }
        double area = 0;
        for (int i = 0; i < size; i++) {
            long s = Math.max(from, times[i]);
            long e = Math.min(to, i + 1 < size ? times[i + 1] : to);
            if (e > s) {
                area += values[i] * (e - s);
            }
        }
        return area / (to - from);
    }
}
