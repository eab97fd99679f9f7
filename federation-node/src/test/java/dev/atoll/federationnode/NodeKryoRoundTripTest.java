package dev.atoll.federationnode;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.atoll.federationnode.job.EpochCheck;
import dev.atoll.federationnode.job.HandOver;
import dev.atoll.federationnode.job.HandOverReply;
import dev.atoll.federationnode.job.Job;
import dev.atoll.federationnode.job.JobError;
import dev.atoll.federationnode.job.JobState;
import dev.atoll.federationnode.job.JobStatus;
import dev.atoll.federationnode.site.AllocationStatus;
import dev.atoll.federationnode.site.DrainStatus;
import dev.atoll.federationnode.site.GetLedger;
import dev.atoll.federationnode.site.HoldCreatedV0;
import dev.atoll.federationnode.site.LedgerView;
import dev.atoll.federationnode.site.QueryAllocation;
import dev.atoll.federationnode.site.SetDraining;
import dev.atoll.federationnode.site.SiteLedgerSnapshot;
import dev.atoll.federationnode.site.SiteLedgerSnapshotV1;
import dev.atoll.federationnode.site.SiteLedgerSnapshotV2;
import dev.atoll.federationnode.site.SiteWatch;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.Advert;
import dev.atoll.protocol.AdvertV1;
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
import dev.atoll.protocol.event.AllocationCommittedV1;
import dev.atoll.protocol.event.AllocationReleased;
import dev.atoll.protocol.event.BidChosen;
import dev.atoll.protocol.event.HoldCreated;
import dev.atoll.protocol.event.HoldReleased;
import dev.atoll.protocol.event.JobAdopted;
import dev.atoll.protocol.event.JobCancelled;
import dev.atoll.protocol.event.JobCompleted;
import dev.atoll.protocol.event.JobFailed;
import dev.atoll.protocol.event.JobHandedOver;
import dev.atoll.protocol.event.JobPlaced;
import dev.atoll.protocol.event.JobRejected;
import dev.atoll.protocol.event.JobRequeued;
import dev.atoll.protocol.event.JobSubmitted;
import dev.atoll.protocol.event.JobWaiting;
import dev.atoll.protocol.event.NegotiationStarted;
import dev.atoll.protocol.event.SiteDrainChanged;
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
import dev.atoll.protocol.serialization.AtollKryoSerializer;
import dev.atoll.protocol.serialization.KryoRegistry;
import dev.atoll.siteregistry.SiteEntry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.NoSerializationVerificationNeeded;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every class a running node registers with {@link KryoRegistry} (core ids 20..399 plus the site-registry's
 * 1000.. and the node's 1100.. from {@link NodeKryo#register()}) has a sample here, and each sample comes back
 * equal through the actor system's {@link SerializationExtension}: messages and events
 * ({@link AtollSerializable}) through {@code serialize}/{@code deserialize} with the bound serializer, the
 * JDK collections and enums that only occur inside them through the system's own Kryo serializer instance.
 * A registration without a sample fails {@link #everyRegisteredClassHasASample()} naming the class; a concrete
 * {@link AtollSerializable} class in the main code that is not registered (and not marked local-only with
 * {@link NoSerializationVerificationNeeded}) fails {@link #everyAtollSerializableClassIsRegistered()}.
 */
class NodeKryoRoundTripTest {
    private static ActorTestKit testKit;

    @BeforeAll
    static void start() {
        NodeKryo.register();
        testKit = ActorTestKit.create("node-kryo-round-trip");
    }

    @AfterAll
    static void stop() {
        testKit.shutdownTestKit();
    }

    private static List<Object> samples() {
        var agent = testKit.<SiteAgentCommand>createTestProbe().getRef();
        var replies = testKit.<NegotiationReply>createTestProbe().getRef();
        var awards = testKit.<AwardReply>createTestProbe().getRef();
        var notes = testKit.<JobNotification>createTestProbe().getRef();
        var jobReplies = testKit.<Job.Reply>createTestProbe().getRef();
        SiteId site = SiteId.of("site-a");
        SiteId other = SiteId.of("site-b");
        JobId job = JobId.of("job-1");
        HoldId hold = HoldId.of("hold-1");
        JobSpec spec = JobSpec.builder("job-1", "vc-7").kind(WorkloadKind.INFERENCE).devices(16)
                .models("A100-80GB|H800").wholeNodes(true).durationSeconds(7200)
                .priority(PriorityClass.INFERENCE).replicas(2).maxReplicasPerNode(1).preferredRegion("east")
                .jobClass("resnet50").build();
        Placement placement = new Placement(site, AcceleratorModel.of("H800"),
                List.of(new NodeShare(0, List.of(0, 1, 2, 3, 4, 5, 6, 7), 1000), new NodeShare(3, List.of(2), 500)));
        PoolAdvert pool = new PoolAdvert(AcceleratorModel.of("H800"), 512, 100, 8, 10, 8, 4, 2.5, 1.7);
        Advert advert = new Advert(site, "east", 43, 1_700_000_000_000L, List.of(pool), true);
        HoldCreated holdCreated = new HoldCreated(hold, job, 3, placement, 1_700_000_005_000L);
        SiteLedgerSnapshot.Allocation allocation = new SiteLedgerSnapshot.Allocation(hold, job, 3, placement,
                1_700_000_001_000L, 1_700_000_009_000L);
        AllocationStatus ended = new AllocationStatus(JobId.of("job-0"), 2, site, AllocationStatus.State.ENDED,
                WorkloadEnded.Outcome.COMPLETED, 1_700_000_008_000L);
        SiteLedgerSnapshot.Owner owner = new SiteLedgerSnapshot.Owner(job, other, "job-1|a1");

        List<Object> all = new ArrayList<>();
        // JDK collections (ids 20..31): the classes the registry names, built the same way.
        all.add(new ArrayList<>(List.of("a", "b")));
        all.add(new HashMap<>(Map.of("k", 1)));
        all.add(List.of());
        all.add(List.of(1));
        all.add(List.of(1, 2, 3));
        all.add(Map.of());
        all.add(Map.of(1, 1));
        all.add(Set.of());
        all.add(Set.of(1));
        all.add(Set.of(1, 2, 3));
        all.add(Collections.emptyList());
        all.add(Map.of(1, 1, 2, 2));
        // protocol values (100..)
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
        all.add(new AdvertV1(site, "east", 41, 1_700_000_000_000L, List.of(pool)));
        all.add(advert);
        // negotiation messages (200..)
        all.add(new CallForProposals(job, 3, spec, replies));
        all.add(new Bid(job, 3, site, hold, 1_700_000_005_000L, 0.0, 2.5, 1.7, -2, 84, placement));
        all.add(new Decline(job, 3, site, "no free H800"));
        all.add(new Award(job, 3, hold, awards, notes, other, "job-1|a1", spec, 1));
        all.add(new Committed(job, 3, hold, placement, 1_700_000_001_000L));
        all.add(new AwardRefused(job, 3, hold, "hold expired"));
        all.add(new ReleaseHold(job, 3, hold));
        all.add(new CancelWorkload(job, 3, "broker cancelled"));
        all.add(new WorkloadEnded(job, 3, site, WorkloadEnded.Outcome.FAILED, 1_700_000_009_000L, "exit 137"));
        all.add(WorkloadEnded.Outcome.PREEMPTED);
        // events (300..)
        all.add(holdCreated);
        all.add(new HoldReleased(hold, "expired"));
        all.add(new AllocationCommittedV1(hold, job, 3, 1_700_000_001_000L, 1_700_000_009_000L));
        all.add(new AllocationReleased(job, 3, WorkloadEnded.Outcome.COMPLETED, 1_700_000_009_000L, ""));
        all.add(new SiteDrainChanged(true, "PDU swap", 1_700_000_010_000L));
        all.add(new AllocationCommitted(hold, job, 3, 1_700_000_001_000L, 1_700_000_009_000L, other, "job-1|a1", spec,
                1));
        all.add(new dev.atoll.protocol.event.AllocationCommittedV2(hold, job, 3, 1_700_000_001_000L,
                1_700_000_009_000L, other, "job-1|a1"));
        all.add(new JobSubmitted(spec, site, 1L));
        all.add(new NegotiationStarted(3, List.of(site, other), 2L));
        all.add(new BidChosen(3, site, hold, 3L));
        all.add(new JobPlaced(3, placement, 4L));
        all.add(new JobWaiting(3, "no site has 16 free H800", 5L));
        all.add(new JobCompleted(3, 6L));
        all.add(new JobFailed(3, "launch failed", 7L));
        all.add(new JobRejected("no site has model TPUv5", 8L));
        all.add(new JobCancelled("by broker", 9L));
        all.add(new JobRequeued(3, "site-a lost", 10L));
        all.add(new dev.atoll.protocol.event.JobPreempted(3, site, "preempted by job job-2", 11L));
        all.add(new JobAdopted(spec, SiteId.of("site-c"), "job-1", site, 1, 3, 1L, 11L));
        all.add(new JobHandedOver(site, "job-1|a1", 12L));
        // site-registry (1000..)
        all.add(new SiteEntry(advert, agent));
        // federation-node (1100..)
        all.add(new QueryAllocation(job, 3, testKit.<AllocationStatus>createTestProbe().getRef()));
        all.add(new AllocationStatus(job, 3, site, AllocationStatus.State.RUNNING, null, 1_700_000_002_000L));
        all.add(AllocationStatus.State.UNKNOWN);
        all.add(new GetLedger(testKit.<LedgerView>createTestProbe().getRef()));
        LedgerView.AllocationView view = new LedgerView.AllocationView(job, 3, "H800", placement.shares(),
                1_700_000_001_000L, 1_700_000_009_000L);
        all.add(new LedgerView(site, 17, 1, List.of(view)));
        all.add(view);
        all.add(new SetDraining(true, "maintenance", testKit.<DrainStatus>createTestProbe().getRef()));
        all.add(new DrainStatus(site, true, "maintenance", true, 3, 0));
        all.add(new SiteLedgerSnapshotV1(16, List.of(holdCreated), List.of(allocation), List.of(ended)));
        all.add(allocation);
        all.add(new SiteLedgerSnapshotV2(17, List.of(holdCreated), List.of(allocation), List.of(ended), true,
                "maintenance"));
        all.add(owner);
        all.add(new dev.atoll.federationnode.site.SiteLedgerSnapshotV3(18, List.of(holdCreated), List.of(allocation),
                List.of(ended), true, "maintenance", List.of(owner)));
        SiteLedgerSnapshot.Terms terms = new SiteLedgerSnapshot.Terms(job, spec, 2);
        all.add(terms);
        all.add(new SiteLedgerSnapshot(19, List.of(holdCreated), List.of(allocation), List.of(ended), true,
                "maintenance", List.of(owner), List.of(terms)));
        all.add(new dev.atoll.federationnode.job.JobStateV1(JobState.Phase.PLACED, spec, site, 1_700_000_000_000L, 3,
                List.of(site, other), site, hold, placement, 1_700_000_001_000L, 0, "placed at site-a"));
        all.add(new JobState(JobState.Phase.PLACED, spec, site, 1_700_000_000_000L, 3, List.of(site, other), site,
                hold, placement, 1_700_000_001_000L, 0, "placed at site-a", 2));
        all.add(JobState.Phase.HANDED_OVER);
        all.add(new HoldCreatedV0(hold, job, 3, placement));
        all.add(new SiteWatch.SiteUnreachable("site-b", 1_700_000_003_000L));
        all.add(new SiteWatch.SiteReachable("site-b", 1_700_000_004_000L));
        all.add(new EpochCheck(job, 3, site, agent));
        all.add(new HandOver(job, other, "job-1|a1", testKit.<HandOverReply>createTestProbe().getRef()));
        all.add(new HandOverReply(job, true, "PLACED"));
        all.add(new dev.atoll.federationnode.site.CanPreempt(spec,
                testKit.<dev.atoll.federationnode.site.CanPreempt.Answer>createTestProbe().getRef()));
        all.add(new dev.atoll.federationnode.site.CanPreempt.Answer(site, true, "would preempt [job-0]"));
        all.add(new Job.Adopt(spec, site, "job-1", 1, 3, 1_700_000_000_000L));
        all.add(new Job.Submit(spec, jobReplies));
        all.add(new Job.GetStatus(jobReplies));
        all.add(new Job.Cancel("by client", jobReplies));
        all.add(new Job.Notify(new EpochCheck(job, 3, site, agent)));
        all.add(new JobStatus("job-1", "vc-7", "running", "site-a", "H800", List.of(0, 3), 1_700_000_000_000L,
                1_700_000_001_000L, null, 1.0, ""));
        all.add(new JobError(JobError.Kind.CONFLICT, "job job-1 exists with another spec"));
        all.add(JobError.Kind.NOT_FOUND);
        return all;
    }

    @Test
    void everyRegisteredClassHasASample() {
        Set<Class<?>> covered = new LinkedHashSet<>();
        samples().forEach(s -> covered.add(s.getClass()));
        Set<String> missing = new TreeSet<>();
        for (Map.Entry<Integer, Class<?>> e : KryoRegistry.registrations().entrySet()) {
            if (!covered.contains(e.getValue())) {
                missing.add(e.getValue().getName() + " (Kryo id " + e.getKey() + ")");
            }
        }
        assertThat(missing).as("registered classes without a round-trip sample in NodeKryoRoundTripTest.samples()")
                .isEmpty();
        // the node's own ranges really are part of what is checked
        assertThat(KryoRegistry.registrations()).containsKeys(1000, 1100, 1124, 1154);
    }

    @Test
    void everySampleRoundTripsThroughTheSystemsSerialization() {
        Serialization serialization = SerializationExtension.get(testKit.system());
        Serializer kryo = serialization.serializerByIdentity().apply(AtollKryoSerializer.IDENTIFIER);
        for (Object sample : samples()) {
            String name = sample.getClass().getName();
            Object back;
            if (sample instanceof AtollSerializable) {
                Serializer bound = serialization.findSerializerFor(sample);
                assertThat(bound.identifier()).as("serializer bound to %s", name).isEqualTo(AtollKryoSerializer.IDENTIFIER);
                byte[] bytes = serialization.serialize(sample).get();
                back = serialization.deserialize(bytes, bound.identifier(), "").get();
            } else {
                back = kryo.fromBinary(kryo.toBinary(sample));
            }
            assertThat(back).as("round trip of %s", name).isEqualTo(sample);
            assertThat(back.getClass()).as("class after the round trip of %s", name).isEqualTo(sample.getClass());
        }
    }

    @Test
    void everyAtollSerializableClassIsRegistered() {
        Set<Class<?>> registered = Set.copyOf(KryoRegistry.registrations().values());
        Set<String> unregistered = new TreeSet<>();
        for (JavaClass c : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.atoll")) {
            // local-only messages (self-sent timers, batches) say so with NoSerializationVerificationNeeded
            if (c.isAssignableTo(AtollSerializable.class) && !c.isInterface()
                    && !c.getModifiers().contains(JavaModifier.ABSTRACT)
                    && !c.isAssignableTo(NoSerializationVerificationNeeded.class) && !registered.contains(c.reflect())) {
                unregistered.add(c.getName());
            }
        }
        assertThat(unregistered).as("AtollSerializable classes that NodeKryo/KryoRegistry do not register")
                .isEmpty();
    }
}
