package dev.atoll.federationnode.site;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.atoll.federationnode.NodeKryo;
import dev.atoll.placement.PackingPolicy;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.HoldCreated;
import dev.atoll.protocol.event.HoldReleased;
import dev.atoll.protocol.event.SiteEvent;
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
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * SiteAgent behaviour with the EventSourcedBehaviorTestKit (in-memory journal; commands and events are
 * serialized with the Kryo serializer on every call) and real timers.
 */
class SiteAgentTest {
    static {
        NodeKryo.register();
    }

    private static final ActorTestKit KIT = ActorTestKit.create("site-agent-test",
            EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseString("""
                    pekko.actor.serialize-messages = on
                    pekko.actor.serialize-creators = off
                    pekko.loglevel = WARNING
                    """)).withFallback(ConfigFactory.load()));

    private static final SiteSpec SITE = new SiteSpec(SiteId.of("site-a"), "east",
            List.of(PoolSpec.of("H800", 2, 8, 80), PoolSpec.of("T4", 1, 4, 16)));

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
        start(Duration.ofSeconds(30), 1.0);
    }

    private void start(Duration holdTimeout, double speedup) {
        SiteAgent.Settings settings = new SiteAgent.Settings(SITE, PackingPolicy.byName("first-fit"), holdTimeout,
                speedup, Duration.ofMillis(50), true, 1000);
        kit = EventSourcedBehaviorTestKit.create(KIT.system(), SiteAgent.create(settings, null),
                new EventSourcedBehaviorTestKit.SerializationSettings(true, true, true, true, false));
        replies = KIT.createTestProbe();
        awards = KIT.createTestProbe();
        notes = KIT.createTestProbe();
    }

    private static JobSpec job(String id, int devices, long seconds) {
        return JobSpec.builder(id, "vc1").devices(devices).models("H800").durationSeconds(seconds).build();
    }

    private Bid bid(String id, long epoch, int devices, long seconds) {
        var result = kit.runCommand(new CallForProposals(JobId.of(id), epoch, job(id, devices, seconds), replies.ref()));
        NegotiationReply r = replies.receiveMessage();
        assertThat(r).isInstanceOf(Bid.class);
        assertThat(result.events()).hasSize(1).first().isInstanceOf(HoldCreated.class);
        return (Bid) r;
    }

    private LedgerView ledger() {
        TestProbe<LedgerView> p = KIT.createTestProbe();
        kit.runCommand(new GetLedger(p.ref()));
        return p.receiveMessage();
    }

    @Test
    void callForProposalsHoldsDevicesAndRepeatsTheSameBid() {
        Bid first = bid("j1", 1, 8, 60);
        assertThat(first.placement().deviceCount()).isEqualTo(8);
        assertThat(first.site()).isEqualTo(SITE.id());
        assertThat(first.freeAfter()).isEqualTo(8);
        var repeat = kit.runCommand(new CallForProposals(JobId.of("j1"), 1, job("j1", 8, 60), replies.ref()));
        assertThat(repeat.hasNoEvents()).isTrue();
        Bid again = (Bid) replies.receiveMessage();
        assertThat(again.hold()).isEqualTo(first.hold());
        assertThat(again.placement()).isEqualTo(first.placement());
        assertThat(ledger().holds()).isEqualTo(1);
    }

    @Test
    void aNewRoundSupersedesTheJobsOlderHolds() {
        bid("other", 1, 8, 60);
        Bid old = bid("x", 1, 8, 60);
        var next = kit.runCommand(new CallForProposals(JobId.of("x"), 2, job("x", 8, 60), replies.ref()));
        assertThat(next.events()).hasSize(2);
        assertThat(next.events().get(0)).isEqualTo(new HoldReleased(old.hold(), "superseded by round 2"));
        assertThat(next.events().get(1)).isInstanceOf(HoldCreated.class);
        Bid fresh = (Bid) replies.receiveMessage();
        assertThat(fresh.epoch()).isEqualTo(2);
        assertThat(fresh.hold()).isNotEqualTo(old.hold());
        assertThat(ledger().holds()).isEqualTo(2);
    }

    @Test
    void declinesWithReasonAndMarksNeverFits() {
        bid("a", 1, 8, 60);
        bid("b", 1, 8, 60);
        var full = kit.runCommand(new CallForProposals(JobId.of("c"), 1, job("c", 8, 60), replies.ref()));
        assertThat(full.hasNoEvents()).isTrue();
        Decline wait = (Decline) replies.receiveMessage();
        assertThat(wait.reason()).doesNotStartWith(SiteAgent.NEVER_PREFIX).isNotBlank();
        kit.runCommand(new CallForProposals(JobId.of("d"), 1, job("d", 32, 60), replies.ref()));
        Decline never = (Decline) replies.receiveMessage();
        assertThat(never.reason()).startsWith(SiteAgent.NEVER_PREFIX).contains("32");
        kit.runCommand(new CallForProposals(JobId.of("e"), 1,
                JobSpec.builder("e", "vc1").devices(1).models("A100-80GB").build(), replies.ref()));
        assertThat(((Decline) replies.receiveMessage()).reason()).startsWith(SiteAgent.NEVER_PREFIX);
    }

    @Test
    void awardCommitsOnceAndRepeatsAnswerCommitted() {
        Bid b = bid("j1", 1, 4, 3600);
        var commit = kit.runCommand(new Award(JobId.of("j1"), 1, b.hold(), awards.ref(), notes.ref()));
        assertThat(commit.events()).hasSize(1).first().isInstanceOf(AllocationCommitted.class);
        AllocationCommitted ev = (AllocationCommitted) commit.events().get(0);
        assertThat(ev.endsAtMillis() - ev.startedAtMillis()).isEqualTo(3_600_000L);
        Committed c = (Committed) awards.receiveMessage();
        assertThat(c.placement()).isEqualTo(b.placement());
        var repeat = kit.runCommand(new Award(JobId.of("j1"), 1, b.hold(), awards.ref(), notes.ref()));
        assertThat(repeat.hasNoEvents()).isTrue();
        assertThat(awards.receiveMessage()).isEqualTo(c);
        assertThat(ledger().allocations()).hasSize(1);
        assertThat(ledger().holds()).isZero();
    }

    @Test
    void awardForUnknownOrReleasedHoldIsRefused() {
        kit.runCommand(new Award(JobId.of("x"), 1, HoldId.of("x:e1:d5"), awards.ref(), notes.ref()));
        assertThat(awards.receiveMessage()).isInstanceOf(AwardRefused.class);
        Bid b = bid("j2", 1, 2, 60);
        var release = kit.runCommand(new ReleaseHold(JobId.of("j2"), 1, b.hold()));
        assertThat(release.events()).hasSize(1).first().isInstanceOf(HoldReleased.class);
        assertThat(kit.runCommand(new ReleaseHold(JobId.of("j2"), 1, b.hold())).hasNoEvents()).isTrue();
        kit.runCommand(new Award(JobId.of("j2"), 1, b.hold(), awards.ref(), notes.ref()));
        AwardRefused refused = (AwardRefused) awards.receiveMessage();
        assertThat(refused.reason()).contains("expired or was released");
    }

    @Test
    void holdsExpireOnTheirOwn() {
        start(Duration.ofMillis(300), 1.0);
        Bid b = bid("j3", 1, 8, 60);
        TestProbe<LedgerView> p = KIT.createTestProbe();
        p.awaitAssert(Duration.ofSeconds(5), () -> {
            kit.runCommand(new GetLedger(p.ref()));
            assertThat(p.receiveMessage().holds()).isZero();
            return null;
        });
        kit.runCommand(new Award(JobId.of("j3"), 1, b.hold(), awards.ref(), notes.ref()));
        assertThat(awards.receiveMessage()).isInstanceOf(AwardRefused.class);
    }

    @Test
    void executorEndsTheWorkloadAndTellsTheJob() {
        start(Duration.ofSeconds(30), 100.0);
        Bid b = bid("j4", 1, 8, 50); // 50 trace seconds at speedup 100 = 500 ms
        kit.runCommand(new Award(JobId.of("j4"), 1, b.hold(), awards.ref(), notes.ref()));
        assertThat(awards.receiveMessage()).isInstanceOf(Committed.class);
        WorkloadEnded ended = (WorkloadEnded) notes.receiveMessage(Duration.ofSeconds(5));
        assertThat(ended.outcome()).isEqualTo(WorkloadEnded.Outcome.COMPLETED);
        assertThat(ended.epoch()).isEqualTo(1);
        assertThat(ledger().allocations()).isEmpty();
        TestProbe<AllocationStatus> q = KIT.createTestProbe();
        kit.runCommand(new QueryAllocation(JobId.of("j4"), 1, q.ref()));
        AllocationStatus st = q.receiveMessage();
        assertThat(st.state()).isEqualTo(AllocationStatus.State.ENDED);
        assertThat(st.outcome()).isEqualTo(WorkloadEnded.Outcome.COMPLETED);
    }

    @Test
    void cancelReleasesTheAllocationIdempotently() {
        Bid b = bid("j5", 1, 8, 3600);
        kit.runCommand(new Award(JobId.of("j5"), 1, b.hold(), awards.ref(), notes.ref()));
        awards.receiveMessage();
        var cancel = kit.runCommand(new CancelWorkload(JobId.of("j5"), 1, "user"));
        assertThat(cancel.events()).hasSize(1);
        AllocationReleased r = (AllocationReleased) cancel.events().get(0);
        assertThat(r.outcome()).isEqualTo(WorkloadEnded.Outcome.CANCELLED);
        assertThat(kit.runCommand(new CancelWorkload(JobId.of("j5"), 1, "user")).hasNoEvents()).isTrue();
        assertThat(ledger().allocations()).isEmpty();
    }

    @Test
    void restartRecoversTheLedgerExactlyAndRearmsTimers() {
        start(Duration.ofSeconds(30), 10.0);
        Bid keep = bid("long", 1, 8, 36_000);
        kit.runCommand(new Award(JobId.of("long"), 1, keep.hold(), awards.ref(), notes.ref()));
        awards.receiveMessage();
        Bid soon = bid("short", 1, 4, 10); // 1 s at speedup 10
        kit.runCommand(new Award(JobId.of("short"), 1, soon.hold(), awards.ref(), notes.ref()));
        awards.receiveMessage();
        bid("held", 1, 2, 60);
        LedgerView before = ledger();
        kit.restart();
        LedgerView after = ledger();
        assertThat(after).isEqualTo(before);
        TestProbe<LedgerView> p = KIT.createTestProbe();
        p.awaitAssert(Duration.ofSeconds(5), () -> {
            kit.runCommand(new GetLedger(p.ref()));
            assertThat(p.receiveMessage().allocations()).extracting(a -> a.job().value()).containsExactly("long");
            return null;
        });
    }

    /** Holds, allocations and per-node free devices of a ledger, for exact comparison. */
    private static List<Object> contents(dev.atoll.placement.SiteLedger l) {
        List<Integer> free = new java.util.ArrayList<>();
        for (int n = 0; n < l.nodeCount(); n++) {
            free.add(l.freeDevices(n));
        }
        return List.of(new java.util.HashSet<>(l.holds()), new java.util.HashSet<>(l.allocations()), free,
                l.appliedEvents());
    }

    @Test
    void aBatchDecidesInOrderWithoutOverCommitAndReplaysExactly() {
        // The commands that arrive during one journal write, as the group-commit front hands them over.
        SiteSpec site = new SiteSpec(SiteId.of("site-batch"), "east", SITE.pools());
        var batchKit = EventSourcedBehaviorTestKit.<SiteAgentCommand, SiteEvent, SiteAgent.State>create(KIT.system(),
                SiteAgent.create(new SiteAgent.Settings(site, PackingPolicy.byName("first-fit"),
                        Duration.ofSeconds(30), 1.0, Duration.ofMillis(50), true, 1000), null),
                new EventSourcedBehaviorTestKit.SerializationSettings(true, true, false, true, false));
        List<SiteAgentCommand> batch = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) { // 40 x 4 H800 against 16 H800: exactly 4 fit
            batch.add(new CallForProposals(JobId.of("b" + i), 1, job("b" + i, 4, 60), replies.ref()));
        }
        HoldId b0 = SiteAgent.holdId(JobId.of("b0"), 1, 60);
        HoldId b1 = SiteAgent.holdId(JobId.of("b1"), 1, 60);
        batch.add(new CallForProposals(JobId.of("b0"), 1, job("b0", 4, 60), replies.ref())); // repeat: same bid
        batch.add(new Award(JobId.of("b0"), 1, b0, awards.ref(), notes.ref()));
        batch.add(new Award(JobId.of("b0"), 1, b0, awards.ref(), notes.ref())); // repeat: Committed again
        batch.add(new ReleaseHold(JobId.of("b1"), 1, b1));
        batch.add(new ReleaseHold(JobId.of("b1"), 1, b1)); // idempotent
        batch.add(new CallForProposals(JobId.of("late"), 1, job("late", 4, 60), replies.ref())); // takes b1's room
        batch.add(new Award(JobId.of("b1"), 1, b1, awards.ref(), notes.ref())); // released: refused

        var result = batchKit.runCommand(SiteAgent.batchOf(batch));

        // One command, one atomic write: 4 holds, the commit, the release, the late job's hold.
        assertThat(result.events()).hasSize(7);
        assertThat(result.events().subList(0, 4)).allMatch(e -> e instanceof HoldCreated);
        assertThat(result.events().get(4)).isInstanceOf(AllocationCommitted.class);
        assertThat(result.events().get(5)).isEqualTo(new HoldReleased(b1, "released by job b1"));
        assertThat(((HoldCreated) result.events().get(6)).job()).isEqualTo(JobId.of("late"));
        // Replies come in command order, each consistent with the ones before it.
        List<Bid> bids = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            NegotiationReply r = replies.receiveMessage();
            assertThat(r.job()).isEqualTo(JobId.of("b" + i));
            if (i < 4) {
                bids.add((Bid) r);
            } else {
                assertThat(r).isInstanceOf(Decline.class);
                assertThat(((Decline) r).reason()).doesNotStartWith(SiteAgent.NEVER_PREFIX);
            }
        }
        assertThat(bids).extracting(Bid::freeAfter).containsExactly(12, 8, 4, 0);
        Bid repeat = (Bid) replies.receiveMessage();
        assertThat(repeat.hold()).isEqualTo(bids.get(0).hold());
        assertThat(repeat.placement()).isEqualTo(bids.get(0).placement());
        Committed first = (Committed) awards.receiveMessage();
        assertThat(awards.receiveMessage()).isEqualTo(first);
        Bid late = (Bid) replies.receiveMessage();
        assertThat(late.placement()).isEqualTo(bids.get(1).placement());
        assertThat(((AwardRefused) awards.receiveMessage()).reason()).contains("expired or was released");
        // No over-commit: 16 of 16 H800 taken (1 allocation + 3 holds), the invariants hold.
        SiteAgent.State state = result.state();
        state.ledger().checkInvariants();
        assertThat(state.ledger().usedDevices(dev.atoll.protocol.AcceleratorModel.of("H800"))).isEqualTo(16);
        assertThat(state.ledger().holds()).hasSize(3);
        assertThat(state.ledger().allocations()).hasSize(1);
        List<Object> before = contents(state.ledger());

        // Replaying the batched events reproduces the ledger exactly.
        var restarted = batchKit.restart();
        assertThat(contents(restarted.state().ledger())).isEqualTo(before);
        assertThat(restarted.state().version()).isEqualTo(state.version());
    }

    @Test
    void callsArrivingDuringWritesAreBatchedNeverDroppedAndReplayExactly() {
        // A real actor: 300 calls told at once; those that meet a write in flight go into the next batch.
        SiteSpec site = new SiteSpec(SiteId.of("site-front"), "east", SITE.pools());
        var agent = KIT.spawn(SiteAgent.create(new SiteAgent.Settings(site, PackingPolicy.byName("first-fit"),
                Duration.ofSeconds(30), 1.0, Duration.ofMillis(50), true, 1000), null));
        TestProbe<LedgerView> p = KIT.createTestProbe();
        agent.tell(new GetLedger(p.ref()));
        p.receiveMessage(); // recovered: from now on calls that meet a write in flight are buffered and batched
        for (int i = 0; i < 300; i++) {
            agent.tell(new CallForProposals(JobId.of("c" + i), 1, job("c" + i, 1 + i % 3, 60), replies.ref()));
        }
        int bidDevices = 0;
        int answered = 0;
        java.util.Set<JobId> seen = new java.util.HashSet<>();
        for (int i = 0; i < 300; i++) {
            NegotiationReply r = replies.receiveMessage(Duration.ofSeconds(10));
            assertThat(seen.add(r.job())).isTrue();
            answered++;
            if (r instanceof Bid b) {
                bidDevices += b.placement().deviceCount();
            }
        }
        assertThat(answered).isEqualTo(300);
        assertThat(bidDevices).isLessThanOrEqualTo(16).isGreaterThanOrEqualTo(15);
        agent.tell(new GetLedger(p.ref()));
        LedgerView before = p.receiveMessage();
        KIT.stop(agent);
        var again = KIT.spawn(SiteAgent.create(new SiteAgent.Settings(site, PackingPolicy.byName("first-fit"),
                Duration.ofSeconds(30), 1.0, Duration.ofMillis(50), true, 1000), null));
        again.tell(new GetLedger(p.ref()));
        assertThat(p.receiveMessage()).isEqualTo(before);
        KIT.stop(again);
    }
}
