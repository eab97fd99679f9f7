package dev.atoll.siteregistry;

import dev.atoll.protocol.Advert;
import dev.atoll.protocol.AtollSerializable;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What the registry replicates per site: the site's latest advert and the ref of the SiteAgent that
 * issued it, so a Job anywhere in the federation can call it for proposals. Replicated as the value of
 * a Distributed Data {@code LWWMap} keyed by site id; serialized by the Atoll Kryo serializer.
 *
 * @param advert the advert (its version grows with every ledger change at the site)
 * @param agent the SiteAgent that issued it; never null in a running node
 */
public record SiteEntry(Advert advert, ActorRef<SiteAgentCommand> agent) implements AtollSerializable {
    public SiteEntry {
        if (advert == null) {
            throw new IllegalArgumentException("advert is required");
        }
    }
}
