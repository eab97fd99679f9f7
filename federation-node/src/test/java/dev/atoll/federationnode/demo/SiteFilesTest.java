package dev.atoll.federationnode.demo;

import dev.atoll.federationnode.NodeConfig;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SiteFilesTest {
    @TempDir
    Path dir;

    private static final List<NodeEndpoint> NODES = List.of(
            new NodeEndpoint("site-a", "127.0.0.1", 25521, 8081),
            new NodeEndpoint("site-b", "127.0.0.1", 25522, 8082),
            new NodeEndpoint("site-c", "127.0.0.1", 25523, 8083));

    @Test
    void builtInSiteRoundTripsThroughNodeConfigLoad() throws Exception {
        SiteSpec spec = WorkloadGenerator.sites().get(1);
        Path data = dir.resolve("run dir \"quoted\"").resolve("site-b");
        Path h2 = dir.resolve("run dir \"quoted\"").resolve("atoll-journal");
        Path file = SiteFiles.write(dir.resolve("site-b.conf"), spec, NODES.get(1), NODES, data, h2, 480.5);

        NodeConfig cfg = NodeConfig.load(file);

        assertThat(cfg.siteId()).isEqualTo(SiteId.of("site-b"));
        assertThat(cfg.region()).isEqualTo("central");
        assertThat(cfg.host()).isEqualTo("127.0.0.1");
        assertThat(cfg.port()).isEqualTo(25522);
        assertThat(cfg.httpPort()).isEqualTo(8082);
        assertThat(cfg.seedNodes()).containsExactly("pekko://atoll@127.0.0.1:25521", "pekko://atoll@127.0.0.1:25522",
                "pekko://atoll@127.0.0.1:25523");
        assertThat(cfg.dataDir()).isEqualTo(data.toAbsolutePath().normalize());
        assertThat(cfg.journal()).isEqualTo("h2");
        assertThat(cfg.h2File()).isEqualTo(h2.toAbsolutePath().normalize());
        assertThat(cfg.speedup()).isEqualTo(480.5);
        assertThat(cfg.packingPolicy()).isEqualTo("first-fit");
        assertThat(cfg.holdTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(cfg.pools()).containsExactly(new PoolSpec(AcceleratorModel.of("A100-80GB"), 24, 8, 80, 1.2, 0.6));
        assertThat(cfg.siteSpec()).isEqualTo(spec);
    }

    @Test
    void severalPoolsKeepTheirOrder() throws Exception {
        SiteSpec spec = new SiteSpec(SiteId.of("site-a"), "default", List.of(
                PoolSpec.of("G2", 183, 8, 0), PoolSpec.of("T4", 135, 1, 16), PoolSpec.of("V100M16", 19, 8, 16)));
        Path file = SiteFiles.write(dir.resolve("a.conf"), spec, NODES.get(0), NODES, dir.resolve("a"),
                dir.resolve("j"), 107_515.0);
        NodeConfig cfg = NodeConfig.load(file);
        assertThat(cfg.siteSpec()).isEqualTo(spec);
        assertThat(cfg.speedup()).isEqualTo(107_515.0);
    }

    @Test
    void rendersTheDocumentedKeys() {
        String text = SiteFiles.render(WorkloadGenerator.sites().get(0), NODES.get(0), NODES.subList(0, 1),
                Path.of("/tmp/x"), Path.of("/tmp/j"), 1.0);
        assertThat(text).contains("atoll.site {", "  id = \"site-a\"", "  http-port = 8081",
                "  seed-nodes = [\"pekko://atoll@127.0.0.1:25521\"]", "  speedup = 1.0", "  hold-timeout = 5s",
                "{ model = \"H800\", nodes = 16, devices-per-node = 8, memory-gib = 80, price-per-device-hour = 2.0, "
                        + "speed-factor = 1.0 }");
    }

    @Test
    void rejectsAMismatchedEndpointAndABadSpeedup() {
        SiteSpec a = WorkloadGenerator.sites().get(0);
        assertThatThrownBy(() -> SiteFiles.render(a, NODES.get(1), NODES, dir, dir, 1.0))
                .hasMessage("self: endpoint is for site site-b, not site-a");
        assertThatThrownBy(() -> SiteFiles.render(a, NODES.get(0), NODES, dir, dir, 0.0))
                .hasMessage("--speedup: must be a finite number > 0, got 0.0");
    }
}
