package dev.atoll.simulator.trace;

import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.WorkloadKind;

import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.SplittableRandom;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/**
 * A synthetic workload fitted to a real trace, to scale it to any number of jobs and any fleet size.
 *
 * <p>Fit ({@link #fit(TraceReadResult)}):
 * <ul>
 *   <li><b>Arrival rate by hour of day</b>: hour h = (arrivalSeconds / 3600) mod 24, counted from the trace's
 *       own start (the readers make arrival 0 the first submit, so hour 0 is the hour of the first submit, not
 *       midnight). Rate[h] = arrivals in hour h / number of hour-h intervals in the trace span, jobs per second.
 *   <li><b>Job size and duration</b>: the empirical joint distribution of (devices, gpuMilli, duration, tenant,
 *       models, kind, priority) over the source tasks: each synthetic job copies these fields from one source
 *       task drawn uniformly (a bootstrap), so size and duration keep their correlation (big gangs run long).
 * </ul>
 * Generate ({@link #generate(long, long)}): arrivals form a non-homogeneous Poisson process with the fitted
 * piecewise-constant hourly rate times {@link #rateScale()} (exponential gaps drawn within each hour; at an hour
 * boundary the clock moves to the boundary and draws again, which is exact for a Poisson process by
 * memorylessness), truncated to whole seconds. Jobs are produced lazily by an iterator, one {@link TraceTask}
 * at a time: 5,000,000 jobs are never materialised together. Ids are {@code syn-<index>}; line is 0. Same
 * fitted trace, scale and seed give the same jobs ({@link SplittableRandom}).
 *
 * <p>Scaling to a fleet: {@link #scaledToLoad(double, long)} sets the rate scale so that the offered load
 * (rate x mean device-seconds per job) is a given fraction of a fleet's devices.
 */
public final class SyntheticTrace {
    private final double[] ratePerSecond; // 24 entries, jobs per second at scale 1
    private final int[] devices;
    private final short[] gpuMilli;
    private final long[] duration;
    private final String[] tenant;
    private final ModelSet[] models;
    private final WorkloadKind[] kind;
    private final PriorityClass[] priority;
    private final double rateScale;

    private SyntheticTrace(double[] ratePerSecond, int[] devices, short[] gpuMilli, long[] duration, String[] tenant,
                           ModelSet[] models, WorkloadKind[] kind, PriorityClass[] priority, double rateScale) {
        this.ratePerSecond = ratePerSecond;
        this.devices = devices;
        this.gpuMilli = gpuMilli;
        this.duration = duration;
        this.tenant = tenant;
        this.models = models;
        this.kind = kind;
        this.priority = priority;
        this.rateScale = rateScale;
    }

    /**
     * Fits the hourly arrival rate and the empirical job distribution of {@code source}.
     *
     * @throws IllegalArgumentException if {@code source} has no task
     */
    public static SyntheticTrace fit(TraceReadResult source) {
        return fit(source.tasks());
    }

    /**
     * As {@link #fit(TraceReadResult)} on a task list.
     *
     * @throws IllegalArgumentException if {@code tasks} is empty
     */
    public static SyntheticTrace fit(List<TraceTask> tasks) {
        if (tasks == null || tasks.isEmpty()) {
            throw new IllegalArgumentException("cannot fit a synthetic trace to a trace with no task");
        }
        int n = tasks.size();
        int[] dev = new int[n];
        short[] milli = new short[n];
        long[] dur = new long[n];
        String[] ten = new String[n];
        ModelSet[] mod = new ModelSet[n];
        WorkloadKind[] k = new WorkloadKind[n];
        PriorityClass[] p = new PriorityClass[n];
        long[] hourCount = new long[24];
        long first = Long.MAX_VALUE;
        long last = Long.MIN_VALUE;
        java.util.Map<String, String> tenants = new java.util.HashMap<>();
        for (int i = 0; i < n; i++) {
            TraceTask t = tasks.get(i);
            dev[i] = t.devices();
            milli[i] = (short) t.gpuMilli();
            dur[i] = t.durationSeconds();
            ten[i] = tenants.computeIfAbsent(t.tenant(), s -> s); // one string per tenant
            mod[i] = t.models();
            k[i] = t.kind();
            p[i] = t.priority();
            hourCount[(int) ((t.arrivalSeconds() / 3600) % 24)]++;
            first = Math.min(first, t.arrivalSeconds());
            last = Math.max(last, t.arrivalSeconds());
        }
        // Number of hour-h intervals in [first, last]: whole hours from the hour of 'first' to the hour of 'last'.
        long firstHour = first / 3600;
        long lastHour = last / 3600;
        double[] rate = new double[24];
        for (int h = 0; h < 24; h++) {
            long intervals = countHoursOfDay(firstHour, lastHour, h);
            rate[h] = intervals == 0 ? 0 : hourCount[h] / (intervals * 3600.0);
        }
        return new SyntheticTrace(rate, dev, milli, dur, ten, mod, k, p, 1.0);
    }

