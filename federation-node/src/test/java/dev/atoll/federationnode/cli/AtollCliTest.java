package dev.atoll.federationnode.cli;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;

class AtollCliTest {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();

    private int run(String... args) {
        picocli.CommandLine cl = AtollCli.commandLine();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        return cl.execute(args);
    }

    /** A stand-in node answering one fixed status and body for every request. */
    private String serve(int status, String body) throws Exception {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", ex -> {
            String reqBody = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI() + (reqBody.isEmpty() ? "" : " " + reqBody));
            byte[] b = body.getBytes(StandardCharsets.UTF_8);
            ex.getResponseHeaders().add("Content-Type", "application/json");
            ex.sendResponseHeaders(status, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    @Test
    void helpListsEverySubcommand() {
        assertThat(run("--help")).isZero();
        assertThat(out.toString()).contains("node", "demo", "sim", "submit", "status", "cancel", "sites", "drain");
        out.getBuffer().setLength(0);
        assertThat(run("demo", "--help")).isZero();
        assertThat(out.toString()).contains("--nodes", "--trace", "--speedup", "--limit", "--settle-seconds",
                "--keep-running", "--seed");
    }

    @Test
    void noSubcommandIsAUsageError() {
        assertThat(run()).isEqualTo(AtollCli.USAGE);
        assertThat(err.toString()).contains("a subcommand is required");
    }

    @Test
    void submitPostsTheJobAndPrintsItsStatus() throws Exception {
        String url = serve(202, "{\"id\":\"j1\",\"tenant\":\"vc\",\"state\":\"queued\",\"submittedAt\":1700000000000}");
        int code = run("submit", "--url", url, "--id", "j1", "--tenant", "vc", "--devices", "16", "--whole-nodes",
                "--models", "H800|A100-80GB", "--duration", "600", "--priority", "best-effort", "--kind", "training");
        assertThat(code).isZero();
        assertThat(requests).containsExactly("POST /v1/jobs {\"id\":\"j1\",\"tenant\":\"vc\",\"devices\":16,"
                + "\"models\":\"A100-80GB|H800\",\"wholeNodes\":true,\"durationSeconds\":600,\"priority\":\"best-effort\","
                + "\"kind\":\"training\",\"gpuMilli\":1000}");
        assertThat(out.toString()).contains("state:", "queued", "1700000000000 (2023-11-14T22:13:20Z)");
    }

    @Test
    void submitOfAServiceSendsReplicasPerNodeLimitClassRegionAndEquivalents() throws Exception {
        String url = serve(202, "{\"id\":\"s1\",\"tenant\":\"vc\",\"state\":\"queued\",\"submittedAt\":1700000000000}");
        int code = run("submit", "--url", url, "--id", "s1", "--tenant", "vc", "--models", "A100", "--replicas", "3",
                "--max-replicas-per-node", "1", "--job-class", "llm", "--preferred-region", "eu", "--allow-equivalents");
        assertThat(code).isZero();
        assertThat(requests).containsExactly("POST /v1/jobs {\"id\":\"s1\",\"tenant\":\"vc\",\"devices\":1,"
                + "\"models\":\"A100\",\"wholeNodes\":false,\"durationSeconds\":3600,\"priority\":\"production\","
                + "\"kind\":\"inference\",\"gpuMilli\":1000,\"replicas\":3,\"maxReplicasPerNode\":1,"
                + "\"jobClass\":\"llm\",\"preferredRegion\":\"eu\",\"allowEquivalents\":true}");
        err.getBuffer().setLength(0);
        assertThat(run("submit", "--url", "http://127.0.0.1:9", "--replicas", "0")).isEqualTo(AtollCli.USAGE);
        assertThat(err.toString()).contains("--replicas: replicas must be in [1, 10000], got 0");
    }

    @Test
    void badOptionsNameTheOptionAndValue() {
        assertThat(run("submit", "--url", "http://127.0.0.1:9", "--devices", "0")).isEqualTo(AtollCli.USAGE);
        assertThat(err.toString()).contains("--devices: devices must be in [1, 65536], got 0");
        err.getBuffer().setLength(0);
        assertThat(run("submit", "--url", "http://127.0.0.1:9", "--priority", "urgent")).isEqualTo(AtollCli.USAGE);
        assertThat(err.toString()).contains("--priority: priority must be best-effort, production or inference, got 'urgent'");
        err.getBuffer().setLength(0);
        assertThat(run("status", "--url", "ftp://x", "j1")).isEqualTo(AtollCli.USAGE);
        assertThat(err.toString()).contains("--url: not an http URL: ftp://x");
    }

    @Test
    void statusOfAnUnknownJobExitsThree() throws Exception {
        String url = serve(404, "{\"error\":\"no job nope\",\"field\":\"id\"}");
        assertThat(run("status", "--url", url, "nope")).isEqualTo(AtollCli.NOT_FOUND);
        assertThat(err.toString()).contains("atoll status: HTTP 404: id: no job nope");
        assertThat(requests).containsExactly("GET /v1/jobs/nope");
    }

    @Test
    void cancelSendsDelete() throws Exception {
        String url = serve(200, "{\"id\":\"j1\",\"state\":\"cancelled\",\"reason\":\"cancelled by client\"}");
        assertThat(run("cancel", "--url", url, "j1")).isZero();
        assertThat(requests).containsExactly("DELETE /v1/jobs/j1");
        assertThat(out.toString()).contains("cancelled by client");
    }

    @Test
    void sitesPrintsOneLinePerSiteAndPool() throws Exception {
        String url = serve(200, "[{\"site\":\"site-a\",\"region\":\"east\",\"reachable\":true,\"version\":3,"
                + "\"capacity\":128,\"free\":120,\"pools\":[{\"model\":\"H800\",\"capacity\":128,\"free\":120}]}]");
        assertThat(run("sites", "--url", url)).isZero();
        assertThat(out.toString()).containsPattern("site-a +east +true +3 +128 +120 +open")
                .containsPattern("  H800 +128 +120");
    }

    @Test
    void sitesShowsDrainingSites() throws Exception {
        String url = serve(200, "[{\"site\":\"site-b\",\"region\":\"east\",\"reachable\":true,\"lost\":false,"
                + "\"draining\":true,\"version\":7,\"capacity\":16,\"free\":16,\"pools\":[]}]");
        assertThat(run("sites", "--url", url)).isZero();
        assertThat(out.toString()).containsPattern("site-b +east +true +7 +16 +16 +draining");
    }

    @Test
    void drainAsksTheNodeForItsSiteThenPostsDrainOrResume() throws Exception {
        String url = serve(200, "{\"site\":\"site-a\",\"draining\":true,\"reason\":\"maintenance\","
                + "\"changed\":true,\"running\":3,\"holds\":0}");
        assertThat(run("drain", "--url", url, "--reason", "maintenance")).isZero();
        assertThat(requests).containsExactly("GET /v1/health", "POST /v1/sites/site-a/drain {\"reason\":\"maintenance\"}");
        assertThat(out.toString()).contains("site site-a: draining (maintenance); 3 running allocations continue, 0 holds");
        requests.clear();
        assertThat(run("drain", "--url", url, "--undo")).isZero();
        assertThat(requests).containsExactly("GET /v1/health", "POST /v1/sites/site-a/resume {}");
    }

    @Test
    void drainOfAnotherSiteIsRejected() throws Exception {
        String url = serve(400, "{\"error\":\"site 'x' is not this node's site\",\"field\":\"site\"}");
        assertThat(run("drain", "--url", url)).isEqualTo(AtollCli.USAGE);
        assertThat(err.toString()).contains("atoll drain: HTTP 400");
    }

    @Test
    void anUnreachableNodeExitsOne() throws Exception {
        int port = dev.atoll.federationnode.demo.LocalFederation.freePorts(1)[0];
        assertThat(run("sites", "--url", "http://127.0.0.1:" + port)).isEqualTo(AtollCli.FAILED);
        assertThat(err.toString()).contains("cannot reach http://127.0.0.1:" + port + ": connection refused");
    }

    @Test
    void demoRejectsHalfOfTheTraceOptions() {
        assertThat(run("demo", "--trace", "x.csv")).isEqualTo(AtollCli.USAGE);
        assertThat(err.toString()).contains("--nodes: required with --trace");
    }
}
