package dev.atoll.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.TenantId;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.HoldCreated;
import dev.atoll.protocol.event.HoldReleased;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/** Random fleets, requests, arrivals and departures: invariants after every step; same seed, same decisions. */
class PlacementPropertiesTest {
    private static final String[] MODELS = {"H800", "A100-80GB", "Ascend-910B", "T4"};
    private static final int[] SIZES = {1, 2, 4, 8};

    static SiteSpec randomSite(Random r, String id) {
        List<PoolSpec> pools = new ArrayList<>();
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            pools.add(new PoolSpec(AcceleratorModel.of(MODELS[r.nextInt(MODELS.length)]), 1 + r.nextInt(5),
                    SIZES[r.nextInt(SIZES.length)], 80, 1 + r.nextInt(4), 0.5 + r.nextInt(4) * 0.5));
        }
        return new SiteSpec(SiteId.of(id), "region-" + r.nextInt(3), pools);
    }

    static JobSpec randomJob(Random r, String id, String tenant) {
        JobSpec.Builder b = JobSpec.builder(id, tenant).durationSeconds(10 + r.nextInt(500));
        int kind = r.nextInt(10);
        if (kind < 3) {
            b.devices(1).gpuMilli(50 + r.nextInt(950));
        } else if (kind < 5) {
            int size = SIZES[1 + r.nextInt(3)];
            b.devices(size * (1 + r.nextInt(2))).wholeNodes(true);
        } else {
            b.devices(1 + r.nextInt(12));
        }
        int m = r.nextInt(4);
        if (m == 1) {
            b.models(ModelSet.of(MODELS[r.nextInt(MODELS.length)]));
        } else if (m == 2) {
            b.models(ModelSet.of(MODELS[r.nextInt(MODELS.length)], MODELS[r.nextInt(MODELS.length)]));
        }
        if (r.nextInt(6) == 0) {
            // An inference service: 2..4 replicas of the shape above, sometimes at most 1 or 2 per node.
            b.replicas(2 + r.nextInt(3));
            if (r.nextBoolean()) {
                b.maxReplicasPerNode(1 + r.nextInt(2));
            }
        }
        b.priority(PriorityClass.values()[r.nextInt(3)]);
        b.preemptible(r.nextInt(5) != 0);
        b.checkpointIntervalSeconds(r.nextBoolean() ? 0 : 30 + r.nextInt(300));
        return b.build();
    }

    private static void checkSite(SiteLedger l) {
        l.checkInvariants();
        int free = 0;
        for (int n = 0; n < l.nodeCount(); n++) {
            assertThat(l.freeDevices(n)).isBetween(0, l.devicesPerNode(n));
            free += l.freeDevices(n);
            for (int d = 0; d < l.devicesPerNode(n); d++) {
                assertThat(l.usedMilli(n, d)).isBetween(0, 1000);
            }
        }
        assertThat(l.usedDevices()).isEqualTo(l.spec().deviceCount() - free);
    }

    /**
     * At most {@code maxReplicasPerNode} replicas on a node: a node holds at most K x (devices of a replica
     * on one node) of the service's devices (K for a fractional service, whose replicas use distinct devices).
     */
    static void checkReplicaLimit(SiteView l, JobSpec j, Placement p) {
        int k = j.maxReplicasPerNode();
        for (NodeShare s : p.shares()) {
            assertThat(s.milli()).isEqualTo(j.gpuMilli());
            if (k > 0) {
                int perReplica = Math.min(j.devices(), l.devicesPerNode(s.node()));
                assertThat(s.deviceCount()).as("devices of %s on node %d", j.id(), s.node())
                        .isLessThanOrEqualTo(k * perReplica);
            }
        }
    }

    /**
     * A hold whose placement names a node more than once (or out of order) is refused whatever the usage,
     * even when every share alone would fit: nothing changes and no device ever passes 1000/1000.
     */
    @Property(tries = 200)
    void placementsRepeatingANodeAreRefused(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        Random r = new Random(seed);
        SiteLedger l = new SiteLedger(randomSite(r, "s"));
        // Some background usage first.
        PackingPolicy ff = new FirstFit();
        for (int i = 0; i < 6; i++) {
            JobSpec j = randomJob(r, "bg" + i, "t");
            PlacementResult res = l.find(j, ff);
            if (res instanceof PlacementResult.Fit fit) {
                Fixtures.commit(l, "bg" + i, fit.placement());
            }
        }
        int node = r.nextInt(l.nodeCount());
        int dpn = l.devicesPerNode(node);
        List<NodeShare> shares = new ArrayList<>();
        int copies = 2 + r.nextInt(3);
        for (int c = 0; c < copies; c++) {
            int from = r.nextInt(dpn);
            List<Integer> devs = new ArrayList<>();
            for (int d = from; d < Math.min(dpn, from + 1 + r.nextInt(dpn)); d++) {
                devs.add(d);
            }
            shares.add(new NodeShare(node, devs, 1 + r.nextInt(1000)));
        }
        // Possibly another node in between, so the repeat is not always adjacent.
        if (l.nodeCount() > 1 && r.nextBoolean()) {
            int other = (node + 1) % l.nodeCount();
            if (l.model(other).equals(l.model(node))) {
                shares.add(1, new NodeShare(other, List.of(0), 1 + r.nextInt(1000)));
            }
        }
        Placement p = new Placement(l.site(), l.model(node), shares);
        String before = Fixtures.usage(l);
        long events = l.appliedEvents();
        assertThatThrownBy(() -> l.apply(new HoldCreated(HoldId.of("dup"), JobId.of("dup"), 1, p, 0)))
                .isInstanceOf(LedgerViolation.class);
        assertThat(Fixtures.usage(l)).isEqualTo(before);
        assertThat(l.appliedEvents()).isEqualTo(events);
        assertThat(l.hold(HoldId.of("dup"))).isNull();
        checkSite(l);
    }

    /** The ledger alone: random finds, holds, commits, releases and refused over-commits. */
    @Property(tries = 60)
    void ledgerInvariantsHoldAfterEveryEvent(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        Random r = new Random(seed);
        SiteLedger l = new SiteLedger(randomSite(r, "s"));
        List<PackingPolicy> policies = List.of(new FirstFit(), new BestFit(), new FragmentationGradientDescent());
        List<HoldId> holds = new ArrayList<>();
        List<JobId> jobs = new ArrayList<>();
        for (int step = 0; step < 120; step++) {
            int op = r.nextInt(10);
            if (op < 5) {
                JobSpec j = randomJob(r, "j" + step, "t");
                String before = Fixtures.usage(l);
                PlacementResult res = l.find(j, policies.get(r.nextInt(3)));
                assertThat(Fixtures.usage(l)).isEqualTo(before);
                if (res instanceof PlacementResult.Fit fit) {
                    assertThat(fit.placement().deviceCount()).isEqualTo(j.totalDevices());
                    assertThat(j.models().accepts(fit.placement().model())).isTrue();
                    checkReplicaLimit(l, j, fit.placement());
                    HoldId h = HoldId.of("h" + step);
                    l.apply(new HoldCreated(h, j.id(), 1, fit.placement(), step));
                    holds.add(h);
                    if (r.nextBoolean()) {
                        l.apply(new AllocationCommitted(h, j.id(), 1, 0, 1));
                        holds.remove(h);
                        jobs.add(j.id());
                    }
                } else {
                    assertThat(res.reason()).isNotBlank();
                }
            } else if (op < 7 && !jobs.isEmpty()) {
                JobId j = jobs.remove(r.nextInt(jobs.size()));
                l.apply(new AllocationReleased(j, 1, WorkloadEnded.Outcome.COMPLETED, 0, ""));
            } else if (op < 8 && !holds.isEmpty()) {
                l.apply(new HoldReleased(holds.remove(r.nextInt(holds.size())), "expired"));
            } else {
                // Try to over-commit a used device: refused, nothing changes.
                int node = r.nextInt(l.nodeCount());
                int dev = r.nextInt(l.devicesPerNode(node));
                if (l.usedMilli(node, dev) > 0) {
                    String before = Fixtures.usage(l);
                    long events = l.appliedEvents();
                    Placement p = new Placement(l.site(), l.model(node),
                            List.of(new NodeShare(node, List.of(dev), 1001 - l.usedMilli(node, dev) > 1000 ? 1000
                                    : 1001 - l.usedMilli(node, dev))));
                    assertThatThrownBy(() -> l.apply(new HoldCreated(HoldId.of("bad"), JobId.of("bad"), 1, p, 0)))
                            .isInstanceOf(LedgerViolation.class);
                    assertThat(Fixtures.usage(l)).isEqualTo(before);
                    assertThat(l.appliedEvents()).isEqualTo(events);
                }
            }
            checkSite(l);
            List<JobSpec> pending = List.of(randomJob(r, "p1", "t"), randomJob(r, "p2", "t"));
            int frag = Fragmentation.of(l, pending);
            int free = l.spec().deviceCount() - l.usedDevices();
            assertThat(frag).isBetween(0, free);
        }
    }

    /** A run of the queue scheduler over a random federation; returns its decisions as text. */
    static List<String> runFederation(long seed, boolean check) {
        Random r = new Random(seed);
        List<SiteLedger> sites = new ArrayList<>();
        int n = 1 + r.nextInt(3);
        for (int i = 0; i < n; i++) {
            sites.add(new SiteLedger(randomSite(r, "s" + i)));
        }
        List<TenantQuota> quotas = new ArrayList<>();
        String[] tenants = {"A", "B", "C"};
        for (String t : tenants) {
            Map<AcceleratorModel, Integer> g = new HashMap<>();
            g.put(AcceleratorModel.of(MODELS[r.nextInt(MODELS.length)]), r.nextInt(9));
            int borrow = r.nextInt(3) == 0 ? r.nextInt(8) : -1;
            quotas.add(new TenantQuota(TenantId.of(t), 1 + r.nextInt(3), g, Map.of(), borrow));
        }
        List<PackingPolicy> policies = List.of(new FirstFit(), new BestFit(), new FragmentationGradientDescent());
        QueueScheduler q = new QueueScheduler(sites, quotas, policies.get(r.nextInt(3)),
                SiteChoicePolicy.byName(List.of("default", "lowest-price", "earliest-start:1,load-balance:2")
                        .get(r.nextInt(3))), 1 + r.nextInt(3));
        Map<TenantId, TenantQuota> quotaOf = new HashMap<>();
        for (TenantQuota t : quotas) {
            quotaOf.put(t.tenant(), t);
        }
        List<String> log = new ArrayList<>();
        int id = 0;
        for (long now = 0; now < 600; now += 1 + r.nextInt(20)) {
            // Departures: every running job whose expected end has come.
            List<JobId> done = new ArrayList<>();
            for (Map.Entry<JobId, QueueScheduler.Running> e : q.running().entrySet()) {
                if (e.getValue().endSeconds() <= now) {
                    done.add(e.getKey());
                }
            }
            for (JobId j : done) {
                q.finish(j, now);
                log.add(now + " end " + j);
            }
            // Arrivals.
            int arrivals = r.nextInt(4);
            for (int a = 0; a < arrivals; a++) {
                JobSpec j = randomJob(r, "j" + (id++), tenants[r.nextInt(tenants.length)]);
                log.add(now + " " + q.submit(j, now));
            }
            for (QueueScheduler.Decision d : q.schedule(now)) {
                log.add(now + " " + d);
            }
            if (check) {
                checkFederation(q, quotaOf);
            }
        }
        return log;
    }

    private static void checkFederation(QueueScheduler q, Map<TenantId, TenantQuota> quotas) {
        Map<TenantId, Map<AcceleratorModel, Integer>> use = new HashMap<>();
        for (SiteLedger l : q.sites()) {
            checkSite(l);
            assertThat(l.holds()).as("no hold survives a pass").isEmpty();
        }
        int runningAllocations = 0;
        for (Map.Entry<JobId, QueueScheduler.Running> e : q.running().entrySet()) {
            QueueScheduler.Running run = e.getValue();
            SiteLedger l = q.sites().get(run.site());
            assertThat(l.allocation(e.getKey())).isNotNull();
            assertThat(l.allocation(e.getKey()).placement()).isEqualTo(run.placement());
            assertThat(run.placement().deviceCount()).isEqualTo(run.spec().totalDevices());
            checkReplicaLimit(l, run.spec(), run.placement());
            // Runs at most once: no other site has it.
            for (SiteLedger other : q.sites()) {
                if (other != l) {
                    assertThat(other.allocation(e.getKey())).isNull();
                }
            }
            use.computeIfAbsent(run.spec().tenant(), k -> new HashMap<>())
                    .merge(run.placement().model(), run.placement().deviceCount(), Integer::sum);
            runningAllocations++;
        }
        int ledgerAllocations = 0;
        for (SiteLedger l : q.sites()) {
            ledgerAllocations += l.allocations().size();
        }
        assertThat(ledgerAllocations).isEqualTo(runningAllocations);
        for (JobSpec j : q.queued()) {
            assertThat(q.running()).doesNotContainKey(j.id());
        }
        use.forEach((t, m) -> m.forEach((model, devices) -> {
            assertThat(devices).isEqualTo(q.usage(t, model));
            assertThat(devices).isLessThanOrEqualTo(quotas.get(t).limitOf(model));
        }));
    }

    @Property(tries = 20)
    void federationInvariantsHoldAfterEveryStep(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        assertThat(runFederation(seed, true)).isNotEmpty();
    }

    @Property(tries = 8)
    void sameSeedSameDecisions(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        assertThat(runFederation(seed, false)).isEqualTo(runFederation(seed, false));
    }

    /**
     * EASY backfill never delays the head: one tenant and one priority class (so the queue is FIFO),
     * durations exact, departures exactly at their end. Whenever a job is reserved for time t, it starts at
     * or before t.
     */
    @Property(tries = 30)
    void backfillNeverDelaysAReservedStart(@ForAll @LongRange(min = 0, max = 1_000_000) long seed) {
        Random r = new Random(seed);
        List<SiteLedger> sites = new ArrayList<>();
        int n = 1 + r.nextInt(2);
        for (int i = 0; i < n; i++) {
            sites.add(new SiteLedger(randomSite(r, "s" + i)));
        }
        List<PackingPolicy> policies = List.of(new FirstFit(), new BestFit(), new FragmentationGradientDescent());
        QueueScheduler q = new QueueScheduler(sites, List.of(), policies.get(r.nextInt(3)),
                SiteChoicePolicy.liveDefault(), 3);
        int jobs = 10 + r.nextInt(30);
        for (int i = 0; i < jobs; i++) {
            JobSpec j = randomJob(r, "j" + i, "T");
            j = JobSpec.builder("j" + i, "T").devices(j.devices()).gpuMilli(j.gpuMilli()).models(j.models())
                    .wholeNodes(j.wholeNodes()).durationSeconds(j.durationSeconds()).build();
            q.submit(j, 0);
        }
        Map<JobId, Long> reservedFor = new HashMap<>();
        long now = 0;
        int reservations = 0;
        for (int step = 0; step < 1000; step++) {
            for (QueueScheduler.Decision d : q.schedule(now)) {
                if (d instanceof QueueScheduler.Decision.Reserved res) {
                    reservedFor.merge(res.job(), res.startSeconds(), Math::min);
                    reservations++;
                } else if (d instanceof QueueScheduler.Decision.Started st) {
                    Long promised = reservedFor.get(st.job());
                    if (promised != null) {
                        assertThat(now).as("start of " + st.job()).isLessThanOrEqualTo(promised);
                    }
                }
            }
            // Every reservation still open must lie in the future.
            for (JobSpec waiting : q.queued()) {
                Long promised = reservedFor.get(waiting.id());
                if (promised != null) {
                    assertThat(promised).isGreaterThan(now);
                }
            }
            long next = Long.MAX_VALUE;
            for (QueueScheduler.Running run : q.running().values()) {
                next = Math.min(next, run.endSeconds());
            }
            if (next == Long.MAX_VALUE) {
                break;
            }
            now = next;
            List<JobId> done = new ArrayList<>();
            for (Map.Entry<JobId, QueueScheduler.Running> e : q.running().entrySet()) {
                if (e.getValue().endSeconds() <= now) {
                    done.add(e.getKey());
                }
            }
            for (JobId j : done) {
                q.finish(j, now);
            }
        }
        assertThat(q.queued()).as("everything that can run eventually runs").isEmpty();
    }
}
