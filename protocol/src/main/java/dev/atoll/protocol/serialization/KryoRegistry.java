package dev.atoll.protocol.serialization;

import com.esotericsoftware.kryo.Kryo;
import com.esotericsoftware.kryo.serializers.ImmutableCollectionsSerializers;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.Advert;
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
import dev.atoll.protocol.negotiation.Bid;
import dev.atoll.protocol.negotiation.CallForProposals;
import dev.atoll.protocol.negotiation.CancelWorkload;
import dev.atoll.protocol.negotiation.Committed;
import dev.atoll.protocol.negotiation.Decline;
import dev.atoll.protocol.negotiation.ReleaseHold;
import dev.atoll.protocol.negotiation.WorkloadEnded;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The one list of classes the Kryo serializer may write, each under a stable registration id.
 *
 * <p>Rules: an id, once released, is never reused or moved; a class whose shape changes keeps its old
 * shape as a {@code ...V1} record under the old id, and the new shape gets a new id. Ids 1..99 belong
 * to Kryo's built-ins and JDK collections; protocol values use 100..199, negotiation messages
 * 200..299, events 300..399; other modules register theirs through {@link #extend(int, Class)} from
 * 1000 up. Registration is required: writing an unlisted class throws
 * {@link IllegalArgumentException} ("Class is not registered").
 */
public final class KryoRegistry {
    private static final Map<Integer, Class<?>> CORE = new LinkedHashMap<>();
    private static final Map<Integer, Class<?>> EXTENSIONS = new TreeMap<>();

    static {
        // JDK types that appear inside records. The immutable collection classes are the JDK's own.
        core(20, ArrayList.class);
        core(21, HashMap.class);
        core(22, List.of().getClass());
        core(23, List.of(1).getClass());
        core(24, List.of(1, 2, 3).getClass());
        core(25, Map.of().getClass());
        core(26, Map.of(1, 1).getClass());
        core(27, Set.of().getClass());
        core(28, Set.of(1).getClass());
        core(29, Set.of(1, 2, 3).getClass());
        core(30, Collections.emptyList().getClass());
        core(31, Map.of(1, 1, 2, 2).getClass());
        // protocol values
        core(100, SiteId.class);
        core(101, JobId.class);
        core(102, TenantId.class);
        core(103, HoldId.class);
        core(104, AcceleratorModel.class);
        core(105, ModelSet.class);
        core(106, WorkloadKind.class);
        core(107, PriorityClass.class);
        core(108, JobSpec.class);
        core(109, PoolSpec.class);
        core(110, SiteSpec.class);
        core(111, NodeShare.class);
        core(112, Placement.class);
        core(113, PoolAdvert.class);
        core(114, dev.atoll.protocol.AdvertV1.class); // Advert before it said draining; never written now
        core(115, Advert.class);
        // negotiation messages
        core(200, CallForProposals.class);
        core(201, Bid.class);
        core(202, Decline.class);
        core(203, Award.class);
        core(204, Committed.class);
        core(205, AwardRefused.class);
        core(206, ReleaseHold.class);
        core(207, CancelWorkload.class);
        core(208, WorkloadEnded.class);
        core(209, WorkloadEnded.Outcome.class);
        // events
        core(300, HoldCreated.class);
        core(301, HoldReleased.class);
        core(302, dev.atoll.protocol.event.AllocationCommittedV1.class);
        core(303, AllocationReleased.class);
        core(304, dev.atoll.protocol.event.SiteDrainChanged.class);
        core(305, dev.atoll.protocol.event.AllocationCommittedV2.class);
        core(306, AllocationCommitted.class);
        core(320, JobSubmitted.class);
        core(321, NegotiationStarted.class);
        core(322, BidChosen.class);
        core(323, JobPlaced.class);
        core(324, JobWaiting.class);
        core(325, JobCompleted.class);
        core(326, JobFailed.class);
        core(327, JobRejected.class);
        core(328, JobCancelled.class);
        core(329, JobRequeued.class);
        core(330, dev.atoll.protocol.event.JobAdopted.class);
        core(331, dev.atoll.protocol.event.JobHandedOver.class);
        core(332, dev.atoll.protocol.event.JobPreempted.class);
    }

    private KryoRegistry() {
    }

    private static void core(int id, Class<?> type) {
        Class<?> previous = CORE.putIfAbsent(id, type);
        if (previous != null) {
            throw new IllegalStateException("Kryo id " + id + " given twice: " + previous.getName() + " and "
                    + type.getName());
        }
    }

    /**
     * Registers a class of another module (a node's internal message, a registry type). Call it from a
     * static initializer before the actor system starts.
     *
     * @param id 1000 or more, unique
     * @throws IllegalArgumentException if the id is below 1000 or already taken by another class
     */
    public static synchronized void extend(int id, Class<?> type) {
        if (id < 1000) {
            throw new IllegalArgumentException("extension Kryo ids start at 1000, got " + id + " for "
                    + type.getName());
        }
        Class<?> previous = EXTENSIONS.putIfAbsent(id, type);
        if (previous != null && previous != type) {
            throw new IllegalArgumentException("Kryo id " + id + " is taken by " + previous.getName()
                    + ", cannot give it to " + type.getName());
        }
    }

    /** @return every registered id and class, core first, in id order within each part */
    public static synchronized Map<Integer, Class<?>> registrations() {
        Map<Integer, Class<?>> all = new LinkedHashMap<>(CORE);
        all.putAll(EXTENSIONS);
        return Collections.unmodifiableMap(all);
    }

    /**
     * Applies every registration to {@code kryo} and turns on registration-required.
     */
    public static void configure(Kryo kryo) {
        kryo.setRegistrationRequired(true);
        kryo.setReferences(false);
        ImmutableCollectionsSerializers.addDefaultSerializers(kryo);
        for (Map.Entry<Integer, Class<?>> e : registrations().entrySet()) {
            kryo.register(e.getValue(), e.getKey());
        }
    }
}
