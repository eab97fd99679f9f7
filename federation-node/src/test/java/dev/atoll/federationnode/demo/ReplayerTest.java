package dev.atoll.federationnode.demo;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.atoll.federationnode.cli.AtollClient;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PriorityClass;
import dev.atoll.protocol.WorkloadKind;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@link Replayer} against three stand-in nodes (JDK HTTP servers) with scripted answers. */
class ReplayerTest {
    private final List<HttpServer> servers = new ArrayList<>();
    private final List<String> posts = new CopyOnWriteArrayList<>();
    private final Map<String, AtomicInteger> postCount = new ConcurrentHashMap<>();

    @AfterEach
    void stop() {
        servers.forEach(s -> s.stop(0));
    }

    private NodeEndpoint node(String site) throws IOException {
        HttpServer s = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        s.createContext("/v1/jobs", ex -> handle(site, ex));
        s.start();
        servers.add(s);
        return new NodeEndpoint(site, "127.0.0.1", 1, s.getAddress().getPort());
    }

    private final List<String> bulkReads = new CopyOnWriteArrayList<>();
    private final AtomicInteger singleGets = new AtomicInteger();

    private static String status(String site, String id) {
        if (id.equals("t-stuck")) {
            return "{\"id\":\"t-stuck\",\"state\":\"queued\",\"submittedAt\":1000,\"reason\":\"no capacity\"}";
        }
        return "{\"id\":\"" + id + "\",\"state\":\"running\",\"site\":\"" + site
                + "\",\"model\":\"H800\",\"submittedAt\":1000,\"placedAt\":1500}";
    }

    private void handle(String site, HttpExchange ex) throws IOException {
        if (ex.getRequestMethod().equals("POST") && ex.getRequestURI().getPath().equals("/v1/jobs/status")) {
            JsonNode body = AtollClient.JSON.readTree(ex.getRequestBody());
            List<String> jobs = new ArrayList<>();
            List<String> notFound = new ArrayList<>();
            for (JsonNode id : body.get("ids")) {
                if (id.asText().startsWith("t-ghost")) {
                    notFound.add("\"" + id.asText() + "\"");
                } else {
                    jobs.add(status(site, id.asText()));
                }
            }
            bulkReads.add(site + " " + body.get("ids").size());
            reply(ex, 200, "{\"jobs\":" + jobs + ",\"notFound\":" + notFound + ",\"unanswered\":[]}");
        } else if (ex.getRequestMethod().equals("POST")) {
            JsonNode body = AtollClient.JSON.readTree(ex.getRequestBody());
            String id = body.get("id").asText();
            posts.add(site + " " + id);
            int n = postCount.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
            if (id.equals("t-retry") && n == 1) {
                reply(ex, 503, "{\"error\":\"the job did not answer within 5000 ms\"}");
            } else if (id.equals("t-bad")) {
                reply(ex, 400, "{\"error\":\"must be in [1, 65536], got 70000\",\"field\":\"devices\"}");
            } else {
                reply(ex, 202, "{\"id\":\"" + id + "\",\"state\":\"queued\",\"submittedAt\":1000,\"reason\":\"submitted\"}");
            }
        } else {
            singleGets.incrementAndGet();
            String id = ex.getRequestURI().getPath().substring("/v1/jobs/".length());
            reply(ex, 200, status(site, id));
        }
    }

    private static void reply(HttpExchange ex, int status, String body) throws IOException {
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "application/json");
        ex.sendResponseHeaders(status, b.length);
        ex.getResponseBody().write(b);
        ex.close();
    }

    private static DemoTask task(String id, long arrival) {
        return new DemoTask(id, "vc", arrival, 60, 1, 1000, ModelSet.ANY, false, WorkloadKind.BATCH,
                PriorityClass.PRODUCTION);
    }

    @Test
    void postsRoundRobinRetries503AndSettles() throws Exception {
        List<NodeEndpoint> nodes = List.of(node("site-a"), node("site-b"), node("site-c"));
        List<DemoTask> tasks = List.of(task("t-ok", 0), task("t-retry", 1), task("t-bad", 2), task("t-stuck", 3),
                task("t-ok2", 4));
        StringWriter err = new StringWriter();
        Replayer r = new Replayer(nodes, 1000, 4, new PrintWriter(err, true), false);

        List<JobOutcome> out = r.run(tasks, Duration.ofSeconds(2));

        assertThat(out).extracting(JobOutcome::origin).containsExactly("site-a", "site-b", "site-c", "site-a", "site-b");
        assertThat(out).extracting(JobOutcome::state).containsExactly("running", "running", "rejected", "queued",
                "running");
        assertThat(postCount.get("t-retry").get()).isEqualTo(2);
        assertThat(postCount.get("t-ok").get()).isEqualTo(1);
        assertThat(out.get(2).reason()).isEqualTo("HTTP 400: devices: must be in [1, 65536], got 70000");
        assertThat(out.get(3).reason()).isEqualTo("no capacity");
        // polled on the origin, which the stand-in reports as the placement site
        assertThat(out.get(1).site()).isEqualTo("site-b");
        assertThat(out.get(0).queueingDelayTraceSeconds(1000)).isEqualTo(500.0);
        assertThat(err.toString()).contains("submit [").contains("settle [");
        // states read back in bulk, never one GET per job; t-stuck is asked again every round
        assertThat(singleGets.get()).isZero();
        assertThat(bulkReads).contains("site-a 2", "site-b 2").contains("site-a 1");
    }

    @Test
    void aJobItsOriginDoesNotKnowBecomesASubmitError() throws Exception {
        List<NodeEndpoint> nodes = List.of(node("site-a"));
        Replayer r = new Replayer(nodes, 1000, 2, new PrintWriter(new StringWriter(), true), false);

        List<JobOutcome> out = r.run(List.of(task("t-ghost", 0), task("t-ok", 0)), Duration.ofSeconds(5));

        assertThat(out).extracting(JobOutcome::state).containsExactly("error", "running");
        assertThat(out.get(0).reason()).isEqualTo("accepted by site-a but not found there afterwards");
        assertThat(bulkReads).containsExactly("site-a 2");
    }

    @Test
    void jobsNotPolledBeforeTheSettleTimeoutSaySo() throws Exception {
        List<NodeEndpoint> nodes = List.of(node("site-a"));
        Replayer r = new Replayer(nodes, 1000, 2, new PrintWriter(new StringWriter(), true), false);

        List<JobOutcome> out = r.run(List.of(task("t-ok", 0), task("t-bad", 0)), Duration.ZERO);

        assertThat(out).extracting(JobOutcome::state).containsExactly("queued", "rejected");
        assertThat(out.get(0).reason()).isEqualTo(Replayer.NOT_POLLED);
        assertThat(out.get(1).reason()).startsWith("HTTP 400: devices:");
    }
}
