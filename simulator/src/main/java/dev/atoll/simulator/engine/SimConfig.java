package dev.atoll.simulator.engine;

import dev.atoll.placement.PackingPolicy;

import java.util.List;

/**
 * How to run a simulation.
 *
 * @param packing in-site packing policy from the placement module (e.g. {@code PackingPolicy.byName("best-fit")})
 * @param siteChooser cross-site choice among sites that fit
 * @param wholeNodes passed to {@link dev.atoll.simulator.trace.TraceTask#toJobSpec(boolean)} for every task
 * @param failures injected failures
 * @param checkInvariants if true, every site ledger checks its invariants after each change (slow; for tests)
 */
public record SimConfig(PackingPolicy packing, SiteChooser siteChooser, boolean wholeNodes, List<Failure> failures,
                        boolean checkInvariants) {
    public SimConfig {
        if (packing == null) {
            throw new IllegalArgumentException("packing policy is required");
        }
        if (siteChooser == null) {
            throw new IllegalArgumentException("site chooser is required");
        }
        failures = List.copyOf(failures == null ? List.of() : failures);
    }

    /** @return a config with {@code packing} by name, site chooser {@code first}, no failures, no invariant checks */
    public static SimConfig of(String packing) {
        return new SimConfig(PackingPolicy.byName(packing), SiteChooser.FIRST, false, List.of(), false);
    }

    public SimConfig withFailures(List<Failure> f) {
        return new SimConfig(packing, siteChooser, wholeNodes, f, checkInvariants);
    }

    public SimConfig withSiteChooser(SiteChooser c) {
        return new SimConfig(packing, c, wholeNodes, failures, checkInvariants);
    }

    public SimConfig withInvariantChecks(boolean on) {
        return new SimConfig(packing, siteChooser, wholeNodes, failures, on);
    }

    public SimConfig withWholeNodes(boolean on) {
        return new SimConfig(packing, siteChooser, on, failures, checkInvariants);
    }
}
