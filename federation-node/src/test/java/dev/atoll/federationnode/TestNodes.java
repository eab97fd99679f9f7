package dev.atoll.federationnode;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;

/** Shared helpers for node tests: free loopback ports, test overrides, a small HTTP client. */
final class TestNodes {
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private TestNodes() {
    }

    /** Test configuration: every message serialized, ledger invariants checked after every event. */
    static Config testOverrides() {
        return ConfigFactory.parseString("""
                pekko.actor.serialize-messages = on
                pekko.actor.serialize-creators = off
                atoll.check-invariants = on
                pekko.loglevel = WARNING
                pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
                pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
                """);
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A site file text for {@code site} with the given ports, seeds and pools (HOCON list body). */
    static String siteFile(String site, int port, int httpPort, String seedAddress, Path dir, String pools,
                           double speedup, String holdTimeout) {
        return "atoll.site {\n"
                + "  id = \"" + site + "\"\n"
                + "  region = \"test\"\n"
                + "  host = \"127.0.0.1\"\n"
                + "  port = " + port + "\n"
                + "  http-port = " + httpPort + "\n"
                + "  seed-nodes = [\"" + seedAddress + "\"]\n"
                + "  data-dir = \"" + dir.resolve(site) + "\"\n"
                + "  h2-file = \"" + dir.resolve("journal") + "\"\n"
                + "  speedup = " + speedup + "\n"
                + "  hold-timeout = " + holdTimeout + "\n"
                + "  pools = [" + pools + "]\n"
                + "}\n";
    }

    static HttpResponse<String> get(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).GET().build());
    }

    static HttpResponse<String> post(String url, String json) {
        return send(HttpRequest.newBuilder(URI.create(url)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json)).build());
    }

    static HttpResponse<String> delete(String url) {
        return send(HttpRequest.newBuilder(URI.create(url)).DELETE().build());
    }

    static HttpResponse<String> send(HttpRequest r) {
        try {
            return HTTP.send(r, HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
