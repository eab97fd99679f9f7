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
    SJF("sjf");

    private final String cliName;

    /** @return placement's order for this discipline */
    public QueueOrder order() {
        return this == FIFO ? QueueOrder.FIFO : QueueOrder.SJF;
    }

    QueueDiscipline(String cliName) {
        this.cliName = cliName;
    }

    /** @return the command-line name: {@code fifo} or {@code sjf} */
    public String cliName() {
        return cliName;
    }

    /**
     * @param name {@code fifo} or {@code sjf}, case-insensitive
     * @throws IllegalArgumentException naming the value and the choices if unknown
     */
    public static QueueDiscipline byName(String name) {
        for (QueueDiscipline q : values()) {
            if (q.cliName.equals(name == null ? null : name.trim().toLowerCase(Locale.ROOT))) {
                return q;
            }
        }
        throw new IllegalArgumentException("queue discipline must be fifo or sjf, got '" + name + "'");
    }
}
