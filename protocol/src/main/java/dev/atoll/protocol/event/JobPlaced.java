package dev.atoll.protocol.event;

import dev.atoll.protocol.Placement;

/** The winning site committed the hold: the workload runs on {@code placement} from {@code atMillis}. */
public record JobPlaced(long epoch, Placement placement, long atMillis) implements JobEvent {
}
