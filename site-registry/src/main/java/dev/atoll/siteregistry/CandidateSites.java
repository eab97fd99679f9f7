package dev.atoll.siteregistry;

import java.util.List;

/**
 * The registry's answer to "which sites could take this job?".
 *
 * @param now reachable sites whose advert says the job may fit now (a hint: their bid decides), in site order
 * @param anyEverFits true if some known site (reachable or not) has enough capacity of an accepted model
 *     that the job could fit there once devices free up
 * @param sitesKnown number of sites with an advert
 * @param reason why {@code now} is empty or why nothing ever fits; empty when {@code now} is not empty
 * @param later reachable, not draining sites that could ever fit the job but whose advert says it does not fit
 *     now, in site order: where a higher-priority job may ask for a bid that preempts lower-priority work
 */
public record CandidateSites(List<SiteInfo> now, boolean anyEverFits, int sitesKnown, String reason,
                             List<SiteInfo> later) {
    public CandidateSites {
        now = List.copyOf(now);
        later = later == null ? List.of() : List.copyOf(later);
    }

    /** An answer with no {@code later} sites. */
    public CandidateSites(List<SiteInfo> now, boolean anyEverFits, int sitesKnown, String reason) {
        this(now, anyEverFits, sitesKnown, reason, List.of());
    }
}
