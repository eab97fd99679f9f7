package dev.atoll.federationnode.site;

import dev.atoll.placement.PackingPolicy;
import dev.atoll.placement.PlacementResult;
import dev.atoll.placement.Offer;
import dev.atoll.placement.Offers;
import dev.atoll.placement.SiteAdmission;
import dev.atoll.placement.SiteLedger;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.HoldCreated;
import dev.atoll.protocol.event.HoldReleased;
import dev.atoll.protocol.event.SiteDrainChanged;
import dev.atoll.protocol.event.SiteEvent;
import dev.atoll.protocol.negotiation.Award;
import dev.atoll.protocol.negotiation.AwardRefused;
import dev.atoll.protocol.negotiation.Bid;
import dev.atoll.protocol.negotiation.CallForProposals;
import dev.atoll.protocol.negotiation.CancelWorkload;
import dev.atoll.protocol.negotiation.Committed;
import dev.atoll.protocol.negotiation.Decline;
import dev.atoll.protocol.negotiation.JobNotification;
import dev.atoll.protocol.negotiation.ReleaseHold;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import dev.atoll.siteregistry.SiteRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.BehaviorInterceptor;
import org.apache.pekko.actor.typed.TypedActorContext;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One site's agent: owns the site's allocation ledger ({@link SiteLedger}), event-sourced under persistence
 * id {@code SiteAgent|<site>}, and answers the placement negotiation (DESIGN.md, contract net with holds).
 *
 * <ul>
 *   <li>{@link CallForProposals}: idempotent on (job, epoch): an existing hold gives the same {@link Bid};
 *       otherwise the packing policy decides: a fit persists {@link HoldCreated} (expiring after the hold
 *       timeout) and bids; no fit now declines with the reason; never fits declines with a reason starting
 *       {@value #NEVER_PREFIX}. A request that does not fit now may preempt: running preemptible gangs of a
 *       strictly lower priority class, chosen by {@link dev.atoll.placement.PreemptionPlanner} (least work lost
 *       since the last checkpoint, then fewest surplus devices; a job is preempted at most
 *       {@code atoll.preemption.max-per-job} times, default 3, 0 = never), are released (PREEMPTED) and the
 *       preemptor's hold is created on the freed devices in the same atomic write; the victims' Jobs are told
 *       {@link WorkloadEnded} (PREEMPTED) and requeue with their history. The planner knows an allocation's
 *       priority, checkpoint interval and preemption count from its {@link AllocationCommitted} (carried by the
 *       {@link Award}); allocations of older event shapes are never preempted.
 *       Whether a request bids, waits or never fits is decided by placement's {@link SiteAdmission} (the class the
 *       simulator's site model can share): the requests that got "wait" form the site's queue, published as the
 *       advert's pending mix (its fragmentation); with {@code atoll.site-agent.admission = easy} a request that fits
 *       now still waits when a request ahead of it (priority class, DRF share at this site, arrival) holds a
 *       reservation it would delay (EASY backfill); {@code greedy}, the default and the simulator's discipline,
 *       bids whatever fits.
 *   <li>{@link Award}: commits the hold ({@link AllocationCommitted}) and starts the simulated executor
 *       (duration / speedup); a repeat answers {@link Committed} again; an expired or unknown hold answers
 *       {@link AwardRefused}.
 *   <li>{@link ReleaseHold}, {@link CancelWorkload}: idempotent releases.
 *   <li>{@link SetDraining}: an operator drains (cordons) or resumes the site; a change persists
 *       {@link SiteDrainChanged} and republishes the advert (with {@code draining}). While draining, calls for
 *       proposals are declined with a reason starting {@value #DRAINING_PREFIX} (the Job keeps looking
 *       elsewhere); running allocations and holds bid before the drain are untouched.
 *   <li>Timers: a hold's expiry persists {@link HoldReleased}; the executor's end persists
 *       {@link AllocationReleased} (COMPLETED) and tells the Job {@link WorkloadEnded}.
 * </ul>
 * After recovery the timers of live holds and allocations are re-armed from their wall-clock times. The
 * advert is published to the local {@link SiteRegistry} after every change, at most once per advert
 * interval, with version = events applied. With {@code atoll.check-invariants = on} every event is followed
 * by {@link SiteLedger#checkInvariants()}, whose {@code LedgerViolation} fails the actor loudly.
 *
 * <p>Reconciliation: every {@code atoll.site-agent.reconcile-interval} (default 30 s; 0 or absent = off) the agent
 * asks the Job of each running allocation whether the allocation's epoch is still current
 * ({@link dev.atoll.federationnode.job.EpochCheck}); a Job that has moved on (requeued while this site was lost,
 * or handed over to an adopting site) answers with {@link CancelWorkload}, which releases the stale allocation
 * (CANCELLED) and frees its devices, so exactly one copy of each job runs after a partition heals. The Job is
 * reached through its owner's sharding ({@link dev.atoll.federationnode.job.JobRouter}): the owner site and entity
 * id come with the {@link Award} and are persisted in {@link AllocationCommitted} (and in snapshots), so a
 * restarted agent still reaches it; allocations of the earlier event shape (owner unknown) fall back to the
 * award's in-memory {@code notifyTo}. Workload ends ({@link WorkloadEnded}) go the same way.
 *
 * <p>Group commit: the commands that may change the ledger ({@link CallForProposals}, {@link Award},
 * {@link ReleaseHold}, {@link CancelWorkload} and the hold / executor timers) never wait in the event-sourced
 * stash. An interceptor in front of the behaviour ({@link GroupCommit}) buffers them while a journal write (or
 * recovery) is in flight; when the write is confirmed one {@code Flush} hands the whole buffer to the agent,
 * which decides the commands in arrival order against a scratch copy of the ledger (every generated event is
 * applied to the copy, so each decision sees the ones before it), persists all resulting events in ONE atomic
 * write, and sends every reply and arms every timer after that write. A batch holds at most
 * {@code atoll.site-agent.max-batch-events} events (default 500); the rest waits for the next write. A site's
 * throughput is thus about max-batch-events per journal write instead of one event per write. The idempotency
 * rules are the ones above, applied command by command within the batch. The buffer is bounded by
 * {@code atoll.site-agent.max-buffered} commands (default 1,000,000): beyond it the agent fails loudly
 * (and restarts) instead of dropping anything silently.
 *
 * <p>The hold id carries the workload's run time ({@code <job>:e<epoch>:d<seconds>}) so that an award that
 * arrives after a restart still knows how long the workload runs.
 */
public final class SiteAgent extends EventSourcedBehavior<SiteAgentCommand, SiteEvent, SiteAgent.State> {
    /** Prefix of a {@link Decline} reason meaning the job can never fit at this site. */
    public static final String NEVER_PREFIX = "never: ";

    /** Prefix of a {@link Decline} reason when the site is drained by its operator ({@link SetDraining}). */
    public static final String DRAINING_PREFIX = "draining: ";

    /**
     * Settings of one agent.
     *
     * @param holdTimeout how long a bid's hold lives without an award
     * @param speedup trace seconds per wall second of the simulated executor
     * @param advertInterval adverts are published at most this often
     * @param checkInvariants check the ledger's invariants after every event (fail loudly)
     * @param endedMemory how many ended allocations are remembered for Jobs that ask later
     * @param launchFailureRate probability in [0, 1] that the simulated executor fails to launch an awarded
     *     workload ({@code atoll.executor.launch-failure-rate}, default 0): the hold is released and the award
     *     refused with a reason starting {@value #LAUNCH_FAILED_PREFIX}
     * @param launchFailureSeed seed of the launch-failure draws ({@code atoll.executor.seed}); the site id is
     *     mixed in so that sites draw differently
     * @param snapshotEvery a snapshot of the ledger every this many events ({@code atoll.site-agent.snapshot-every},
     *     0 = never), the two newest kept
     */
    public record Settings(SiteSpec spec, PackingPolicy policy, Duration holdTimeout, double speedup,
                           Duration advertInterval, boolean checkInvariants, int endedMemory,
                           double launchFailureRate, long launchFailureSeed, int snapshotEvery) {
        public Settings {
            if (!(launchFailureRate >= 0 && launchFailureRate <= 1)) {
                throw new IllegalArgumentException("atoll.executor.launch-failure-rate must be in [0, 1], got "
                        + launchFailureRate);
            }
            if (snapshotEvery < 0) {
                throw new IllegalArgumentException("atoll.site-agent.snapshot-every must be >= 0, got "
                        + snapshotEvery);
            }
        }

        /** Settings with no injected launch failures and no snapshots. */
        public Settings(SiteSpec spec, PackingPolicy policy, Duration holdTimeout, double speedup,
                        Duration advertInterval, boolean checkInvariants, int endedMemory) {
            this(spec, policy, holdTimeout, speedup, advertInterval, checkInvariants, endedMemory, 0.0, 0L, 0);
        }
    }

    /** Prefix of an {@link AwardRefused} reason when the executor could not launch the workload. */
    public static final String LAUNCH_FAILED_PREFIX = "launch failed: ";

    /** The agent's state: the ledger plus recently ended allocations (for Jobs that ask after a restart). */
    public static final class State {
        private final SiteLedger ledger;
        private final LinkedHashMap<JobId, AllocationStatus> ended;
        /** The owner (site and Job entity id) of each live allocation whose award named one. */
        private final Map<JobId, SiteLedgerSnapshot.Owner> owners = new HashMap<>();
        /** The terms (spec, preemption count) of each live allocation whose award carried them. */
        private final Map<JobId, SiteLedgerSnapshot.Terms> terms = new HashMap<>();
        /** Events applied before the snapshot this state was restored from, minus those replayed into it. */
        private final long versionOffset;

        State(SiteSpec spec, int endedMemory) {
            this(new SiteLedger(spec), endedMemory, 0);
        }

        private State(SiteLedger ledger, int endedMemory, long versionOffset) {
            this.ledger = ledger;
            this.versionOffset = versionOffset;
            this.ended = new LinkedHashMap<>(16, 0.75f, false) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<JobId, AllocationStatus> eldest) {
                    return size() > endedMemory;
                }
            };
        }

        /** @return the snapshot of this state (what the snapshot store keeps) */
        public SiteLedgerSnapshot snapshot() {
            List<SiteLedgerSnapshot.Terms> t = new ArrayList<>(terms.values());
            t.sort(java.util.Comparator.comparing(x -> x.job().value()));
            return SiteLedgerSnapshot.of(ledger, version(), new ArrayList<>(ended.values()),
                    new ArrayList<>(owners.values()), t);
        }

        /**
         * Restores a state from a snapshot by replaying it into a fresh ledger.
         *
         * @throws dev.atoll.placement.LedgerViolation if the snapshot does not fit {@code spec}
         */
        public static State restore(SiteLedgerSnapshot snapshot, SiteSpec spec, int endedMemory) {
            SiteLedger ledger = snapshot.toLedger(spec);
            State s = new State(ledger, endedMemory, snapshot.version() - ledger.appliedEvents());
            for (AllocationStatus e : snapshot.ended()) {
                s.ended.put(e.job(), e);
            }
            for (SiteLedgerSnapshot.Owner o : snapshot.owners()) {
                s.owners.put(o.job(), o);
            }
            for (SiteLedgerSnapshot.Terms t : snapshot.terms()) {
                s.terms.put(t.job(), t);
            }
            return s;
        }

        /** @return events applied to this site's ledger since the journal began (the advert version) */
        public long version() {
            return ledger.appliedEvents() + versionOffset;
        }

        /** @return the ledger (mutated only by the event handler) */
        public SiteLedger ledger() {
            return ledger;
        }

        /** @return the owner of {@code job}'s live allocation, or null if unknown */
        public SiteLedgerSnapshot.Owner owner(JobId job) {
            return owners.get(job);
        }

        /** @return the terms (spec, preemption count) of {@code job}'s live allocation, or null if unknown */
        public SiteLedgerSnapshot.Terms terms(JobId job) {
            return terms.get(job);
        }

        /** @return how the job's last allocation here ended, or null */
        public AllocationStatus ended(JobId job) {
            return ended.get(job);
        }
    }

    private record HoldExpired(HoldId hold) implements SiteAgentCommand, NoSerializationVerificationNeeded {
    }

    private record RunFinished(JobId job, long epoch) implements SiteAgentCommand, NoSerializationVerificationNeeded {
    }

    private enum PublishAdvert implements SiteAgentCommand, NoSerializationVerificationNeeded { INSTANCE }

    private enum Reconcile implements SiteAgentCommand, NoSerializationVerificationNeeded { INSTANCE }

    /** Sent to self when a write completed and commands are buffered: the interceptor hands them over. */
    private enum Flush implements SiteAgentCommand, NoSerializationVerificationNeeded { INSTANCE }

    /**
     * Commands decided together and persisted in one write (made by {@link GroupCommit}; package-private for
     * tests that want a batch of a known composition).
     */
    record Batch(List<SiteAgentCommand> commands) implements SiteAgentCommand, NoSerializationVerificationNeeded {
    }

    /** @return a batch of {@code commands}, decided in order and persisted in one write (for tests) */
    static SiteAgentCommand batchOf(List<SiteAgentCommand> commands) {
        return new Batch(List.copyOf(commands));
    }

    /** @return true for the commands that may persist events (they are buffered and batched) */
    private static boolean mutating(SiteAgentCommand c) {
        return c instanceof CallForProposals || c instanceof Award || c instanceof ReleaseHold
                || c instanceof CancelWorkload || c instanceof HoldExpired || c instanceof RunFinished
                || c instanceof SetDraining;
    }

    /**
     * The group-commit front of one agent incarnation. During recovery everything passes through (the
     * event-sourced stash keeps it in order). Afterwards, while a write is in flight, every command is buffered
     * in arrival order and handed to the agent as one {@link Batch} once the write is confirmed; when idle, a
     * mutating command goes in as a batch of one and any other command passes straight through.
     */
    static final class GroupCommit extends BehaviorInterceptor<SiteAgentCommand, SiteAgentCommand> {
        private final java.util.ArrayDeque<SiteAgentCommand> buffer = new java.util.ArrayDeque<>();
        private final int maxBuffered;
        private final String site;
        /** A write is in flight: the agent must not see commands now. */
        private boolean busy;
        private boolean recovered;

        GroupCommit(int maxBuffered, String site) {
            super(SiteAgentCommand.class);
            this.maxBuffered = maxBuffered;
            this.site = site;
        }

        @Override
        public Behavior<SiteAgentCommand> aroundReceive(TypedActorContext<SiteAgentCommand> ctx, SiteAgentCommand msg,
                                                        ReceiveTarget<SiteAgentCommand> target) {
            if (msg == Flush.INSTANCE) {
                return busy || buffer.isEmpty() ? Behaviors.same() : drain(ctx, target);
            }
            if (!recovered) {
                return target.apply(ctx, msg);
            }
            if (!busy && buffer.isEmpty()) {
                return target.apply(ctx, mutating(msg) ? new Batch(List.of(msg)) : msg);
            }
            if (buffer.size() >= maxBuffered) {
                throw new IllegalStateException("site agent " + site + ": " + buffer.size()
                        + " commands wait for the journal (atoll.site-agent.max-buffered); failing rather than "
                        + "dropping " + msg.getClass().getSimpleName());
            }
            buffer.addLast(msg);
            return busy ? Behaviors.same() : drain(ctx, target);
        }

        private Behavior<SiteAgentCommand> drain(TypedActorContext<SiteAgentCommand> ctx,
                                                 ReceiveTarget<SiteAgentCommand> target) {
            List<SiteAgentCommand> all = new ArrayList<>(buffer);
            buffer.clear();
            return target.apply(ctx, new Batch(all));
        }

        /** The agent starts a write: buffer mutating commands until {@link #idle}. */
        void busy() {
            busy = true;
        }

        /** The agent is idle again (write confirmed or recovery done): flush what was buffered meanwhile. */
        void idle(ActorRef<SiteAgentCommand> self) {
            busy = false;
            recovered = true;
            if (!buffer.isEmpty()) {
                self.tell(Flush.INSTANCE);
            }
        }

        /** Puts commands a batch could not take back at the head of the buffer, in order. */
        void putBack(List<SiteAgentCommand> rest) {
            for (int i = rest.size() - 1; i >= 0; i--) {
                buffer.addFirst(rest.get(i));
            }
        }
    }

    /** One batch's decisions: a scratch ledger, the events so far, and what to do once they are written. */
    private static final class BatchWork {
        final SiteLedger scratch;
        /** The owners of the allocations live when the batch started, plus those committed in it. */
        final Map<JobId, SiteLedgerSnapshot.Owner> owners;
        /** The terms of the allocations live when the batch started, plus those committed in it. */
        final Map<JobId, SiteLedgerSnapshot.Terms> terms;
        final List<SiteEvent> events = new ArrayList<>();
        final List<java.util.function.Consumer<State>> after = new ArrayList<>();

        BatchWork(SiteLedger scratch, Map<JobId, SiteLedgerSnapshot.Owner> owners,
                  Map<JobId, SiteLedgerSnapshot.Terms> terms) {
            this.scratch = scratch;
            this.owners = new HashMap<>(owners);
            this.terms = new HashMap<>(terms);
        }

        SiteLedgerSnapshot.Owner owner(JobId job) {
            return owners.get(job);
        }

        /** Applies {@code e} to the scratch ledger (failing loudly if it breaks the ledger) and keeps it. */
        void emit(SiteEvent e) {
            scratch.apply(e);
            events.add(e);
            if (e instanceof AllocationCommitted c && c.owner() != null) {
                owners.put(c.job(), new SiteLedgerSnapshot.Owner(c.job(), c.owner(), c.ownerEntity()));
            }
            if (e instanceof AllocationCommitted c && c.spec() != null) {
                terms.put(c.job(), new SiteLedgerSnapshot.Terms(c.job(), c.spec(), c.preemptions()));
            }
            if (e instanceof AllocationReleased r && scratch.allocation(r.job()) == null) {
                terms.remove(r.job());
            }
        }

        void then(java.util.function.Consumer<State> action) {
            after.add(action);
        }

        void runAfter(State s) {
            for (java.util.function.Consumer<State> a : after) {
                a.accept(s);
            }
        }
    }

    /**
     * @param settings the site and its knobs
     * @param registry where adverts go (may be null in unit tests)
     * @return the agent, restarted with backoff if it fails
     */
    public static Behavior<SiteAgentCommand> create(Settings settings, ActorRef<SiteRegistry.Command> registry) {
        return Behaviors.<SiteAgentCommand>supervise(Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
                    com.typesafe.config.Config config = ctx.getSystem().settings().config();
                    int maxBuffered = intSetting(config, "atoll.site-agent.max-buffered", 1_000_000);
                    int maxBatch = intSetting(config, "atoll.site-agent.max-batch-events", 500);
                    GroupCommit group = new GroupCommit(maxBuffered, settings.spec().id().value());
                    int maxPreemptions = config.hasPath("atoll.preemption.max-per-job")
                            ? nonNegative(config, "atoll.preemption.max-per-job") : 3;
                    SiteAgent agent = new SiteAgent(ctx, timers, settings, registry, Clock.systemUTC(), group,
                            maxBatch, maxPreemptions);
                    return Behaviors.intercept(() -> group, agent);
                })))
                .onFailure(SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
    }

    /**
     * @return the positive int at {@code path}, or {@code dflt} when absent
     * @throws IllegalArgumentException naming the key if it is not a positive integer
     */
    private static int intSetting(com.typesafe.config.Config config, String path, int dflt) {
        if (!config.hasPath(path)) {
            return dflt;
        }
        int v;
        try {
            v = config.getInt(path);
        } catch (com.typesafe.config.ConfigException e) {
            throw new IllegalArgumentException(path + " must be a positive integer, got "
                    + config.getValue(path).render(), e);
        }
        if (v <= 0) {
            throw new IllegalArgumentException(path + " must be a positive integer, got " + v);
        }
        return v;
    }

    /**
     * @return the int at {@code path} (present)
     * @throws IllegalArgumentException naming the key if it is not an integer &gt;= 0
     */
    private static int nonNegative(com.typesafe.config.Config config, String path) {
        int v;
        try {
            v = config.getInt(path);
        } catch (com.typesafe.config.ConfigException e) {
            throw new IllegalArgumentException(path + " must be an integer >= 0, got "
                    + config.getValue(path).render(), e);
        }
        if (v < 0) {
            throw new IllegalArgumentException(path + " must be an integer >= 0, got " + v);
        }
        return v;
    }

    /** @return the persistence id of a site's agent, {@code SiteAgent|<site>} */
    public static PersistenceId persistenceId(SiteId site) {
        return PersistenceId.ofUniqueId("SiteAgent|" + site.value());
    }

    private final ActorContext<SiteAgentCommand> ctx;
    private final TimerScheduler<SiteAgentCommand> timers;
    private final Settings settings;
    private final ActorRef<SiteRegistry.Command> registry;
    private final Clock clock;
    private final Map<JobId, ActorRef<JobNotification>> notifyTo = new HashMap<>();
    private final java.util.SplittableRandom launchDraws;
    private final GroupCommit group;
    private final int maxBatchEvents;
    /** {@code atoll.preemption.max-per-job}: how often one job may be preempted; 0 = this site never preempts. */
    private final int maxPreemptions;
    /**
     * The site's waiting requests and the admission decision (placement's {@link SiteAdmission}, shared with the
     * simulator). Soft state: rebuilt from the Jobs' retries after a restart.
     */
    private final SiteAdmission admission;
    /** {@code atoll.site-agent.admission = easy}: a fitting request waits if it would delay the head's reservation. */
    private final boolean easyBackfill;

    private SiteAgent(ActorContext<SiteAgentCommand> ctx, TimerScheduler<SiteAgentCommand> timers, Settings settings,
                      ActorRef<SiteRegistry.Command> registry, Clock clock, GroupCommit group, int maxBatchEvents,
                      int maxPreemptions) {
        // Journal failures (a recovery read or a write timing out on a loaded machine) restart the agent with
        // backoff inside the event-sourced behavior: without it Pekko stops it, and the outer supervisor never
        // sees the failure, so the site would take no placements until its node restarts.
        super(persistenceId(settings.spec().id()),
                SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(5), 0.2));
        this.maxPreemptions = maxPreemptions;
        com.typesafe.config.Config config = ctx.getSystem().settings().config();
        String mode = config.hasPath("atoll.site-agent.admission") ? config.getString("atoll.site-agent.admission")
                : "greedy";
        if (!mode.equals("easy") && !mode.equals("greedy")) {
            throw new IllegalArgumentException("atoll.site-agent.admission must be easy or greedy, got '" + mode + "'");
        }
        this.easyBackfill = mode.equals("easy");
        Duration forget = config.hasPath("atoll.site-agent.admission-forget-after")
                ? config.getDuration("atoll.site-agent.admission-forget-after") : Duration.ofSeconds(15);
        if (forget.isNegative() || forget.isZero()) {
            throw new IllegalArgumentException("atoll.site-agent.admission-forget-after must be positive, got "
                    + forget);
        }
        this.admission = new SiteAdmission(settings.policy(), dev.atoll.placement.QueueOrder.FIFO, List.of(),
                forget.toMillis());
        this.group = group;
        this.maxBatchEvents = maxBatchEvents;
        this.ctx = ctx;
        this.timers = timers;
        this.settings = settings;
        this.registry = registry;
        this.clock = clock;
        this.launchDraws = new java.util.SplittableRandom(settings.launchFailureSeed() * 31 + site().value().hashCode());
    }

    private SiteId site() {
        return settings.spec().id();
    }

    @Override
    public State emptyState() {
        return new State(settings.spec(), settings.endedMemory());
    }

    @Override
    public org.apache.pekko.persistence.typed.javadsl.RetentionCriteria retentionCriteria() {
        return settings.snapshotEvery() > 0
                ? org.apache.pekko.persistence.typed.javadsl.RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2)
                : org.apache.pekko.persistence.typed.javadsl.RetentionCriteria.disabled();
    }

    /**
     * Reads older event shapes as current ones ({@link HoldCreatedV0} -&gt; {@link HoldCreated},
     * {@link dev.atoll.protocol.event.AllocationCommittedV1} -&gt; {@link AllocationCommitted} with no owner,
     * {@link dev.atoll.protocol.event.AllocationCommittedV2} -&gt; {@link AllocationCommitted} with no terms) and fails
     * recovery with an {@link IllegalStateException} naming the site and the type for anything that is not a
     * site event: an event is never skipped.
     */
    @Override
    public org.apache.pekko.persistence.typed.EventAdapter<SiteEvent, Object> eventAdapter() {
        return new org.apache.pekko.persistence.typed.EventAdapter<>() {
            @Override
            public Object toJournal(SiteEvent e) {
                return e;
            }

            @Override
            public String manifest(SiteEvent event) {
                return "";
            }

            @Override
            public org.apache.pekko.persistence.typed.EventSeq<SiteEvent> fromJournal(Object p, String manifest) {
                if (p instanceof SiteEvent e) {
                    return org.apache.pekko.persistence.typed.EventSeq.single(e);
                }
                if (p instanceof HoldCreatedV0 old) {
                    return org.apache.pekko.persistence.typed.EventSeq.single(old.upcast());
                }
                if (p instanceof dev.atoll.protocol.event.AllocationCommittedV1 old) {
                    return org.apache.pekko.persistence.typed.EventSeq.single(old.upcast());
                }
                if (p instanceof dev.atoll.protocol.event.AllocationCommittedV2 old) {
                    return org.apache.pekko.persistence.typed.EventSeq.single(old.upcast());
                }
                throw new IllegalStateException("site agent " + site() + ": journal holds an event of type "
                        + (p == null ? "null" : p.getClass().getName()) + ", which is not a site event");
            }
        };
    }

    @Override
    public org.apache.pekko.persistence.typed.SnapshotAdapter<State> snapshotAdapter() {
        return new org.apache.pekko.persistence.typed.SnapshotAdapter<>() {
            @Override
            public Object toJournal(State state) {
                return state.snapshot();
            }

            @Override
            public State fromJournal(Object from) {
                if (from instanceof SiteLedgerSnapshot snap) {
                    return State.restore(snap, settings.spec(), settings.endedMemory());
                }
                if (from instanceof SiteLedgerSnapshotV1 old) {
                    return State.restore(old.upcast(), settings.spec(), settings.endedMemory());
                }
                if (from instanceof SiteLedgerSnapshotV2 old) {
                    return State.restore(old.upcast(), settings.spec(), settings.endedMemory());
                }
                if (from instanceof SiteLedgerSnapshotV3 old) {
                    return State.restore(old.upcast(), settings.spec(), settings.endedMemory());
                }
                throw new IllegalStateException("site agent " + site() + ": snapshot of unknown type "
                        + (from == null ? "null" : from.getClass().getName()) + ", expected SiteLedgerSnapshot");
            }
        };
    }

    @Override
    public EventHandler<State, SiteEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent((state, event) -> {
            state.ledger.apply(event);
            if (event instanceof AllocationCommitted c && c.owner() != null) {
                state.owners.put(c.job(), new SiteLedgerSnapshot.Owner(c.job(), c.owner(), c.ownerEntity()));
            }
            if (event instanceof AllocationCommitted c && c.spec() != null) {
                state.terms.put(c.job(), new SiteLedgerSnapshot.Terms(c.job(), c.spec(), c.preemptions()));
            }
            if (event instanceof AllocationReleased r && state.ledger.allocation(r.job()) == null) {
                state.owners.remove(r.job());
                state.terms.remove(r.job());
            }
            if (event instanceof AllocationReleased r) {
                state.ended.remove(r.job());
                state.ended.put(r.job(), new AllocationStatus(r.job(), r.epoch(), site(),
                        AllocationStatus.State.ENDED, r.outcome(), r.atMillis()));
            }
            if (settings.checkInvariants()) {
                state.ledger.checkInvariants();
            }
            return state;
        });
    }

    @Override
    public SignalHandler<State> signalHandler() {
        return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), state -> {
            long now = clock.millis();
            for (SiteLedger.Hold h : state.ledger.holds()) {
                armHold(h.id(), h.expiresAtMillis(), now);
            }
            for (SiteLedger.Allocation a : state.ledger.allocations()) {
                armRun(a.job(), a.epoch(), a.endsAtMillis(), now);
            }
            ctx.getLog().info("site agent {} recovered: {} holds, {} allocations, {} events", site(),
                    state.ledger.holds().size(), state.ledger.allocations().size(), state.version());
            publish(state);
            group.idle(ctx.getSelf());
            Duration reconcile = reconcileInterval();
            if (!reconcile.isZero()) {
                timers.startTimerWithFixedDelay(Reconcile.INSTANCE, Reconcile.INSTANCE, reconcile);
            }
        }).build();
    }

    @Override
    public CommandHandler<SiteAgentCommand, SiteEvent, State> commandHandler() {
        return newCommandHandlerBuilder().forAnyState()
                .onCommand(Batch.class, (state, m) -> onBatch(state, m.commands()))
                .onCommand(CallForProposals.class, (state, m) -> onBatch(state, List.of(m)))
                .onCommand(Award.class, (state, m) -> onBatch(state, List.of(m)))
                .onCommand(ReleaseHold.class, (state, m) -> onBatch(state, List.of(m)))
                .onCommand(CancelWorkload.class, (state, m) -> onBatch(state, List.of(m)))
                .onCommand(SetDraining.class, (state, m) -> onBatch(state, List.of(m)))
                .onCommand(QueryAllocation.class, this::onQuery)
                .onCommand(CanPreempt.class, this::onCanPreempt)
                .onCommand(GetLedger.class, (state, m) -> {
                    m.replyTo().tell(view(state));
                    return Effect().none();
                })
                .onCommand(HoldExpired.class, (state, m) -> onBatch(state, List.of(m)))
                .onCommand(RunFinished.class, (state, m) -> onBatch(state, List.of(m)))
                .onCommand(Reconcile.class, (state, m) -> {
                    for (SiteLedger.Allocation a : state.ledger.allocations()) {
                        notifyJob(state, a.job(), new dev.atoll.federationnode.job.EpochCheck(a.job(), a.epoch(),
                                site(), ctx.getSelf()));
                    }
                    return Effect().none();
                })
                .onCommand(PublishAdvert.class, (state, m) -> {
                    publish(state);
                    return Effect().none();
                })
                .build();
    }

    // --- group commit ---

    /**
     * Decides {@code commands} in order against a scratch copy of the ledger, persists every resulting event in
     * one atomic write, then replies and arms timers. Commands beyond {@code maxBatchEvents} events go back to
     * the head of the buffer for the next write.
     */
    private Effect<SiteEvent, State> onBatch(State state, List<SiteAgentCommand> commands) {
        BatchWork w = new BatchWork(state.ledger.copy(), state.owners, state.terms);
        int i = 0;
        while (i < commands.size() && w.events.size() < maxBatchEvents) {
            decide(w, commands.get(i++));
        }
        if (i < commands.size()) {
            group.putBack(commands.subList(i, commands.size()));
        }
        if (w.events.isEmpty()) {
            w.runAfter(state);
            group.idle(ctx.getSelf());
            return Effect().none();
        }
        group.busy();
        return Effect().persist(w.events).thenRun(s -> {
            w.runAfter(s);
            schedulePublish();
            group.idle(ctx.getSelf());
        });
    }

    private void decide(BatchWork w, SiteAgentCommand c) {
        if (c instanceof CallForProposals cfp) {
            onCallForProposals(w, cfp);
        } else if (c instanceof Award award) {
            onAward(w, award);
        } else if (c instanceof ReleaseHold m) {
            onReleaseHold(w, m);
        } else if (c instanceof CancelWorkload m) {
            onCancel(w, m);
        } else if (c instanceof HoldExpired m) {
            onHoldExpired(w, m);
        } else if (c instanceof RunFinished m) {
            onRunFinished(w, m);
        } else if (c instanceof SetDraining m) {
            onSetDraining(w, m);
        } else {
            // A read-only command that arrived during a write: answered in order, from the state after it.
            w.then(s -> readOnly(s, c));
        }
    }

    private CommandHandler<SiteAgentCommand, SiteEvent, State> handlers;

    /** Runs the handler of a command that never persists (queries, adverts, reconciliation). */
    private void readOnly(State s, SiteAgentCommand c) {
        if (handlers == null) {
            handlers = commandHandler();
        }
        handlers.apply(s, c);
    }

    // --- negotiation ---

    private void onCallForProposals(BatchWork w, CallForProposals cfp) {
        SiteLedger ledger = w.scratch;
        SiteLedger.Hold existing = ledger.holdFor(cfp.job(), cfp.epoch());
        if (existing != null) {
            Bid again = bid(ledger, existing.id(), cfp.job(), cfp.epoch(), existing.placement(),
                    existing.expiresAtMillis());
            w.then(s -> cfp.replyTo().tell(again));
            return;
        }
        SiteLedger.Allocation running = ledger.allocation(cfp.job());
        if (running != null) {
            Decline d = new Decline(cfp.job(), cfp.epoch(), site(), "job " + cfp.job()
                    + " already runs at site " + site() + " (epoch " + running.epoch() + ")");
            w.then(s -> cfp.replyTo().tell(d));
            return;
        }
        if (ledger.draining()) {
            Decline d = new Decline(cfp.job(), cfp.epoch(), site(), DRAINING_PREFIX + "site " + site()
                    + " takes no new jobs" + (ledger.drainReason().isEmpty() ? "" : " (" + ledger.drainReason() + ")"));
            w.then(s -> cfp.replyTo().tell(d));
            return;
        }
        // Holds of the job's earlier rounds are superseded: give them back before looking for room.
        List<HoldId> superseded = new ArrayList<>();
        for (SiteLedger.Hold h : ledger.holds()) {
            if (h.job().equals(cfp.job()) && h.epoch() < cfp.epoch()) {
                superseded.add(h.id());
            }
        }
        for (HoldId h : superseded) {
            w.emit(new HoldReleased(h, "superseded by round " + cfp.epoch()));
            w.then(s -> timers.cancel(holdKey(h)));
        }
        long now = clock.millis();
        long runMillis = Math.max(1, (long) Math.ceil(cfp.spec().durationSeconds() * 1000.0 / settings.speedup()));
        Map<JobId, dev.atoll.protocol.TenantId> tenants = new HashMap<>();
        for (Map.Entry<JobId, SiteLedgerSnapshot.Terms> e : w.terms.entrySet()) {
            tenants.put(e.getKey(), e.getValue().spec().tenant());
        }
        SiteAdmission.Answer answer = admission.decide(ledger, cfp.spec(), runMillis, now, tenants);
        if (answer instanceof SiteAdmission.Answer.Wait wait && wait.behind() != null && !easyBackfill) {
            // greedy admission: the EASY gate only orders the pending mix, it does not hold a fitting request back
            admission.remove(cfp.job());
            answer = new SiteAdmission.Answer.Bid(ledger.find(cfp.spec(), settings.policy()).placement());
        }
        if (answer instanceof SiteAdmission.Answer.Bid fit) {
            long expires = now + settings.holdTimeout().toMillis();
            HoldId id = holdId(cfp.job(), cfp.epoch(), cfp.spec().durationSeconds());
            w.emit(new HoldCreated(id, cfp.job(), cfp.epoch(), fit.placement(), expires));
            Bid b = bid(ledger, id, cfp.job(), cfp.epoch(), fit.placement(), expires);
            w.then(s -> {
                armHold(id, expires, clock.millis());
                cfp.replyTo().tell(b);
            });
            return;
        }
        if (answer instanceof SiteAdmission.Answer.Wait wait && wait.behind() == null && preempt(w, cfp)) {
            admission.remove(cfp.job());
            return;
        }
        String reason = answer instanceof SiteAdmission.Answer.Never never ? NEVER_PREFIX + never.reason()
                : ((SiteAdmission.Answer.Wait) answer).reason();
        Decline decline = new Decline(cfp.job(), cfp.epoch(), site(), reason);
        w.then(s -> {
            cfp.replyTo().tell(decline);
            schedulePublish(); // the waiting list (the advert's pending mix) may have changed
        });
    }

    /**
     * Live preemption (issue 3): asks the {@link PreemptionPlanner} for running gangs of a strictly lower priority
     * class than the request (preemptible, with known terms, preempted fewer than {@code atoll.preemption.max-per-job}
     * times) whose stop makes room for it. If there is a plan, emits each victim's {@link AllocationReleased}
     * (PREEMPTED) and then the preemptor's {@link HoldCreated} on exactly the freed devices: they are persisted in the
     * same atomic write, so nobody else can take what was freed, and bids; after the write each victim's Job is told
     * {@link WorkloadEnded} (PREEMPTED) through its owner's sharding and requeues with its history.
     *
     * @return true if a plan was applied (and the bid is on its way), false if nothing may or need be preempted
     */
    private boolean preempt(BatchWork w, CallForProposals cfp) {
        SiteLedger ledger = w.scratch;
        long now = clock.millis();
        java.util.Optional<dev.atoll.placement.PreemptionPlanner.Plan> plan = planPreemption(ledger, w.terms,
                cfp.spec(), now);
        if (plan.isEmpty()) {
            return false;
        }
        List<WorkloadEnded> told = new ArrayList<>();
        List<SiteLedgerSnapshot.Owner> owners = new ArrayList<>();
        for (dev.atoll.placement.PreemptionPlanner.Candidate v : plan.get().victims()) {
            String why = "preempted by job " + cfp.job() + " (" + cfp.spec().priority().wireName() + " outranks "
                    + v.spec().priority().wireName() + "; preemption " + (v.preemptions() + 1) + " of at most "
                    + maxPreemptions + ")";
            owners.add(w.owner(v.job()));
            w.emit(new AllocationReleased(v.job(), v.epoch(), WorkloadEnded.Outcome.PREEMPTED, now, why));
            told.add(new WorkloadEnded(v.job(), v.epoch(), site(), WorkloadEnded.Outcome.PREEMPTED, now, why));
        }
        long expires = now + settings.holdTimeout().toMillis();
        HoldId id = holdId(cfp.job(), cfp.epoch(), cfp.spec().durationSeconds());
        Placement placement = plan.get().placement();
        w.emit(new HoldCreated(id, cfp.job(), cfp.epoch(), placement, expires));
        Bid b = bid(ledger, id, cfp.job(), cfp.epoch(), placement, expires);
        w.then(s -> {
            for (int i = 0; i < told.size(); i++) {
                WorkloadEnded e = told.get(i);
                timers.cancel(runKey(e.job()));
                ActorRef<JobNotification> to = notifyTo.remove(e.job());
                SiteLedgerSnapshot.Owner owner = owners.get(i);
                if (owner != null && router() != null) {
                    router().tell(owner.site(), owner.entity(), e);
                } else if (to != null) {
                    to.tell(e);
                }
                ctx.getLog().info("site {}: job {} {}", site(), e.job(), e.reason());
            }
            armHold(id, expires, clock.millis());
            cfp.replyTo().tell(b);
        });
        return true;
    }

    /**
     * @return the {@link dev.atoll.placement.PreemptionPlanner}'s plan for {@code spec} on {@code ledger}: victims
     *     among the allocations with known terms of a strictly lower priority class; empty if preemption is off,
     *     nothing is eligible or no set of victims makes room
     */
    private java.util.Optional<dev.atoll.placement.PreemptionPlanner.Plan> planPreemption(SiteLedger ledger,
            Map<JobId, SiteLedgerSnapshot.Terms> terms, dev.atoll.protocol.JobSpec spec, long now) {
        if (maxPreemptions <= 0) {
            return java.util.Optional.empty();
        }
        List<dev.atoll.placement.PreemptionPlanner.Candidate> running = new ArrayList<>();
        for (SiteLedger.Allocation a : ledger.allocations()) {
            SiteLedgerSnapshot.Terms t = terms.get(a.job());
            if (t != null && spec.priority().outranks(t.spec().priority())) {
                running.add(new dev.atoll.placement.PreemptionPlanner.Candidate(a.job(), t.spec(), a.epoch(),
                        a.placement(), traceSeconds(a.startedAtMillis()), t.preemptions()));
            }
        }
        if (running.isEmpty()) {
            return java.util.Optional.empty();
        }
        return new dev.atoll.placement.PreemptionPlanner(settings.policy(), maxPreemptions).plan(ledger, spec, running,
                traceSeconds(now), (victim, chosen) -> true);
    }

    /** Answers a {@link CanPreempt} from the current ledger (read-only: nothing is persisted or held). */
    private Effect<SiteEvent, State> onCanPreempt(State state, CanPreempt m) {
        boolean possible;
        String reason;
        if (state.ledger.draining()) {
            possible = false;
            reason = DRAINING_PREFIX + "site " + site() + " takes no new jobs";
        } else if (state.ledger.find(m.spec(), settings.policy()).fits()) {
            possible = true;
            reason = "fits now without preemption";
        } else {
            java.util.Optional<dev.atoll.placement.PreemptionPlanner.Plan> plan = planPreemption(state.ledger,
                    state.terms, m.spec(), clock.millis());
            possible = plan.isPresent();
            reason = plan.map(p -> "would preempt " + p.victims().stream().map(v -> v.job().value()).toList())
                    .orElse("no lower-priority preemptible work to make room"
                            + (maxPreemptions <= 0 ? " (atoll.preemption.max-per-job = 0)" : ""));
        }
        m.replyTo().tell(new CanPreempt.Answer(site(), possible, reason));
        return Effect().none();
    }

    /** @return {@code millis} (epoch ms, wall clock) in trace seconds of the simulated executor (x speedup) */
    private long traceSeconds(long millis) {
        return (long) (millis / 1000.0 * settings.speedup());
    }

    /** Drain or resume: persists {@link SiteDrainChanged} only when the state changes; always answers. */
    private void onSetDraining(BatchWork w, SetDraining m) {
        SiteLedger ledger = w.scratch;
        boolean changed = ledger.draining() != m.draining()
                || (m.draining() && !ledger.drainReason().equals(m.reason()));
        if (changed) {
            w.emit(new SiteDrainChanged(m.draining(), m.draining() ? m.reason() : "", clock.millis()));
        }
        DrainStatus status = new DrainStatus(site(), ledger.draining(), ledger.drainReason(), changed,
                ledger.allocations().size(), ledger.holds().size());
        w.then(s -> {
            if (changed) {
                ctx.getLog().info("site {} {}{}", site(), m.draining() ? "drained" : "resumed",
                        m.reason().isEmpty() ? "" : ": " + m.reason());
                publish(s);
            }
            m.replyTo().tell(status);
        });
    }

    private void onAward(BatchWork w, Award award) {
        SiteLedger ledger = w.scratch;
        SiteLedger.Allocation running = ledger.allocation(award.job());
        if (running != null && running.hold().equals(award.hold())) {
            Committed again = new Committed(award.job(), award.epoch(), award.hold(), running.placement(),
                    running.startedAtMillis());
            w.then(s -> {
                notifyTo.put(award.job(), award.notifyTo());
                award.replyTo().tell(again);
            });
            return;
        }
        SiteLedger.Hold hold = ledger.hold(award.hold());
        if (hold == null || !hold.job().equals(award.job()) || running != null) {
            String why = hold == null ? "hold " + award.hold() + " at site " + site() + " expired or was released"
                    : running != null ? "job " + award.job() + " already runs at site " + site() + " (epoch "
                    + running.epoch() + ")"
                    : "hold " + award.hold() + " belongs to job " + hold.job();
            AwardRefused refused = new AwardRefused(award.job(), award.epoch(), award.hold(), why);
            w.then(s -> award.replyTo().tell(refused));
            return;
        }
        if (settings.launchFailureRate() > 0 && launchDraws.nextDouble() < settings.launchFailureRate()) {
            // The executor could not start the workload: free the devices at once and tell the Job, which
            // goes back to the queue and negotiates again.
            String why = LAUNCH_FAILED_PREFIX + "executor at site " + site() + " could not start job " + award.job()
                    + " (injected, atoll.executor.launch-failure-rate = " + settings.launchFailureRate() + ")";
            w.emit(new HoldReleased(award.hold(), why));
            w.then(s -> {
                timers.cancel(holdKey(award.hold()));
                award.replyTo().tell(new AwardRefused(award.job(), award.epoch(), award.hold(), why));
            });
            return;
        }
        long now = clock.millis();
        long runMillis = (long) Math.ceil(durationOf(award.hold(), 0) * 1000.0 / settings.speedup());
        long endsAt = now + Math.max(1, runMillis);
        w.emit(new AllocationCommitted(award.hold(), award.job(), hold.epoch(), now, endsAt, award.owner(),
                award.ownerEntity(), award.spec(), Math.max(0, award.preemptions())));
        w.then(s -> {
            timers.cancel(holdKey(award.hold()));
            notifyTo.put(award.job(), award.notifyTo());
            armRun(award.job(), hold.epoch(), endsAt, clock.millis());
            award.replyTo().tell(new Committed(award.job(), award.epoch(), award.hold(), hold.placement(), now));
        });
    }

    private void onReleaseHold(BatchWork w, ReleaseHold m) {
        SiteLedger.Hold hold = w.scratch.hold(m.hold());
        if (hold == null || !hold.job().equals(m.job())) {
            return;
        }
        w.emit(new HoldReleased(m.hold(), "released by job " + m.job()));
        w.then(s -> timers.cancel(holdKey(m.hold())));
    }

    private void onCancel(BatchWork w, CancelWorkload m) {
        List<HoldId> holds = new ArrayList<>();
        for (SiteLedger.Hold h : w.scratch.holds()) {
            if (h.job().equals(m.job()) && h.epoch() <= m.epoch()) {
                holds.add(h.id());
            }
        }
        for (HoldId h : holds) {
            w.emit(new HoldReleased(h, "cancelled: " + m.reason()));
            w.then(s -> timers.cancel(holdKey(h)));
        }
        SiteLedger.Allocation a = w.scratch.allocation(m.job());
        if (a != null && a.epoch() <= m.epoch()) {
            w.emit(new AllocationReleased(m.job(), a.epoch(), WorkloadEnded.Outcome.CANCELLED, clock.millis(),
                    m.reason()));
            w.then(s -> {
                timers.cancel(runKey(m.job()));
                notifyTo.remove(m.job());
            });
        }
    }

    private Effect<SiteEvent, State> onQuery(State state, QueryAllocation q) {
        SiteLedger.Allocation a = state.ledger.allocation(q.job());
        AllocationStatus status;
        if (a != null && a.epoch() == q.epoch()) {
            status = new AllocationStatus(q.job(), q.epoch(), site(), AllocationStatus.State.RUNNING, null,
                    a.endsAtMillis());
        } else {
            AllocationStatus ended = state.ended(q.job());
            status = ended != null && ended.epoch() == q.epoch() ? ended
                    : new AllocationStatus(q.job(), q.epoch(), site(), AllocationStatus.State.UNKNOWN, null, 0);
        }
        q.replyTo().tell(status);
        return Effect().none();
    }

    // --- timers ---

    private void onHoldExpired(BatchWork w, HoldExpired m) {
        SiteLedger.Hold h = w.scratch.hold(m.hold());
        if (h == null) {
            return;
        }
        long now = clock.millis();
        if (h.expiresAtMillis() > now) {
            w.then(s -> armHold(h.id(), h.expiresAtMillis(), clock.millis()));
            return;
        }
        w.emit(new HoldReleased(m.hold(), "expired"));
    }

    private void onRunFinished(BatchWork w, RunFinished m) {
        SiteLedger.Allocation a = w.scratch.allocation(m.job());
        if (a == null || a.epoch() != m.epoch()) {
            return;
        }
        long now = clock.millis();
        if (a.endsAtMillis() > now) {
            w.then(s -> armRun(a.job(), a.epoch(), a.endsAtMillis(), clock.millis()));
            return;
        }
        SiteLedgerSnapshot.Owner owner = w.owner(m.job());
        w.emit(new AllocationReleased(m.job(), m.epoch(), WorkloadEnded.Outcome.COMPLETED, now, ""));
        w.then(s -> {
            ActorRef<JobNotification> to = notifyTo.remove(m.job());
            WorkloadEnded ended = new WorkloadEnded(m.job(), m.epoch(), site(), WorkloadEnded.Outcome.COMPLETED, now,
                    "");
            if (owner != null && router() != null) {
                router().tell(owner.site(), owner.entity(), ended);
            } else if (to != null) {
                to.tell(ended);
            }
        });
    }

    /**
     * @return {@code atoll.site-agent.reconcile-interval}, or zero (off) when absent
     * @throws IllegalArgumentException naming the key if it is negative or not a duration
     */
    private Duration reconcileInterval() {
        com.typesafe.config.Config config = ctx.getSystem().settings().config();
        String path = "atoll.site-agent.reconcile-interval";
        if (!config.hasPath(path)) {
            return Duration.ZERO;
        }
        Duration d;
        try {
            d = config.getDuration(path);
        } catch (com.typesafe.config.ConfigException e) {
            throw new IllegalArgumentException(path + " must be a duration such as 30s, got "
                    + config.getValue(path).render(), e);
        }
        if (d.isNegative()) {
            throw new IllegalArgumentException(path + " must not be negative, got " + d);
        }
        return d;
    }

    private void armHold(HoldId id, long expiresAt, long now) {
        timers.startSingleTimer(holdKey(id), new HoldExpired(id), Duration.ofMillis(Math.max(0, expiresAt - now)));
    }

    private void armRun(JobId job, long epoch, long endsAt, long now) {
        timers.startSingleTimer(runKey(job), new RunFinished(job, epoch), Duration.ofMillis(Math.max(0, endsAt - now)));
    }

    private static String holdKey(HoldId id) {
        return "hold:" + id.value();
    }

    private static String runKey(JobId job) {
        return "run:" + job.value();
    }

    /**
     * Tells {@code n} to the Job of {@code job}'s live allocation: through its owner's sharding when the
     * allocation's award named the owner (persisted, so this works after a restart), else to the award's
     * remembered {@code notifyTo} (lost on a restart); silently nothing if neither is known.
     */
    private void notifyJob(State state, JobId job, JobNotification n) {
        SiteLedgerSnapshot.Owner owner = state.owner(job);
        if (owner != null && router() != null) {
            router().tell(owner.site(), owner.entity(), n);
            return;
        }
        ActorRef<JobNotification> to = notifyTo.get(job);
        if (to != null) {
            to.tell(n);
        }
    }

    private dev.atoll.federationnode.job.JobRouter router;

    /** @return the sharding router, or null when this actor system is not a cluster member (unit tests) */
    private dev.atoll.federationnode.job.JobRouter router() {
        if (router == null && ((org.apache.pekko.actor.ExtendedActorSystem) org.apache.pekko.actor.typed.javadsl.Adapter
                .toClassic(ctx.getSystem())).provider() instanceof org.apache.pekko.cluster.ClusterActorRefProvider) {
            router = new dev.atoll.federationnode.job.JobRouter(ctx.getSystem());
        }
        return router;
    }

    // --- adverts ---

    private void schedulePublish() {
        if (!timers.isTimerActive(PublishAdvert.INSTANCE)) {
            timers.startSingleTimer(PublishAdvert.INSTANCE, PublishAdvert.INSTANCE, settings.advertInterval());
        }
    }

    private void publish(State state) {
        if (registry != null) {
            long now = clock.millis();
            registry.tell(new SiteRegistry.Publish(state.ledger.advert(state.version(), now,
                    admission.pending(now)), ctx.getSelf()));
        }
    }

    // --- helpers ---

    /**
     * @return {@code <job>:e<epoch>:d<seconds>}, or with the job id replaced by a hash when that would be
     *     longer than 128 characters
     */
    static HoldId holdId(JobId job, long epoch, long durationSeconds) {
        String tail = ":e" + epoch + ":d" + durationSeconds;
        String head = job.value();
        if (head.length() + tail.length() > 128) {
            head = "h" + Integer.toHexString(head.hashCode()) + "-" + head.substring(0, 60);
        }
        return HoldId.of(head + tail);
    }

    /** @return the run time encoded in a hold id by {@link #holdId}, or {@code dflt} */
    static long durationOf(HoldId hold, long dflt) {
        String v = hold.value();
        int i = v.lastIndexOf(":d");
        if (i < 0) {
            return dflt;
        }
        try {
            return Long.parseLong(v.substring(i + 2));
        } catch (NumberFormatException e) {
            return dflt;
        }
    }

    /** The bid for a placement, with the offer fields of {@link Offers#of(SiteLedger, Placement)} (as the simulator). */
    private Bid bid(SiteLedger ledger, HoldId hold, JobId job, long epoch, Placement placement, long expires) {
        Offer o = Offers.of(ledger, placement);
        return new Bid(job, epoch, site(), hold, expires, o.startEstimateSeconds(), o.pricePerDeviceHour(),
                o.speedFactor(), o.fragmentationDelta(), o.freeAfter(), placement);
    }

    private LedgerView view(State state) {
        List<LedgerView.AllocationView> allocations = new ArrayList<>();
        for (SiteLedger.Allocation a : state.ledger.allocations()) {
            List<NodeShare> shares = a.placement().shares();
            allocations.add(new LedgerView.AllocationView(a.job(), a.epoch(), a.placement().model().name(), shares,
                    a.startedAtMillis(), a.endsAtMillis()));
        }
        return new LedgerView(site(), state.version(), state.ledger.holds().size(), allocations);
    }
}
