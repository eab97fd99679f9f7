package dev.atoll.federationnode;

import dev.atoll.protocol.SiteId;
import dev.atoll.siteregistry.SiteRegistry;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The node's main actors, as the HTTP API and tests use them.
 *
 * @param site this node's site
 * @param registry the node's {@link SiteRegistry}
 */
public record NodeRefs(SiteId site, ActorRef<SiteRegistry.Command> registry) {
}
