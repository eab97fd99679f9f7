package dev.atoll.simulator.engine;

import dev.atoll.protocol.Checks;

/**
 * An injected failure. Work running on the failed part is lost (restarted from the beginning; trace
 * tasks carry no checkpoints) and the job goes back to the queue with its original arrival order.
 */
public sealed interface Failure {
    /** @return when it fails, seconds from trace start */
    long atSeconds();

    /** @return how long it stays down, seconds; 0 = never comes back */
    long downForSeconds();

    /**
     * A whole site is lost: none of its devices can be used until it comes back.
     *
     * @param site site id
     * @throws IllegalArgumentException naming the field if a time is negative or the site blank
     */
    record SiteDown(String site, long atSeconds, long downForSeconds) implements Failure {
        public SiteDown {
            Checks.nonBlank("site", site);
            Checks.inRange("atSeconds", atSeconds, 0, Long.MAX_VALUE / 4);
            Checks.inRange("downForSeconds", downForSeconds, 0, Long.MAX_VALUE / 4);
        }
    }

    /**
     * One node of a site fails.
     *
     * @param site site id
     * @param node node number within the site (see {@link dev.atoll.protocol.SiteSpec})
     * @throws IllegalArgumentException naming the field if a time or the node is negative
     */
    record NodeDown(String site, int node, long atSeconds, long downForSeconds) implements Failure {
        public NodeDown {
            Checks.nonBlank("site", site);
            Checks.inRange("node", node, 0, Integer.MAX_VALUE);
            Checks.inRange("atSeconds", atSeconds, 0, Long.MAX_VALUE / 4);
            Checks.inRange("downForSeconds", downForSeconds, 0, Long.MAX_VALUE / 4);
        }
    }
}
