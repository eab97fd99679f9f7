package dev.atoll.siteregistry;

import dev.atoll.protocol.Advert;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One site as this node's registry sees it now: its latest advert, its SiteAgent and whether the
 * site is reachable (at least one of its cluster members is up and reachable from here).
 *
 * @param advert the site's advert with the highest version seen
 * @param agent the SiteAgent ref from that advert
 * @param reachable false when every member of the site's data center is unreachable or gone
 */
public record SiteInfo(Advert advert, ActorRef<SiteAgentCommand> agent, boolean reachable) {
    /** @return the site id */
    public SiteId site() {
        return advert.site();
    }
}
