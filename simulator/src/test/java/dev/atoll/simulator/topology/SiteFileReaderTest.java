package dev.atoll.simulator.topology;

import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Site files as the nodes read them, without Pekko. */
class SiteFileReaderTest {
    static final String SITE_B = """
            atoll.site {
              id = "site-b"
              region = "cn-north"
              port = 25521          # a node key: accepted, ignored by the simulator
              pools = [
                { model = "H800", nodes = 64, devices-per-node = 8, memory-gib = 80, price-per-device-hour = 2.5, speed-factor = 1.3 }
                { model = "Ascend-910B", nodes = 16, devices-per-node = 8 }
              ]
            }
            """;

    @Test
    void readsIdRegionAndPoolsWithDefaults() {
        SiteSpec s = SiteFileReader.parse(SITE_B, "b.conf");
        assertThat(s.id().value()).isEqualTo("site-b");
        assertThat(s.region()).isEqualTo("cn-north");
        assertThat(s.pools()).containsExactly(
                new PoolSpec(dev.atoll.protocol.AcceleratorModel.of("H800"), 64, 8, 80, 2.5, 1.3),
                new PoolSpec(dev.atoll.protocol.AcceleratorModel.of("Ascend-910B"), 16, 8, 0, 1.0, 1.0));
        assertThat(s.deviceCount()).isEqualTo(640);
    }

    @Test
    void errorsNameFileKeyAndValue(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> SiteFileReader.parse(SITE_B.replace("devices-per-node = 8, memory", "devices-per-node = 0, memory"), "b.conf"))
                .isInstanceOf(SiteFileReader.SiteFileException.class)
                .hasMessage("b.conf: atoll.site.pools[0].devices-per-node: must be in [1, 64], got 0");
        assertThatThrownBy(() -> SiteFileReader.parse(SITE_B.replace("speed-factor = 1.3", "speed-factor = -1"), "b.conf"))
                .hasMessage("b.conf: atoll.site.pools[0].speed-factor: must be a finite number > 0, got -1.0");
        assertThatThrownBy(() -> SiteFileReader.parse(SITE_B.replace("id = \"site-b\"", ""), "b.conf"))
                .hasMessage("b.conf: atoll.site.id: missing (required)");
        assertThatThrownBy(() -> SiteFileReader.parse(SITE_B.replace("port = 25521", "colour = red"), "b.conf"))
                .hasMessageStartingWith("b.conf: atoll.site.colour: unknown key");
        assertThatThrownBy(() -> SiteFileReader.parse(SITE_B.replace("nodes = 16,", "nodes = 1.5,"), "b.conf"))
                .hasMessage("b.conf: atoll.site.pools[1].nodes: must be an integer, got 1.5");
        assertThatThrownBy(() -> SiteFileReader.read(dir.resolve("none.conf")))
                .hasMessageStartingWith("none.conf: atoll.site: file not found: ");
        Path a = dir.resolve("a.conf");
        Files.writeString(a, SITE_B);
        Path b = dir.resolve("b2.conf");
        Files.writeString(b, SITE_B);
        assertThatThrownBy(() -> SiteFileReader.readAll(List.of(a, b)))
                .hasMessage("b2.conf: atoll.site.id: site id 'site-b' is already defined by an earlier site file");
    }
}
