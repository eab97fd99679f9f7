package dev.atoll.protocol.serialization;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.Advert;
import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.PoolAdvert;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import dev.atoll.protocol.TenantId;
import dev.atoll.protocol.WorkloadKind;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.BidChosen;
import dev.atoll.protocol.event.HoldCreated;
import dev.atoll.protocol.event.HoldReleased;
import dev.atoll.protocol.event.JobCancelled;
import dev.atoll.protocol.event.JobCompleted;
import dev.atoll.protocol.event.JobFailed;
import dev.atoll.protocol.event.JobPlaced;
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
import dev.atoll.protocol.negotiation.WorkloadEnded;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class KryoRoundTripTest {
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        testKit = ActorTestKit.create("kryo-round-trip");
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static List<Object> samples() {
        TestProbe<NegotiationReply> replies = testKit.createTestProbe();
        TestProbe<AwardReply> awards = testKit.createTestProbe();
        TestProbe<JobNotification> notes = testKit.createTestProbe();
        SiteId site = SiteId.of("site-a");
        JobId job = JobId.of("job-1");
        HoldId hold = HoldId.of("hold-1");
        JobSpec spec = JobSpec.builder("job-1", "vc-7").kind(WorkloadKind.INFERENCE).devices(16)
                .models("A100-80GB|H800").wholeNodes(true).durationSeconds(7200)
                .priority(PriorityClass.INFERENCE).replicas(2).maxReplicasPerNode(1).preferredRegion("east")
                .jobClass("resnet50").build();
        Placement placement = new Placement(site, AcceleratorModel.of("H800"),
                List.of(new NodeShare(0, List.of(0, 1, 2, 3, 4, 5, 6, 7), 1000), new NodeShare(3, List.of(2), 500)));
        PoolAdvert pool = new PoolAdvert(AcceleratorModel.of("H800"), 512, 100, 8, 10, 8, 4, 2.5, 1.7);
        List<Object> all = new ArrayList<>();
        all.add(site);
        all.add(job);
        all.add(TenantId.of("vc-7"));
        all.add(hold);
        all.add(AcceleratorModel.of("Ascend-910B"));
        all.add(ModelSet.parse("V100M16|V100M32"));
        all.add(WorkloadKind.BATCH);
        all.add(PriorityClass.BEST_EFFORT);
        all.add(spec);
        all.add(PoolSpec.of("H800", 64, 8, 80));
        all.add(new SiteSpec(site, "east", List.of(PoolSpec.of("H800", 64, 8, 80), PoolSpec.of("T4", 2, 4, 16))));
        all.add(new NodeShare(5, List.of(1), 250));
        all.add(placement);
        all.add(pool);
        all.add(new Advert(site, "east", 42, 1_700_000_000_000L, List.of(pool)));
        all.add(new Advert(site, "east", 43, 1_700_000_000_000L, List.of(pool), true));
        all.add(new dev.atoll.protocol.AdvertV1(site, "east", 41, 1_700_000_000_000L, List.of(pool)));
        all.add(new CallForProposals(job, 3, spec, replies.getRef()));
        all.add(new Bid(job, 3, site, hold, 1_700_000_005_000L, 0.0, 2.5, 1.7, -2, 84, placement));
        all.add(new Decline(job, 3, site, "no free H800"));
        all.add(new Award(job, 3, hold, awards.getRef(), notes.getRef()));
        all.add(new Award(job, 3, hold, awards.getRef(), notes.getRef(), site, "train-7|a1"));
        all.add(new Award(job, 3, hold, awards.getRef(), notes.getRef(), site, "train-7", spec, 2));
        all.add(new Committed(job, 3, hold, placement, 1_700_000_001_000L));
        all.add(new AwardRefused(job, 3, hold, "hold expired"));
        all.add(new ReleaseHold(job, 3, hold));
        all.add(new CancelWorkload(job, 3, "broker cancelled"));
        all.add(new WorkloadEnded(job, 3, site, WorkloadEnded.Outcome.COMPLETED, 1_700_000_009_000L, ""));
        all.add(WorkloadEnded.Outcome.PREEMPTED);
        all.add(new HoldCreated(hold, job, 3, placement, 1_700_000_005_000L));
        all.add(new HoldReleased(hold, "expired"));
        all.add(new AllocationCommitted(hold, job, 3, 1_700_000_001_000L, 1_700_000_009_000L));
        all.add(new AllocationCommitted(hold, job, 3, 1_700_000_001_000L, 1_700_000_009_000L, site, job.value()));
        all.add(new AllocationCommitted(hold, job, 3, 1_700_000_001_000L, 1_700_000_009_000L, site, job.value(), spec,
                1));
        all.add(new dev.atoll.protocol.event.AllocationCommittedV2(hold, job, 3, 1_700_000_001_000L,
                1_700_000_009_000L, site, job.value()));
        all.add(new dev.atoll.protocol.event.AllocationCommittedV1(hold, job, 3, 1_700_000_001_000L,
                1_700_000_009_000L));
        all.add(new AllocationReleased(job, 3, WorkloadEnded.Outcome.COMPLETED, 1_700_000_009_000L, ""));
        all.add(new dev.atoll.protocol.event.SiteDrainChanged(true, "PDU swap", 1_700_000_010_000L));
        all.add(new JobSubmitted(spec, site, 1L));
        all.add(new NegotiationStarted(3, List.of(site, SiteId.of("site-b")), 2L));
        all.add(new BidChosen(3, site, hold, 3L));
        all.add(new JobPlaced(3, placement, 4L));
        all.add(new JobWaiting(3, "no site has 16 free H800", 5L));
        all.add(new JobCompleted(3, 6L));
        all.add(new JobFailed(3, "launch failed", 7L));
        all.add(new JobRejected("no site has model TPUv5", 8L));
        all.add(new JobCancelled("by broker", 9L));
        all.add(new JobRequeued(3, "site-a lost", 10L));
        all.add(new dev.atoll.protocol.event.JobPreempted(3, site, "preempted by job inf-1 (inference)", 13L));
        all.add(new dev.atoll.protocol.event.JobAdopted(spec, SiteId.of("site-c"), job.value(), site, 1, 3, 1L, 11L));
        all.add(new dev.atoll.protocol.event.JobHandedOver(site, job.value() + "|a1", 12L));
        return all;
    }

    @Test
    void everyRegisteredProtocolTypeRoundTripsThroughPekkoSerialization() {
        Serialization serialization = SerializationExtension.get(testKit.system());
        Set<Class<?>> covered = new HashSet<>();
        for (Object sample : samples()) {
            covered.add(sample.getClass());
            if (sample instanceof AtollSerializable) {
                Serializer serializer = serialization.findSerializerFor(sample);
                assertThat(serializer.identifier()).as("serializer bound to " + sample.getClass())
                        .isEqualTo(AtollKryoSerializer.IDENTIFIER);
            }
            AtollKryoSerializer kryo = new AtollKryoSerializer(
                    (org.apache.pekko.actor.ExtendedActorSystem) org.apache.pekko.actor.typed.javadsl.Adapter
                            .toClassic(testKit.system()));
            byte[] bytes = kryo.toBinary(sample);
            assertThat(kryo.fromBinaryJava(bytes, null)).as(sample.getClass().getSimpleName()).isEqualTo(sample);
        }
        for (Class<?> registered : KryoRegistry.registrations().values()) {
            if (registered.getName().startsWith("dev.atoll.protocol")) {
                assertThat(covered).as("a round-trip sample for " + registered.getName()).contains(registered);
            }
        }
    }

    @Test
    void messagesRoundTripThroughTheBoundSerializerWithActorRefs() {
        Serialization serialization = SerializationExtension.get(testKit.system());
        for (Object sample : samples()) {
            if (!(sample instanceof AtollSerializable)) {
                continue;
            }
            byte[] bytes = serialization.serialize(sample).get();
            Serializer s = serialization.findSerializerFor(sample);
            Object back = serialization.deserialize(bytes, s.identifier(), "").get();
            assertThat(back).isEqualTo(sample);
        }
    }

    record NotRegistered(String x) implements AtollSerializable {
    }

    @Test
    void anUnregisteredTypeFailsLoudly() {
        AtollKryoSerializer kryo = new AtollKryoSerializer();
        assertThatThrownBy(() -> kryo.toBinary(new NotRegistered("x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("NotRegistered")
                .hasMessageContaining("not registered");
    }

    @Test
    void unreadableBytesFailWithAClearError() {
        AtollKryoSerializer kryo = new AtollKryoSerializer();
        assertThatThrownBy(() -> kryo.fromBinaryJava(new byte[] {(byte) 0xF3, 0x7F, 0x01}, null))
                .hasMessageContaining("cannot deserialize 3 bytes");
    }

    @Test
    void extensionIdsBelow1000AreRefused() {
        assertThatThrownBy(() -> KryoRegistry.extend(999, String.class))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("999");
    }
}
