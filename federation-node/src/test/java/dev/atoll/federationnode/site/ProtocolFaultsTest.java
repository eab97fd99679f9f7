package dev.atoll.federationnode.site;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.atoll.federationnode.NodeKryo;
import dev.atoll.placement.PackingPolicy;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.HoldReleased;
import dev.atoll.protocol.event.SiteEvent;
import dev.atoll.protocol.negotiation.Award;
import dev.atoll.protocol.negotiation.AwardRefused;
import dev.atoll.protocol.negotiation.AwardReply;
import dev.atoll.protocol.negotiation.Bid;
import dev.atoll.protocol.negotiation.CallForProposals;
import dev.atoll.protocol.negotiation.Committed;
import dev.atoll.protocol.negotiation.JobNotification;
import dev.atoll.protocol.negotiation.NegotiationReply;
import dev.atoll.protocol.negotiation.ReleaseHold;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The SiteAgent's side of the protocol under faults: retried and duplicated messages (lost acks), expired
 * holds, idempotent release, and launch failures of the simulated executor.
 */
class ProtocolFaultsTest {
    static {
        NodeKryo.register();
    }

    private static final ActorTestKit KIT = ActorTestKit.create("protocol-faults-test",
            EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.parseString("""
                    pekko.actor.serialize-messages = on
                    pekko.actor.serialize-creators = off
                    pekko.loglevel = WARNING
                    """)).withFallback(ConfigFactory.load()));

    private static final SiteSpec SITE = new SiteSpec(SiteId.of("site-f"), "east",
            List.of(PoolSpec.of("H800", 2, 8, 80)));

    private final TestProbe<NegotiationReply> replies = KIT.createTestProbe();
    private final TestProbe<AwardReply> awards = KIT.createTestProbe();
    private final TestProbe<JobNotification> notes = KIT.createTestProbe();

    @AfterAll
    static void stop() {
        KIT.shutdownTestKit();
    }

    private static EventSourcedBehaviorTestKit<SiteAgentCommand, SiteEvent, SiteAgent.State> agent(
            Duration holdTimeout, double launchFailureRate) {
        SiteAgent.Settings s = new SiteAgent.Settings(SITE, PackingPolicy.byName("first-fit"), holdTimeout, 1.0,
                Duration.ofMillis(50), true, 1000, launchFailureRate, 42L, 0);
        return EventSourcedBehaviorTestKit.create(KIT.system(), SiteAgent.create(s, null),
                new EventSourcedBehaviorTestKit.SerializationSettings(true, true, true, true, false));
    }

    private static JobSpec job(String id, int devices) {
        return JobSpec.builder(id, "vc1").devices(devices).models("H800").durationSeconds(3600).build();
    }

    private Bid bid(EventSourcedBehaviorTestKit<SiteAgentCommand, SiteEvent, SiteAgent.State> kit, String id,
                    long epoch, int devices) {
        kit.runCommand(new CallForProposals(JobId.of(id), epoch, job(id, devices), replies.ref()));
        return (Bid) replies.receiveMessage();
    }

    @Test
    void retriedCallsAndAwardsWithLostAcksCommitExactlyOnce() {
        var kit = agent(Duration.ofSeconds(30), 0);
        Bid first = bid(kit, "j", 1, 4);
        // the Job never saw the bid (lost ack) and asks again in the same round: same hold, no new event
        var again = kit.runCommand(new CallForProposals(JobId.of("j"), 1, job("j", 4), replies.ref()));
        assertThat(again.hasNoEvents()).isTrue();
        assertThat(replies.receiveMessage()).isEqualTo(first);
        int commits = 0;
        Committed firstCommit = null;
        for (int attempt = 0; attempt < 5; attempt++) {
            var r = kit.runCommand(new Award(JobId.of("j"), 1, first.hold(), awards.ref(), notes.ref()));
            commits += (int) r.events().stream().filter(e -> e instanceof AllocationCommitted).count();
            Committed c = (Committed) awards.receiveMessage();
            if (firstCommit == null) {
                firstCommit = c;
            }
            assertThat(c).as("award attempt %d answers the same commit", attempt).isEqualTo(firstCommit);
        }
        assertThat(commits).isEqualTo(1);
        // a stale round's call for the running job declines instead of holding devices twice
        var stale = kit.runCommand(new CallForProposals(JobId.of("j"), 2, job("j", 4), replies.ref()));
        assertThat(stale.hasNoEvents()).isTrue();
        assertThat(replies.receiveMessage()).isInstanceOf(dev.atoll.protocol.negotiation.Decline.class);
        assertThat(kit.getState().ledger().allocations()).hasSize(1);
        assertThat(kit.getState().ledger().holds()).isEmpty();
    }

    @Test
    void anAwardForAnExpiredHoldIsRefusedAndReleaseIsIdempotent() {
        var kit = agent(Duration.ofMillis(200), 0);
        Bid b = bid(kit, "late", 1, 8);
        TestProbe<LedgerView> p = KIT.createTestProbe();
        p.awaitAssert(Duration.ofSeconds(5), () -> {
            kit.runCommand(new GetLedger(p.ref()));
            assertThat(p.receiveMessage().holds()).isZero();
            return null;
        });
        var award = kit.runCommand(new Award(JobId.of("late"), 1, b.hold(), awards.ref(), notes.ref()));
        assertThat(award.hasNoEvents()).isTrue();
        assertThat(((AwardRefused) awards.receiveMessage()).reason()).contains("expired or was released");
        for (int i = 0; i < 3; i++) {
            assertThat(kit.runCommand(new ReleaseHold(JobId.of("late"), 1, b.hold())).hasNoEvents()).isTrue();
        }
        assertThat(kit.getState().ledger().allocations()).isEmpty();
    }

    @Test
    void aLaunchFailureFreesTheDevicesAndRefusesTheAward() {
        var kit = agent(Duration.ofSeconds(30), 1.0);
        Bid b = bid(kit, "doomed", 1, 8);
        var award = kit.runCommand(new Award(JobId.of("doomed"), 1, b.hold(), awards.ref(), notes.ref()));
        assertThat(award.events()).hasSize(1);
        HoldReleased released = (HoldReleased) award.events().get(0);
        assertThat(released.hold()).isEqualTo(b.hold());
        AwardRefused refused = (AwardRefused) awards.receiveMessage();
        assertThat(refused.reason()).startsWith(SiteAgent.LAUNCH_FAILED_PREFIX).contains("doomed");
        assertThat(kit.getState().ledger().holds()).isEmpty();
        assertThat(kit.getState().ledger().allocations()).isEmpty();
        assertThat(kit.getState().ledger().usedDevices()).isZero();
        // the retried award finds no hold: refused again, nothing committed
        kit.runCommand(new Award(JobId.of("doomed"), 1, b.hold(), awards.ref(), notes.ref()));
        assertThat(awards.receiveMessage()).isInstanceOf(AwardRefused.class);
        assertThat(kit.getState().ledger().allocations()).isEmpty();
    }

    @Test
    void aLaunchFailureRateOutsideZeroToOneIsRejectedNamingTheKey() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> new SiteAgent.Settings(SITE,
                        PackingPolicy.byName("first-fit"), Duration.ofSeconds(1), 1.0, Duration.ofMillis(50), true, 10,
                        1.5, 1L, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("atoll.executor.launch-failure-rate").hasMessageContaining("1.5");
    }
}
