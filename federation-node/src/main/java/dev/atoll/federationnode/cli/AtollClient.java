package dev.atoll.federationnode.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;

/**
 * A small client for one Atoll node's HTTP API ({@code /v1/jobs}, {@code /v1/sites}, {@code /v1/health}),
 * built on {@link HttpClient}. Bodies are JSON and parsed with Jackson; a body that is not JSON is kept as
 * a text node so callers can show it.
 */
public final class AtollClient {
    /** The mapper used for every request and response body. */
    public static final ObjectMapper JSON = new ObjectMapper();

    private final URI base;
    private final HttpClient http;
    private final Duration requestTimeout;

    /**
     * One HTTP response.
     *
     * @param status HTTP status code
     * @param body parsed JSON body; a text node when the body is not JSON, {@link NullNode} when empty
     */
    public record Response(int status, JsonNode body) {
        /** @return true for a 2xx status */
        public boolean ok() {
            return status >= 200 && status < 300;
        }

        /** @return {@code error} of a 4xx/5xx JSON body (with {@code field} when given), else the raw body */
        public String errorText() {
            if (body.hasNonNull("error")) {
                String field = body.path("field").asText("");
                return field.isEmpty() ? body.get("error").asText() : field + ": " + body.get("error").asText();
            }
            return body.isTextual() ? body.asText() : body.toString();
        }
    }

    /**
     * @param baseUrl e.g. {@code http://127.0.0.1:8081} (a trailing slash is ignored)
     * @param http shared HTTP client
     * @param requestTimeout timeout of each request
     * @throws IllegalArgumentException naming {@code --url} when the URL is not an absolute http(s) URL
     */
    public AtollClient(String baseUrl, HttpClient http, Duration requestTimeout) {
        this.base = parseUrl(baseUrl);
        this.http = http;
        this.requestTimeout = requestTimeout;
    }

    /** @return a client with a fresh HTTP/1.1 {@link HttpClient} and a 10 s request timeout */
    public static AtollClient of(String baseUrl) {
        return new AtollClient(baseUrl, newHttpClient(), Duration.ofSeconds(10));
    }

    /** @return an HTTP/1.1 client with a 5 s connect timeout, as used by the CLI and the demo */
    public static HttpClient newHttpClient() {
        return HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    /**
     * Parses and checks a node URL.
     *
     * @throws IllegalArgumentException {@code --url: not an http URL: x}
     */
    public static URI parseUrl(String baseUrl) {
        try {
            String u = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
            URI uri = new URI(u);
            if (uri.getScheme() == null || !(uri.getScheme().equals("http") || uri.getScheme().equals("https"))
                    || uri.getHost() == null) {
                throw new IllegalArgumentException("--url: not an http URL: " + baseUrl);
            }
            return uri;
        } catch (java.net.URISyntaxException e) {
            throw new IllegalArgumentException("--url: not an http URL: " + baseUrl, e);
        }
    }

    /** @return the base URL this client talks to */
    public URI base() {
        return base;
    }

    /** {@code POST /v1/jobs} with {@code body}; completes with the response (202 when accepted). */
    public CompletableFuture<Response> submitAsync(ObjectNode body) {
        HttpRequest req = request("/v1/jobs").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return send(req);
    }

    /** {@code GET /v1/jobs/{id}}. */
    public CompletableFuture<Response> jobAsync(String id) {
        return send(request("/v1/jobs/" + encode(id)).GET().build());
    }

    /**
     * {@code POST /v1/jobs/status} with {@code {"ids": ids}} (1 to 1,000 ids): completes with
     * {@code {"jobs": [status, ...], "notFound": [...], "unanswered": [...]}}.
     */
    public CompletableFuture<Response> jobsStatusAsync(java.util.List<String> ids) {
        ObjectNode body = JSON.createObjectNode();
        ids.forEach(body.putArray("ids")::add);
        HttpRequest req = request("/v1/jobs/status").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return send(req);
    }

    /** {@code DELETE /v1/jobs/{id}}. */
    public CompletableFuture<Response> cancelAsync(String id) {
        return send(request("/v1/jobs/" + encode(id)).DELETE().build());
    }

    /** {@code GET /v1/sites}. */
    public CompletableFuture<Response> sitesAsync() {
        return send(request("/v1/sites").GET().build());
    }

    /**
     * {@code POST /v1/sites/{site}/drain} (with {@code {"reason": reason}}) or {@code /resume}; only a node of
     * {@code site} accepts it.
     */
    public CompletableFuture<Response> drainAsync(String site, boolean drain, String reason) {
        ObjectNode body = JSON.createObjectNode();
        if (drain && reason != null && !reason.isEmpty()) {
            body.put("reason", reason);
        }
        HttpRequest req = request("/v1/sites/" + encode(site) + (drain ? "/drain" : "/resume"))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())).build();
        return send(req);
    }

    /** {@code GET /v1/sites/{site}/ledger}: the site's holds and allocations, asked of its SiteAgent. */
    public CompletableFuture<Response> ledgerAsync(String site) {
        return send(request("/v1/sites/" + encode(site) + "/ledger").GET().build());
    }

    /** {@code GET /v1/health}. */
    public CompletableFuture<Response> healthAsync() {
        return send(request("/v1/health").GET().build());
    }

    /**
     * Waits for {@code future}, unwrapping failures.
     *
     * @throws IOException when the node cannot be reached (message names the URL)
     */
    public Response await(CompletableFuture<Response> future) throws IOException {
        try {
            return future.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while talking to " + base, e);
        } catch (java.util.concurrent.ExecutionException e) {
            Throwable c = e.getCause();
            throw new IOException("cannot reach " + base + ": " + describe(c), c);
        }
    }

    /** @return a short description of a transport failure, e.g. {@code connection refused} */
    public static String describe(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof UncheckedIOException)
                && t.getCause() != null) {
            t = t.getCause();
        }
        if (t instanceof java.net.ConnectException) {
            return "connection refused";
        }
        if (t instanceof java.net.http.HttpTimeoutException) {
            return "timed out";
        }
        String m = t.getMessage();
        return t.getClass().getSimpleName() + (m == null ? "" : ": " + m);
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(base.resolve(base.getPath() + path)).timeout(requestTimeout)
                .header("Accept", "application/json");
    }

    private CompletableFuture<Response> send(HttpRequest req) {
        return http.sendAsync(req, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8))
                .thenApply(r -> new Response(r.statusCode(), parse(r.body())));
    }

    /** @return the JSON value of {@code text}; a text node if it is not JSON; {@link NullNode} if blank */
    public static JsonNode parse(String text) {
        if (text == null || text.isBlank()) {
            return NullNode.getInstance();
        }
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            return JSON.getNodeFactory().textNode(text);
        }
    }

    private static String encode(String id) {
        return URLEncoder.encode(id, StandardCharsets.UTF_8).replace("+", "%20");
    }
}
