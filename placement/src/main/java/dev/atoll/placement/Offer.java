package dev.atoll.placement;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.negotiation.Bid;

/**
 * What a site offers for one request, as a protocol {@link Bid} carries it, plus the site's region: the
 * input of {@link SiteChoicePolicy}.
 *
 * @param site the offering site
 * @param model the accelerator model offered (may be null when unknown)
 * @param startEstimateSeconds seconds from now until the workload could start (0 = at once), >= 0
 * @param pricePerDeviceHour price per device-hour of the offered model, >= 0
 * @param speedFactor speed of the offered model relative to the reference model, > 0
 * @param fragmentationDelta change in the site's fragmentation, in devices, if the offer is taken
 * @param freeAfter free devices of the offered model left at the site if the offer is taken, >= 0
 * @param region the site's region (may be null)
 * @throws IllegalArgumentException naming the field if a number is out of range or site is null
 */
public record Offer(SiteId site, AcceleratorModel model, double startEstimateSeconds, double pricePerDeviceHour,
                    double speedFactor, int fragmentationDelta, int freeAfter, String region) {
    /** Validates; see the record description. */
    public Offer {
        if (site == null) {
            throw new IllegalArgumentException("site is required");
        }
        if (!(startEstimateSeconds >= 0) || Double.isInfinite(startEstimateSeconds)) {
            throw new IllegalArgumentException("startEstimateSeconds must be a finite number >= 0, got "
                    + startEstimateSeconds);
        }
        if (!(pricePerDeviceHour >= 0) || Double.isInfinite(pricePerDeviceHour)) {
            throw new IllegalArgumentException("pricePerDeviceHour must be a finite number >= 0, got "
                    + pricePerDeviceHour);
        }
        if (!(speedFactor > 0) || Double.isInfinite(speedFactor)) {
            throw new IllegalArgumentException("speedFactor must be a finite number > 0, got " + speedFactor);
        }
        if (freeAfter < 0) {
            throw new IllegalArgumentException("freeAfter must be >= 0, got " + freeAfter);
        }
    }

    /**
     * @param bid a site's bid
     * @param region the bidding site's region (from its advert), may be null
     * @return the offer the bid makes
     */
    public static Offer of(Bid bid, String region) {
        AcceleratorModel model = bid.placement() == null ? null : bid.placement().model();
        return new Offer(bid.site(), model, bid.startEstimateSeconds(), bid.pricePerDeviceHour(), bid.speedFactor(),
                bid.fragmentationDelta(), bid.freeAfter(), region);
    }
}
