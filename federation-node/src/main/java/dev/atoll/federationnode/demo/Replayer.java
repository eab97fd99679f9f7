package dev.atoll.federationnode.demo;

import dev.atoll.federationnode.cli.AtollClient;

import java.io.PrintWriter;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * Replays tasks through the nodes' HTTP APIs in compressed trace time. Task i is posted to node
 * {@code i mod n} (round-robin; that node is the job's origin) at wall time
 * {@code (arrival - first arrival) / speedup} after the start, asynchronously with at most
 * {@code concurrency} requests in flight. After the last submission it reads every accepted job's state
 * back from its origin with bulk status requests ({@code POST /v1/jobs/status}) until all are settled
 * (placed, running, completed, failed, rejected, cancelled) or the settle timeout passes (no request is
 * started after it).
 */
public final class Replayer {
    /** Reason given to a waiting job whose state was never read back before the settle timeout. */
    public static final String NOT_POLLED = "not polled before the settle timeout (state as its submission answered)";
    /** Attempts per submission when a node answers 503 or times out. */
    public static final int SUBMIT_ATTEMPTS = 3;
    /** Job ids per bulk status request ({@code POST /v1/jobs/status} takes up to 1,000). */
    public static final int BULK_IDS = 500;

    private final List<NodeEndpoint> endpoints;
    private final List<AtollClient> clients = new ArrayList<>();
    private final double speedup;
    private final int concurrency;
    private final Semaphore inFlight;
    private final PrintWriter err;
    private final boolean tty;
    private volatile long lastAnswerNanos;

    /**
     * @param endpoints the nodes, in round-robin order
     * @param speedup trace seconds per wall second, {@code > 0}
     * @param concurrency maximum requests in flight, {@code >= 1}
     * @param err where the progress bar goes
     * @param tty true if {@code err} is a terminal
     * @throws IllegalArgumentException naming {@code --speedup} or {@code --concurrency} when out of range
     */
    public Replayer(List<NodeEndpoint> endpoints, double speedup, int concurrency, PrintWriter err, boolean tty) {
        if (!(speedup > 0) || Double.isInfinite(speedup)) {
            throw new IllegalArgumentException("--speedup: must be a finite number > 0, got " + speedup);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("--concurrency: must be >= 1, got " + concurrency);
        }
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints must not be empty");
        }
        this.endpoints = List.copyOf(endpoints);
        HttpClient http = AtollClient.newHttpClient();
        for (NodeEndpoint e : endpoints) {
            clients.add(new AtollClient(e.url(), http, Duration.ofSeconds(30)));
        }
        this.speedup = speedup;
        this.concurrency = concurrency;
        this.inFlight = new Semaphore(concurrency);
        this.err = err;
        this.tty = tty;
    }

    /** @return {@link System#nanoTime()} when the last submission was answered (0 before {@link #run}) */
    public long lastAnswerNanos() {
        return lastAnswerNanos;
    }

    /**
     * Submits every task on schedule, then polls until settled or {@code settle} passes.
     *
     * @param tasks tasks in arrival order
     * @param settle how long to keep polling after the last submission
     * @return one outcome per task, in the same order
     */
    public List<JobOutcome> run(List<DemoTask> tasks, Duration settle) throws InterruptedException {
        int n = tasks.size();
        AtomicReferenceArray<JobOutcome> out = new AtomicReferenceArray<>(n);
        AtomicInteger submitted = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        java.util.concurrent.atomic.AtomicIntegerArray accepted = new java.util.concurrent.atomic.AtomicIntegerArray(n);
        long first = n == 0 ? 0 : tasks.get(0).arrivalSeconds();
        long start = System.nanoTime();
        java.util.concurrent.atomic.AtomicLong lastArrival = new java.util.concurrent.atomic.AtomicLong(first);
        try (ProgressBar bar = new ProgressBar(err, tty, 5, () -> new ProgressBar.State("submit", submitted.get(), n,
                String.format(Locale.ROOT, "answered %d, refused %d, trace %.1f h", answered.get(), refused.get(),
                        lastArrival.get() / 3600.0)))) {
            for (int i = 0; i < n; i++) {
                DemoTask t = tasks.get(i);
                long due = start + (long) ((t.arrivalSeconds() - first) / speedup * 1e9);
                long wait;
                while ((wait = due - System.nanoTime()) > 0) {
                    Thread.sleep(Math.min(200, Math.max(1, wait / 1_000_000)));
                }
                inFlight.acquire();
                int idx = i;
                int node = i % endpoints.size();
                String origin = endpoints.get(node).site();
                submitted.incrementAndGet();
                lastArrival.set(t.arrivalSeconds());
                submitWithRetry(clients.get(node), t, 1).whenComplete((r, ex) -> {
                    try {
                        JobOutcome o;
                        if (ex != null) {
                            o = JobOutcome.refused(t, origin, "error", "cannot reach " + origin + ": "
                                    + AtollClient.describe(ex));
                        } else if (r.ok()) {
                            o = JobOutcome.fromStatus(t, origin, r.body());
                            accepted.set(idx, 1);
                        } else if (r.status() >= 400 && r.status() < 500) {
                            o = JobOutcome.refused(t, origin, "rejected", "HTTP " + r.status() + ": " + r.errorText());
                        } else {
                            o = JobOutcome.refused(t, origin, "error", "HTTP " + r.status() + ": " + r.errorText());
                            // a 5xx may come after the job was recorded (e.g. an ask timeout): poll it later
                            accepted.set(idx, 1);
                        }
                        if (!o.placed() && o.settled()) {
                            refused.incrementAndGet();
                        }
                        out.set(idx, o);
                        answered.incrementAndGet();
                    } finally {
                        inFlight.release();
                    }
                });
            }
            inFlight.acquire(concurrency);
            inFlight.release(concurrency);
        }
        lastAnswerNanos = System.nanoTime();
        settle(tasks, out, accepted, settle);
        List<JobOutcome> result = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            result.add(out.get(i));
        }
        return result;
    }

    /**
     * Posts a task; on 503 (a node component did not answer in time) or a request timeout it posts again,
     * up to {@value #SUBMIT_ATTEMPTS} attempts in all, 0.5 s x attempt apart. Posting the same job again is
     * safe: submission is idempotent on the job id.
     */
    private static java.util.concurrent.CompletableFuture<AtollClient.Response> submitWithRetry(AtollClient client,
                                                                                                 DemoTask t, int attempt) {
        return client.submitAsync(t.toJson()).handle((r, ex) -> {
            boolean retry = attempt < SUBMIT_ATTEMPTS && (ex != null ? isTimeout(ex) : r.status() == 503);
            if (!retry) {
                return ex != null ? java.util.concurrent.CompletableFuture.<AtollClient.Response>failedFuture(ex)
                        : java.util.concurrent.CompletableFuture.completedFuture(r);
            }
            java.util.concurrent.Executor later = java.util.concurrent.CompletableFuture.delayedExecutor(
                    500L * attempt, java.util.concurrent.TimeUnit.MILLISECONDS);
            return java.util.concurrent.CompletableFuture.supplyAsync(() -> null, later)
                    .thenCompose(x -> submitWithRetry(client, t, attempt + 1));
        }).thenCompose(f -> f);
    }

    private static boolean isTimeout(Throwable ex) {
        Throwable c = ex;
        while (c instanceof java.util.concurrent.CompletionException && c.getCause() != null) {
            c = c.getCause();
        }
        return c instanceof java.net.http.HttpTimeoutException;
    }

    /**
     * Reads every accepted job's state back from its origin with bulk status requests ({@code POST
     * /v1/jobs/status}, up to {@value #BULK_IDS} ids each, one request per origin at a time), round after round, until all are settled or the deadline passes; a
     * job not read before the deadline keeps the state its submission answered (reason {@link #NOT_POLLED}).
     * A job its origin does not know although it answered 5xx on submission stays a submit error.
     */
    private void settle(List<DemoTask> tasks, AtomicReferenceArray<JobOutcome> out,
                        java.util.concurrent.atomic.AtomicIntegerArray accepted, Duration settle)
            throws InterruptedException {
        int n = tasks.size();
        long deadline = System.nanoTime() + settle.toNanos();
        List<Integer> pending = new ArrayList<>();
        AtomicInteger rejected = new AtomicInteger();
        for (int i = 0; i < n; i++) {
            if (accepted.get(i) == 1) {
                pending.add(i);
            } else if (out.get(i).rejected()) {
                rejected.incrementAndGet();
            }
        }
        AtomicInteger settled = new AtomicInteger(n - pending.size());
        AtomicInteger placed = new AtomicInteger();
        java.util.Map<String, AtollClient> byOrigin = new java.util.HashMap<>();
        for (int i = 0; i < endpoints.size(); i++) {
            byOrigin.put(endpoints.get(i).site(), clients.get(i));
        }
        java.util.concurrent.atomic.AtomicIntegerArray polled = new java.util.concurrent.atomic.AtomicIntegerArray(n);
        AtomicInteger requests = new AtomicInteger();
        try (ProgressBar bar = new ProgressBar(err, tty, 5, () -> new ProgressBar.State("settle", settled.get(), n,
                String.format(Locale.ROOT, "placed %d, rejected %d, waiting %d (%d bulk reads)", placed.get(),
                        rejected.get(), n - settled.get(), requests.get())))) {
            while (!pending.isEmpty() && System.nanoTime() < deadline) {
                List<Integer> still = java.util.Collections.synchronizedList(new ArrayList<>());
                java.util.Map<String, List<Integer>> groups = new java.util.TreeMap<>();
                for (int idx : pending) {
                    groups.computeIfAbsent(out.get(idx).origin(), k -> new ArrayList<>()).add(idx);
                }
                List<java.util.concurrent.CompletableFuture<Void>> perOrigin = new ArrayList<>();
                for (java.util.Map.Entry<String, List<Integer>> g : groups.entrySet()) {
                    AtollClient client = byOrigin.get(g.getKey());
                    List<Integer> idxs = g.getValue();
                    // one request per origin at a time: five 500-id requests at once made a loaded node
                    // answer none of them within the server's request timeout
                    java.util.concurrent.CompletableFuture<Void> chain =
                            java.util.concurrent.CompletableFuture.completedFuture(null);
                    for (int from = 0; from < idxs.size(); from += BULK_IDS) {
                        List<Integer> chunk = idxs.subList(from, Math.min(idxs.size(), from + BULK_IDS));
                        chain = chain.thenCompose(x -> readChunk(client, chunk, out, polled, still, settled, placed,
                                rejected, requests, deadline));
                    }
                    perOrigin.add(chain);
                }
                try {
                    java.util.concurrent.CompletableFuture.allOf(perOrigin.toArray(
                            new java.util.concurrent.CompletableFuture[0])).get();
                } catch (java.util.concurrent.ExecutionException e) {
                    throw new IllegalStateException("bulk status read failed: " + e.getCause(), e.getCause());
                }
                pending = new ArrayList<>(still);
                java.util.Collections.sort(pending);
                if (!pending.isEmpty() && System.nanoTime() < deadline) {
                    Thread.sleep(Math.max(1, Math.min(500, (deadline - System.nanoTime()) / 1_000_000)));
                }
            }
            for (int idx : pending) {
                JobOutcome o = out.get(idx);
                if (polled.get(idx) == 0 && !o.settled()) {
                    out.set(idx, new JobOutcome(o.task(), o.origin(), o.state(), o.site(), o.model(), o.submittedAtMs(),
                            o.placedAtMs(), o.reportedDelaySeconds(), NOT_POLLED));
                }
            }
        }
    }

    /**
     * One bulk status request for {@code chunk} (indices of jobs of one origin); ids the node lists as
     * unanswered are asked again next round; the returned stage never fails.
     */
    private java.util.concurrent.CompletableFuture<Void> readChunk(
            AtollClient client, List<Integer> chunk, AtomicReferenceArray<JobOutcome> out,
            java.util.concurrent.atomic.AtomicIntegerArray polled, List<Integer> still, AtomicInteger settled,
            AtomicInteger placed, AtomicInteger rejected, AtomicInteger requests, long deadline) {
        if (System.nanoTime() >= deadline) {
            still.addAll(chunk);
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        try {
            inFlight.acquire();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            still.addAll(chunk);
            return java.util.concurrent.CompletableFuture.completedFuture(null);
        }
        List<String> ids = chunk.stream().map(i -> out.get(i).task().id()).toList();
        requests.incrementAndGet();
        return client.jobsStatusAsync(ids).handle((r, ex) -> {
            try {
                java.util.Map<String, com.fasterxml.jackson.databind.JsonNode> byId = new java.util.HashMap<>();
                java.util.Set<String> notFound = new java.util.HashSet<>();
                if (ex == null && r.ok()) {
                    for (com.fasterxml.jackson.databind.JsonNode j : r.body().path("jobs")) {
                        byId.put(j.path("id").asText(), j);
                    }
                    for (com.fasterxml.jackson.databind.JsonNode j : r.body().path("notFound")) {
                        notFound.add(j.asText());
                    }
                }
                for (int idx : chunk) {
                    JobOutcome prev = out.get(idx);
                    JobOutcome now = prev;
                    com.fasterxml.jackson.databind.JsonNode st = byId.get(prev.task().id());
                    if (st != null) {
                        now = JobOutcome.fromStatus(prev.task(), prev.origin(), st);
                        polled.set(idx, 1);
                        out.set(idx, now);
                    } else if (notFound.contains(prev.task().id())) {
                        polled.set(idx, 1);
                        if (!prev.settled()) {
                            now = JobOutcome.refused(prev.task(), prev.origin(), "error", "accepted by "
                                    + prev.origin() + " but not found there afterwards");
                            out.set(idx, now);
                        }
                    }
                    if (st == null && !notFound.contains(prev.task().id())) {
                        still.add(idx); // not answered: ask again next round
                    } else if (now.settled()) {
                        settled.incrementAndGet();
                        if (now.placed()) {
                            placed.incrementAndGet();
                        } else if (now.rejected()) {
                            rejected.incrementAndGet();
                        }
                    } else {
                        still.add(idx);
                    }
                }
                return null;
            } finally {
                inFlight.release();
            }
        });
    }
}
