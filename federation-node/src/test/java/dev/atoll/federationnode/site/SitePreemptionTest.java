package dev.atoll.federationnode.site;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.ConfigFactory;
import dev.atoll.federationnode.NodeKryo;
import dev.atoll.placement.PackingPolicy;
import dev.atoll.placement.SiteLedger;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.HoldCreated;
import dev.atoll.protocol.event.SiteEvent;
import dev.atoll.protocol.negotiation.Award;
import dev.atoll.protocol.negotiation.AwardReply;
import dev.atoll.protocol.negotiation.Bid;
import dev.atoll.protocol.negotiation.CallForProposals;
import dev.atoll.protocol.negotiation.Committed;
import dev.atoll.protocol.negotiation.Decline;
import dev.atoll.protocol.negotiation.JobNotification;
import dev.atoll.protocol.negotiation.NegotiationReply;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Live preemption at the SiteAgent (issue 3): a call for proposals that does not fit evicts lower-priority
 * preemptible gangs chosen by the PreemptionPlanner, in the same write as the preemptor's hold, and tells the
 * victims' Jobs. EventSourcedBehaviorTestKit (in-memory journal, Kryo on every command and event), ledger
 * invariants checked after every event.
 */
class SitePreemptionTest {
    static {
        NodeKryo.register();
    }

