package dev.atoll.siteregistry;

import dev.atoll.protocol.Advert;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One site as this node's registry sees it now: its latest advert, its SiteAgent, whether the site is
 * reachable (at least one of its cluster members is up and reachable from here) and whether it is lost
 * (unreachable for longer than {@code atoll.registry.lost-after}).
 *
 * @param advert the site's advert with the highest version seen
 * @param agent the SiteAgent ref from that advert
 * @param reachable false when every member of the site's data center is unreachable or gone
 * @param lost true when the site has been unreachable for at least {@code atoll.registry.lost-after}; Jobs
 *     placed there are requeued elsewhere under a new epoch
 * @param unreachableSinceMillis when this node first saw the site unreachable in the current spell, epoch
 *     ms (kept across restarts by the node's SiteWatch); 0 when the site is not in an unreachable spell
 */
public record SiteInfo(Advert advert, ActorRef<SiteAgentCommand> agent, boolean reachable, boolean lost,
                       long unreachableSinceMillis) {
    /** A site that is not lost (reachable, or unreachable for less than the lost timeout). */
    public SiteInfo(Advert advert, ActorRef<SiteAgentCommand> agent, boolean reachable) {
        this(advert, agent, reachable, false, 0L);
    }

    /** @return the site id */
    public SiteId site() {
        return advert.site();
    }
}
