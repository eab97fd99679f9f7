package dev.atoll.protocol.event;

import dev.atoll.protocol.AtollSerializable;

/** Events of a SiteAgent's allocation ledger. */
public sealed interface SiteEvent extends AtollSerializable
        permits HoldCreated, HoldReleased, AllocationCommitted, AllocationReleased, SiteDrainChanged {
}