    private static final ActorTestKit KIT = ActorTestKit.create("site-preemption-test",
            EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseString("""
                    pekko.actor.serialize-messages = on
                    pekko.actor.serialize-creators = off
                    pekko.loglevel = WARNING
                    atoll.preemption.max-per-job = 3
                    """)).withFallback(ConfigFactory.load()));

    /** Two H800 nodes of 8 devices. */
    private static final SiteSpec SITE = new SiteSpec(SiteId.of("site-a"), "east",
            List.of(PoolSpec.of("H800", 2, 8, 80)));

    /** 3,600 trace seconds per wall second: one wall millisecond is 3.6 s of lost work without checkpoints. */
    private static final double SPEEDUP = 3600;

    private EventSourcedBehaviorTestKit<SiteAgentCommand, SiteEvent, SiteAgent.State> kit;
    private TestProbe<NegotiationReply> replies;
    private TestProbe<AwardReply> awards;
    private TestProbe<JobNotification> notes;

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    @BeforeEach
    void setUp() {
        start(SITE, true);
    }

    /** @param serializeCommands false for batches (the internal Batch command is never sent between nodes) */
    private void start(SiteSpec site, boolean serializeCommands) {
        SiteAgent.Settings settings = new SiteAgent.Settings(site, PackingPolicy.byName("first-fit"),
                Duration.ofSeconds(30), SPEEDUP, Duration.ofMillis(50), true, 1000);
        kit = EventSourcedBehaviorTestKit.create(KIT.system(), SiteAgent.create(settings, null),
                new EventSourcedBehaviorTestKit.SerializationSettings(true, true, serializeCommands, true, false));
        replies = KIT.createTestProbe();
        awards = KIT.createTestProbe();
        notes = KIT.createTestProbe();
    }

    private static JobSpec spec(String id, int devices, PriorityClass priority, boolean preemptible,
                                long checkpointSeconds) {
        return JobSpec.builder(id, "vc-" + priority.wireName()).devices(devices).models("H800")
                .durationSeconds(3_600_000).priority(priority).preemptible(preemptible)
                .checkpointIntervalSeconds(checkpointSeconds).build();
    }

    /** Bids for and awards {@code spec} (with its terms) at epoch 1; returns the committed placement. */
    private Committed run(JobSpec spec, int preemptions) {
        kit.runCommand(new CallForProposals(spec.id(), 1, spec, replies.ref()));
        Bid bid = (Bid) replies.receiveMessage();
        var r = kit.runCommand(new Award(spec.id(), 1, bid.hold(), awards.ref(), notes.ref(), null, null, spec,
                preemptions));
        assertThat(r.events()).singleElement().isInstanceOfSatisfying(AllocationCommitted.class, c -> {
            assertThat(c.spec()).isEqualTo(spec);
            assertThat(c.preemptions()).isEqualTo(preemptions);
        });
        return (Committed) awards.receiveMessage();
    }

    private static Set<Integer> nodes(List<NodeShare> shares) {
        Set<Integer> n = new HashSet<>();
        for (NodeShare s : shares) {
            n.add(s.node());
        }
        return n;
    }

    @Test
    void anInferenceRequestEvictsTheGangThatLosesLeastWorkInOneWriteWithItsHold() {
        // node 0: a best-effort gang that checkpoints every trace second (loses nothing);
        // node 1: a best-effort gang that never checkpoints, and a production gang that is not preemptible.
        Committed checkpointed = run(spec("be-ckpt", 8, PriorityClass.BEST_EFFORT, true, 1), 0);
        Committed noCkpt = run(spec("be-nockpt", 4, PriorityClass.BEST_EFFORT, true, 0), 0);
        run(spec("prod", 4, PriorityClass.PRODUCTION, false, 0), 0);
        assertThat(nodes(checkpointed.placement().shares())).containsExactly(0);
        assertThat(nodes(noCkpt.placement().shares())).containsExactly(1);
        long committedAt = System.currentTimeMillis();
        // let at least one wall millisecond (3.6 trace seconds) of unsaved work accrue on be-nockpt
        await().atMost(Duration.ofSeconds(5)).until(() -> System.currentTimeMillis() > committedAt + 2);

        JobSpec inference = spec("serve", 4, PriorityClass.INFERENCE, false, 0);
        var r = kit.runCommand(new CallForProposals(inference.id(), 1, inference, replies.ref()));

        // one command, one write: the victim's release first, then the preemptor's hold on the freed devices
        assertThat(r.events()).hasSize(2);
        AllocationReleased released = (AllocationReleased) r.events().get(0);
        assertThat(released.job()).isEqualTo(JobId.of("be-ckpt"));
        assertThat(released.outcome()).isEqualTo(WorkloadEnded.Outcome.PREEMPTED);
        assertThat(released.reason()).contains("serve").contains("inference outranks best-effort");
        HoldCreated hold = (HoldCreated) r.events().get(1);
        assertThat(hold.job()).isEqualTo(inference.id());
        assertThat(nodes(hold.placement().shares())).containsExactly(0);
        Bid bid = (Bid) replies.receiveMessage();
        assertThat(bid.hold()).isEqualTo(hold.hold());
        assertThat(bid.placement()).isEqualTo(hold.placement());

        WorkloadEnded told = (WorkloadEnded) notes.receiveMessage();
        assertThat(told.job()).isEqualTo(JobId.of("be-ckpt"));
        assertThat(told.outcome()).isEqualTo(WorkloadEnded.Outcome.PREEMPTED);
        assertThat(told.epoch()).isEqualTo(1);

        SiteLedger ledger = r.state().ledger();
        ledger.checkInvariants();
        assertThat(ledger.allocation(JobId.of("be-ckpt"))).isNull();
        assertThat(ledger.allocation(JobId.of("be-nockpt"))).isNotNull();
        assertThat(r.state().terms(JobId.of("be-ckpt"))).isNull();
        assertThat(r.state().terms(JobId.of("be-nockpt")).spec().priority()).isEqualTo(PriorityClass.BEST_EFFORT);
    }

    @Test
    void whatAPreemptorFreedGoesToItNotToARequestDecidedInTheSameBatch() {
        start(new SiteSpec(SiteId.of("site-batch"), "east", SITE.pools()), false);
        run(spec("be", 16, PriorityClass.BEST_EFFORT, true, 0), 0);
        JobSpec inference = spec("serve", 16, PriorityClass.INFERENCE, false, 0);
        JobSpec other = spec("other", 8, PriorityClass.BEST_EFFORT, true, 0);
        var r = kit.runCommand(SiteAgent.batchOf(List.of(
                new CallForProposals(inference.id(), 1, inference, replies.ref()),
                new CallForProposals(other.id(), 1, other, replies.ref()))));
        assertThat(r.events()).hasSize(2);
        assertThat(r.events().get(0)).isInstanceOf(AllocationReleased.class);
        assertThat(((HoldCreated) r.events().get(1)).job()).isEqualTo(inference.id());
        List<NegotiationReply> got = new ArrayList<>(replies.receiveSeveralMessages(2));
        assertThat(got.get(0)).isInstanceOfSatisfying(Bid.class, b -> assertThat(b.job()).isEqualTo(inference.id()));
        assertThat(got.get(1)).isInstanceOfSatisfying(Decline.class,
                d -> assertThat(d.job()).isEqualTo(other.id()));
        r.state().ledger().checkInvariants();
    }

    @Test
    void canPreemptAnswersFromThePlannerWithoutWritingAnything() {
        run(spec("be", 16, PriorityClass.BEST_EFFORT, true, 0), 0);
        TestProbe<CanPreempt.Answer> answers = KIT.createTestProbe();
        var yes = kit.runCommand(new CanPreempt(spec("serve", 8, PriorityClass.INFERENCE, false, 0), answers.ref()));
        assertThat(yes.hasNoEvents()).isTrue();
        CanPreempt.Answer a = answers.receiveMessage();
        assertThat(a.possible()).isTrue();
        assertThat(a.reason()).contains("be");
        // best effort does not outrank best effort
        kit.runCommand(new CanPreempt(spec("be-2", 8, PriorityClass.BEST_EFFORT, true, 0), answers.ref()));
        assertThat(answers.receiveMessage().possible()).isFalse();
        assertThat(kit.getState().ledger().allocations()).hasSize(1);
    }

    @Test
    void equalPriorityNonPreemptibleAndTooOftenPreemptedWorkIsNeverEvicted() {
        run(spec("prod-preemptible", 8, PriorityClass.PRODUCTION, true, 0), 0);
        run(spec("be-3-times", 8, PriorityClass.BEST_EFFORT, true, 0), 3);
        // production does not outrank production, and be-3-times reached atoll.preemption.max-per-job = 3
        JobSpec production = spec("prod-2", 8, PriorityClass.PRODUCTION, false, 0);
        var r = kit.runCommand(new CallForProposals(production.id(), 1, production, replies.ref()));
        assertThat(r.hasNoEvents()).isTrue();
        assertThat(replies.receiveMessage()).isInstanceOf(Decline.class);
        notes.expectNoMessage(Duration.ofMillis(200));
        assertThat(r.state().ledger().allocations()).hasSize(2);
    }

    @Test
    void anAllocationWithoutTermsIsNeverPreempted() {
        JobSpec be = spec("old", 16, PriorityClass.BEST_EFFORT, true, 0);
        kit.runCommand(new CallForProposals(be.id(), 1, be, replies.ref()));
        Bid bid = (Bid) replies.receiveMessage();
        // an award of the earlier shape: no spec, so the site does not know its priority
        kit.runCommand(new Award(be.id(), 1, bid.hold(), awards.ref(), notes.ref()));
        awards.receiveMessage();
        JobSpec inference = spec("serve", 8, PriorityClass.INFERENCE, false, 0);
        var r = kit.runCommand(new CallForProposals(inference.id(), 1, inference, replies.ref()));
        assertThat(r.hasNoEvents()).isTrue();
        assertThat(replies.receiveMessage()).isInstanceOf(Decline.class);
    }

    @Test
    void termsSurviveASnapshotAndTheShapeWithoutTermsRestoresWithNone() {
        Committed c = run(spec("be", 8, PriorityClass.BEST_EFFORT, true, 600), 2);
        SiteAgent.State state = kit.getState();
        SiteLedgerSnapshot snap = state.snapshot();
        assertThat(snap.terms()).singleElement().satisfies(t -> {
            assertThat(t.job()).isEqualTo(JobId.of("be"));
            assertThat(t.preemptions()).isEqualTo(2);
            assertThat(t.spec().checkpointIntervalSeconds()).isEqualTo(600);
        });
        dev.atoll.protocol.serialization.AtollKryoSerializer kryo =
                new dev.atoll.protocol.serialization.AtollKryoSerializer();
        SiteLedgerSnapshot back = (SiteLedgerSnapshot) kryo.fromBinary(kryo.toBinary(snap));
        SiteAgent.State restored = SiteAgent.State.restore(back, SITE, 1000);
        assertThat(restored.terms(JobId.of("be"))).isEqualTo(snap.terms().get(0));
        assertThat(restored.ledger().allocation(JobId.of("be")).placement()).isEqualTo(c.placement());

        SiteLedgerSnapshotV3 old = new SiteLedgerSnapshotV3(snap.version(), snap.holds(), snap.allocations(),
                snap.ended(), snap.draining(), snap.drainReason(), snap.owners());
        SiteAgent.State fromOld = SiteAgent.State.restore(
                ((SiteLedgerSnapshotV3) kryo.fromBinary(kryo.toBinary(old))).upcast(), SITE, 1000);
        assertThat(fromOld.terms(JobId.of("be"))).isNull();
        assertThat(fromOld.ledger().allocation(JobId.of("be"))).isNotNull();
    }
}
