package dev.atoll.federationnode.demo;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stand-in node process for {@link NodeProcessTest}, {@link LocalFederationTest} and {@link DemoSignalTest}:
 * prints the "up" line for {@code --site <dir>/<id>.conf} (the file name without {@code .conf} is the site id)
 * and blocks. A site id containing {@code crash} exits with code 3 instead. With {@code ATOLL_FAKE_STUBBORN=1}
 * its shutdown hook blocks for a minute, so SIGTERM alone does not end it. {@code ATOLL_FAKE_MODE} changes
 * what it does:
 * <ul>
 *   <li>{@code never-up}: prints {@code starting <site>} and blocks without ever printing the "up" line (a
 *       node stuck in start-up);
 *   <li>{@code http}: reads {@code http-port} from the site file and answers on it like a node that accepts
 *       everything and places nothing: {@code GET /v1/sites} lists the sites of every {@code *.conf} next to
 *       the site file, {@code POST /v1/jobs} answers 202 queued, {@code POST /v1/jobs/status} answers every
 *       job queued.
 * </ul>
 */
public final class FakeNodeMain {
    private FakeNodeMain() {
    }

    /** @param args {@code --site <id>} */
    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[1]);
        String site = file.getFileName().toString().replaceFirst("\\.conf$", "");
        String mode = System.getenv().getOrDefault("ATOLL_FAKE_MODE", "");
        if ("1".equals(System.getenv("ATOLL_FAKE_STUBBORN")) || site.contains("stubborn")) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    Thread.sleep(60_000);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        if (site.contains("crash")) {
            System.out.println("boom: cannot start " + site);
            System.exit(3);
        }
        System.out.println("starting " + site);
        System.out.flush();
        if (mode.equals("never-up")) {
            Thread.sleep(Long.MAX_VALUE);
        }
        String url = "http://127.0.0.1:1";
        if (mode.equals("http")) {
            url = serve(file);
        }
        System.out.println("atoll node " + site + " up: " + url);
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static String serve(Path siteFile) throws IOException {
        String conf = Files.readString(siteFile);
        Matcher m = Pattern.compile("http-port = (\\d+)").matcher(conf);
        if (!m.find()) {
            throw new IllegalStateException("no http-port in " + siteFile);
        }
        int port = Integer.parseInt(m.group(1));
        List<String> sites = new ArrayList<>();
        try (var files = Files.list(siteFile.toAbsolutePath().getParent())) {
            files.map(p -> p.getFileName().toString()).filter(n -> n.endsWith(".conf")).sorted()
                    .forEach(n -> sites.add(n.substring(0, n.length() - ".conf".length())));
        }
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        s.createContext("/v1/sites", ex -> reply(ex, 200, sites.stream()
                .map(x -> "{\"site\":\"" + x + "\",\"reachable\":true}").toList().toString()));
        s.createContext("/v1/jobs", ex -> {
            String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            if (ex.getRequestURI().getPath().equals("/v1/jobs/status")) {
                List<String> jobs = new ArrayList<>();
                Matcher ids = Pattern.compile("\"([^\"]+)\"").matcher(body.substring(body.indexOf('[')));
                while (ids.find()) {
                    jobs.add("{\"id\":\"" + ids.group(1) + "\",\"state\":\"queued\",\"submittedAt\":1}");
                }
                reply(ex, 200, "{\"jobs\":" + jobs + ",\"notFound\":[],\"unanswered\":[]}");
            } else {
                Matcher id = Pattern.compile("\"id\":\"([^\"]+)\"").matcher(body);
                reply(ex, 202, "{\"id\":\"" + (id.find() ? id.group(1) : "?") + "\",\"state\":\"queued\","
                        + "\"submittedAt\":1}");
            }
        });
        s.start();
        return "http://127.0.0.1:" + port;
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }
}
