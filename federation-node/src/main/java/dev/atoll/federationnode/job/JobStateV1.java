package dev.atoll.federationnode.job;

import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.SiteId;
import java.util.List;

/**
 * The shape of {@link JobState} before it counted preemptions (Kryo id 1130), read from snapshot stores written by
 * earlier versions and upcast to a state that was never preempted ({@link #upcast()}); the events replayed after
 * the snapshot still count.
 */
public record JobStateV1(JobState.Phase phase, JobSpec spec, SiteId origin, long submittedAt, long epoch,
                         List<SiteId> candidates, SiteId site, HoldId hold, Placement placement, long placedAt,
                         long endedAt, String reason) implements AtollSerializable {
    /** @return the current shape, with no preemptions */
    public JobState upcast() {
        return new JobState(phase, spec, origin, submittedAt, epoch, candidates, site, hold, placement, placedAt,
                endedAt, reason, 0);
    }
}
