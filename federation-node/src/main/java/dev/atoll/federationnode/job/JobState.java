package dev.atoll.federationnode.job;

import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.event.BidChosen;
import dev.atoll.protocol.event.JobCancelled;
import dev.atoll.protocol.event.JobCompleted;
import dev.atoll.protocol.event.JobEvent;
import dev.atoll.protocol.event.JobFailed;
import dev.atoll.protocol.event.JobPlaced;
import dev.atoll.protocol.event.JobPreempted;
import dev.atoll.protocol.event.JobRejected;
import dev.atoll.protocol.event.JobRequeued;
import dev.atoll.protocol.event.JobSubmitted;
import dev.atoll.protocol.event.JobWaiting;
import dev.atoll.protocol.event.NegotiationStarted;
import java.util.List;

/**
 * A Job's event-sourced state; immutable, rebuilt by {@link #apply(JobEvent)}.
 *
 * @param spec the submitted spec; null while {@link Phase#EMPTY}
 * @param epoch the current negotiation round (0 before the first)
 * @param candidates sites called in the current round
 * @param site chosen (AWARDING) or running (PLACED) site, kept after the end for the status
 * @param hold the chosen bid's hold
 * @param placement where it runs or ran
 * @param placedAt latest placement, epoch ms (0 = never)
 * @param endedAt terminal event time, epoch ms (0 = not ended)
 * @param reason latest persisted reason (waiting, rejected, failed, cancelled)
 * @param preemptions how often the job was preempted ({@link JobPreempted}): its history, sent with every award so
 *     that sites stop preempting it after {@code atoll.preemption.max-per-job} times
 *
 * <p>It is also the Job's snapshot (Kryo id 1132, every 100 events, two kept; the shape before the preemption count,
 * id 1130, is read as {@link JobStateV1}).
 */
