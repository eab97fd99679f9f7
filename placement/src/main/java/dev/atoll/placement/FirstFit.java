package dev.atoll.placement;

import dev.atoll.protocol.JobSpec;

/** First fit: the lowest-numbered node that can take the request (Garey and Johnson's bin-packing heuristic). */
public final class FirstFit extends AbstractPackingPolicy {
    /** The name {@link PackingPolicy#byName} knows it by. */
    public static final String NAME = "first-fit";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    protected double score(SiteView site, int node, JobSpec job, int devices) {
        return node;
    }

    @Override
    protected boolean firstFeasibleWins() {
        return true;
    }
}
