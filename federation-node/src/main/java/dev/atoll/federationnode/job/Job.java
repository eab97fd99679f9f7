package dev.atoll.federationnode.job;

import com.typesafe.config.Config;
import dev.atoll.federationnode.site.AllocationStatus;
import dev.atoll.federationnode.site.CanPreempt;
import dev.atoll.federationnode.site.QueryAllocation;
import dev.atoll.federationnode.site.SiteAgent;
import dev.atoll.placement.Offer;
import dev.atoll.placement.SiteChoicePolicy;
import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.event.BidChosen;
import dev.atoll.protocol.event.JobAdopted;
import dev.atoll.protocol.event.JobHandedOver;
import dev.atoll.protocol.event.JobCancelled;
import dev.atoll.protocol.event.JobCompleted;
import dev.atoll.protocol.event.JobEvent;
import dev.atoll.protocol.event.JobFailed;
import dev.atoll.protocol.event.JobPlaced;
import dev.atoll.protocol.event.JobPreempted;
import dev.atoll.protocol.event.JobRejected;
import dev.atoll.protocol.event.JobRequeued;
import dev.atoll.protocol.event.JobSubmitted;
import dev.atoll.protocol.event.JobWaiting;
import dev.atoll.protocol.event.NegotiationStarted;
import dev.atoll.protocol.negotiation.Award;
import dev.atoll.protocol.negotiation.AwardRefused;
import dev.atoll.protocol.negotiation.AwardReply;
import dev.atoll.protocol.negotiation.Bid;
import dev.atoll.protocol.negotiation.CallForProposals;
import dev.atoll.protocol.negotiation.CancelWorkload;
import dev.atoll.protocol.negotiation.Committed;
import dev.atoll.protocol.negotiation.Decline;
import dev.atoll.protocol.negotiation.JobNotification;
import dev.atoll.protocol.negotiation.NegotiationReply;
import dev.atoll.protocol.negotiation.ReleaseHold;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import dev.atoll.siteregistry.CandidateSites;
import dev.atoll.siteregistry.SiteInfo;
import dev.atoll.siteregistry.SiteRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerBuilder;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One workload's entity (Cluster Sharding, persistence id {@code Job|<id>}), driving its placement
 * negotiation (DESIGN.md): submitted -&gt; ask the registry for candidates -&gt; none could ever fit:
 * {@link JobRejected}; none free now: {@link JobWaiting} and retry with backoff; otherwise
 * {@link NegotiationStarted} (epoch + 1) and {@link CallForProposals} to each candidate; bids and declines
 * are collected until all answered or the bid timeout; the best bid by the site choice policy
 * ({@code atoll.job.site-choice}, by default earliest start, then most free devices left, then site id) is
 * persisted as {@link BidChosen}, the winner gets {@link Award} and the others
 * {@link ReleaseHold}; {@link Committed} -&gt; {@link JobPlaced}; {@link AwardRefused} -&gt; negotiate again.
 * {@link WorkloadEnded} -&gt; {@link JobCompleted}, {@link JobFailed}, {@link JobPreempted} (back to the queue, its
 * preemption count, sent with every later {@link Award}, grows by one) or {@link JobRequeued} (lost). When no site has
 * room now, a job above best effort asks the full sites ({@link CandidateSites#later()}) read-only whether they could
 * preempt lower-priority work for it ({@link CanPreempt}); the first "yes" starts a round with that site alone, whose
 * call for proposals preempts for real ({@code atoll.preemption.max-per-job} &gt; 0).
 *
 * <p>Idempotent on the client's id: submitting the same spec again answers the current status; another spec
 * under an existing id answers a {@link JobError} CONFLICT. Terminal jobs passivate themselves, which also
 * drops them from the remembered entities; waiting and running jobs stay remembered and resume after a
 * restart (see docs/architecture.md).
 */
public final class Job extends EventSourcedBehavior<Job.Command, JobEvent, JobState> {

    /** Messages a Job accepts. */
    public interface Command {
    }

    /** Commands that may come from another node (through sharding); serialized with Kryo. */
    public interface ExternalCommand extends Command, AtollSerializable {
    }

    /** Replies to {@link Submit}, {@link GetStatus} and {@link Cancel}. */
    public sealed interface Reply extends AtollSerializable permits JobStatus, JobError {
    }

    /** Submits {@code spec}; idempotent on the job id. */
    public record Submit(JobSpec spec, ActorRef<Reply> replyTo) implements ExternalCommand {
    }

    /** Asks for the status; NOT_FOUND if the job was never submitted. */
    public record GetStatus(ActorRef<Reply> replyTo) implements ExternalCommand {
    }

    /** Cancels the job (idempotent); a placed workload is stopped at its site. */
    public record Cancel(String reason, ActorRef<Reply> replyTo) implements ExternalCommand {
    }

    /** A SiteAgent's notification, forwarded by the node's {@link JobNotifier}. */
    public record Notify(JobNotification notification) implements ExternalCommand {
    }

    /**
     * Makes this (empty) entity the adopter of a lost owner's queued job (sent by the {@link Adopter}, Kryo id
     * 1117): it persists {@link JobAdopted}, negotiates under epochs above {@code lastEpoch}, and tells the owner
     * {@link HandOver} until it answers. Ignored by an entity that has events already (idempotent).
     *
     * @param spec the job's spec
     * @param from the lost owner site
     * @param fromEntity the owner's entity id
     * @param generation this entity's adoption generation (must match its id {@code <job>|a<n>})
     * @param lastEpoch the owner's last epoch, from its journal
     * @param submittedAtMillis when the job was first submitted
     */
    public record Adopt(JobSpec spec, SiteId from, String fromEntity, int generation, long lastEpoch,
                        long submittedAtMillis) implements ExternalCommand {
    }

    private interface Internal extends Command, NoSerializationVerificationNeeded {
    }

    private record GotCandidates(CandidateSites sites, String failure) implements Internal {
    }

    private record GotReply(NegotiationReply reply) implements Internal {
    }

    private record BidDeadline(long epoch) implements Internal {
    }

    private record GotAward(AwardReply reply) implements Internal {
    }

    private record AwardDeadline(long epoch) implements Internal {
    }

    private record GotAllocation(AllocationStatus status) implements Internal {
    }

    /** A {@link CanPreempt} answer (null on timeout) of probe spell {@code spell}. */
    private record GotPreemptAnswer(long spell, SiteInfo site, CanPreempt.Answer answer) implements Internal {
    }

    private record SiteFound(SiteId site, ActorRef<SiteAgentCommand> agent, Purpose purpose, boolean lost,
                             long unreachableSince) implements Internal {
        SiteFound(SiteId site, ActorRef<SiteAgentCommand> agent, Purpose purpose) {
            this(site, agent, purpose, false, 0L);
        }
    }

    private enum Purpose { AWARD, CHECK }

    private enum Retry implements Internal { INSTANCE }

    private enum CheckPlaced implements Internal { INSTANCE }

    private enum Noop implements Internal { INSTANCE }

    private enum PushHandOver implements Internal { INSTANCE }

    private record GotHandOverReply(HandOverReply reply) implements Internal {
    }

    private record GotAdoptionSource(SiteId from, String fromEntity, String failure) implements Internal {
    }

    /** The recovery-time check for an adoption of this job: {@code by} is null if none was found. */
    private record AdoptionChecked(SiteId by, String entity, String failure) implements Internal {
    }

    /**
     * Timing knobs, from {@code atoll.job.*}.
     *
     * @param cfpFanout calls for proposals go to at most this many candidate sites per round, the ones whose
     *     adverts show the most free devices of an accepted model ({@code atoll.job.cfp-fanout}, &gt;= 1); if
     *     they all decline, the next round calls the remaining candidates
     */
    public record Settings(Duration bidTimeout, Duration awardTimeout, Duration retryMin, Duration retryMax,
                           Duration placedCheckInterval, SiteChoicePolicy siteChoice, int cfpFanout,
                           boolean preemption) {
        public Settings {
            if (cfpFanout < 1) {
                throw new IllegalArgumentException("atoll.job.cfp-fanout must be >= 1, got " + cfpFanout);
            }
        }

        /**
         * Settings with preemption on: when no site has room now, a job above best effort calls one full site per
         * round ({@link CandidateSites#later()}), which may preempt lower-priority work for it.
         */
        public Settings(Duration bidTimeout, Duration awardTimeout, Duration retryMin, Duration retryMax,
                        Duration placedCheckInterval, SiteChoicePolicy siteChoice, int cfpFanout) {
            this(bidTimeout, awardTimeout, retryMin, retryMax, placedCheckInterval, siteChoice, cfpFanout, true);
        }

        /** Settings that call every candidate site in each round (no fan-out limit). */
        public Settings(Duration bidTimeout, Duration awardTimeout, Duration retryMin, Duration retryMax,
                        Duration placedCheckInterval, SiteChoicePolicy siteChoice) {
            this(bidTimeout, awardTimeout, retryMin, retryMax, placedCheckInterval, siteChoice, Integer.MAX_VALUE);
        }

        /**
         * Reads {@code atoll.job.*} and {@code atoll.preemption.max-per-job} (0 turns preemption rounds off) from
         * {@code config}.
         *
         * @throws IllegalArgumentException naming {@code atoll.job.site-choice} if the policy is unknown,
         *     {@code atoll.job.throughput-table} if its CSV is missing or bad (the {@code throughput} criterion
         *     uses it, see {@link dev.atoll.federationnode.ModelSettings#throughputTable}), or
         *     {@code atoll.job.cfp-fanout} if it is below 1
         */
        public static Settings from(Config config) {
            Config c = config.getConfig("atoll.job");
            SiteChoicePolicy choice;
            dev.atoll.placement.ThroughputTable table = dev.atoll.federationnode.ModelSettings.throughputTable(config);
            try {
                choice = SiteChoicePolicy.byName(c.getString("site-choice"), table);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("atoll.job.site-choice: " + e.getMessage(), e);
            }
            return new Settings(c.getDuration("bid-timeout"), c.getDuration("award-timeout"),
                    c.getDuration("retry-min"), c.getDuration("retry-max"), c.getDuration("placed-check-interval"),
                    choice, c.hasPath("cfp-fanout") ? c.getInt("cfp-fanout") : 2,
                    !config.hasPath("atoll.preemption.max-per-job") || config.getInt("atoll.preemption.max-per-job") > 0);
        }
    }

    /** @return the persistence id of a job, {@code Job|<id>} */
    public static PersistenceId persistenceId(String jobId) {
        return PersistenceId.ofUniqueId("Job|" + jobId);
    }

    /**
     * @param entity the sharding entity context (its id is the job id)
     * @param origin the site that owns the job (this node's site)
     * @param registry the node's site registry
     * @param notifier the node's {@link JobNotifier}, given to sites as the award's {@code notifyTo}
     */
    public static Behavior<Command> create(EntityContext<Command> entity, SiteId origin,
                                           ActorRef<SiteRegistry.Command> registry,
                                           ActorRef<JobNotification> notifier, Settings settings) {
        return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> new Job(ctx, timers, entity, origin, registry,
                notifier, settings, Clock.systemUTC())));
    }

    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final EntityContext<Command> entity;
    private final JobId jobId;
    private final SiteId origin;
    private final ActorRef<SiteRegistry.Command> registry;
    private final ActorRef<JobNotification> notifier;
    private final Settings settings;
    private final Clock clock;
    private final ActorRef<NegotiationReply> replyAdapter;
    private final ActorRef<AwardReply> awardAdapter;
    private final ActorRef<AllocationStatus> allocationAdapter;
    private final ActorRef<HandOverReply> handOverAdapter;
    /** For an adopted Job: the owner it was adopted from (to hand over), null until known. */
    private SiteId adoptedFrom;
    private String adoptedFromEntity;
    /** The owner has answered the hand-over (transient: after a restart the Job tells it again, idempotent). */
    private boolean handOverAcked;
    private JobRouter router;

    // Transient negotiation state; rebuilt by a new round after recovery.
    private final Map<SiteId, ActorRef<SiteAgentCommand>> agents = new HashMap<>();
    private final Map<SiteId, NegotiationReply> replies = new LinkedHashMap<>();
    private final Map<SiteId, String> regions = new HashMap<>();
    private Duration retryDelay;
    private int awardAttempts;
    private String liveReason;
    private boolean asking;
    private boolean waitingPersisted;
    /** Candidates of this spell not called yet (adverts ranked them below the fan-out), best first. */
    private final List<SiteInfo> fallback = new ArrayList<>();
    /** Every site called in this spell so far declined with {@code never:}. */
    private boolean allNeverSoFar;
    /**
     * Non-null while this spell calls full sites for a preempting bid: the registry's reason why no site has room
     * now, which leads the waiting reason if they all decline.
     */
    private String preemptionRound;
    /** The current spell of {@link CanPreempt} probes, the answers still awaited, and the registry's reason. */
    private long probeSpell;
    private int probesOutstanding;
    private String probeReason;

    private Job(ActorContext<Command> ctx, TimerScheduler<Command> timers, EntityContext<Command> entity,
                SiteId origin, ActorRef<SiteRegistry.Command> registry, ActorRef<JobNotification> notifier,
                Settings settings, Clock clock) {
        super(persistenceId(entity.getEntityId()));
        this.ctx = ctx;
        this.timers = timers;
        this.entity = entity;
        this.jobId = JobId.of(JobDirectory.jobIdOf(entity.getEntityId()));
        this.origin = origin;
        this.registry = registry;
        this.notifier = notifier;
        this.settings = settings;
        this.clock = clock;
        this.retryDelay = settings.retryMin();
        this.replyAdapter = ctx.messageAdapter(NegotiationReply.class, GotReply::new);
        this.awardAdapter = ctx.messageAdapter(AwardReply.class, GotAward::new);
        this.allocationAdapter = ctx.messageAdapter(AllocationStatus.class, GotAllocation::new);
        this.handOverAdapter = ctx.messageAdapter(HandOverReply.class, GotHandOverReply::new);
    }

    @Override
    public JobState emptyState() {
        return JobState.EMPTY;
    }

    /** A snapshot of the Job's state every 100 events, the two newest kept (long-lived, often requeued jobs). */
    @Override
    public org.apache.pekko.persistence.typed.javadsl.RetentionCriteria retentionCriteria() {
        return org.apache.pekko.persistence.typed.javadsl.RetentionCriteria.snapshotEvery(100, 2);
    }

    /** Reads snapshots of the shape before the preemption count ({@link JobStateV1}) as current states. */
    @Override
    public org.apache.pekko.persistence.typed.SnapshotAdapter<JobState> snapshotAdapter() {
        return new org.apache.pekko.persistence.typed.SnapshotAdapter<>() {
            @Override
            public Object toJournal(JobState state) {
                return state;
            }

            @Override
            public JobState fromJournal(Object from) {
                if (from instanceof JobState s) {
                    return s;
                }
                if (from instanceof JobStateV1 old) {
                    return old.upcast();
                }
                throw new IllegalStateException("job " + jobId + ": snapshot of unknown type "
                        + (from == null ? "null" : from.getClass().getName()) + ", expected JobState");
            }
        };
    }

    @Override
    public EventHandler<JobState, JobEvent> eventHandler() {
        return newEventHandlerBuilder().forAnyState().onAnyEvent(JobState::apply);
    }

    @Override
    public SignalHandler<JobState> signalHandler() {
        return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), state -> {
            if (isForeign(state)) {
                return; // another site's job: never negotiate or write here (see isForeign)
            }
            if (JobDirectory.generationOf(entity.getEntityId()) > 0 && !state.phase().terminal()
                    && state.phase() != JobState.Phase.EMPTY) {
                readAdoptionSource();
            }
            if (!state.phase().terminal() && state.phase() != JobState.Phase.EMPTY) {
                // Was this job adopted while this site was lost (e.g. the node was down)? Queued jobs wait for the
                // answer before negotiating, so a restarted owner does not start a second copy.
                checkAdoptedElsewhere();
            }
            switch (state.phase()) {
                case EMPTY -> { }
                case QUEUED, NEGOTIATING -> { } // after the adoption check (AdoptionChecked)
                case AWARDING -> findSite(state.site(), Purpose.AWARD);
                case PLACED -> findSite(state.site(), Purpose.CHECK);
                default -> passivate();
            }
        }).build();
    }

    @Override
    public CommandHandler<Command, JobEvent, JobState> commandHandler() {
        CommandHandlerBuilder<Command, JobEvent, JobState> builder = newCommandHandlerBuilder();
        // Another site's job, recovered here because the journal is shared (e.g. a status request sent to
        // the wrong node): answer from the recovered state but never persist, so a persistence id never
        // has two writers.
        builder.forState(this::isForeign)
                .onCommand(GetStatus.class, (s, m) -> {
                    m.replyTo().tell(s.status(clock.millis(), "owned by site " + s.origin() + "; ask its node"));
                    passivate();
                    return Effect().none();
                })
                .onCommand(Submit.class, (s, m) -> {
                    m.replyTo().tell(new JobError(JobError.Kind.CONFLICT, "job " + jobId + " is owned by site "
                            + s.origin() + "; submit or query it there"));
                    passivate();
                    return Effect().none();
                })
                .onCommand(Cancel.class, (s, m) -> {
                    m.replyTo().tell(new JobError(JobError.Kind.CONFLICT, "job " + jobId + " is owned by site "
                            + s.origin() + "; cancel it there"));
                    passivate();
                    return Effect().none();
                })
                .onAnyCommand((s, m) -> Effect().none());
        builder.forAnyState()
                .onCommand(Submit.class, this::onSubmit)
                .onCommand(GetStatus.class, this::onGetStatus)
                .onCommand(Cancel.class, this::onCancel)
                .onCommand(Notify.class, this::onNotify)
                .onCommand(Adopt.class, this::onAdopt)
                .onCommand(PushHandOver.class, (s, m) -> {
                    pushHandOver(s);
                    return Effect().none();
                })
                .onCommand(GotHandOverReply.class, this::onHandOverReply)
                .onCommand(AdoptionChecked.class, this::onAdoptionChecked)
                .onCommand(GotAdoptionSource.class, (s, m) -> {
                    if (m.failure() != null) {
                        ctx.getLog().warn("adopted job {}: cannot read its JobAdopted event ({}); retrying", jobId,
                                m.failure());
                        timers.startSingleTimer("adoption-source", PushHandOver.INSTANCE, settings.retryMax());
                        adoptedFrom = null;
                    } else {
                        adoptedFrom = m.from();
                        adoptedFromEntity = m.fromEntity();
                        pushHandOver(s);
                    }
                    return Effect().none();
                })
                .onCommand(Retry.class, (s, m) -> {
                    if (s.phase() == JobState.Phase.QUEUED
                            || (s.phase() == JobState.Phase.NEGOTIATING && !timers.isTimerActive("bids"))) {
                        askCandidates(s.spec());
                    }
                    return Effect().none();
                })
                .onCommand(GotCandidates.class, this::onCandidates)
                .onCommand(GotReply.class, this::onReply)
                .onCommand(BidDeadline.class, (s, m) -> s.phase() == JobState.Phase.NEGOTIATING && s.epoch() == m.epoch()
                        ? decide(s) : Effect().none())
                .onCommand(GotAward.class, this::onAward)
                .onCommand(AwardDeadline.class, this::onAwardDeadline)
                .onCommand(SiteFound.class, this::onSiteFound)
                .onCommand(CheckPlaced.class, (s, m) -> {
                    if (s.phase() == JobState.Phase.PLACED) {
                        findSite(s.site(), Purpose.CHECK);
                    }
                    return Effect().none();
                })
                .onCommand(GotAllocation.class, this::onAllocation)
                .onCommand(GotPreemptAnswer.class, this::onPreemptAnswer)
                .onCommand(Noop.class, (s, m) -> Effect().none());
        return builder.build(); // state groups are tried in the order they were defined
    }

    /** @return true if {@code s} is a job submitted at another site (its origin), which alone may write it */
    private boolean isForeign(JobState s) {
        return s.origin() != null && !s.origin().equals(origin);
    }

    // --- client commands ---

    private Effect<JobEvent, JobState> onSubmit(JobState s, Submit m) {
        if (s.phase() == JobState.Phase.EMPTY) {
            if (!m.spec().id().equals(jobId)) {
                m.replyTo().tell(new JobError(JobError.Kind.CONFLICT, "job id " + m.spec().id()
                        + " does not match entity " + jobId));
                return Effect().none();
            }
            return Effect().persist(new JobSubmitted(m.spec(), origin, clock.millis())).thenRun(ns -> {
                m.replyTo().tell(ns.status(clock.millis(), liveReason));
                askCandidates(ns.spec());
            });
        }
        if (!s.spec().equals(m.spec())) {
            m.replyTo().tell(new JobError(JobError.Kind.CONFLICT, "job " + jobId + " exists with a different spec"));
        } else {
            m.replyTo().tell(s.status(clock.millis(), liveReason));
        }
        return Effect().none();
    }

    private Effect<JobEvent, JobState> onGetStatus(JobState s, GetStatus m) {
        if (s.phase() == JobState.Phase.EMPTY) {
            m.replyTo().tell(notFound());
            passivate();
        } else {
            m.replyTo().tell(s.status(clock.millis(), liveReason));
            if (s.phase().terminal()) {
                passivate();
            }
        }
        return Effect().none();
    }

    private Effect<JobEvent, JobState> onCancel(JobState s, Cancel m) {
        if (s.phase() == JobState.Phase.EMPTY) {
            m.replyTo().tell(notFound());
            passivate();
            return Effect().none();
        }
        if (s.phase().terminal()) {
            m.replyTo().tell(s.status(clock.millis(), liveReason));
            passivate();
            return Effect().none();
        }
        String reason = m.reason() == null || m.reason().isBlank() ? "cancelled by client" : m.reason();
        JobState before = s;
        return Effect().persist(new JobCancelled(reason, clock.millis())).thenRun(ns -> {
            timers.cancelAll();
            if (before.phase() == JobState.Phase.AWARDING || before.phase() == JobState.Phase.PLACED) {
                tellSite(before.site(), new CancelWorkload(jobId, before.epoch(), reason));
            }
            releaseAllBids(null);
            m.replyTo().tell(ns.status(clock.millis(), null));
            passivate();
        });
    }

    private JobError notFound() {
        return new JobError(JobError.Kind.NOT_FOUND, "job " + jobId + " not found");
    }

    // --- negotiation ---

    private void askCandidates(JobSpec spec) {
        if (asking || spec == null) {
            return;
        }
        asking = true;
        ctx.ask(CandidateSites.class, registry, Duration.ofSeconds(5),
                replyTo -> new SiteRegistry.GetCandidates(spec, replyTo),
                (sites, failure) -> new GotCandidates(sites, failure == null ? null : failure.toString()));
    }

    private Effect<JobEvent, JobState> onCandidates(JobState s, GotCandidates m) {
        asking = false;
        boolean recoveredRound = s.phase() == JobState.Phase.NEGOTIATING && !timers.isTimerActive("bids");
        if (s.phase() != JobState.Phase.QUEUED && !recoveredRound) {
            return Effect().none();
        }
        if (m.failure() != null) {
            liveReason = "site registry did not answer: " + m.failure();
            scheduleRetry();
            return Effect().none();
        }
        CandidateSites c = m.sites();
        if (!c.now().isEmpty()) {
            List<SiteInfo> ranked = new ArrayList<>(c.now());
            ranked.sort(java.util.Comparator.comparingInt((SiteInfo i) -> -freeFor(i, s.spec()))
                    .thenComparing(i -> i.site().value()));
            fallback.clear();
            allNeverSoFar = true;
            preemptionRound = null;
            int k = Math.min(settings.cfpFanout(), ranked.size());
            fallback.addAll(ranked.subList(k, ranked.size()));
            return callForProposals(s, ranked.subList(0, k));
        }
        if (c.sitesKnown() > 0 && !c.anyEverFits()) {
            return Effect().persist(new JobRejected(c.reason(), clock.millis())).thenRun(ns -> passivate());
        }
        if (settings.preemption() && s.spec().priority() != dev.atoll.protocol.PriorityClass.BEST_EFFORT
                && !c.later().isEmpty()) {
            // No room anywhere now: ask the full sites, read-only, whether they could preempt lower-priority work for
            // this job; the first "yes" starts a round with that site alone, all "no" (or silence) means waiting.
            // Nothing is persisted for a "no", so a waiting job's journal does not grow with its retries.
            probeSpell++;
            probesOutstanding = c.later().size();
            probeReason = c.reason();
            long spell = probeSpell;
            for (SiteInfo info : c.later()) {
                agents.put(info.site(), info.agent());
                regions.put(info.site(), info.advert().region());
                ctx.ask(CanPreempt.Answer.class, info.agent(), settings.bidTimeout(),
                        replyTo -> new CanPreempt(s.spec(), replyTo),
                        (answer, failure) -> new GotPreemptAnswer(spell, info, answer));
            }
            return Effect().none();
        }
        return waitFor(s, c.reason());
    }

    /** A full site's answer to {@link CanPreempt}: the first "yes" of the spell starts a round with that site. */
    private Effect<JobEvent, JobState> onPreemptAnswer(JobState s, GotPreemptAnswer m) {
        if (m.spell() != probeSpell || probesOutstanding <= 0) {
            return Effect().none();
        }
        boolean recoveredRound = s.phase() == JobState.Phase.NEGOTIATING && !timers.isTimerActive("bids");
        if (s.phase() != JobState.Phase.QUEUED && !recoveredRound) {
            probesOutstanding = 0;
            return Effect().none();
        }
        if (m.answer() != null && m.answer().possible()) {
            probesOutstanding = 0;
            fallback.clear();
            allNeverSoFar = false;
            preemptionRound = probeReason;
            return callForProposals(s, List.of(m.site()));
        }
        if (--probesOutstanding > 0) {
            return Effect().none();
        }
        return waitFor(s, probeReason);
    }

    /** Persists NegotiationStarted (epoch + 1) and calls {@code sites} for proposals. */
    private Effect<JobEvent, JobState> callForProposals(JobState s, List<SiteInfo> sites) {
        List<SiteId> ids = new ArrayList<>();
        for (SiteInfo i : sites) {
            ids.add(i.site());
            agents.put(i.site(), i.agent());
            regions.put(i.site(), i.advert().region());
        }
        long epoch = s.epoch() + 1;
        return Effect().persist(new NegotiationStarted(epoch, ids, clock.millis())).thenRun(ns -> {
            replies.clear();
            waitingPersisted = false;
            liveReason = "negotiating with " + ids;
            for (SiteId site : ids) {
                agents.get(site).tell(new CallForProposals(jobId, epoch, ns.spec(), replyAdapter));
            }
            timers.startSingleTimer("bids", new BidDeadline(epoch), settings.bidTimeout());
        });
    }

    /** @return free devices of the job's accepted models in the site's advert (how the fan-out ranks sites) */
    private static int freeFor(SiteInfo site, JobSpec spec) {
        int free = 0;
        for (dev.atoll.protocol.PoolAdvert p : site.advert().pools()) {
            if (spec.models().accepts(p.model())) {
                free += p.free();
            }
        }
        return free;
    }

    /** Persists JobWaiting when the job was not already waiting, and schedules the next round. */
    private Effect<JobEvent, JobState> waitFor(JobState s, String reason) {
        liveReason = reason;
        if (waitingPersisted) {
            scheduleRetry();
            return Effect().none();
        }
        return Effect().persist(new JobWaiting(s.epoch(), reason, clock.millis())).thenRun(ns -> {
            waitingPersisted = true;
            scheduleRetry();
        });
    }

    /** Schedules the next round after the current backoff, with +-25 % jitter so waiting jobs do not retry in step. */
    private void scheduleRetry() {
        double jitter = 0.75 + 0.5 * java.util.concurrent.ThreadLocalRandom.current().nextDouble();
        timers.startSingleTimer("retry", Retry.INSTANCE, Duration.ofMillis(Math.max(1,
                (long) (retryDelay.toMillis() * jitter))));
        long next = Math.min(retryDelay.toMillis() * 2, settings.retryMax().toMillis());
        retryDelay = Duration.ofMillis(next);
    }

    private Effect<JobEvent, JobState> onReply(JobState s, GotReply m) {
        NegotiationReply r = m.reply();
        if (s.phase() == JobState.Phase.NEGOTIATING && r.epoch() == s.epoch() && s.candidates().contains(r.site())) {
            replies.put(r.site(), r);
            if (replies.keySet().containsAll(s.candidates())) {
                return decide(s);
            }
            return Effect().none();
        }
        // A late or stale bid: give its hold back unless it is the one we chose.
        if (r instanceof Bid b && !(b.hold().equals(s.hold()) && b.site().equals(s.site()))) {
            tellSite(b.site(), new ReleaseHold(jobId, b.epoch(), b.hold()));
        }
        return Effect().none();
    }

    private Effect<JobEvent, JobState> decide(JobState s) {
        timers.cancel("bids");
        List<Bid> bids = new ArrayList<>();
        List<Decline> declines = new ArrayList<>();
        for (NegotiationReply r : replies.values()) {
            if (r instanceof Bid b) {
                bids.add(b);
            } else if (r instanceof Decline d) {
                declines.add(d);
            }
        }
        if (!bids.isEmpty()) {
            List<Offer> offers = new ArrayList<>();
            for (Bid b : bids) {
                offers.add(Offer.of(b, regions.get(b.site())));
            }
            SiteId best = settings.siteChoice().rank(s.spec(), offers).get(0).site();
            Bid win = bids.stream().filter(b -> b.site().equals(best)).findFirst().orElseThrow();
            return Effect().persist(new BidChosen(s.epoch(), win.site(), win.hold(), clock.millis())).thenRun(ns -> {
                for (Bid b : bids) {
                    if (b != win) {
                        tellSite(b.site(), new ReleaseHold(jobId, b.epoch(), b.hold()));
                    }
                }
                replies.clear();
                awardAttempts = 0;
                sendAward(ns);
            });
        }
        StringBuilder why = new StringBuilder();
        boolean allNever = !declines.isEmpty() && declines.size() == s.candidates().size();
        for (Decline d : declines) {
            if (why.length() > 0) {
                why.append("; ");
            }
            why.append(d.site()).append(": ").append(d.reason());
            allNever &= d.reason().startsWith(SiteAgent.NEVER_PREFIX);
        }
        int silent = s.candidates().size() - declines.size();
        if (silent > 0) {
            why.append(why.length() > 0 ? "; " : "").append(silent).append(" site(s) did not answer within ")
                    .append(settings.bidTimeout().toMillis()).append(" ms");
        }
        replies.clear();
        allNeverSoFar &= allNever;
        if (!fallback.isEmpty()) {
            // The best-advertised sites all declined: call the others before waiting.
            List<SiteInfo> next = new ArrayList<>(fallback.subList(0, Math.min(preemptionRound != null ? 1
                    : settings.cfpFanout(), fallback.size())));
            fallback.subList(0, next.size()).clear();
            return callForProposals(s, next);
        }
        if (allNeverSoFar) {
            return Effect().persist(new JobRejected("no site can ever run it: " + why, clock.millis()))
                    .thenRun(ns -> passivate());
        }
        String reason = preemptionRound != null
                ? preemptionRound + "; no lower-priority work to preempt: " + why
                : "no site can take it now: " + why;
        preemptionRound = null;
        liveReason = reason;
        if (sameReason(reason, s.reason())) {
            // Same reason as the last persisted JobWaiting: the journal does not grow with retries.
            scheduleRetry();
            return Effect().none();
        }
        return Effect().persist(new JobWaiting(s.epoch(), reason, clock.millis())).thenRun(ns -> {
            waitingPersisted = true;
            scheduleRetry();
        });
    }

    /** @return whether two waiting reasons differ only in their numbers (free counts, ms) */
    private static boolean sameReason(String a, String b) {
        return a != null && b != null && a.replaceAll("[0-9]+", "#").equals(b.replaceAll("[0-9]+", "#"));
    }

    private void sendAward(JobState s) {
        awardAttempts++;
        tellSite(s.site(), new Award(jobId, s.epoch(), s.hold(), awardAdapter, notifier, origin,
                entity.getEntityId(), s.spec(), s.preemptions()));
        timers.startSingleTimer("award", new AwardDeadline(s.epoch()), settings.awardTimeout());
    }

    private Effect<JobEvent, JobState> onAward(JobState s, GotAward m) {
        AwardReply r = m.reply();
        boolean current = s.phase() == JobState.Phase.AWARDING && r.epoch() == s.epoch() && r.hold().equals(s.hold());
        if (!current) {
            if (r instanceof Committed c && !(s.phase() == JobState.Phase.PLACED && c.epoch() == s.epoch())) {
                // Committed after we gave up on it: fence it so the workload runs at most once.
                tellSite(c.placement().site(), new CancelWorkload(jobId, c.epoch(), "award answered too late"));
            }
            return Effect().none();
        }
        timers.cancel("award");
        if (r instanceof Committed c) {
            return Effect().persist(new JobPlaced(c.epoch(), c.placement(), c.startedAtMillis())).thenRun(ns -> {
                retryDelay = settings.retryMin();
                liveReason = null;
                timers.startTimerWithFixedDelay("check", CheckPlaced.INSTANCE, settings.placedCheckInterval());
            });
        }
        AwardRefused refused = (AwardRefused) r;
        String reason = "award refused by " + s.site() + ": " + refused.reason();
        liveReason = reason;
        return Effect().persist(new JobWaiting(s.epoch(), reason, clock.millis())).thenRun(ns -> askCandidates(ns.spec()));
    }

    private Effect<JobEvent, JobState> onAwardDeadline(JobState s, AwardDeadline m) {
        if (s.phase() != JobState.Phase.AWARDING || s.epoch() != m.epoch()) {
            return Effect().none();
        }
        if (awardAttempts < 3) {
            sendAward(s);
            return Effect().none();
        }
        tellSite(s.site(), new CancelWorkload(jobId, s.epoch(), "award timed out"));
        String reason = "site " + s.site() + " did not answer the award " + awardAttempts + " times";
        liveReason = reason;
        return Effect().persist(new JobWaiting(s.epoch(), reason, clock.millis())).thenRun(ns -> scheduleRetry());
    }

    // --- placed ---

    private Effect<JobEvent, JobState> onNotify(JobState s, Notify m) {
        if (m.notification() instanceof HandOver h) {
            return onHandOver(s, h);
        }
        if (m.notification() instanceof EpochCheck c) {
            boolean current = (s.phase() == JobState.Phase.PLACED || s.phase() == JobState.Phase.AWARDING)
                    && s.epoch() == c.epoch() && c.site().equals(s.site());
            if (!current) {
                String why = "stale epoch " + c.epoch() + " at site " + c.site() + ": job " + jobId + " is "
                        + s.phase().name().toLowerCase() + " at epoch " + s.epoch()
                        + (s.site() != null && !s.phase().terminal() ? " (site " + s.site() + ")" : "");
                ctx.getLog().info("reconcile: {}", why);
                c.agent().tell(new CancelWorkload(jobId, c.epoch(), why));
            }
            if (s.phase() == JobState.Phase.EMPTY || s.phase().terminal()) {
                passivate();
            }
            return Effect().none();
        }
        if (s.phase() == JobState.Phase.EMPTY) {
            passivate();
            return Effect().none();
        }
        if (m.notification() instanceof WorkloadEnded e) {
            return ended(s, e.epoch(), e.outcome(), e.atMillis(), e.reason());
        }
        return Effect().none();
    }

    private Effect<JobEvent, JobState> onAllocation(JobState s, GotAllocation m) {
        AllocationStatus a = m.status();
        if (s.phase() != JobState.Phase.PLACED || a.epoch() != s.epoch()) {
            return Effect().none();
        }
        switch (a.state()) {
            case RUNNING -> {
                return Effect().none();
            }
            case ENDED -> {
                return ended(s, a.epoch(), a.outcome(), a.atMillis(), "");
            }
            default -> {
                return ended(s, a.epoch(), WorkloadEnded.Outcome.LOST, clock.millis(),
                        "site " + a.site() + " has no record of the workload");
            }
        }
    }

    private Effect<JobEvent, JobState> ended(JobState s, long epoch, WorkloadEnded.Outcome outcome, long at,
                                             String reason) {
        if (s.phase() != JobState.Phase.PLACED || epoch != s.epoch()) {
            return Effect().none();
        }
        JobEvent event = switch (outcome) {
            case PREEMPTED -> new JobPreempted(epoch, s.site(), "preempted at site " + s.site()
                    + (reason == null || reason.isBlank() ? "" : ": " + reason), at);
            case COMPLETED -> new JobCompleted(epoch, at);
            case FAILED, CANCELLED -> new JobFailed(epoch, outcome.name().toLowerCase() + " at site " + s.site()
                    + (reason == null || reason.isBlank() ? "" : ": " + reason), at);
            case LOST -> new JobRequeued(epoch, outcome.name().toLowerCase() + " at site " + s.site()
                    + (reason == null || reason.isBlank() ? "" : ": " + reason), at);
        };
        return Effect().persist(event).thenRun(ns -> {
            timers.cancel("check");
            if (ns.phase().terminal()) {
                passivate();
            } else {
                askCandidates(ns.spec());
            }
        });
    }

    // --- site refs ---

    private void findSite(SiteId site, Purpose purpose) {
        ActorRef<SiteAgentCommand> known = agents.get(site);
        if (known != null && purpose != Purpose.CHECK) {
            ctx.getSelf().tell(new SiteFound(site, known, purpose));
            return;
        }
        ctx.ask(Optional.class, registry, Duration.ofSeconds(5),
                replyTo -> new SiteRegistry.Lookup(site, castOptional(replyTo)),
                (found, failure) -> {
                    if (found != null && found.isPresent()) {
                        SiteInfo info = (SiteInfo) found.get();
                        return new SiteFound(site, info.agent(), purpose, info.lost(), info.unreachableSinceMillis());
                    }
                    return new SiteFound(site, null, purpose);
                });
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ActorRef<Optional<SiteInfo>> castOptional(ActorRef<Optional> ref) {
        return (ActorRef) ref;
    }

    private Effect<JobEvent, JobState> onSiteFound(JobState s, SiteFound m) {
        if (m.agent() == null) {
            // The site has not advertised (yet): try again later.
            timers.startSingleTimer("find", m.purpose() == Purpose.AWARD ? new AwardDeadline(s.epoch())
                    : CheckPlaced.INSTANCE, settings.retryMax());
            return Effect().none();
        }
        agents.put(m.site(), m.agent());
        if (m.purpose() == Purpose.CHECK && m.lost() && s.phase() == JobState.Phase.PLACED
                && m.site().equals(s.site())) {
            return siteLost(s, m.unreachableSince());
        }
        if (m.purpose() == Purpose.AWARD && s.phase() == JobState.Phase.AWARDING && m.site().equals(s.site())) {
            sendAward(s);
        } else if (m.purpose() == Purpose.CHECK && s.phase() == JobState.Phase.PLACED && m.site().equals(s.site())) {
            m.agent().tell(new QueryAllocation(jobId, s.epoch(), allocationAdapter));
            if (!timers.isTimerActive("check")) {
                timers.startTimerWithFixedDelay("check", CheckPlaced.INSTANCE, settings.placedCheckInterval());
            }
        }
        return Effect().none();
    }

    /**
     * The site running this job is lost: requeue under a new epoch (the next round excludes the site while it is
     * unreachable), and fence the old epoch there in case the cancel gets through; if it does not, the site's
     * reconciliation stops the stale copy when it comes back.
     */
    private Effect<JobEvent, JobState> siteLost(JobState s, long unreachableSince) {
        SiteId lostSite = s.site();
        long epoch = s.epoch();
        String reason = "site " + lostSite + " lost"
                + (unreachableSince > 0 ? " (unreachable since " + java.time.Instant.ofEpochMilli(unreachableSince)
                + ")" : "");
        return Effect().persist(new JobRequeued(epoch, reason, clock.millis())).thenRun(ns -> {
            timers.cancel("check");
            liveReason = reason;
            tellSite(lostSite, new CancelWorkload(jobId, epoch, reason));
            askCandidates(ns.spec());
        });
    }

    private void tellSite(SiteId site, SiteAgentCommand cmd) {
        if (site == null) {
            return;
        }
        ActorRef<SiteAgentCommand> agent = agents.get(site);
        if (agent != null) {
            agent.tell(cmd);
            return;
        }
        ctx.ask(Optional.class, registry, Duration.ofSeconds(5),
                replyTo -> new SiteRegistry.Lookup(site, castOptional(replyTo)),
                (found, failure) -> {
                    if (found != null && found.isPresent()) {
                        ((SiteInfo) found.get()).agent().tell(cmd);
                    }
                    return Noop.INSTANCE;
                });
    }

    private void releaseAllBids(HoldId keep) {
        for (NegotiationReply r : replies.values()) {
            if (r instanceof Bid b && !b.hold().equals(keep)) {
                tellSite(b.site(), new ReleaseHold(jobId, b.epoch(), b.hold()));
            }
        }
        replies.clear();
    }

    // --- adoption ---

    private Effect<JobEvent, JobState> onAdopt(JobState s, Adopt m) {
        if (s.phase() != JobState.Phase.EMPTY) {
            if (s.phase().terminal()) {
                passivate();
            }
            return Effect().none();
        }
        int generation = JobDirectory.generationOf(entity.getEntityId());
        if (generation != m.generation() || !m.spec().id().equals(jobId)) {
            ctx.getLog().warn("entity {} ignores an adoption of job {} generation {}", entity.getEntityId(),
                    m.spec().id(), m.generation());
            passivate();
            return Effect().none();
        }
        JobAdopted adopted = new JobAdopted(m.spec(), m.from(), m.fromEntity(), origin, generation, m.lastEpoch(),
                m.submittedAtMillis(), clock.millis());
        return Effect().persist(adopted).thenRun(ns -> {
            ctx.getLog().info("site {} adopted job {} from lost site {} ({}), epochs from {}", origin, jobId,
                    m.from(), m.fromEntity(), ns.epoch());
            adoptedFrom = m.from();
            adoptedFromEntity = m.fromEntity();
            pushHandOver(ns);
            askCandidates(ns.spec());
        });
    }

    /** After recovery: reads whether the next adoption generation of this job exists in the journal. */
    private void checkAdoptedElsewhere() {
        String next = JobDirectory.adoptedEntityId(jobId.value(),
                JobDirectory.generationOf(entity.getEntityId()) + 1);
        ctx.pipeToSelf(JournalReader.read(ctx.getSystem(), persistenceId(next).id(), false, 1, Duration.ofSeconds(30)),
                (r, failure) -> {
                    if (failure != null) {
                        return new AdoptionChecked(null, null, failure.toString());
                    }
                    if (!r.events().isEmpty() && r.events().get(0) instanceof JobAdopted a) {
                        return new AdoptionChecked(a.by(), next, null);
                    }
                    return new AdoptionChecked(null, null, null);
                });
    }

    private Effect<JobEvent, JobState> onAdoptionChecked(JobState s, AdoptionChecked m) {
        if (m.by() != null && !s.phase().terminal() && s.phase() != JobState.Phase.EMPTY) {
            // Adopted while this site was lost: hand over now, as if the adopter's HandOver had arrived.
            return onHandOver(s, new HandOver(jobId, m.by(), m.entity(), ctx.getSystem().ignoreRef()));
        }
        if (m.failure() != null) {
            ctx.getLog().warn("job {}: cannot check for an adoption ({}); resuming", jobId, m.failure());
        }
        if (s.phase() == JobState.Phase.QUEUED || s.phase() == JobState.Phase.NEGOTIATING) {
            askCandidates(s.spec());
        }
        return Effect().none();
    }

    /** Recovering an adopted Job: reads its first event (JobAdopted) to know whom to hand over from. */
    private void readAdoptionSource() {
        ctx.pipeToSelf(JournalReader.read(ctx.getSystem(), persistenceId().id(), false, 1, Duration.ofSeconds(30)),
                (r, failure) -> {
                    if (failure == null && !r.events().isEmpty() && r.events().get(0) instanceof JobAdopted a) {
                        return new GotAdoptionSource(a.from(), a.fromEntity(), null);
                    }
                    return new GotAdoptionSource(null, null, failure != null ? failure.toString()
                            : "first event is " + (r.events().isEmpty() ? "missing" : r.events().get(0)));
                });
    }

    /** Tells the previous owner that this site adopted the job, again every placed-check interval until it answers. */
    private void pushHandOver(JobState s) {
        if (adoptedFrom == null) {
            if (JobDirectory.generationOf(entity.getEntityId()) > 0 && !s.phase().terminal()
                    && s.phase() != JobState.Phase.EMPTY) {
                readAdoptionSource(); // a failed read earlier: try again
            }
            return;
        }
        if (handOverAcked || s.phase().terminal()) {
            return;
        }
        if (router == null) {
            router = new JobRouter(ctx.getSystem());
        }
        router.tell(adoptedFrom, adoptedFromEntity, new HandOver(jobId, origin, entity.getEntityId(),
                handOverAdapter));
        timers.startSingleTimer("handover", PushHandOver.INSTANCE, settings.placedCheckInterval());
    }

    private Effect<JobEvent, JobState> onHandOverReply(JobState s, GotHandOverReply m) {
        HandOverReply r = m.reply();
        timers.cancel("handover");
        if (r.accepted()) {
            if (!handOverAcked) {
                ctx.getLog().info("job {}: site {} handed it over ({})", jobId, adoptedFrom, r.ownerState());
            }
            handOverAcked = true;
            return Effect().none();
        }
        if (s.phase().terminal()) {
            return Effect().none();
        }
        // The job had already ended at its owner (e.g. it ran there during the partition): this copy must not run.
        String reason = "job " + jobId + " had already ended at site " + adoptedFrom + " (" + r.ownerState()
                + ") before this adoption took effect";
        JobState before = s;
        return Effect().persist(new JobCancelled(reason, clock.millis())).thenRun(ns -> {
            timers.cancelAll();
            if (before.phase() == JobState.Phase.AWARDING || before.phase() == JobState.Phase.PLACED) {
                tellSite(before.site(), new CancelWorkload(jobId, before.epoch(), reason));
            }
            releaseAllBids(null);
            passivate();
        });
    }

    /**
     * The previous owner's side of a hand-over: persists {@link JobHandedOver} (terminal), fences its own
     * placement, and answers; a job that had already ended here answers not accepted.
     */
    private Effect<JobEvent, JobState> onHandOver(JobState s, HandOver h) {
        if (s.phase() == JobState.Phase.HANDED_OVER || s.phase() == JobState.Phase.EMPTY) {
            h.replyTo().tell(new HandOverReply(jobId, true, s.phase().name()));
            passivate();
            return Effect().none();
        }
        if (s.phase().terminal()) {
            h.replyTo().tell(new HandOverReply(jobId, false, s.phase().name()));
            passivate();
            return Effect().none();
        }
        String reason = "handed over to site " + h.by() + " (" + h.entity() + "), which adopted job " + jobId
                + " while site " + origin + " was lost";
        JobState before = s;
        return Effect().persist(new JobHandedOver(h.by(), h.entity(), clock.millis())).thenRun(ns -> {
            ctx.getLog().info("job {}: {}", jobId, reason);
            timers.cancelAll();
            if (before.phase() == JobState.Phase.AWARDING || before.phase() == JobState.Phase.PLACED) {
                tellSite(before.site(), new CancelWorkload(jobId, before.epoch(), reason));
            }
            releaseAllBids(null);
            h.replyTo().tell(new HandOverReply(jobId, true, ns.phase().name()));
            passivate();
        });
    }

    private void passivate() {
        entity.getShard().tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
    }
}
