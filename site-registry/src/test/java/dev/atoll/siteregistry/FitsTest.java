package dev.atoll.siteregistry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.Advert;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.PoolAdvert;
import dev.atoll.protocol.SiteId;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A service's replicas all go to one site, so adverts are judged on devices x replicas. */
class FitsTest {
    private static Advert advert(int capacity, int free) {
        return new Advert(SiteId.of("s"), "r", 1, 0L, List.of(new PoolAdvert(AcceleratorModel.of("H800"), capacity,
                free, Math.min(8, free), free / 8, 8, 0, 2.0, 1.0)), false);
    }

    @Test
    void servicesCountDevicesTimesReplicas() {
        JobSpec svc = JobSpec.builder("svc", "t").devices(4).replicas(3).build(); // 12 devices in all
        assertThat(Fits.couldEverFit(advert(8, 8), svc)).isFalse();
        assertThat(Fits.couldEverFit(advert(16, 8), svc)).isTrue();
        assertThat(Fits.mayFitNow(advert(16, 8), svc)).isFalse();
        assertThat(Fits.mayFitNow(advert(16, 12), svc)).isTrue();
        JobSpec one = JobSpec.builder("one", "t").devices(4).build();
        assertThat(Fits.couldEverFit(advert(8, 8), one)).isTrue();
        assertThat(Fits.mayFitNow(advert(8, 4), one)).isTrue();
    }
}