    /** @return how many hours x in [from, to] have x mod 24 == h */
    private static long countHoursOfDay(long from, long to, int h) {
        long c = 0;
        long start = from + Math.floorMod(h - from, 24);
        if (start <= to) {
            c = (to - start) / 24 + 1;
        }
        return c;
    }

    /**
     * @param scale multiplier of the fitted arrival rate, {@code > 0}
     * @return a copy with this arrival-rate multiplier
     * @throws IllegalArgumentException if scale is not positive and finite
     */
    public SyntheticTrace withRateScale(double scale) {
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("rate scale must be > 0 and finite, got " + scale);
        }
        return new SyntheticTrace(ratePerSecond, devices, gpuMilli, duration, tenant, models, kind, priority, scale);
    }

    /**
     * Sets the rate scale so that the offered load, mean arrival rate x mean device-seconds per job, equals
     * {@code load} x {@code fleetDevices} device-seconds per second.
     *
     * @param load fraction of the fleet, {@code > 0} (e.g. 0.8)
     * @param fleetDevices devices in the fleet, {@code >= 1}
     * @throws IllegalArgumentException naming the argument if out of range
     */
    public SyntheticTrace scaledToLoad(double load, long fleetDevices) {
        if (!(load > 0) || Double.isInfinite(load)) {
            throw new IllegalArgumentException("load must be > 0 and finite, got " + load);
        }
        if (fleetDevices < 1) {
            throw new IllegalArgumentException("fleetDevices must be >= 1, got " + fleetDevices);
        }
        return withRateScale(load * fleetDevices / (meanRatePerSecond() * meanDeviceSeconds()));
    }

    /** @return the multiplier applied to the fitted rate */
    public double rateScale() {
        return rateScale;
    }

    /** @return fitted arrival rate in hour-of-day {@code h} (0..23, from the trace start), jobs per second, at scale 1 */
    public double hourlyRatePerSecond(int h) {
        if (h < 0 || h > 23) {
            throw new IllegalArgumentException("hour must be 0..23, got " + h);
        }
        return ratePerSecond[h];
    }

    /** @return mean fitted arrival rate over a day, jobs per second, at scale 1 */
    public double meanRatePerSecond() {
        double s = 0;
        for (double r : ratePerSecond) {
            s += r;
        }
        return s / 24;
    }

    /** @return mean devices x gpuMilli/1000 x duration over the source tasks, device-seconds per job */
    public double meanDeviceSeconds() {
        double s = 0;
        for (int i = 0; i < devices.length; i++) {
            s += devices[i] * (gpuMilli[i] / 1000.0) * duration[i];
        }
        return s / devices.length;
    }

    /** @return source tasks the distribution was fitted to */
    public int sourceSize() {
        return devices.length;
    }

    /**
     * Lazily generates {@code n} jobs in arrival order.
     *
     * @param n jobs, {@code >= 0}
     * @param seed random seed
     * @return a sequential stream of tasks; consume it once
     * @throws IllegalArgumentException if n is negative
     */
    public Stream<TraceTask> generate(long n, long seed) {
        return StreamSupport.stream(Spliterators.spliterator(iterator(n, seed), n,
                Spliterator.ORDERED | Spliterator.NONNULL | Spliterator.SIZED), false);
    }

    /**
     * As {@link #generate(long, long)}, as an iterator.
     *
     * @throws IllegalArgumentException if n is negative
     */
    public Iterator<TraceTask> iterator(long n, long seed) {
        if (n < 0) {
            throw new IllegalArgumentException("n must be >= 0, got " + n);
        }
        return new Gen(n, seed);
    }

    private final class Gen implements Iterator<TraceTask> {
        final long n;
        final SplittableRandom rnd;
        long made;
        double clock; // seconds

        Gen(long n, long seed) {
            this.n = n;
            this.rnd = new SplittableRandom(seed);
        }

        @Override
        public boolean hasNext() {
            return made < n;
        }

        @Override
        public TraceTask next() {
            if (made >= n) {
                throw new NoSuchElementException("all " + n + " synthetic jobs generated");
            }
            clock = nextArrival(clock);
            int k = rnd.nextInt(devices.length);
            String id = "syn-" + made;
            made++;
            return new TraceTask(id, tenant[k], (long) clock, duration[k], devices[k], gpuMilli[k], models[k], kind[k],
                    priority[k], 0);
        }

        private double nextArrival(double t) {
            for (int guard = 0; guard < 24 * 365 * 10; guard++) {
                long hourIndex = (long) (t / 3600);
                double rate = ratePerSecond[(int) (hourIndex % 24)] * rateScale;
                double end = (hourIndex + 1) * 3600.0;
                if (rate > 0) {
                    double next = t - Math.log(1 - rnd.nextDouble()) / rate;
                    if (next < end) {
                        return next;
                    }
                }
                t = end; // memoryless: restart the draw at the next hour
            }
            throw new IllegalStateException(String.format(Locale.ROOT,
                    "no arrival within 10 years from %.0f s: every hourly rate is 0", t));
        }
    }
}
