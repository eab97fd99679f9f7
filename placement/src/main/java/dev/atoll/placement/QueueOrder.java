package dev.atoll.placement;

import dev.atoll.protocol.JobSpec;
import java.util.Locale;

/**
 * The order in which waiting jobs are considered, shared by the broker's {@link QueueScheduler} (within a
 * tenant's queue, and as the last tie-break across tenants) and the simulator's scheduling pass, so both order
 * the same jobs the same way. A higher priority class always goes first ({@link
 * dev.atoll.protocol.PriorityClass#rank()}); then:
 * <ul>
 *   <li>{@link #FIFO}: submission order (a sequence number that grows with submission time);</li>
 *   <li>{@link #SJF}: shortest job first by the request's {@link JobSpec#durationSeconds()} (the estimate given
 *       at submission; in a trace replay, the trace's duration: the classic SJF oracle), then submission
 *       order.</li>
 * </ul>
 */
public enum QueueOrder {
    /** Priority class, then submission order. */
    FIFO("fifo"),
    /** Priority class, then requested duration (shortest first), then submission order. */
    SJF("sjf");

    private final String cliName;

    QueueOrder(String cliName) {
        this.cliName = cliName;
    }

    /** @return the command-line name: {@code fifo} or {@code sjf} */
    public String cliName() {
        return cliName;
    }

    /**
     * Compares two waiting jobs by their keys; negative when {@code a} goes first.
     *
     * @param rankA priority class rank of a (higher goes first)
     * @param durationA requested duration of a, seconds
     * @param seqA submission sequence of a (unique per job, growing with submission time)
     */
    public int compare(int rankA, long durationA, long seqA, int rankB, long durationB, long seqB) {
        int c = Integer.compare(rankB, rankA);
        if (c != 0) {
            return c;
        }
        if (this == SJF) {
            c = Long.compare(durationA, durationB);
            if (c != 0) {
                return c;
            }
        }
        return Long.compare(seqA, seqB);
    }

    /** As {@link #compare(int, long, long, int, long, long)} with the keys read from the requests. */
    public int compare(JobSpec a, long seqA, JobSpec b, long seqB) {
        return compare(a.priority().rank(), a.durationSeconds(), seqA, b.priority().rank(), b.durationSeconds(), seqB);
    }

    /**
     * @param name {@code fifo} or {@code sjf}, case-insensitive
     * @throws IllegalArgumentException naming the value and the choices if unknown
     */
    public static QueueOrder byName(String name) {
        for (QueueOrder q : values()) {
            if (q.cliName.equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
                return q;
            }
        }
        throw new IllegalArgumentException("queue order must be fifo or sjf, got '" + name + "'");
    }
}
