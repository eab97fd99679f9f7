package dev.atoll.simulator.engine;

import dev.atoll.protocol.SiteSpec;
import dev.atoll.simulator.metrics.SimSummary;
import dev.atoll.simulator.trace.TraceTask;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs several independent simulations of one trace in parallel (one {@link Simulation} per point, each
 * with its own ledgers; the task list is shared read-only). Results come back in the order of the points,
 * whatever the thread count, and each is the same as a sequential run.
 */
public final class Sweep {
    /**
     * One point of a sweep.
     *
     * @param label short description, e.g. {@code sites=4 policy=best-fit site-policy=default}
     * @param sites the federation
     * @param config policies and failures
     */
    public record Point(String label, List<SiteSpec> sites, SimConfig config) {
    }

    /**
     * A point's outcome.
     *
     * @param point the point
     * @param summary its figures
     * @param wallSeconds wall-clock time of its simulation, seconds
     */
    public record Outcome(Point point, SimSummary summary, double wallSeconds) {
    }

    private Sweep() {
    }

    /**
     * @param threads worker threads, >= 1
     * @return one outcome per point, in order
     * @throws IllegalArgumentException if threads < 1
     * @throws RuntimeException the first failure of any point, with the point's label in the message
     */
    public static List<Outcome> run(List<TraceTask> tasks, List<Point> points, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, Math.max(1, points.size())), r -> {
            Thread t = new Thread(r, "atoll-sweep");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (Point p : points) {
                futures.add(pool.submit(() -> {
                    long t0 = System.nanoTime();
                    SimResult r = new Simulation(p.sites(), p.config()).run(tasks);
                    SimSummary s = SimSummary.of(r);
                    return new Outcome(p, s, (System.nanoTime() - t0) / 1e9);
                }));
            }
            List<Outcome> out = new ArrayList<>();
            for (int i = 0; i < futures.size(); i++) {
                try {
                    out.add(futures.get(i).get());
                } catch (ExecutionException e) {
                    throw new IllegalStateException("sweep point '" + points.get(i).label() + "' failed: "
                            + e.getCause(), e.getCause());
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("sweep interrupted", e);
                }
            }
            return out;
        } finally {
            pool.shutdownNow();
        }
    }
}
