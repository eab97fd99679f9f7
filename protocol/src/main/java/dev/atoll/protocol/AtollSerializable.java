package dev.atoll.protocol;

/**
 * Marker for every message that may cross a node and every persisted event. Bound in
 * {@code reference.conf} to {@link dev.atoll.protocol.serialization.AtollKryoSerializer}; every
 * implementing class, and every class it contains, must be listed in
 * {@link dev.atoll.protocol.serialization.KryoRegistry} or serialization fails.
 */
public interface AtollSerializable {
}
