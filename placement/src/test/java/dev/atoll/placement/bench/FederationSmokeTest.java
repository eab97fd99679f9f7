package dev.atoll.placement.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atoll.placement.PackingPolicy;
import org.junit.jupiter.api.Test;

/** The benchmark's federation is correct (invariants, counters, steady load); a few decisions only. */
class FederationSmokeTest {
    @Test
    void decisionsKeepInvariantsAndTheTargetLoad() {
        for (String p : PackingPolicy.names()) {
            Federation f = new Federation(p, 4, 0.5, 1, 20_000);
            f.warm();
            for (int i = 0; i < 2_000; i++) {
                f.decide();
            }
            f.check();
            assertThat(f.load()).as(p).isBetween(0.45, 0.51);
            assertThat(f.fits).as(p).isGreaterThan(1_000);
        }
    }
}
