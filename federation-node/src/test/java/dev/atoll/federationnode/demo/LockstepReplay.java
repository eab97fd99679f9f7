package dev.atoll.federationnode.demo;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atoll.federationnode.cli.AtollClient;
import dev.atoll.protocol.ModelSet;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeSet;

/**
 * Replays tasks through a live federation in virtual trace time (lockstep), so that wall-clock timing on a
 * loaded machine cannot change any decision: the replay holds the clock and the queue, the federation makes
 * every placement decision (registry candidates, calls for proposals, each SiteAgent's packing and offer, the
 * Job's site choice over the bids, holds, awards).
 *
 * <p>Clock and queue are those of the simulator ({@code dev.atoll.simulator.engine.Simulation}): at each
 * event time, completions first, then arrivals, then one scheduling pass over the waiting tasks ordered by
 * priority (highest first), arrival, then trace order: all of them if devices were freed at this time, else
 * only this time's arrivals; once a request shape found no site in a pass, later tasks of that shape are
 * skipped. Trying a task = submitting it (task i to node i mod n, its origin) and waiting for the Job's
 * answer: placed (start = now; it ends at now + duration), waiting (no site could take it: that Job is left
 * waiting, the nodes' retry backoff being longer than the replay, and the task is submitted again as
 * {@code <id>-r<k>} in a later pass), or rejected (no site can ever run it). A completion is the replay cancelling the Job, which
 * frees its devices at the site (the nodes' own executor runs workloads far longer than the replay lasts).
 *
 * <p>Before every try the replay waits until the federation is quiet: no site holds devices (losing bids'
 * holds released), every node's registry shows each site's advert at the version of the site's ledger, and
 * each site runs exactly the allocations the replay expects. So each decision sees the same state the
 * simulator's would.
 *
 * <p>Fails loudly ({@link IllegalStateException}) if a node does not answer, the federation does not become
 * quiet within {@code quietTimeout}, a Job answers something unexpected, or a workload ends on its own.
 */
public final class LockstepReplay {
    /**
     * What the live federation did with one task.
     *
     * @param site the site it ran at, null if never placed
     * @param startSeconds virtual trace time it was placed, -1 if never
     * @param tries submissions it took
     * @param state placed, rejected or waiting (still waiting when no event was left)
     */
    public record Outcome(String site, long startSeconds, int tries, String state) {
    }

    private record Pending(DemoTask task, int seq) {
    }

    private record Running(int seq, String liveId, String site, long endSeconds) {
    }

    private static final Comparator<Pending> ORDER = Comparator
            .comparingInt((Pending p) -> -p.task().priority().rank())
            .thenComparingLong(p -> p.task().arrivalSeconds())
            .thenComparingInt(Pending::seq);

    private record Shape(ModelSet models, int devices, int gpuMilli, boolean wholeNodes) {
        static Shape of(DemoTask t) {
            return new Shape(t.models(), t.devices(), 1000, t.wholeNodes());
        }
    }

    private final List<NodeEndpoint> endpoints;
    private final List<AtollClient> clients = new ArrayList<>();
    private final List<String> siteIds;
    private final Duration quietTimeout;
    private final Map<String, Set<String>> expected = new HashMap<>();
    private long quietWaits;
    private long quietNanos;
    private long tryCount;
    private long tryNanos;
    private long cancelCount;
    private long cancelNanos;
    /** Something changed at a site since the federation was last seen quiet. */
    private boolean dirty = true;

    /**
     * @param endpoints the nodes, one per site
     * @param quietTimeout how long to wait for the federation to become quiet before failing
     */
    public LockstepReplay(List<NodeEndpoint> endpoints, Duration quietTimeout) {
        this.endpoints = List.copyOf(endpoints);
        HttpClient http = AtollClient.newHttpClient();
        this.siteIds = new ArrayList<>();
        for (NodeEndpoint e : endpoints) {
            clients.add(new AtollClient(e.url(), http, Duration.ofSeconds(30)));
            siteIds.add(e.site());
            expected.put(e.site(), new HashSet<>());
        }
        this.quietTimeout = quietTimeout;
    }

    /** @return where the replay's wall time went: quiet waits, tries (submit to answer) and cancels, count and mean ms */
    public String quietStats() {
        return String.format(java.util.Locale.ROOT, "%d quiet waits, mean %.1f ms; %d tries, mean %.1f ms;"
                        + " %d cancels, mean %.1f ms", quietWaits, quietWaits == 0 ? 0.0 : quietNanos / 1e6 / quietWaits,
                tryCount, tryCount == 0 ? 0.0 : tryNanos / 1e6 / tryCount, cancelCount,
                cancelCount == 0 ? 0.0 : cancelNanos / 1e6 / cancelCount);
    }

