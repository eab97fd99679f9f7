package dev.atoll.federationnode.site;

import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.negotiation.SiteAgentCommand;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A Job that found no site with room asks a full site whether it could preempt lower-priority work for
 * {@code spec} now (Kryo id 1155). Read-only: the site runs its preemption planner on its current ledger and answers
 * {@link Answer}; nothing is persisted or held. Only a "yes" makes the Job start a negotiation round (persisted) with
 * that site, whose call for proposals then decides for real (the ledger may have changed in between).
 */
public record CanPreempt(JobSpec spec, ActorRef<Answer> replyTo) implements SiteAgentCommand {

    /**
     * The site's answer (Kryo id 1156).
     *
     * @param site the site
     * @param possible a plan exists now
     * @param reason the victims it would choose, or why not
     */
    public record Answer(SiteId site, boolean possible, String reason) implements dev.atoll.protocol.AtollSerializable {
    }
}
