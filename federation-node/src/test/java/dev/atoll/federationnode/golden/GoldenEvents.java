package dev.atoll.federationnode.golden;

import dev.atoll.federationnode.NodeKryo;
import dev.atoll.federationnode.site.HoldCreatedV0;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.NodeShare;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.event.AllocationCommitted;
import dev.atoll.protocol.event.AllocationCommittedV1;
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
import dev.atoll.protocol.negotiation.WorkloadEnded;
import dev.atoll.protocol.serialization.AtollKryoSerializer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The golden event samples: one fixed value of every persisted event shape (and the legacy
 * {@link HoldCreatedV0}, {@link AllocationCommittedV1} and {@code AllocationCommittedV2}), whose Kryo bytes live in {@code src/test/resources/golden/<name>.kryo}.
 *
 * <p>{@link #main} writes the files; run it once when an event shape is added (never to "fix" a failing
 * golden test: a golden file that no longer reads means old journals no longer read either).
 * <pre>
 * java -cp target/test-classes:target/classes:... dev.atoll.federationnode.golden.GoldenEvents src/test/resources/golden
 * </pre>
 */
public final class GoldenEvents {
    private GoldenEvents() {
    }

    /** @return file name (without .kryo) -&gt; the value its bytes must read back as */
    public static Map<String, Object> samples() {
        SiteId a = SiteId.of("site-a");
        JobId j = JobId.of("train-42");
        HoldId h = HoldId.of("train-42:e3:d3600");
        Placement p = new Placement(a, AcceleratorModel.of("H800"),
                List.of(new NodeShare(0, List.of(0, 1, 2, 3), 1000), new NodeShare(5, List.of(7), 500)));
        JobSpec spec = JobSpec.builder("train-42", "vc-research").devices(5).models("H800|A100-80GB")
                .durationSeconds(3600).build();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("HoldCreated", new HoldCreated(h, j, 3, p, 1_767_225_600_000L));
        m.put("HoldReleased", new HoldReleased(h, "expired"));
        m.put("AllocationCommitted", new AllocationCommitted(h, j, 3, 1_767_225_601_000L, 1_767_229_201_000L,
                SiteId.of("site-b"), "train-42", spec, 2));
        m.put("AllocationReleased", new AllocationReleased(j, 3, WorkloadEnded.Outcome.CANCELLED,
                1_767_225_700_000L, "cancelled by client"));
        m.put("JobSubmitted", new JobSubmitted(spec, a, 1_767_225_500_000L));
        m.put("NegotiationStarted", new NegotiationStarted(3, List.of(a, SiteId.of("site-b")), 1_767_225_510_000L));
        m.put("BidChosen", new BidChosen(3, a, h, 1_767_225_520_000L));
        m.put("JobPlaced", new JobPlaced(3, p, 1_767_225_530_000L));
        m.put("JobWaiting", new JobWaiting(2, "no site can take it now: site-b: 3 free H800", 1_767_225_505_000L));
        m.put("JobCompleted", new JobCompleted(3, 1_767_229_201_000L));
        m.put("JobFailed", new JobFailed(3, "failed at site site-a: node 5 lost", 1_767_229_000_000L));
        m.put("JobRejected", new JobRejected("no site can ever run it: 4096 x H800", 1_767_225_501_000L));
        m.put("JobCancelled", new JobCancelled("cancelled by client", 1_767_225_700_000L));
        m.put("JobRequeued", new JobRequeued(3, "lost at site site-a", 1_767_229_100_000L));
        m.put("SiteDrainChanged", new dev.atoll.protocol.event.SiteDrainChanged(true, "PDU swap in rack 3",
                1_767_225_800_000L));
        m.put("JobAdopted", new dev.atoll.protocol.event.JobAdopted(spec, SiteId.of("site-c"), "train-42", a, 1, 3,
                1_767_225_500_000L, 1_767_229_300_000L));
        m.put("JobHandedOver", new dev.atoll.protocol.event.JobHandedOver(a, "train-42|a1", 1_767_229_400_000L));
        m.put("JobPreempted", new dev.atoll.protocol.event.JobPreempted(3, a,
                "preempted at site site-a: preempted by job serve-7 (inference outranks best-effort)", 1_767_229_500_000L));
        m.put("HoldCreatedV0", new HoldCreatedV0(h, j, 3, p));
        // The shape before the owner was added (Kryo id 302); its bytes were written by that version.
        m.put("AllocationCommittedV1", new AllocationCommittedV1(h, j, 3, 1_767_225_601_000L, 1_767_229_201_000L));
        // The shape with the owner but before the terms (Kryo id 305); its bytes were written by that version (the
        // file was AllocationCommitted.kryo until the terms were added).
        m.put("AllocationCommittedV2", new dev.atoll.protocol.event.AllocationCommittedV2(h, j, 3, 1_767_225_601_000L,
                1_767_229_201_000L, SiteId.of("site-b"), "train-42"));
        // The Job snapshot's shape before the preemption count (Kryo id 1130, as JobState was written until then).
        m.put("JobStateV1", new dev.atoll.federationnode.job.JobStateV1(dev.atoll.federationnode.job.JobState.Phase.PLACED,
                spec, a, 1_767_225_500_000L, 3, List.of(a, SiteId.of("site-b")), a, h, p, 1_767_225_530_000L, 0L, ""));
        return m;
    }

    /**
     * Writes every sample's bytes to {@code <dir>/<name>.kryo}.
     *
     * @param args the target directory (default src/test/resources/golden)
     * @throws java.io.IOException if a file cannot be written
     */
    public static void main(String[] args) throws java.io.IOException {
        NodeKryo.register();
        Path dir = Path.of(args.length > 0 ? args[0] : "src/test/resources/golden");
        Files.createDirectories(dir);
        AtollKryoSerializer kryo = new AtollKryoSerializer();
        for (Map.Entry<String, Object> e : samples().entrySet()) {
            byte[] bytes = kryo.toBinary(e.getValue());
            Files.write(dir.resolve(e.getKey() + ".kryo"), bytes);
            System.out.println(e.getKey() + ".kryo " + bytes.length + " bytes");
        }
    }
}