    /**
     * @param tasks tasks in non-decreasing arrival order, with distinct ids
     * @return one outcome per task, in the same order
     */
    public List<Outcome> run(List<DemoTask> tasks) throws IOException, InterruptedException {
        int n = tasks.size();
        Outcome[] out = new Outcome[n];
        int[] tries = new int[n];
        TreeSet<Pending> pending = new TreeSet<>(ORDER);
        PriorityQueue<Running> running = new PriorityQueue<>(Comparator.comparingLong(Running::endSeconds)
                .thenComparingInt(Running::seq));
        int next = 0;
        while (next < n || !running.isEmpty()) {
            long now = Long.MAX_VALUE;
            if (next < n) {
                now = tasks.get(next).arrivalSeconds();
            }
            if (!running.isEmpty()) {
                now = Math.min(now, running.peek().endSeconds());
            }
            boolean freed = false;
            while (!running.isEmpty() && running.peek().endSeconds() == now) {
                Running r = running.poll();
                finish(r);
                freed = true;
            }
            List<Pending> arrivals = new ArrayList<>();
            while (next < n && tasks.get(next).arrivalSeconds() == now) {
                Pending p = new Pending(tasks.get(next), next);
                pending.add(p);
                arrivals.add(p);
                next++;
            }
            if (pending.isEmpty()) {
                continue;
            }
            List<Pending> candidates = new ArrayList<>(freed ? pending : arrivals);
            if (!freed) {
                candidates.sort(ORDER);
            }
            Set<Shape> failed = new HashSet<>();
            Set<Shape> shapes = new HashSet<>();
            for (Pending p : pending) {
                shapes.add(Shape.of(p.task()));
            }
            for (Pending p : candidates) {
                if (failed.size() >= shapes.size()) {
                    break;
                }
                Shape shape = Shape.of(p.task());
                if (failed.contains(shape)) {
                    continue;
                }
                int seq = p.seq();
                String liveId = tries[seq] == 0 ? p.task().id() : p.task().id() + "-r" + tries[seq];
                tries[seq]++;
                JsonNode answer = tryOnce(p.task(), liveId, seq);
                String state = answer.path("state").asText();
                if (state.equals("placed") || state.equals("running")) {
                    dirty = true;
                    String site = answer.path("site").asText();
                    out[seq] = new Outcome(site, now, tries[seq], "placed");
                    expected.get(site).add(liveId);
                    running.add(new Running(seq, liveId, site, now + Math.max(1, p.task().durationSeconds())));
                    pending.remove(p);
                } else if (state.equals("rejected")) {
                    out[seq] = new Outcome(null, -1, tries[seq], "rejected");
                    pending.remove(p);
                } else {
                    // waiting: no site could take it now. The replay keeps the task queued and submits it again
                    // under a new id; this Job stays waiting (the nodes run with a retry backoff longer than
                    // the replay, so it never negotiates again on its own; a placement the replay did not make
                    // would show up as an unexpected allocation and fail the quiet check).
                    failed.add(shape);
                }
            }
        }
        for (Pending p : pending) {
            out[p.seq()] = new Outcome(null, -1, tries[p.seq()], "waiting");
        }
        return List.of(out);
    }

    /** Submits the task under {@code liveId} at its origin and polls until the Job is placed, waiting or rejected. */
    private JsonNode tryOnce(DemoTask t, String liveId, int seq) throws IOException, InterruptedException {
        awaitQuiet();
        long t0 = System.nanoTime();
        try {
            return submitAndPoll(t, liveId, seq);
        } finally {
            tryCount++;
            tryNanos += System.nanoTime() - t0;
        }
    }

