package dev.atoll.federationnode.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.atoll.federationnode.NodeKryo;
import dev.atoll.federationnode.site.SiteAgent;
import dev.atoll.placement.SiteChoicePolicy;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.Advert;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.PoolAdvert;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.event.JobEvent;
import dev.atoll.protocol.event.JobSubmitted;
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
import dev.atoll.siteregistry.CandidateSites;
import dev.atoll.siteregistry.SiteInfo;
import dev.atoll.siteregistry.SiteRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityContext;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The Job's negotiation against scripted sites (probes): ranking, award, refusal, rejection, the end of the
 * workload, requeue and cancel. Commands and events are serialized on every call.
 */
class JobTest {
    static {
        NodeKryo.register();
    }

    private static final ActorTestKit KIT = ActorTestKit.create("job-test",
            EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseString("""
                    pekko.actor.serialize-messages = on
                    pekko.actor.serialize-creators = off
                    pekko.loglevel = WARNING
                    """)).withFallback(ConfigFactory.load()));
    private static final SiteId A = SiteId.of("site-a");
    private static final SiteId B = SiteId.of("site-b");
    private static final AcceleratorModel H800 = AcceleratorModel.of("H800");

    private EventSourcedBehaviorTestKit<Job.Command, JobEvent, JobState> kit;
    private TestProbe<SiteRegistry.Command> registry;
    private TestProbe<SiteAgentCommand> siteA;
    private TestProbe<SiteAgentCommand> siteB;
    private TestProbe<JobNotification> notifier;
    private TestProbe<ClusterSharding.ShardCommand> shard;

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @BeforeEach
    void setUp() {
        registry = KIT.createTestProbe();
        siteA = KIT.createTestProbe();
        siteB = KIT.createTestProbe();
        notifier = KIT.createTestProbe();
        shard = KIT.createTestProbe();
    }

    private void start(String id) {
        EntityContext<Job.Command> ctx = new EntityContext<>(JobDirectory.typeKey(A), id, shard.ref());
        Job.Settings settings = new Job.Settings(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofMillis(50),
                Duration.ofMillis(200), Duration.ofSeconds(30), SiteChoicePolicy.liveDefault());
        kit = EventSourcedBehaviorTestKit.create(KIT.system(),
                Job.create(ctx, A, registry.ref(), notifier.ref(), settings),
                new EventSourcedBehaviorTestKit.SerializationSettings(true, true, true, true, false));
    }

    private static JobSpec spec(String id) {
        return JobSpec.builder(id, "vc1").devices(8).models("H800").durationSeconds(600).build();
    }

    private SiteInfo info(SiteId site, TestProbe<SiteAgentCommand> agent, int free) {
        Advert ad = new Advert(site, "r", 1, 0, List.of(new PoolAdvert(H800, 16, free, Math.min(8, free), free / 8, 8, 0,
                1.0, 1.0)));
        return new SiteInfo(ad, agent.ref(), true);
    }

    private void answerCandidates(CandidateSites c) {
        SiteRegistry.GetCandidates ask = registry.expectMessageClass(SiteRegistry.GetCandidates.class);
        ask.replyTo().tell(c);
    }

    private static Bid bid(CallForProposals cfp, SiteId site, int freeAfter) {
        Placement p = new Placement(site, H800, List.of(new NodeShare(0, List.of(0, 1, 2, 3, 4, 5, 6, 7), 1000)));
        return new Bid(cfp.job(), cfp.epoch(), site, HoldId.of(cfp.job() + ":e" + cfp.epoch() + ":" + site), 0, 0.0,
                1.0, 1.0, 0, freeAfter, p);
    }

    private String state() {
        return kit.getState().status(System.currentTimeMillis(), null).state();
    }

    /** Submits, offers both sites, bids from both (B leaves more free), and returns B's award. */
    private Award negotiateToAward(String id) {
        start(id);
        var submitted = kit.<Job.Reply>runCommand(r -> new Job.Submit(spec(id), r));
        assertThat(submitted.events()).hasSize(1).first().isInstanceOf(JobSubmitted.class);
        assertThat(((JobStatus) submitted.reply()).state()).isEqualTo("queued");
        answerCandidates(new CandidateSites(List.of(info(A, siteA, 8), info(B, siteB, 16)), true, 2, ""));
        CallForProposals cfpA = (CallForProposals) siteA.receiveMessage();
        CallForProposals cfpB = (CallForProposals) siteB.receiveMessage();
        assertThat(cfpA.epoch()).isEqualTo(1);
        cfpA.replyTo().tell(bid(cfpA, A, 0));
        cfpB.replyTo().tell(bid(cfpB, B, 8));
        Award award = (Award) siteB.receiveMessage();
        ReleaseHold release = (ReleaseHold) siteA.receiveMessage();
        assertThat(release.hold()).isEqualTo(bid(cfpA, A, 0).hold());
        assertThat(award.notifyTo()).isEqualTo(notifier.ref());
        return award;
    }

    private static Committed committed(Award award) {
        return new Committed(award.job(), award.epoch(), award.hold(), new Placement(B, H800,
                List.of(new NodeShare(0, List.of(0, 1, 2, 3, 4, 5, 6, 7), 1000))), System.currentTimeMillis());
    }

    @Test
    void placesOnTheBestBidAndIsIdempotent() {
        Award award = negotiateToAward("j1");
        award.replyTo().tell(committed(award));
        await().atMost(Duration.ofSeconds(5)).until(() -> state().equals("running"));
        JobStatus st = (JobStatus) kit.<Job.Reply>runCommand(Job.GetStatus::new).reply();
        assertThat(st.site()).isEqualTo("site-b");
        assertThat(st.model()).isEqualTo("H800");
        assertThat(st.nodes()).containsExactly(0);
        var again = kit.<Job.Reply>runCommand(r -> new Job.Submit(spec("j1"), r));
        assertThat(again.hasNoEvents()).isTrue();
        assertThat(((JobStatus) again.reply()).state()).isEqualTo("running");
        var other = kit.<Job.Reply>runCommand(r -> new Job.Submit(JobSpec.builder("j1", "vc1").devices(4).build(), r));
        assertThat(other.reply()).isEqualTo(new JobError(JobError.Kind.CONFLICT, "job j1 exists with a different spec"));
    }

    @Test
    void awardRefusedStartsANewRound() {
        Award award = negotiateToAward("j2");
        award.replyTo().tell(new AwardRefused(award.job(), award.epoch(), award.hold(), "hold expired"));
        answerCandidates(new CandidateSites(List.of(info(A, siteA, 8)), true, 2, ""));
        CallForProposals cfp = (CallForProposals) siteA.receiveMessage();
        assertThat(cfp.epoch()).isEqualTo(2);
    }

    @Test
    void completesWhenTheSiteReportsTheEndAndPassivates() {
        Award award = negotiateToAward("j3");
        award.replyTo().tell(committed(award));
        await().atMost(Duration.ofSeconds(5)).until(() -> state().equals("running"));
        kit.runCommand(new Job.Notify(new WorkloadEnded(award.job(), 1, B, WorkloadEnded.Outcome.COMPLETED,
                System.currentTimeMillis(), "")));
        assertThat(state()).isEqualTo("completed");
        assertThat(kit.getState().endedAt()).isPositive();
        shard.expectMessageClass(ClusterSharding.Passivate.class);
    }

    @Test
    void preemptedWorkloadIsRequeuedAndNegotiatedAgain() {
        Award award = negotiateToAward("j4");
        award.replyTo().tell(committed(award));
        await().atMost(Duration.ofSeconds(5)).until(() -> state().equals("running"));
        assertThat(award.spec()).isEqualTo(spec("j4"));
        assertThat(award.preemptions()).isZero();
        var preempted = kit.runCommand(new Job.Notify(new WorkloadEnded(award.job(), 1, B,
                WorkloadEnded.Outcome.PREEMPTED, System.currentTimeMillis(), "higher priority")));
        assertThat(preempted.events()).singleElement().isInstanceOfSatisfying(dev.atoll.protocol.event.JobPreempted.class,
                e -> {
                    assertThat(e.site()).isEqualTo(B);
                    assertThat(e.reason()).isEqualTo("preempted at site site-b: higher priority");
                });
        assertThat(kit.getState().preemptions()).isEqualTo(1);
        assertThat(state()).isEqualTo("queued");
        answerCandidates(new CandidateSites(List.of(info(A, siteA, 8)), true, 2, ""));
        CallForProposals cfp = (CallForProposals) siteA.receiveMessage();
        assertThat(cfp.epoch()).isEqualTo(2);
        // the next award carries the history, so that sites stop preempting it after max-per-job times
        cfp.replyTo().tell(bid(cfp, A, 0));
        Award again = (Award) siteA.receiveMessage();
        assertThat(again.preemptions()).isEqualTo(1);
        assertThat(again.spec()).isEqualTo(spec("j4"));
    }

    @Test
    void aJobAboveBestEffortAsksFullSitesReadOnlyAndCallsOneThatCouldPreempt() {
        start("j10");
        kit.<Job.Reply>runCommand(r -> new Job.Submit(spec("j10"), r));
        answerCandidates(new CandidateSites(List.of(), true, 2, "no reachable site has 8 devices of H800 free now",
                List.of(info(A, siteA, 0), info(B, siteB, 4))));
        // both full sites are asked, read-only; nothing is persisted while they answer
        dev.atoll.federationnode.site.CanPreempt askA = (dev.atoll.federationnode.site.CanPreempt) siteA.receiveMessage();
        dev.atoll.federationnode.site.CanPreempt askB = (dev.atoll.federationnode.site.CanPreempt) siteB.receiveMessage();
        assertThat(askA.spec()).isEqualTo(spec("j10"));
        long epochBefore = kit.getState().epoch();
        askB.replyTo().tell(new dev.atoll.federationnode.site.CanPreempt.Answer(B, false, "nothing to preempt"));
        askA.replyTo().tell(new dev.atoll.federationnode.site.CanPreempt.Answer(A, true, "would preempt [be]"));
        // the "yes" starts a round with that site alone
        CallForProposals cfp = (CallForProposals) siteA.receiveMessage();
        assertThat(cfp.epoch()).isEqualTo(epochBefore + 1);
        siteB.expectNoMessage(Duration.ofMillis(200));
        cfp.replyTo().tell(new Decline(cfp.job(), cfp.epoch(), A, "no node has 8 free devices"));
        await().atMost(Duration.ofSeconds(5)).until(() -> kit.getState().reason()
                .startsWith("no reachable site has 8 devices of H800 free now; no lower-priority work to preempt"));
        assertThat(state()).isEqualTo("queued");
    }

    @Test
    void allFullSitesSayingNoMeansWaitingWithoutANewRound() {
        start("j12");
        kit.<Job.Reply>runCommand(r -> new Job.Submit(spec("j12"), r));
        answerCandidates(new CandidateSites(List.of(), true, 2, "no reachable site has 8 devices of H800 free now",
                List.of(info(A, siteA, 0))));
        dev.atoll.federationnode.site.CanPreempt ask = (dev.atoll.federationnode.site.CanPreempt) siteA.receiveMessage();
        ask.replyTo().tell(new dev.atoll.federationnode.site.CanPreempt.Answer(A, false, "nothing to preempt"));
        await().atMost(Duration.ofSeconds(5)).until(() -> kit.getState().reason()
                .equals("no reachable site has 8 devices of H800 free now"));
        assertThat(kit.getState().epoch()).isZero();
        assertThat(state()).isEqualTo("queued");
    }

    @Test
    void bestEffortNeverPreemptsSoItNeverCallsAFullSite() {
        start("j11");
        JobSpec be = JobSpec.builder("j11", "vc1").devices(8).models("H800").durationSeconds(600)
                .priority(dev.atoll.protocol.PriorityClass.BEST_EFFORT).build();
        kit.<Job.Reply>runCommand(r -> new Job.Submit(be, r));
        answerCandidates(new CandidateSites(List.of(), true, 2, "no reachable site has 8 devices of H800 free now",
                List.of(info(A, siteA, 0))));
        await().atMost(Duration.ofSeconds(5)).until(() -> kit.getState().reason().startsWith("no reachable site"));
        siteA.expectNoMessage(Duration.ofMillis(200));
    }

    @Test
    void cancelStopsThePlacedWorkload() {
        Award award = negotiateToAward("j5");
        award.replyTo().tell(committed(award));
        await().atMost(Duration.ofSeconds(5)).until(() -> state().equals("running"));
        var cancel = kit.<Job.Reply>runCommand(r -> new Job.Cancel("user asked", r));
        assertThat(((JobStatus) cancel.reply()).state()).isEqualTo("cancelled");
        CancelWorkload cw = (CancelWorkload) siteB.receiveMessage();
        assertThat(cw.epoch()).isEqualTo(1);
        assertThat(cw.reason()).isEqualTo("user asked");
    }

    @Test
    void unansweredAwardIsFencedAndALateCommitIsCancelled() {
        Award award = negotiateToAward("j6");
        // three attempts, 300 ms apart, then the job fences the epoch and negotiates again
        assertThat(siteB.receiveMessage()).isInstanceOf(Award.class);
        assertThat(siteB.receiveMessage()).isInstanceOf(Award.class);
        CancelWorkload fence = (CancelWorkload) siteB.receiveMessage();
        assertThat(fence.epoch()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> state().equals("queued"));
        award.replyTo().tell(committed(award));
        CancelWorkload late = (CancelWorkload) siteB.receiveMessage();
        assertThat(late.epoch()).isEqualTo(1);
        assertThat(late.reason()).contains("too late");
    }

    @Test
    void rejectedWhenNoSiteCouldEverFitOrAllSayNever() {
        start("j7");
        kit.<Job.Reply>runCommand(r -> new Job.Submit(spec("j7"), r));
        answerCandidates(new CandidateSites(List.of(), false, 2, "no site in the federation has capacity for 8 devices"));
        await().atMost(Duration.ofSeconds(5)).until(() -> state().equals("rejected"));
        assertThat(kit.getState().reason()).contains("no site in the federation");

        start("j8");
        kit.<Job.Reply>runCommand(r -> new Job.Submit(spec("j8"), r));
        answerCandidates(new CandidateSites(List.of(info(A, siteA, 16)), true, 1, ""));
        CallForProposals cfp = (CallForProposals) siteA.receiveMessage();
        cfp.replyTo().tell(new Decline(cfp.job(), cfp.epoch(), A, SiteAgent.NEVER_PREFIX + "site-a has at most 16"));
        await().atMost(Duration.ofSeconds(5)).until(() -> state().equals("rejected"));
    }

    @Test
    void waitsWithAReasonAndRetries() {
        start("j9");
        kit.<Job.Reply>runCommand(r -> new Job.Submit(spec("j9"), r));
        answerCandidates(new CandidateSites(List.of(), true, 2, "no reachable site has 8 devices of H800 free now"));
        await().atMost(Duration.ofSeconds(5)).until(() -> kit.getState().reason().startsWith("no reachable site"));
        assertThat(state()).isEqualTo("queued");
        // the retry timer asks again; this time a site declines for now (not never): still waiting
        answerCandidates(new CandidateSites(List.of(info(A, siteA, 8)), true, 2, ""));
        CallForProposals cfp = (CallForProposals) siteA.receiveMessage();
        cfp.replyTo().tell(new Decline(cfp.job(), cfp.epoch(), A, "no node has 8 free devices"));
        await().atMost(Duration.ofSeconds(5)).until(() -> kit.getState().reason().contains("no node has 8 free"));
        assertThat(state()).isEqualTo("queued");
        registry.expectMessageClass(SiteRegistry.GetCandidates.class);
    }

    @Test
    void anotherSitesCopyOfAJobAnswersReadOnlyAndNeverWrites() {
        Job.Settings settings = new Job.Settings(Duration.ofSeconds(2), Duration.ofMillis(300), Duration.ofMillis(50),
                Duration.ofMillis(200), Duration.ofSeconds(30), SiteChoicePolicy.liveDefault());
        TestProbe<Job.Reply> replies = KIT.createTestProbe();
        // The origin, site A, accepts the job and writes Job|foreign-1 to the (shared, in-memory) journal.
        var origin = KIT.spawn(Job.create(new EntityContext<>(JobDirectory.typeKey(A), "foreign-1", shard.ref()), A,
                registry.ref(), notifier.ref(), settings));
        origin.tell(new Job.Submit(spec("foreign-1"), replies.ref()));
        assertThat(replies.expectMessageClass(JobStatus.class).state()).isEqualTo("queued");
        registry.expectMessageClass(SiteRegistry.GetCandidates.class);

        // The same persistence id recovered by site B's sharding (e.g. a status request sent to site B's node).
        TestProbe<SiteRegistry.Command> registryB = KIT.createTestProbe();
        var copy = KIT.spawn(Job.create(new EntityContext<>(JobDirectory.typeKey(B), "foreign-1", shard.ref()), B,
                registryB.ref(), notifier.ref(), settings));
        copy.tell(new Job.GetStatus(replies.ref()));
        JobStatus status = replies.expectMessageClass(JobStatus.class);
        assertThat(status.state()).isEqualTo("queued");
        assertThat(status.reason()).isEqualTo("owned by site site-a; ask its node");

        copy.tell(new Job.Submit(spec("foreign-1"), replies.ref()));
        JobError resubmit = replies.expectMessageClass(JobError.class);
        assertThat(resubmit.kind()).isEqualTo(JobError.Kind.CONFLICT);
        assertThat(resubmit.message()).contains("owned by site site-a");
        // The copy never negotiated (its registry was never asked) and wrote nothing: the origin's next
        // status still shows only its own submission.
        registryB.expectNoMessage(Duration.ofMillis(300));
        origin.tell(new Job.GetStatus(replies.ref()));
        assertThat(replies.expectMessageClass(JobStatus.class).state()).isEqualTo("queued");
    }
}
