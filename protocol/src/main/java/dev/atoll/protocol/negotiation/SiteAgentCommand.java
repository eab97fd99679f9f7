package dev.atoll.protocol.negotiation;

import dev.atoll.protocol.AtollSerializable;

/** Messages a SiteAgent accepts from other nodes. */
public interface SiteAgentCommand extends AtollSerializable {
}
