package dev.atoll.federationnode;

import dev.atoll.federationnode.job.JobDirectory;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import dev.atoll.siteregistry.SiteRegistry;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The node's main actors, as the HTTP API and tests use them.
 *
 * @param site this node's site
 * @param registry the node's {@link SiteRegistry}
 * @param jobs the site's Job sharding
 * @param siteAgent proxy to the site's SiteAgent singleton
 */
public record NodeRefs(SiteId site, ActorRef<SiteRegistry.Command> registry, JobDirectory jobs,
                       ActorRef<SiteAgentCommand> siteAgent) {
}
