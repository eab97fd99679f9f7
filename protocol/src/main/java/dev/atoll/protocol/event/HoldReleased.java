package dev.atoll.protocol.event;

import dev.atoll.protocol.HoldId;

/** A hold's devices are free again: released by its Job, expired, or superseded. */
public record HoldReleased(HoldId hold, String reason) implements SiteEvent {
}
