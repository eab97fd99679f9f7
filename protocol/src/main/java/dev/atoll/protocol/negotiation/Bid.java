package dev.atoll.protocol.negotiation;

import dev.atoll.protocol.HoldId;
import dev.atoll.protocol.JobId;
import dev.atoll.protocol.Placement;
import dev.atoll.protocol.SiteId;

/**
 * A site's offer, backed by a hold on the devices in {@code placement} until {@code holdExpiresAtMillis}.
 *
 * @param startEstimateSeconds seconds from now until the workload could start (0 = at once)
 * @param pricePerDeviceHour price of the offered model at the site, per device-hour
 * @param speedFactor speed of the offered model relative to the reference model
 * @param fragmentationDelta change in the site's fragmentation (devices) if the bid is taken
 * @param freeAfter free devices of the offered model left at the site if the bid is taken
 */
public record Bid(JobId job, long epoch, SiteId site, HoldId hold, long holdExpiresAtMillis,
                  double startEstimateSeconds, double pricePerDeviceHour, double speedFactor,
                  int fragmentationDelta, int freeAfter, Placement placement) implements NegotiationReply {
}
