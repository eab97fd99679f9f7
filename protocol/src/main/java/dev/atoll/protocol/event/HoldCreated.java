package dev.atoll.protocol.event;

import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.Placement;

/** Devices in {@code placement} are held for {@code job}'s bid until {@code expiresAtMillis} (epoch ms). */
public record HoldCreated(HoldId hold, JobId job, long epoch, Placement placement, long expiresAtMillis)
        implements SiteEvent {
}
