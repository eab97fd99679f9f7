package dev.atoll.placement;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.PoolSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * The shared shape of in-site packing; subclasses only say which node is better ({@link #score}).
 *
 * <p>Rules, in order:
 * <ol>
 *   <li>Only nodes of an accepted model are considered (exact names, see {@link dev.atoll.protocol.ModelSet}).
 *   <li>A gang never mixes models.
 *   <li>Whole-node requests take fully free nodes of one node size (over all pools of the model with that
 *       size); {@code devices} must be a multiple of it.
 *   <li>A request of at most one node's devices goes on one node (as a pod does).
 *   <li>A larger partial-node request takes fully free nodes, then the remainder on one node.
 *   <li>A fractional request ({@code gpuMilli < 1000}) shares one device with room left.
 *   <li>A service of {@code replicas} R &gt; 1 (inference) places R replicas of the shape above, all or
 *       nothing, on one model at this site, as one {@link Placement}: replica by replica, each by rules 1-6
 *       on the site as the earlier replicas left it, never on a node that already has
 *       {@code maxReplicasPerNode} K of them (anti-affinity; -1 = no limit; a replica spanning nodes counts
 *       on each). Replicas sharing a node use distinct devices, so a fractional service takes R different
 *       devices (a node share lists the devices of all replicas on the node, each with {@code gpuMilli}).
 *       Greedy (no backtracking): the models are tried separately and the lowest summed score wins. It is
 *       {@code Never} when even an empty site could not take R replicas under K (an upper bound from node
 *       sizes, counts and capacity), otherwise {@code Wait} until the replicas fit.
 * </ol>
 * Among feasible nodes the one with the lowest {@link #score} wins; ties go to the lower node number,
 * so decisions are deterministic.
 */
public abstract class AbstractPackingPolicy implements PackingPolicy {

    /**
     * Lower is better.
     *
     * @param site the site
     * @param node a node that can take {@code devices} devices (or the fractional share) now
     * @param job the request
     * @param devices devices this request would take on the node (1 for a fractional share)
     */
    protected abstract double score(SiteView site, int node, JobSpec job, int devices);

    /** @return true if the first feasible node in number order may be taken without scoring the rest */
    protected boolean firstFeasibleWins() {
        return false;
    }

    /**
     * @return true if {@link #score} of a fully free node depends only on its pool (model and size), apart
     *     from a tie-break towards lower node numbers; then only the first fully free node of each pool is
     *     scored, as the later ones cannot win
     */
    protected boolean sameScoreForIdleNodesOfAPool() {
        return false;
    }

    /**
     * Picks the device for a fractional share on {@code node}: by default the lowest-numbered device
     * with room.
     *
     * @return device index, or -1 if none has {@code milli} thousandths free
     */
    protected int chooseSharedDevice(SiteView site, int node, int milli) {
        int dpn = site.devicesPerNode(node);
        for (int d = 0; d < dpn; d++) {
            if (site.usedMilli(node, d) + milli <= 1000) {
                return d;
            }
        }
        return -1;
    }

    @Override
    public PlacementResult place(SiteView site, JobSpec job) {
        if (job.replicas() > 1) {
            return placeReplicas(site, job);
        }
        return placeOne(site, job);
    }

    /** {@link #place} for one replica (rules 1-6 of the class description). */
    private PlacementResult placeOne(SiteView site, JobSpec job) {
        List<PoolSpec> pools = site.spec().pools();
        boolean anyModel = false;
        boolean anyShape = false;
        int largestCapacity = 0;
        for (PoolSpec p : pools) {
            if (!job.models().accepts(p.model())) {
                continue;
            }
            anyModel = true;
            largestCapacity = Math.max(largestCapacity, modelCapacity(site, p.model()));
            if (shapeFits(pools, p, job)) {
                anyShape = true;
            }
        }
        // A partial-node request larger than every acceptable model's capacity can never fit here
        // (a gang never mixes models), so it is Never, not Wait.
        if (anyShape && !job.wholeNodes() && job.devices() > largestCapacity) {
            anyShape = false;
        }
        if (!anyModel) {
            return new PlacementResult.Never("site " + site.site() + " has no device of model " + job.models());
        }
        if (!anyShape) {
            if (job.wholeNodes()) {
                return new PlacementResult.Never("site " + site.site() + " has no " + job.models() + " nodes whose size divides "
                        + job.devices() + " devices, or not enough of them for a whole-node gang");
            }
            return new PlacementResult.Never("site " + site.site() + " has at most " + largestCapacity + " devices of "
                    + (job.models().isAny() ? "one model" : job.models().toString()) + ", request needs "
                    + job.devices() + " (a gang never mixes models)");
        }
        Candidate best = null;
        // Try each accepted model separately; a gang never mixes models. Micro-optimisation: walk the pools
        // and skip a model an earlier pool already stood for, instead of collecting models into a list.
        for (int i = 0; i < pools.size(); i++) {
            PoolSpec p = pools.get(i);
            if (!job.models().accepts(p.model()) || !shapeFits(pools, p, job) || modelSeenBefore(pools, i, job)) {
                continue;
            }
            Candidate c = placeOnModel(site, job, p.model());
            if (c != null && (best == null || c.score < best.score)) {
                best = c;
                if (firstFeasibleWins()) {
                    break;
                }
            }
        }
        if (best != null) {
            return new PlacementResult.Fit(best.placement);
        }
        List<AcceleratorModel> models = new ArrayList<>();
        for (PoolSpec p : pools) {
            if (job.models().accepts(p.model()) && shapeFits(pools, p, job) && !models.contains(p.model())) {
                models.add(p.model());
            }
        }
        return new PlacementResult.Wait(waitReason(site, job, models));
    }

    /**
     * Rule 7: a service of {@code job.replicas()} replicas with at most {@code job.maxReplicasPerNode()} per
     * node, placed all-or-nothing as one {@link Placement}.
     */
    private PlacementResult placeReplicas(SiteView site, JobSpec job) {
        JobSpec one = oneReplica(job);
        PlacementResult single = placeOne(site, one);
        if (single instanceof PlacementResult.Never) {
            return single;
        }
        int replicas = job.replicas();
        int perNode = job.maxReplicasPerNode() < 0 ? Integer.MAX_VALUE : job.maxReplicasPerNode();
        List<PoolSpec> pools = site.spec().pools();
        Candidate best = null;
        long mostPossible = 0;
        for (int i = 0; i < pools.size(); i++) {
            PoolSpec p = pools.get(i);
            if (!one.models().accepts(p.model()) || !shapeFits(pools, p, one) || modelSeenBefore(pools, i, one)) {
                continue;
            }
            long possible = replicaBound(site, one, p.model(), perNode);
            mostPossible = Math.max(mostPossible, possible);
            if (possible < replicas) {
                continue;
            }
            Candidate c = placeReplicasOnModel(site, one, p.model(), replicas, perNode);
            if (c != null && (best == null || c.score < best.score)) {
                best = c;
                if (firstFeasibleWins()) {
                    break;
                }
            }
        }
        String shape = replicas + " replicas of " + (one.gpuMilli() < 1000 ? one.gpuMilli() + "/1000 of a device"
                : one.devices() + (one.wholeNodes() ? " whole-node devices" : " devices")) + " of "
                + (one.models().isAny() ? "one model" : one.models().toString())
                + (perNode == Integer.MAX_VALUE ? "" : ", at most " + perNode + " per node");
        if (best != null) {
            return new PlacementResult.Fit(best.placement);
        }
        if (mostPossible < replicas) {
            return new PlacementResult.Never("site " + site.site() + " can hold at most " + mostPossible
                    + " replicas even when idle, service needs " + shape);
        }
        return new PlacementResult.Wait("site " + site.site() + ": not enough room now for " + shape);
    }

    /** @return {@code job} as one replica with no per-node limit (the shape rules 1-6 place) */
    private static JobSpec oneReplica(JobSpec job) {
        return new JobSpec(job.id(), job.tenant(), job.kind(), job.devices(), job.gpuMilli(), job.models(),
                job.wholeNodes(), job.durationSeconds(), job.priority(), job.preemptible(),
                job.checkpointIntervalSeconds(), 1, -1, job.preferredRegion(), job.jobClass());
    }

    /**
     * An upper bound of the replicas of {@code one} that {@code model}'s nodes at an idle site could take with
     * at most {@code perNode} per node: per node min(K, devices of the node / devices of a replica) when a
     * replica fits on one node (min(K, devices of the node) for a fractional one, as replicas on a node use
     * distinct devices); for replicas spanning nodes, min(capacity / devices, K x nodes).
     */
    private static long replicaBound(SiteView site, JobSpec one, AcceleratorModel model, int perNode) {
        int[] nodes = site.nodesOf(model);
        boolean someNodeHoldsOne = false;
        long capacity = 0;
        for (int n : nodes) {
            int dpn = site.devicesPerNode(n);
            capacity += dpn;
            if (one.gpuMilli() < 1000 || (one.devices() <= dpn && (!one.wholeNodes() || one.devices() == dpn))) {
                someNodeHoldsOne = true;
            }
        }
        if (!someNodeHoldsOne) {
            return Math.min(capacity / one.devices(), (long) perNode * nodes.length);
        }
        long total = 0;
        for (int n : nodes) {
            int dpn = site.devicesPerNode(n);
            int fit = one.gpuMilli() < 1000 ? dpn : one.wholeNodes() ? (one.devices() == dpn ? 1 : 0)
                    : dpn / one.devices();
            total += Math.min(perNode, fit);
        }
        return total;
    }

    /**
     * Places {@code replicas} copies of {@code one} on {@code model}'s nodes, one after the other on a what-if
     * view of the site ({@link ReplicaView}) that shows the earlier replicas' devices as used and hides nodes
     * holding {@code perNode} replicas already.
     *
     * @return the merged placement and the summed score, or null if some replica does not fit now
     */
    private Candidate placeReplicasOnModel(SiteView site, JobSpec one, AcceleratorModel model, int replicas,
                                           int perNode) {
        ReplicaView view = new ReplicaView(site, perNode);
        java.util.TreeMap<Integer, java.util.TreeSet<Integer>> taken = new java.util.TreeMap<>();
        double total = 0;
        for (int r = 0; r < replicas; r++) {
            Candidate c = placeOnModel(view, one, model);
            if (c == null) {
                return null;
            }
            total += c.score;
            for (NodeShare s : c.placement.shares()) {
                java.util.TreeSet<Integer> devices = taken.computeIfAbsent(s.node(), k -> new java.util.TreeSet<>());
                for (int d : s.devices()) {
                    if (!devices.add(d)) {
                        throw new IllegalStateException("replica " + r + " of " + one.id() + " took device " + d
                                + " of node " + s.node() + " twice");
                    }
                }
                view.take(s.node(), s.devices());
            }
        }
        List<NodeShare> shares = new ArrayList<>(taken.size());
        taken.forEach((node, devices) -> shares.add(new NodeShare(node, new ArrayList<>(devices), one.gpuMilli())));
        return new Candidate(new Placement(site.site(), model, shares), total);
    }

    /**
     * A site as the replicas placed so far leave it: their devices are fully used (so the next replica on the
     * node takes other devices) and a node with {@code perNode} replicas shows no room at all.
     */
    private static final class ReplicaView implements SiteView {
        private final SiteView base;
        private final int perNode;
        // Per node: bit d set = device d taken by an earlier replica (nodes have at most 64 devices, as in the
        // ledger's records), and the replicas placed there so far. Arrays, not maps: this view is read for
        // every device of every candidate node, once per replica.
        private final long[] takenMask;
        private final int[] replicasOn;

        ReplicaView(SiteView base, int perNode) {
            this.base = base;
            this.perNode = perNode;
            this.takenMask = new long[base.nodeCount()];
            this.replicasOn = new int[base.nodeCount()];
        }

        void take(int node, List<Integer> devices) {
            for (int d : devices) {
                takenMask[node] |= 1L << d;
            }
            replicasOn[node]++;
        }

        private boolean full(int node) {
            return replicasOn[node] >= perNode;
        }

        @Override
        public dev.atoll.protocol.SiteId site() {
            return base.site();
        }

        @Override
        public dev.atoll.protocol.SiteSpec spec() {
            return base.spec();
        }

        @Override
        public int nodeCount() {
            return base.nodeCount();
        }

        @Override
        public AcceleratorModel model(int node) {
            return base.model(node);
        }

        @Override
        public int pool(int node) {
            return base.pool(node);
        }

        @Override
        public int devicesPerNode(int node) {
            return base.devicesPerNode(node);
        }

        @Override
        public int freeDevices(int node) {
            if (full(node)) {
                return 0;
            }
            long taken = takenMask[node];
            int free = base.freeDevices(node);
            for (long m = taken; m != 0; m &= m - 1) {
                if (base.usedMilli(node, Long.numberOfTrailingZeros(m)) == 0) {
                    free--;
                }
            }
            return free;
        }

        @Override
        public int usedMilli(int node, int device) {
            if (full(node) || (takenMask[node] >>> device & 1L) != 0) {
                return 1000;
            }
            return base.usedMilli(node, device);
        }

        @Override
        public int[] nodesOf(AcceleratorModel model) {
            return base.nodesOf(model);
        }
    }

    /** @return true if a pool before {@code i} has the same model and could take the request's shape */
    private static boolean modelSeenBefore(List<PoolSpec> pools, int i, JobSpec job) {
        AcceleratorModel m = pools.get(i).model();
        for (int j = 0; j < i; j++) {
            PoolSpec q = pools.get(j);
            if ((q.model() == m || q.model().equals(m)) && shapeFits(pools, q, job)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Could the request's shape ever fit this pool's nodes? A whole-node gang needs {@code devices} to be a
     * multiple of the node size and enough nodes of that model and size over all pools.
     */
    private static boolean shapeFits(List<PoolSpec> pools, PoolSpec p, JobSpec job) {
        if (!job.wholeNodes()) {
            return true;
        }
        int dpn = p.devicesPerNode();
        if (job.devices() % dpn != 0) {
            return false;
        }
        long nodes = 0;
        for (PoolSpec q : pools) {
            if (q.devicesPerNode() == dpn && (q.model() == p.model() || q.model().equals(p.model()))) {
                nodes += q.nodes();
            }
        }
        return job.devices() / dpn <= nodes;
    }

    private static int modelCapacity(SiteView site, AcceleratorModel model) {
        int n = 0;
        for (PoolSpec p : site.spec().pools()) {
            if (p.model().equals(model)) {
                n += p.capacity();
            }
        }
        return n;
    }

    private String waitReason(SiteView site, JobSpec job, List<AcceleratorModel> models) {
        int free = 0;
        int largest = 0;
        int wholeNodes = 0;
        for (int n = 0; n < site.nodeCount(); n++) {
            if (models.contains(site.model(n))) {
                int f = site.freeDevices(n);
                free += f;
                largest = Math.max(largest, f);
                if (f == site.devicesPerNode(n)) {
                    wholeNodes++;
                }
            }
        }
        if (job.gpuMilli() < 1000) {
            return "site " + site.site() + ": no " + job.models() + " device has " + job.gpuMilli() + "/1000 free";
        }
        if (job.wholeNodes()) {
            return "site " + site.site() + ": " + wholeNodes + " whole " + label(job) + "nodes free, gang needs "
                    + job.devices() + " devices on whole nodes";
        }
        return "site " + site.site() + ": " + free + " " + label(job) + "devices free, largest free block "
                + largest + ", request needs " + job.devices();
    }

    /** @return "" for any model, else the model set and a space, for reasons */
    private static String label(JobSpec job) {
        return job.models().isAny() ? "" : job.models() + " ";
    }

    private record Candidate(Placement placement, double score) {
    }

    private Candidate placeOnModel(SiteView site, JobSpec job, AcceleratorModel model) {
        int need = job.devices();
        if (job.gpuMilli() < 1000) {
            return placeShared(site, job, model);
        }
        // Single node: request fits in one node of this model.
        if (!job.wholeNodes() || isSingleNodeGang(site, model, need)) {
            int bestNode = -1;
            double bestScore = Double.POSITIVE_INFINITY;
            boolean singleNodePossible = false;
            boolean skipIdle = sameScoreForIdleNodesOfAPool();
            int idlePoolSeen = -1;
            for (int n : site.nodesOf(model)) {
                int dpn = site.devicesPerNode(n);
                if (need > dpn || (job.wholeNodes() && need != dpn)) {
                    continue;
                }
                singleNodePossible = true;
                int free = site.freeDevices(n);
                if (free < need) {
                    continue;
                }
                if (skipIdle && free == dpn) {
                    // Micro-optimisation: idle nodes of one pool score alike; the first one is enough.
                    if (site.pool(n) == idlePoolSeen) {
                        continue;
                    }
                    idlePoolSeen = site.pool(n);
                }
                double s = score(site, n, job, need);
                if (s < bestScore) {
                    bestScore = s;
                    bestNode = n;
                    if (firstFeasibleWins()) {
                        break;
                    }
                }
            }
            if (bestNode >= 0) {
                List<NodeShare> shares = List.of(new NodeShare(bestNode, freeDevices(site, bestNode, need), 1000));
                return new Candidate(new Placement(site.site(), model, shares), bestScore);
            }
            if (singleNodePossible) {
                return null;
            }
        }
        if (job.wholeNodes()) {
            return placeWholeNodes(site, job, model);
        }
        // Several nodes: whole free nodes first, then the remainder on one node.
        if (firstFeasibleWins()) {
            // Micro-optimisation: when the first feasible node in number order wins, scores rise with the node
            // number, so the sorted list of fully free nodes is just node order: take them in that order and
            // stop once the gang is covered, instead of listing and sorting every fully free node.
            return placeOnIdleNodesInOrder(site, job, model, need);
        }
        // Each fully free node is scored once (the sort used to rescore on every comparison, which is
        // costly for fgd): {score, node, dpn}.
        List<double[]> wholeFree = new ArrayList<>();
        int idlePool = -1;
        double idleScore = 0;
        for (int n : site.nodesOf(model)) {
            if (site.freeDevices(n) == site.devicesPerNode(n)) {
                if (job.wholeNodes() && need % site.devicesPerNode(n) != 0) {
                    continue;
                }
                int dpn = site.devicesPerNode(n);
                double sc;
                if (sameScoreForIdleNodesOfAPool() && site.pool(n) == idlePool) {
                    sc = idleScore; // Micro-optimisation: same pool, same score; node order breaks the tie.
                } else {
                    sc = score(site, n, job, dpn);
                    idlePool = site.pool(n);
                    idleScore = sc;
                }
                wholeFree.add(new double[] {sc, n, dpn});
            }
        }
        wholeFree.sort((a, b) -> {
            int c = Double.compare(a[0], b[0]);
            return c != 0 ? c : Double.compare(a[1], b[1]);
        });
        List<NodeShare> shares = new ArrayList<>();
        int remaining = need;
        double total = 0;
        for (double[] nd : wholeFree) {
            int node = (int) nd[1];
            int dpn = (int) nd[2];
            if (remaining < dpn) {
                continue;
            }
            shares.add(new NodeShare(node, freeDevices(site, node, dpn), 1000));
            total += nd[0];
            remaining -= dpn;
            if (remaining == 0) {
                break;
            }
        }
        if (remaining > 0 && !job.wholeNodes()) {
            int bestNode = -1;
            double bestScore = Double.POSITIVE_INFINITY;
            for (int n : site.nodesOf(model)) {
                if (site.freeDevices(n) < remaining || containsNode(shares, n)) {
                    continue;
                }
                double s = score(site, n, job, remaining);
                if (s < bestScore) {
                    bestScore = s;
                    bestNode = n;
                }
            }
            if (bestNode >= 0) {
                shares.add(new NodeShare(bestNode, freeDevices(site, bestNode, remaining), 1000));
                total += bestScore;
                remaining = 0;
            }
        }
        if (remaining > 0) {
            return null;
        }
        shares.sort((a, b) -> Integer.compare(a.node(), b.node()));
        return new Candidate(new Placement(site.site(), model, shares), total);
    }

    /**
     * The several-node path of {@link #placeOnModel} for policies whose first feasible node wins: fully free
     * nodes in node order (each taken if its size fits what remains), then for a partial request the remainder
     * on the lowest-numbered node with room. Same result as scoring, sorting and scanning, since the score order
     * is the node order.
     */
    private Candidate placeOnIdleNodesInOrder(SiteView site, JobSpec job, AcceleratorModel model, int need) {
        List<NodeShare> shares = new ArrayList<>();
        int remaining = need;
        double total = 0;
        int[] nodes = site.nodesOf(model);
        for (int n : nodes) {
            int dpn = site.devicesPerNode(n);
            if (site.freeDevices(n) != dpn || (job.wholeNodes() && need % dpn != 0) || remaining < dpn) {
                continue;
            }
            shares.add(new NodeShare(n, freeDevices(site, n, dpn), 1000));
            total += score(site, n, job, dpn);
            remaining -= dpn;
            if (remaining == 0) {
                break;
            }
        }
        if (remaining > 0 && !job.wholeNodes()) {
            for (int n : nodes) {
                if (site.freeDevices(n) < remaining || containsNode(shares, n)) {
                    continue;
                }
                shares.add(new NodeShare(n, freeDevices(site, n, remaining), 1000));
                total += score(site, n, job, remaining);
                remaining = 0;
                break; // the first feasible node wins
            }
        }
        if (remaining > 0) {
            return null;
        }
        shares.sort((a, b) -> Integer.compare(a.node(), b.node()));
        return new Candidate(new Placement(site.site(), model, shares), total);
    }

    /**
     * A whole-node gang on fully free nodes of one size: per node size that divides the request, the best
     * scored free nodes; the size whose nodes score best in total wins (ties: the smaller size first seen).
     */
    private Candidate placeWholeNodes(SiteView site, JobSpec job, AcceleratorModel model) {
        int need = job.devices();
        int[] nodes = site.nodesOf(model);
        Candidate best = null;
        long tried = 0; // bit per node size already tried (sizes are 1..64)
        for (int first : nodes) {
            int dpn = site.devicesPerNode(first);
            if (need % dpn != 0 || (tried & (1L << (dpn - 1))) != 0) {
                continue;
            }
            tried |= 1L << (dpn - 1);
            int count = need / dpn;
            List<double[]> free = new ArrayList<>();
            int idlePool = -1;
            double idleScore = 0;
            for (int n : nodes) {
                if (site.devicesPerNode(n) != dpn || site.freeDevices(n) != dpn) {
                    continue;
                }
                double sc;
                if (sameScoreForIdleNodesOfAPool() && site.pool(n) == idlePool) {
                    sc = idleScore; // Micro-optimisation: same pool, same score; node order breaks the tie.
                } else {
                    sc = score(site, n, job, dpn);
                    idlePool = site.pool(n);
                    idleScore = sc;
                }
                free.add(new double[] {sc, n});
                if (firstFeasibleWins() && free.size() == count) {
                    break;
                }
            }
            if (free.size() < count) {
                continue;
            }
            free.sort((a, b) -> {
                int c = Double.compare(a[0], b[0]);
                return c != 0 ? c : Double.compare(a[1], b[1]);
            });
            List<NodeShare> shares = new ArrayList<>(count);
            double total = 0;
            for (int k = 0; k < count; k++) {
                int n = (int) free.get(k)[1];
                shares.add(new NodeShare(n, freeDevices(site, n, dpn), 1000));
                total += free.get(k)[0];
            }
            if (best == null || total < best.score) {
                shares.sort((a, b) -> Integer.compare(a.node(), b.node()));
                best = new Candidate(new Placement(site.site(), model, shares), total);
                if (firstFeasibleWins()) {
                    break;
                }
            }
        }
        return best;
    }

    private static boolean isSingleNodeGang(SiteView site, AcceleratorModel model, int need) {
        for (PoolSpec p : site.spec().pools()) {
            if (p.model().equals(model) && p.devicesPerNode() == need) {
                return true;
            }
        }
        return false;
    }

    private Candidate placeShared(SiteView site, JobSpec job, AcceleratorModel model) {
        int bestNode = -1;
        int bestDevice = -1;
        double bestScore = Double.POSITIVE_INFINITY;
        boolean skipIdle = sameScoreForIdleNodesOfAPool();
        int idlePoolSeen = -1;
        for (int n : site.nodesOf(model)) {
            if (skipIdle && site.freeDevices(n) == site.devicesPerNode(n)) {
                // Micro-optimisation: idle nodes of one pool score alike; the first one is enough.
                if (site.pool(n) == idlePoolSeen) {
                    continue;
                }
                idlePoolSeen = site.pool(n);
            }
            int d = chooseSharedDevice(site, n, job.gpuMilli());
            if (d < 0) {
                continue;
            }
            double s = score(site, n, job, 1);
            if (s < bestScore) {
                bestScore = s;
                bestNode = n;
                bestDevice = d;
                if (firstFeasibleWins()) {
                    break;
                }
            }
        }
        if (bestNode < 0) {
            return null;
        }
        return new Candidate(new Placement(site.site(), model,
                List.of(new NodeShare(bestNode, List.of(bestDevice), job.gpuMilli()))), bestScore);
    }

    private static boolean containsNode(List<NodeShare> shares, int node) {
        for (NodeShare s : shares) {
            if (s.node() == node) {
                return true;
            }
        }
        return false;
    }

    /** @return the {@code count} lowest-numbered fully free devices of {@code node} */
    private static List<Integer> freeDevices(SiteView site, int node, int count) {
        List<Integer> out = new ArrayList<>(count);
        int dpn = site.devicesPerNode(node);
        for (int d = 0; d < dpn && out.size() < count; d++) {
            if (site.usedMilli(node, d) == 0) {
                out.add(d);
            }
        }
        if (out.size() < count) {
            throw new IllegalStateException("node " + node + " reported " + site.freeDevices(node)
                    + " free devices but only " + out.size() + " have no usage");
        }
        return out;
    }
}
