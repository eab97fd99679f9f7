package dev.atoll.federationnode.site;

import dev.atoll.protocol.negotiation.SiteAgentCommand;
import org.apache.pekko.actor.typed.ActorRef;

/** Asks a SiteAgent for a copy of its ledger's holds and allocations (HTTP ledger endpoint, tests). */
public record GetLedger(ActorRef<LedgerView> replyTo) implements SiteAgentCommand {
}
