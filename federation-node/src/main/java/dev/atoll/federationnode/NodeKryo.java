package dev.atoll.federationnode;

import dev.atoll.federationnode.job.Job;
import dev.atoll.federationnode.job.JobError;
import dev.atoll.federationnode.job.JobStatus;
import dev.atoll.federationnode.site.AllocationStatus;
import dev.atoll.federationnode.site.GetLedger;
import dev.atoll.federationnode.site.LedgerView;
import dev.atoll.federationnode.site.QueryAllocation;
import dev.atoll.protocol.serialization.KryoRegistry;
import dev.atoll.siteregistry.RegistryKryo;

/**
 * Registers every class of the node that crosses nodes or is persisted with the Kryo registry
 * (ids 1000..1009 site-registry, 1100..1199 federation-node). Call {@link #register()} first thing,
 * before any actor system starts; repeated calls are harmless. Ids are never reused or moved.
 */
public final class NodeKryo {
    private NodeKryo() {
    }

    /** Registers the registry's and the node's classes. Idempotent. */
    public static synchronized void register() {
        RegistryKryo.register();
        KryoRegistry.extend(1100, QueryAllocation.class);
        KryoRegistry.extend(1101, AllocationStatus.class);
        KryoRegistry.extend(1102, AllocationStatus.State.class);
        KryoRegistry.extend(1103, GetLedger.class);
        KryoRegistry.extend(1104, LedgerView.class);
        KryoRegistry.extend(1105, LedgerView.AllocationView.class);
        KryoRegistry.extend(1120, dev.atoll.federationnode.site.SiteLedgerSnapshotV1.class);
        KryoRegistry.extend(1106, dev.atoll.federationnode.site.SetDraining.class);
        KryoRegistry.extend(1107, dev.atoll.federationnode.site.DrainStatus.class);
        KryoRegistry.extend(1121, dev.atoll.federationnode.site.SiteLedgerSnapshot.Allocation.class);
        KryoRegistry.extend(1122, dev.atoll.federationnode.site.SiteLedgerSnapshotV2.class);
        KryoRegistry.extend(1123, dev.atoll.federationnode.site.SiteLedgerSnapshot.Owner.class);
        KryoRegistry.extend(1124, dev.atoll.federationnode.site.SiteLedgerSnapshotV3.class); // before the terms
        KryoRegistry.extend(1125, dev.atoll.federationnode.site.SiteLedgerSnapshot.Terms.class);
        KryoRegistry.extend(1126, dev.atoll.federationnode.site.SiteLedgerSnapshot.class);
        KryoRegistry.extend(1130, dev.atoll.federationnode.job.JobStateV1.class); // before the preemption count
        KryoRegistry.extend(1132, dev.atoll.federationnode.job.JobState.class);
        KryoRegistry.extend(1131, dev.atoll.federationnode.job.JobState.Phase.class);
        KryoRegistry.extend(1140, dev.atoll.federationnode.site.HoldCreatedV0.class);
        KryoRegistry.extend(1150, dev.atoll.federationnode.site.SiteWatch.SiteUnreachable.class);
        KryoRegistry.extend(1151, dev.atoll.federationnode.site.SiteWatch.SiteReachable.class);
        KryoRegistry.extend(1152, dev.atoll.federationnode.job.EpochCheck.class);
        KryoRegistry.extend(1153, dev.atoll.federationnode.job.HandOver.class);
        KryoRegistry.extend(1154, dev.atoll.federationnode.job.HandOverReply.class);
        KryoRegistry.extend(1155, dev.atoll.federationnode.site.CanPreempt.class);
        KryoRegistry.extend(1156, dev.atoll.federationnode.site.CanPreempt.Answer.class);
        KryoRegistry.extend(1117, Job.Adopt.class);
        KryoRegistry.extend(1110, Job.Submit.class);
        KryoRegistry.extend(1111, Job.GetStatus.class);
        KryoRegistry.extend(1112, Job.Cancel.class);
        KryoRegistry.extend(1113, Job.Notify.class);
        KryoRegistry.extend(1114, JobStatus.class);
        KryoRegistry.extend(1115, JobError.class);
        KryoRegistry.extend(1116, JobError.Kind.class);
    }
}
