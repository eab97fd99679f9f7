package dev.atoll.placement;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.TenantId;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.HoldCreated;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@link SiteAdmission} on one node of 8 H800: a running job "a" of tenant "ta" holds 4 devices until t = 100 s;
 * a waiting head asks for all 8 (reserved start 100 s); a new 4-device request fits now on the other 4.
 */
class SiteAdmissionTest {
    private static final PackingPolicy FIRST_FIT = PackingPolicy.byName("first-fit");

    private SiteLedger ledger;
    private SiteAdmission admission;
    private final Map<JobId, TenantId> tenants = new HashMap<>();

    private static JobSpec spec(String id, String tenant, int devices, long seconds, PriorityClass priority) {
        return JobSpec.builder(id, tenant).devices(devices).models("H800").durationSeconds(seconds).priority(priority)
                .build();
    }

    @BeforeEach
    void setUp() {
        ledger = new SiteLedger(Fixtures.site("s", PoolSpec.of("H800", 1, 8, 80)));
        HoldId h = HoldId.of("ha");
        ledger.apply(new HoldCreated(h, JobId.of("a"), 1, Fixtures.on(ledger, 0, 0, 4), Long.MAX_VALUE));
        ledger.apply(new AllocationCommitted(h, JobId.of("a"), 1, 0, 100_000));
        tenants.put(JobId.of("a"), TenantId.of("ta"));
        admission = new SiteAdmission(FIRST_FIT, QueueOrder.FIFO, List.of(), 10_000);
    }

    private SiteAdmission.Answer ask(JobSpec s, long nowMillis) {
        return admission.decide(ledger, s, s.durationSeconds() * 1000, nowMillis, tenants);
    }

    @Test
    void aRequestThatDoesNotFitWaitsAndJoinsThePendingMix() {
        JobSpec head = spec("head", "ta", 8, 50, PriorityClass.PRODUCTION);
        assertThat(ask(head, 0)).isInstanceOfSatisfying(SiteAdmission.Answer.Wait.class,
                w -> assertThat(w.behind()).isNull());
        assertThat(admission.pending(0)).containsExactly(head);
        assertThat(ask(spec("huge", "ta", 9, 50, PriorityClass.PRODUCTION), 0))
                .isInstanceOf(SiteAdmission.Answer.Never.class);
        assertThat(admission.pending(0)).containsExactly(head);
    }

    @Test
    void easyBackfillLetsAShortJobAheadButNotOneThatDelaysTheHeadsReservedStart() {
        ask(spec("head", "ta", 8, 50, PriorityClass.PRODUCTION), 0);
        // (all of tenant ta, so the head goes first by arrival) ends at 90 s, before the head's reserved start at 100 s: may go ahead
        assertThat(ask(spec("short", "ta", 4, 90, PriorityClass.PRODUCTION), 0))
                .isInstanceOf(SiteAdmission.Answer.Bid.class);
        // would still hold 4 devices at 100 s, when the head needs all 8: waits behind it
        SiteAdmission.Answer longOne = ask(spec("long", "ta", 4, 500, PriorityClass.PRODUCTION), 0);
        assertThat(longOne).isInstanceOfSatisfying(SiteAdmission.Answer.Wait.class, w -> {
            assertThat(w.behind()).isEqualTo(JobId.of("head"));
            assertThat(w.reason()).contains("reserved for waiting job head");
        });
        assertThat(admission.pending(0)).extracting(JobSpec::id).containsExactly(JobId.of("head"), JobId.of("long"));
        // once the head got its bid and left the queue, the long job may go
        admission.remove(JobId.of("head"));
        assertThat(ask(spec("long", "ta", 4, 500, PriorityClass.PRODUCTION), 1)).isInstanceOf(
                SiteAdmission.Answer.Bid.class);
        assertThat(admission.pending(1)).isEmpty();
    }

    @Test
    void aHigherPriorityClassGoesFirstAndALowerOneWaits() {
        ask(spec("head", "ta", 8, 50, PriorityClass.PRODUCTION), 0);
        assertThat(ask(spec("serve", "tb", 4, 500, PriorityClass.INFERENCE), 0))
                .isInstanceOf(SiteAdmission.Answer.Bid.class);
        assertThat(ask(spec("be", "tb", 4, 500, PriorityClass.BEST_EFFORT), 0))
                .isInstanceOf(SiteAdmission.Answer.Wait.class);
    }

    @Test
    void withinAClassTheTenantWithTheLowerDominantShareGoesFirst() {
        // the head's tenant ta already runs 4 of the site's 8 devices (share 0.5); tb runs nothing (share 0)
        ask(spec("head", "ta", 8, 50, PriorityClass.PRODUCTION), 0);
        assertThat(ask(spec("fair", "tb", 4, 500, PriorityClass.PRODUCTION), 0))
                .isInstanceOf(SiteAdmission.Answer.Bid.class);
        // a weight of 4 for ta makes its weighted share 0.125, but still above tb's 0
        SiteAdmission weighted = new SiteAdmission(FIRST_FIT, QueueOrder.FIFO,
                List.of(new TenantQuota(TenantId.of("ta"), 4.0, Map.of(), Map.of(), 0)), 10_000);
        weighted.decide(ledger, spec("head", "ta", 8, 50, PriorityClass.PRODUCTION), 50_000, 0, tenants);
        assertThat(weighted.decide(ledger, spec("fair", "tb", 4, 500, PriorityClass.PRODUCTION), 500_000, 0, tenants))
                .isInstanceOf(SiteAdmission.Answer.Bid.class);
        // a request of the head's own tenant queues behind it (same share, later arrival)
        assertThat(ask(spec("mine", "ta", 4, 500, PriorityClass.PRODUCTION), 0))
                .isInstanceOf(SiteAdmission.Answer.Wait.class);
    }

    @Test
    void aWaitingRequestThatStopsAskingIsForgotten() {
        ask(spec("head", "ta", 8, 50, PriorityClass.PRODUCTION), 0);
        assertThat(admission.pending(10_000)).hasSize(1);
        assertThat(admission.pending(10_001)).isEmpty();
        assertThat(ask(spec("long", "tb", 4, 500, PriorityClass.PRODUCTION), 10_001))
                .isInstanceOf(SiteAdmission.Answer.Bid.class);
    }

    @Test
    void badArgumentsAreNamed() {
        assertThatThrownBy(() -> new SiteAdmission(FIRST_FIT, QueueOrder.FIFO, List.of(), 0))
                .hasMessageContaining("forgetAfterMillis must be > 0, got 0");
        assertThatThrownBy(() -> new SiteAdmission(null, QueueOrder.FIFO, List.of(), 1))
                .hasMessageContaining("packing");
    }
}
