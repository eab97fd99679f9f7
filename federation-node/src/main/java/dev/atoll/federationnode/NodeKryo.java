package dev.atoll.federationnode;

import dev.atoll.siteregistry.RegistryKryo;

/**
 * Registers every class of the node that crosses nodes or is persisted with the Kryo registry
 * (ids 1000..1009 site-registry, 1100..1199 federation-node). Call {@link #register()} first thing,
 * before any actor system starts; repeated calls are harmless.
 */
public final class NodeKryo {
    private NodeKryo() {
    }

    /** Registers the registry's and the node's classes. Idempotent. */
    public static synchronized void register() {
        RegistryKryo.register();
    }
}
