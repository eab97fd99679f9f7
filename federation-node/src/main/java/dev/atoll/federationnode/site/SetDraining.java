package dev.atoll.federationnode.site;

import dev.atoll.protocol.negotiation.SiteAgentCommand;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * Drains (cordons) or resumes a site (Kryo id 1106): what {@code POST /v1/sites/{site}/drain} and
 * {@code /resume} send to the site's SiteAgent. Idempotent: asking for the state the site is already in
 * persists nothing and answers {@link DrainStatus} with {@code changed = false}.
 *
 * @param draining true = drain, false = resume
 * @param reason the operator's reason, kept while draining ("" for none; never null)
 * @param replyTo gets the site's drain state after the change
 */
public record SetDraining(boolean draining, String reason, ActorRef<DrainStatus> replyTo) implements SiteAgentCommand {
    public SetDraining {
        reason = reason == null ? "" : reason;
    }
}