public record JobState(Phase phase, JobSpec spec, SiteId origin, long submittedAt, long epoch, List<SiteId> candidates,
                       SiteId site, HoldId hold, Placement placement, long placedAt, long endedAt, String reason,
                       int preemptions)
        implements dev.atoll.protocol.AtollSerializable {

    /** Life-cycle phases. */
    public enum Phase {
        // HANDED_OVER is appended last: Kryo writes enum ordinals, and snapshots hold them.
        EMPTY, QUEUED, NEGOTIATING, AWARDING, PLACED, COMPLETED, FAILED, REJECTED, CANCELLED, HANDED_OVER;

        /** @return true for COMPLETED, FAILED, REJECTED, CANCELLED and HANDED_OVER (adopted by another site) */
        public boolean terminal() {
            return this == COMPLETED || this == FAILED || this == REJECTED || this == CANCELLED
                    || this == HANDED_OVER;
        }
    }

    /** The state before the first event. */
    public static final JobState EMPTY = new JobState(Phase.EMPTY, null, null, 0, 0, List.of(), null, null, null, 0, 0,
            "", 0);

    private JobState with(Phase p) {
        return new JobState(p, spec, origin, submittedAt, epoch, candidates, site, hold, placement, placedAt, endedAt,
                reason, preemptions);
    }

    /** @return the state after {@code e} (pure; replays give the same state) */
    public JobState apply(JobEvent e) {
        if (e instanceof JobSubmitted s) {
            return new JobState(Phase.QUEUED, s.spec(), s.origin(), s.atMillis(), 0, List.of(), null, null, null, 0, 0,
                    "submitted", 0);
        } else if (e instanceof NegotiationStarted n) {
            return new JobState(Phase.NEGOTIATING, spec, origin, submittedAt, n.epoch(), n.candidates(), null, null,
                    null, placedAt, endedAt, reason, preemptions);
        } else if (e instanceof JobWaiting w) {
            return new JobState(Phase.QUEUED, spec, origin, submittedAt, Math.max(epoch, w.epoch()), candidates, null,
                    null, null, placedAt, endedAt, w.reason(), preemptions);
        } else if (e instanceof BidChosen b) {
            return new JobState(Phase.AWARDING, spec, origin, submittedAt, b.epoch(), candidates, b.site(), b.hold(),
                    null, placedAt, endedAt, reason, preemptions);
        } else if (e instanceof JobPlaced p) {
            return new JobState(Phase.PLACED, spec, origin, submittedAt, p.epoch(), candidates, p.placement().site(),
                    hold, p.placement(), p.atMillis(), endedAt, "", preemptions);
        } else if (e instanceof JobCompleted c) {
            return new JobState(Phase.COMPLETED, spec, origin, submittedAt, epoch, candidates, site, hold, placement,
                    placedAt, c.atMillis(), "", preemptions);
        } else if (e instanceof JobFailed f) {
            return new JobState(Phase.FAILED, spec, origin, submittedAt, epoch, candidates, site, hold, placement,
                    placedAt, f.atMillis(), f.reason(), preemptions);
        } else if (e instanceof JobRejected r) {
            return new JobState(Phase.REJECTED, spec, origin, submittedAt, epoch, candidates, site, hold, placement,
                    placedAt, r.atMillis(), r.reason(), preemptions);
        } else if (e instanceof JobCancelled c) {
            return new JobState(Phase.CANCELLED, spec, origin, submittedAt, epoch, candidates, site, hold, placement,
                    placedAt, c.atMillis(), c.reason(), preemptions);
        } else if (e instanceof dev.atoll.protocol.event.JobAdopted a) {
            // The adopter owns the job from now on (origin = owner), under epochs above the lost owner's.
            return new JobState(Phase.QUEUED, a.spec(), a.by(), a.submittedAtMillis(), a.epochBase(), List.of(), null,
                    null, null, 0, 0, "adopted from site " + a.from() + " (" + a.fromEntity() + "), which was lost",
                    preemptions);
        } else if (e instanceof dev.atoll.protocol.event.JobHandedOver h) {
            return new JobState(Phase.HANDED_OVER, spec, origin, submittedAt, epoch, candidates, site, hold, placement,
                    placedAt, h.atMillis(), "handed over to site " + h.to() + " (entity " + h.entity()
                    + "), which adopted it while this site was lost", preemptions);
        } else if (e instanceof JobPreempted p) {
            return new JobState(Phase.QUEUED, spec, origin, submittedAt, Math.max(epoch, p.epoch()), candidates, null,
                    null, null, placedAt, endedAt, p.reason(), preemptions + 1);
        } else if (e instanceof JobRequeued r) {
            return new JobState(Phase.QUEUED, spec, origin, submittedAt, Math.max(epoch, r.epoch()), candidates, null,
                    null, null, placedAt, endedAt, r.reason(), preemptions);
        }
        throw new IllegalArgumentException("unknown job event " + e);
    }

    /**
     * @param nowMillis for the queueing delay of a job still waiting
     * @param liveReason a fresher reason than the persisted one (or null)
     */
    public JobStatus status(long nowMillis, String liveReason) {
        String state = switch (phase) {
            case EMPTY, QUEUED -> "queued";
            case NEGOTIATING, AWARDING -> "negotiating";
            case PLACED -> placement != null && placedAt <= nowMillis ? "running" : "placed";
            case COMPLETED -> "completed";
            case FAILED -> "failed";
            case REJECTED -> "rejected";
            case CANCELLED -> "cancelled";
            case HANDED_OVER -> "handed-over";
        };
        boolean placedNow = phase == Phase.PLACED || phase == Phase.COMPLETED
                || (phase.terminal() && phase != Phase.HANDED_OVER && placement != null);
        double delay = placedAt > 0 ? (placedAt - submittedAt) / 1000.0
                : ((phase.terminal() ? endedAt : nowMillis) - submittedAt) / 1000.0;
        String why = liveReason != null && !phase.terminal() && phase != Phase.PLACED ? liveReason : reason;
        return new JobStatus(spec.id().value(), spec.tenant().value(), state,
                placedNow && site != null ? site.value() : null,
                placedNow && placement != null ? placement.model().name() : null,
                placedNow && placement != null ? placement.nodes() : List.of(),
                submittedAt, placedAt > 0 ? placedAt : null, endedAt > 0 ? endedAt : null, Math.max(0, delay),
                why == null ? "" : why);
    }
}
