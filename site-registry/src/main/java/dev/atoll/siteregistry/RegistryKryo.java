package dev.atoll.siteregistry;

import dev.atoll.protocol.serialization.KryoRegistry;

/**
 * Registers the registry's replicated types with {@link KryoRegistry} (ids 1000..1009). Call
 * {@link #register()} before any actor system starts; repeated calls are harmless.
 */
public final class RegistryKryo {
    private RegistryKryo() {
    }

    /** Registers {@link SiteEntry} under id 1000. Idempotent. */
    public static void register() {
        KryoRegistry.extend(1000, SiteEntry.class);
    }
}
