package dev.atoll.placement;

import dev.atoll.protocol.Placement;

/**
 * The answer of a packing policy for one request at one site: where it fits, or why not.
 * {@link Wait} means it could fit once devices free up; {@link Never} means this site can never run it
 * (no acceptable model, or too few devices in total) so waiting here is pointless.
 */
public sealed interface PlacementResult {
    /** It fits now on {@code placement}. */
    record Fit(Placement placement) implements PlacementResult {
    }

    /** It does not fit now; {@code reason} says which resource is short. */
    record Wait(String reason) implements PlacementResult {
    }

    /** It can never fit at this site; {@code reason} says why. */
    record Never(String reason) implements PlacementResult {
    }

    /** @return true for {@link Fit} */
    default boolean fits() {
        return this instanceof Fit;
    }

    /** @return the placement of a {@link Fit}; throws {@link IllegalStateException} otherwise */
    default Placement placement() {
        if (this instanceof Fit f) {
            return f.placement();
        }
        throw new IllegalStateException("no placement: " + this);
    }

    /** @return the reason of a {@link Wait} or {@link Never}, empty for a {@link Fit} */
    default String reason() {
        if (this instanceof Wait w) {
            return w.reason();
        }
        if (this instanceof Never n) {
            return n.reason();
        }
        return "";
    }
}