    private JsonNode submitAndPoll(DemoTask t, String liveId, int seq) throws IOException, InterruptedException {
        AtollClient c = clients.get(seq % clients.size());
        com.fasterxml.jackson.databind.node.ObjectNode body = t.toJson();
        body.put("id", liveId);
        AtollClient.Response r = c.await(c.submitAsync(body));
        if (!r.ok()) {
            throw new IllegalStateException("submit " + liveId + " to " + endpoints.get(seq % endpoints.size()).site()
                    + ": HTTP " + r.status() + ": " + r.errorText());
        }
        long deadline = System.nanoTime() + quietTimeout.toNanos();
        JsonNode s = r.body();
        while (true) {
            String state = s.path("state").asText();
            String reason = s.path("reason").asText("");
            if (state.equals("placed") || state.equals("running") || state.equals("rejected")) {
                return s;
            }
            if (state.equals("queued") && (reason.startsWith("no site can take it now")
                    || reason.startsWith("no reachable site"))) {
                return s;
            }
            if (!state.equals("queued") && !state.equals("negotiating")) {
                throw new IllegalStateException("job " + liveId + ": unexpected state " + s);
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("job " + liveId + " undecided after " + quietTimeout + ": " + s);
            }
            Thread.sleep(2);
            AtollClient.Response p = c.await(c.jobAsync(liveId));
            if (!p.ok()) {
                throw new IllegalStateException("status of " + liveId + ": HTTP " + p.status() + ": " + p.errorText());
            }
            s = p.body();
        }
    }

    private void finish(Running r) throws IOException {
        JsonNode s = cancel(r.seq(), r.liveId());
        if (!s.path("state").asText().equals("cancelled")) {
            throw new IllegalStateException("job " + r.liveId() + " was " + s.path("state").asText()
                    + " before the replay ended it (its workload ended on its own): " + s);
        }
        expected.get(r.site()).remove(r.liveId());
        dirty = true;
    }

    private JsonNode cancel(int seq, String liveId) throws IOException {
        AtollClient c = clients.get(seq % clients.size());
        long t0 = System.nanoTime();
        AtollClient.Response r = c.await(c.cancelAsync(liveId));
        cancelCount++;
        cancelNanos += System.nanoTime() - t0;
        if (!r.ok()) {
            throw new IllegalStateException("cancel " + liveId + ": HTTP " + r.status() + ": " + r.errorText());
        }
        return r.body();
    }

    /**
     * Waits until no site holds devices, each site runs exactly the expected allocations, and every node's
     * registry shows each site's advert at the site's ledger version.
     */
    private void awaitQuiet() throws IOException, InterruptedException {
        if (!dirty) {
            return; // the last try declined everywhere and left no hold: nothing changed since the last check
        }
        long start = System.nanoTime();
        long deadline = start + quietTimeout.toNanos();
        String last = "";
        while (true) {
            last = quietProblem();
            if (last == null) {
                dirty = false;
                quietWaits++;
                quietNanos += System.nanoTime() - start;
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("federation not quiet after " + quietTimeout + ": " + last);
            }
            Thread.sleep(2);
        }
    }

    /** @return null if quiet, else what is not */
    private String quietProblem() throws IOException {
        List<java.util.concurrent.CompletableFuture<AtollClient.Response>> ledgers = new ArrayList<>();
        List<java.util.concurrent.CompletableFuture<AtollClient.Response>> registries = new ArrayList<>();
        for (int i = 0; i < siteIds.size(); i++) {
            ledgers.add(clients.get(i).ledgerAsync(siteIds.get(i)));
        }
        for (AtollClient c : clients) {
            registries.add(c.sitesAsync());
        }
        Map<String, Long> version = new HashMap<>();
        for (int i = 0; i < siteIds.size(); i++) {
            String site = siteIds.get(i);
            AtollClient.Response r = clients.get(i).await(ledgers.get(i));
            if (!r.ok()) {
                return "ledger of " + site + ": HTTP " + r.status();
            }
            JsonNode l = r.body();
            if (l.path("holds").asInt() != 0) {
                return site + " holds " + l.path("holds").asInt();
            }
            Set<String> jobs = new HashSet<>();
            for (JsonNode a : l.path("allocations")) {
                jobs.add(a.path("job").asText());
            }
            if (!jobs.equals(expected.get(site))) {
                return site + " runs " + jobs.size() + " allocations, expected " + expected.get(site).size();
            }
            version.put(site, l.path("version").asLong());
        }
        for (int i = 0; i < clients.size(); i++) {
            AtollClient.Response r = clients.get(i).await(registries.get(i));
            if (!r.ok()) {
                return "sites at " + siteIds.get(i) + ": HTTP " + r.status();
            }
            int seen = 0;
            for (JsonNode s : r.body()) {
                String site = s.path("site").asText();
                Long v = version.get(site);
                if (v != null) {
                    seen++;
                    if (s.path("version").asLong() != v) {
                        return "registry at " + siteIds.get(i) + " has advert " + s.path("version").asLong()
                                + " of " + site + ", ledger is at " + v;
                    }
                }
            }
            if (seen != version.size()) {
                return "registry at " + siteIds.get(i) + " knows " + seen + " of " + version.size() + " sites";
            }
        }
        return null;
    }
}
