package dev.atoll.federationnode.golden;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atoll.federationnode.NodeKryo;
import dev.atoll.federationnode.site.HoldCreatedV0;
import dev.atoll.protocol.event.HoldCreated;
import dev.atoll.protocol.event.JobEvent;
import dev.atoll.protocol.event.SiteEvent;
import dev.atoll.protocol.serialization.AtollKryoSerializer;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Reads the committed golden bytes of every event shape (written once by {@link GoldenEvents#main}) and
 * checks they still decode to the expected values: a change to an event record or to a Kryo id that would
 * make old journals unreadable fails here first.
 */
class GoldenEventsTest {
    static {
        NodeKryo.register();
    }

    private final AtollKryoSerializer kryo = new AtollKryoSerializer();

    static byte[] golden(String name) {
        try (InputStream in = GoldenEventsTest.class.getResourceAsStream("/golden/" + name + ".kryo")) {
            if (in == null) {
                throw new IllegalStateException("golden file golden/" + name + ".kryo missing from test resources");
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new IllegalStateException("cannot read golden/" + name + ".kryo: " + e.getMessage(), e);
        }
    }

    @Test
    void everyGoldenFileReadsBackAsItsExpectedValue() {
        for (Map.Entry<String, Object> e : GoldenEvents.samples().entrySet()) {
            Object read = kryo.fromBinary(golden(e.getKey()));
            assertThat(read).as("golden/%s.kryo", e.getKey()).isEqualTo(e.getValue());
        }
    }

    @Test
    void everyCurrentEventTypeHasAGoldenFile() {
        Set<Class<?>> covered = new HashSet<>();
        for (Object v : GoldenEvents.samples().values()) {
            covered.add(v.getClass());
        }
        Set<Class<?>> events = new HashSet<>();
        events.addAll(Arrays.asList(SiteEvent.class.getPermittedSubclasses()));
        events.addAll(Arrays.asList(JobEvent.class.getPermittedSubclasses()));
        assertThat(covered).containsAll(events);
    }

    @Test
    void theOldHoldShapeIsReadAndUpcastToTheCurrentRecord() {
        Object old = kryo.fromBinary(golden("HoldCreatedV0"));
        assertThat(old).isInstanceOf(HoldCreatedV0.class);
        HoldCreated current = ((HoldCreatedV0) old).upcast();
        HoldCreated expected = (HoldCreated) GoldenEvents.samples().get("HoldCreated");
        assertThat(current).isEqualTo(new HoldCreated(expected.hold(), expected.job(), expected.epoch(),
                expected.placement(), 0L));
    }

    @Test
    void theAllocationShapeWithoutOwnerIsReadAndUpcastWithNoOwner() {
        Object old = kryo.fromBinary(golden("AllocationCommittedV1"));
        assertThat(old).isInstanceOf(dev.atoll.protocol.event.AllocationCommittedV1.class);
        dev.atoll.protocol.event.AllocationCommitted current =
                ((dev.atoll.protocol.event.AllocationCommittedV1) old).upcast();
        dev.atoll.protocol.event.AllocationCommitted expected =
                (dev.atoll.protocol.event.AllocationCommitted) GoldenEvents.samples().get("AllocationCommitted");
        assertThat(current).isEqualTo(new dev.atoll.protocol.event.AllocationCommitted(expected.hold(), expected.job(),
                expected.epoch(), expected.startedAtMillis(), expected.endsAtMillis(), null, null));
    }

    @Test
    void theAllocationShapeWithoutTermsIsReadAndUpcastWithUnknownTerms() {
        Object old = kryo.fromBinary(golden("AllocationCommittedV2"));
        assertThat(old).isInstanceOf(dev.atoll.protocol.event.AllocationCommittedV2.class);
        dev.atoll.protocol.event.AllocationCommitted current =
                ((dev.atoll.protocol.event.AllocationCommittedV2) old).upcast();
        dev.atoll.protocol.event.AllocationCommitted expected =
                (dev.atoll.protocol.event.AllocationCommitted) GoldenEvents.samples().get("AllocationCommitted");
        assertThat(current).isEqualTo(new dev.atoll.protocol.event.AllocationCommitted(expected.hold(), expected.job(),
                expected.epoch(), expected.startedAtMillis(), expected.endsAtMillis(), expected.owner(),
                expected.ownerEntity(), null, 0));
    }

    @Test
    void theJobSnapshotShapeWithoutPreemptionsIsReadAndUpcastWithNone() {
        Object old = kryo.fromBinary(golden("JobStateV1"));
        assertThat(old).isInstanceOf(dev.atoll.federationnode.job.JobStateV1.class);
        dev.atoll.federationnode.job.JobState current = ((dev.atoll.federationnode.job.JobStateV1) old).upcast();
        assertThat(current.preemptions()).isZero();
        assertThat(current.phase()).isEqualTo(dev.atoll.federationnode.job.JobState.Phase.PLACED);
        assertThat(current.epoch()).isEqualTo(3);
        // and one more preemption counts from there
        assertThat(current.apply(new dev.atoll.protocol.event.JobPreempted(3, current.site(), "preempted", 1L))
                .preemptions()).isEqualTo(1);
    }

    @Test
    void bytesThatCannotBeReadFailWithAClearError() {
        byte[] bytes = golden("HoldCreated").clone();
        bytes[0] = (byte) 0x7f; // an unregistered class id
        assertThatThrownBy(() -> kryo.fromBinary(bytes))
                .hasRootCauseInstanceOf(java.io.NotSerializableException.class)
                .rootCause().hasMessageContaining("cannot deserialize " + bytes.length + " bytes");
    }
}
