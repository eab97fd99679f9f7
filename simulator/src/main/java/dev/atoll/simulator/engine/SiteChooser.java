package dev.atoll.simulator.engine;

import dev.atoll.placement.SiteLedger;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.Placement;

import java.util.List;
import java.util.Locale;

/**
 * Picks one site among those whose packing policy found a fit now (the cross-site decision).
 *
 * <p>Stand-in: the placement module does not yet publish cross-site policies. Both rules here rank
 * only what a live broker also sees (the bids' placements and the sites' adverts); when placement
 * ships its cross-site policy, the engine calls that instead and this interface goes away.
 */
public interface SiteChooser {
    /**
     * A site's answer for one request.
     *
     * @param siteIndex index of the site in the simulation's site list
     * @param ledger the site's ledger (read only here)
     * @param placement where the site's packing policy would put the request
     */
    record Offer(int siteIndex, SiteLedger ledger, Placement placement) {
    }

    /** @return this rule's name on the command line */
    String name();

    /**
     * @param job the request
     * @param offers at least one offer, in site order
     * @return the chosen offer, one of {@code offers}
     */
    Offer choose(JobSpec job, List<Offer> offers);

    /** Lowest site index wins: fills sites in the order given. */
    SiteChooser FIRST = new SiteChooser() {
        @Override
        public String name() {
            return "first";
        }

        @Override
        public Offer choose(JobSpec job, List<Offer> offers) {
            return offers.get(0);
        }
    };

    /**
     * Most free devices of the placement's model at the site (from its advert) wins; ties go to the lower
     * site index. Spreads load.
     */
    SiteChooser MOST_FREE = new SiteChooser() {
        @Override
        public String name() {
            return "most-free";
        }

        @Override
        public Offer choose(JobSpec job, List<Offer> offers) {
            Offer best = null;
            long bestFree = -1;
            for (Offer o : offers) {
                long free = o.ledger().spec().pools().isEmpty() ? 0 : freeOf(o);
                if (free > bestFree) {
                    bestFree = free;
                    best = o;
                }
            }
            return best;
        }

        private long freeOf(Offer o) {
            long free = 0;
            SiteLedger l = o.ledger();
            for (int n = 0; n < l.nodeCount(); n++) {
                if (l.model(n).equals(o.placement().model())) {
                    free += l.freeDevices(n);
                }
            }
            return free;
        }
    };

    /** @return the names {@link #byName} accepts */
    static List<String> names() {
        return List.of(FIRST.name(), MOST_FREE.name());
    }

    /**
     * @throws IllegalArgumentException naming the value and the known names if it is unknown
     */
    static SiteChooser byName(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        if (n.equals(FIRST.name())) {
            return FIRST;
        }
        if (n.equals(MOST_FREE.name())) {
            return MOST_FREE;
        }
        throw new IllegalArgumentException("site policy must be one of " + names() + ", got '" + name + "'");
    }
}
