package dev.atoll.federationnode.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.read.ListAppender;
import dev.atoll.federationnode.NodeKryo;
import dev.atoll.federationnode.persistence.Journals;
import dev.atoll.federationnode.site.GetLedger;
import dev.atoll.federationnode.site.LedgerView;
import dev.atoll.federationnode.site.SiteAgent;
import dev.atoll.placement.PackingPolicy;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A SiteAgent recovering from a journal whose rows were written by an earlier event shape (the golden
 * {@code HoldCreatedV0} bytes) reads them through its event adapter; a row that cannot be deserialized
 * fails recovery loudly and is never skipped.
 */
class EventVersioningRecoveryTest {
    static {
        NodeKryo.register();
    }

    private static final SiteSpec SITE_A = new SiteSpec(SiteId.of("site-a"), "east",
            List.of(PoolSpec.of("H800", 8, 8, 80)));

    @TempDir
    Path dir;

    private static SiteAgent.Settings settings() {
        return new SiteAgent.Settings(SITE_A, PackingPolicy.byName("first-fit"), Duration.ofMinutes(5), 1.0,
                Duration.ofMillis(50), true, 1000);
    }

    @Test
    void anOldHoldShapeIsRecoveredThroughTheAdapterAndExpires() {
        Journals.writeH2Rows(dir, SiteAgent.persistenceId(SITE_A.id()).id(),
                List.of(GoldenEventsTest.golden("HoldCreatedV0")));
        ActorTestKit kit = ActorTestKit.create("versioning", Journals.systemConfig("h2", dir, ""));
        try {
            ActorRef<SiteAgentCommand> agent = kit.spawn(SiteAgent.create(settings(), null));
            TestProbe<LedgerView> p = kit.createTestProbe();
            // The upcast hold expired at epoch 0: recovery re-arms its timer, which releases it (event 2).
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                agent.tell(new GetLedger(p.getRef()));
                LedgerView v = p.receiveMessage(Duration.ofSeconds(5));
                assertThat(v.version()).isEqualTo(2);
                assertThat(v.holds()).isZero();
            });
        } finally {
            kit.shutdownTestKit();
        }
    }

    @Test
    void anAllocationOfTheShapeWithoutOwnerIsRecoveredThroughTheAdapter() {
        Journals.writeH2Rows(dir, SiteAgent.persistenceId(SITE_A.id()).id(),
                List.of(GoldenEventsTest.golden("HoldCreated"), GoldenEventsTest.golden("AllocationCommittedV1")));
        ActorTestKit kit = ActorTestKit.create("versioning-alloc", Journals.systemConfig("h2", dir, ""));
        try {
            ActorRef<SiteAgentCommand> agent = kit.spawn(SiteAgent.create(settings(), null));
            TestProbe<LedgerView> p = kit.createTestProbe();
            // The old commit is applied (2 events); it ended long ago, so recovery's re-armed run timer releases it
            // as COMPLETED (event 3), and the devices are free again. Generous: H2 recovery on a loaded machine.
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> {
                agent.tell(new GetLedger(p.getRef()));
                LedgerView v = p.receiveMessage(Duration.ofSeconds(30));
                assertThat(v.version()).isEqualTo(3);
                assertThat(v.allocations()).isEmpty();
                assertThat(v.holds()).isZero();
            });
            TestProbe<dev.atoll.federationnode.site.AllocationStatus> q = kit.createTestProbe();
            agent.tell(new dev.atoll.federationnode.site.QueryAllocation(dev.atoll.protocol.JobId.of("train-42"), 3,
                    q.getRef()));
            assertThat(q.receiveMessage(Duration.ofSeconds(30)).outcome())
                    .isEqualTo(dev.atoll.protocol.negotiation.WorkloadEnded.Outcome.COMPLETED);
        } finally {
            kit.shutdownTestKit();
        }
    }

    @Test
    void anEventThatCannotBeReadFailsRecoveryWithAClearError() {
        byte[] garbage = GoldenEventsTest.golden("HoldCreated").clone();
        garbage[0] = (byte) 0x7f;
        Journals.writeH2Rows(dir, SiteAgent.persistenceId(SITE_A.id()).id(),
                List.of(GoldenEventsTest.golden("HoldCreatedV0"), garbage, GoldenEventsTest.golden("HoldReleased")));
        Logger root = (Logger) LoggerFactory.getLogger(Logger.ROOT_LOGGER_NAME);
        ListAppender<ILoggingEvent> logs = new ListAppender<>();
        logs.start();
        root.addAppender(logs);
        ActorTestKit kit = ActorTestKit.create("versioning-bad", Journals.systemConfig("h2", dir, ""));
        try {
            ActorRef<SiteAgentCommand> agent = kit.spawn(SiteAgent.create(settings(), null));
            await().atMost(Duration.ofSeconds(30)).until(() -> List.copyOf(logs.list).stream().anyMatch(e ->
                    e.getFormattedMessage().contains("Exception during recovery")
                            && e.getFormattedMessage().contains("SiteAgent|site-a")
                            && e.getThrowableProxy() != null
                            && ThrowableProxyUtil.asString(e.getThrowableProxy())
                                .contains("cannot deserialize " + garbage.length + " bytes")));
            // The agent never came up with a partial ledger: it keeps failing instead of skipping the row.
            TestProbe<LedgerView> p = kit.createTestProbe();
            agent.tell(new GetLedger(p.getRef()));
            p.expectNoMessage(Duration.ofSeconds(2));
        } finally {
            kit.shutdownTestKit();
            root.detachAppender(logs);
        }
    }
}
