package dev.atoll.simulator.engine;

import dev.atoll.placement.QueueOrder;
import java.util.Locale;

/**
 * The order in which the simulator tries waiting jobs in each scheduling pass, decided by placement's
 * {@link QueueOrder} (the same code orders {@link dev.atoll.placement.QueueScheduler}'s tenant queues). Either
 * way the pass is greedy: a job that fits nowhere now is skipped and later jobs may start (no head-of-line
 * blocking), and a higher priority class always goes first.
 */
public enum QueueDiscipline {
    /** First in, first out: priority class, then arrival time, then trace order. */
    FIFO("fifo"),
    /**
     * Shortest job first: priority class, then the trace's duration (seconds, as known at submission; the
     * classic SJF oracle), then arrival time, then trace order.
     */
    SJF("sjf"),
    /**
     * The placement module's {@link dev.atoll.placement.QueueScheduler} runs every pass ({@link DrfSimulation}):
     * priority class, then weighted DRF across tenants, tenant quotas, EASY backfill behind a reserved head,
     * preemption; each tenant's queue in FIFO order. Not greedy: the head's reserved start is never delayed.
     */
    DRF("drf");

    private final String cliName;

    /** @return placement's order for this discipline (for DRF: the order within each tenant's queue, FIFO) */
    public QueueOrder order() {
        return this == SJF ? QueueOrder.SJF : QueueOrder.FIFO;
    }

    QueueDiscipline(String cliName) {
        this.cliName = cliName;
    }

    /** @return the command-line name: {@code fifo}, {@code sjf} or {@code drf} */
    public String cliName() {
        return cliName;
    }

    /**
     * @param name {@code fifo}, {@code sjf} or {@code drf}, case-insensitive
     * @throws IllegalArgumentException naming the value and the choices if unknown
     */
    public static QueueDiscipline byName(String name) {
        for (QueueDiscipline q : values()) {
            if (q.cliName.equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
                return q;
            }
        }
        throw new IllegalArgumentException("queue discipline must be fifo, sjf or drf, got '" + name + "'");
    }
}
