package dev.atoll.protocol.event;

import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.SiteId;

/**
 * The first event of an adopted Job (persistence id {@code Job|<id>|a<generation>}, Kryo id 330): site {@code by}
 * took over a queued job whose owner {@code from} (its origin, or an earlier adopter) was lost. The adopted Job
 * negotiates under epochs above {@code lastEpoch + }{@link #EPOCH_GAP}, so every epoch it uses is higher than any
 * the lost owner could have reached, and a stale copy of the owner is always the one fenced.
 *
 * @param spec the job's spec, as submitted
 * @param from the site that owned the job until now
 * @param fromEntity the owner's Job entity id ({@code <id>} at the origin, {@code <id>|a<n>} at an adopter)
 * @param by the adopting site, which owns the job from now on
 * @param generation adoption generation (1 for the first adoption of the job, owner's generation + 1 after)
 * @param lastEpoch the owner's last epoch, as read from its journal
 * @param submittedAtMillis when the job was first submitted (its queueing delay counts from there)
 * @param atMillis when it was adopted
 */
public record JobAdopted(JobSpec spec, SiteId from, String fromEntity, SiteId by, int generation, long lastEpoch,
                         long submittedAtMillis, long atMillis) implements JobEvent {
    /** Epochs of an adopted Job start this far above the owner's last one. */
    public static final long EPOCH_GAP = 1_000_000L;

    /** @throws IllegalArgumentException if generation is below 1, or a field is null or blank */
    public JobAdopted {
        if (spec == null || from == null || by == null || fromEntity == null || fromEntity.isBlank()) {
            throw new IllegalArgumentException("JobAdopted needs spec, from, fromEntity and by, got spec " + spec
                    + ", from " + from + ", fromEntity " + fromEntity + ", by " + by);
        }
        if (generation < 1) {
            throw new IllegalArgumentException("JobAdopted of " + spec.id() + ": generation must be >= 1, got "
                    + generation);
        }
    }

    /** @return the first epoch base of the adopted Job: {@code lastEpoch + EPOCH_GAP} */
    public long epochBase() {
        return lastEpoch + EPOCH_GAP;
    }
}
