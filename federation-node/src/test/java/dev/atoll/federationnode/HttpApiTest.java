package dev.atoll.federationnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Route tests over a real single-site node on loopback: status codes, JSON shapes, field errors. */
class HttpApiTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    @TempDir
    static Path dir;
    private static NodeHandle node;
    private static String url;

    @BeforeAll
    static void start() {
        int port = TestNodes.freePort();
        NodeConfig cfg = NodeConfig.parse(TestNodes.siteFile("site-a", port, TestNodes.freePort(),
                "pekko://atoll@127.0.0.1:" + port, dir,
                "{ model = \"H800\", nodes = 2, devices-per-node = 8, price-per-device-hour = 2.0 }", 1.0, "5s"),
                "site-a.conf");
        // A declared alias, so that allowEquivalents can be checked live.
        node = NodeMain.start(cfg, com.typesafe.config.ConfigFactory.parseString(
                "atoll.models.equivalence.aliases { \"H800-SXM5\" = \"H800\" }")
                .withFallback(TestNodes.testOverrides()));
        url = node.url();
        await().atMost(Duration.ofSeconds(20)).until(() -> TestNodes.get(url + "/v1/health").body()
                .contains("\"sitesSeen\":1"));
    }

    @AfterAll
    static void stop() {
        node.stop();
    }

    private static JsonNode json(HttpResponse<String> r) throws Exception {
        return JSON.readTree(r.body());
    }

    @Test
    void submitPlacesAndCompletesAndIsIdempotent() throws Exception {
        String body = "{\"id\":\"j1\",\"tenant\":\"vc1\",\"devices\":8,\"models\":\"A100-80GB|H800\","
                + "\"wholeNodes\":false,\"durationSeconds\":2}";
        HttpResponse<String> r = TestNodes.post(url + "/v1/jobs", body);
        assertThat(r.statusCode()).isEqualTo(202);
        assertThat(json(r).get("id").asText()).isEqualTo("j1");
        assertThat(json(r).get("tenant").asText()).isEqualTo("vc1");
        await().atMost(Duration.ofSeconds(15)).until(() -> json(TestNodes.get(url + "/v1/jobs/j1"))
                .get("state").asText().equals("running"));
        JsonNode running = json(TestNodes.get(url + "/v1/jobs/j1"));
        assertThat(running.get("site").asText()).isEqualTo("site-a");
        assertThat(running.get("model").asText()).isEqualTo("H800");
        assertThat(running.get("nodes")).hasSize(1);
        assertThat(running.get("placedAt").asLong()).isGreaterThanOrEqualTo(running.get("submittedAt").asLong());
        JsonNode ledger = json(TestNodes.get(url + "/v1/sites/site-a/ledger"));
        assertThat(ledger.get("allocations").toString()).contains("\"job\":\"j1\"");

        HttpResponse<String> again = TestNodes.post(url + "/v1/jobs", body);
        assertThat(again.statusCode()).isEqualTo(202);
        HttpResponse<String> conflict = TestNodes.post(url + "/v1/jobs", body.replace("\"devices\":8", "\"devices\":4"));
        assertThat(conflict.statusCode()).isEqualTo(409);
        assertThat(json(conflict).get("error").asText()).isEqualTo("job j1 exists with a different spec");

        await().atMost(Duration.ofSeconds(20)).until(() -> json(TestNodes.get(url + "/v1/jobs/j1"))
                .get("state").asText().equals("completed"));
        assertThat(json(TestNodes.get(url + "/v1/jobs/j1")).get("endedAt").asLong()).isPositive();
    }

    @Test
    void badInputNamesTheFieldAndValue() throws Exception {
        HttpResponse<String> r = TestNodes.post(url + "/v1/jobs",
                "{\"id\":\"b1\",\"tenant\":\"vc1\",\"devices\":0,\"durationSeconds\":10}");
        assertThat(r.statusCode()).isEqualTo(400);
        assertThat(json(r).get("error").asText()).isEqualTo("devices must be in [1, 65536], got 0");
        assertThat(json(r).get("field").asText()).isEqualTo("devices");

        HttpResponse<String> unknown = TestNodes.post(url + "/v1/jobs",
                "{\"id\":\"b2\",\"tenant\":\"vc1\",\"devices\":1,\"durationSeconds\":10,\"colour\":\"red\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).get("field").asText()).isEqualTo("colour");
        assertThat(json(unknown).get("error").asText()).isEqualTo("unknown field 'colour' = \"red\" (known: id, "
                + "tenant, devices, models, wholeNodes, durationSeconds, priority, kind, gpuMilli, replicas, "
                + "maxReplicasPerNode, jobClass, preferredRegion, allowEquivalents)");

        HttpResponse<String> malformed = TestNodes.post(url + "/v1/jobs", "{\"id\":");
        assertThat(malformed.statusCode()).isEqualTo(400);
        assertThat(json(malformed).get("error").asText()).startsWith("malformed JSON");

        HttpResponse<String> prio = TestNodes.post(url + "/v1/jobs",
                "{\"id\":\"b3\",\"tenant\":\"vc1\",\"devices\":1,\"durationSeconds\":10,\"priority\":\"urgent\"}");
        assertThat(prio.statusCode()).isEqualTo(400);
        assertThat(json(prio).get("field").asText()).isEqualTo("priority");
        assertThat(json(prio).get("error").asText()).contains("'urgent'");

        HttpResponse<String> milli = TestNodes.post(url + "/v1/jobs",
                "{\"id\":\"b4\",\"tenant\":\"vc1\",\"devices\":2,\"durationSeconds\":10,\"gpuMilli\":500}");
        assertThat(milli.statusCode()).isEqualTo(400);
        assertThat(json(milli).get("field").asText()).isEqualTo("gpuMilli");

        HttpResponse<String> badId = TestNodes.get(url + "/v1/jobs/bad%20id");
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(json(badId).get("field").asText()).isEqualTo("id");
    }

    @Test
    void bulkStatusAnswersManyJobsInOneRequest() throws Exception {
        for (String id : new String[] {"m1", "m2", "m3"}) {
            assertThat(TestNodes.post(url + "/v1/jobs", "{\"id\":\"" + id + "\",\"tenant\":\"vc1\",\"devices\":1,"
                    + "\"durationSeconds\":3600}").statusCode()).isEqualTo(202);
        }
        TestNodes.post(url + "/v1/jobs", "{\"id\":\"m4\",\"tenant\":\"vc1\",\"devices\":64,\"durationSeconds\":10}");
        String body = "{\"ids\":[\"m3\",\"nope1\",\"m1\",\"m2\",\"m4\"]}";
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            JsonNode jobs = json(TestNodes.post(url + "/v1/jobs/status", body)).get("jobs");
            return jobs.size() == 4 && jobs.get(3).get("state").asText().equals("rejected")
                    && jobs.get(0).get("state").asText().equals("running")
                    && jobs.get(1).get("state").asText().equals("running")
                    && jobs.get(2).get("state").asText().equals("running");
        });
        HttpResponse<String> r = TestNodes.post(url + "/v1/jobs/status", body);
        assertThat(r.statusCode()).isEqualTo(200);
        JsonNode o = json(r);
        JsonNode jobs = o.get("jobs");
        assertThat(jobs).hasSize(4);
        assertThat(jobs.get(0).get("id").asText()).isEqualTo("m3");
        assertThat(jobs.get(1).get("id").asText()).isEqualTo("m1");
        assertThat(jobs.get(2).get("id").asText()).isEqualTo("m2");
        assertThat(jobs.get(3).get("id").asText()).isEqualTo("m4");
        assertThat(jobs.get(1).get("site").asText()).isEqualTo("site-a");
        assertThat(jobs.get(1).get("model").asText()).isEqualTo("H800");
        assertThat(jobs.get(3).get("reason").asText()).contains("64");
        // the same object as the single-job GET
        assertThat(jobs.get(1)).isEqualTo(json(TestNodes.get(url + "/v1/jobs/m1")));
        assertThat(o.get("notFound").toString()).isEqualTo("[\"nope1\"]");
        assertThat(o.get("unanswered").toString()).isEqualTo("[]");
        for (String id : new String[] {"m1", "m2", "m3"}) {
            TestNodes.delete(url + "/v1/jobs/" + id);
        }
    }

    @Test
    void bulkStatusNamesTheBadFieldAndValue() throws Exception {
        HttpResponse<String> unknown = TestNodes.post(url + "/v1/jobs/status", "{\"ids\":[\"a\"],\"colour\":\"red\"}");
        assertThat(unknown.statusCode()).isEqualTo(400);
        assertThat(json(unknown).get("error").asText()).isEqualTo("unknown field 'colour' = \"red\" (known: ids)");
        assertThat(json(unknown).get("field").asText()).isEqualTo("colour");

        HttpResponse<String> none = TestNodes.post(url + "/v1/jobs/status", "{\"ids\":[]}");
        assertThat(none.statusCode()).isEqualTo(400);
        assertThat(json(none).get("error").asText()).isEqualTo("ids must be an array of 1 to 1000 job ids, got 0 ids");
        assertThat(json(none).get("field").asText()).isEqualTo("ids");

        HttpResponse<String> notArray = TestNodes.post(url + "/v1/jobs/status", "{\"ids\":\"j1\"}");
        assertThat(notArray.statusCode()).isEqualTo(400);
        assertThat(json(notArray).get("error").asText()).isEqualTo("ids must be an array of 1 to 1000 job ids, got \"j1\"");

        HttpResponse<String> number = TestNodes.post(url + "/v1/jobs/status", "{\"ids\":[\"j1\",7]}");
        assertThat(number.statusCode()).isEqualTo(400);
        assertThat(json(number).get("error").asText()).isEqualTo("ids[1] must be a string, got 7");
        assertThat(json(number).get("field").asText()).isEqualTo("ids[1]");

        HttpResponse<String> badId = TestNodes.post(url + "/v1/jobs/status", "{\"ids\":[\"bad id\"]}");
        assertThat(badId.statusCode()).isEqualTo(400);
        assertThat(json(badId).get("field").asText()).isEqualTo("ids[0]");
        assertThat(json(badId).get("error").asText()).startsWith("ids[0]: ").contains("bad id");

        StringBuilder many = new StringBuilder("{\"ids\":[");
        for (int i = 0; i <= 1000; i++) {
            many.append(i > 0 ? "," : "").append("\"x").append(i).append('"');
        }
        HttpResponse<String> tooMany = TestNodes.post(url + "/v1/jobs/status", many.append("]}").toString());
        assertThat(tooMany.statusCode()).isEqualTo(400);
        assertThat(json(tooMany).get("error").asText()).endsWith("got 1001 ids");
    }

    @Test
    void unknownJobIs404() throws Exception {
        HttpResponse<String> r = TestNodes.get(url + "/v1/jobs/nope");
        assertThat(r.statusCode()).isEqualTo(404);
        assertThat(json(r).get("error").asText()).isEqualTo("job nope not found");
        assertThat(TestNodes.delete(url + "/v1/jobs/nope").statusCode()).isEqualTo(404);
    }

    @Test
    void neverFittingJobIsRejectedWithReason() throws Exception {
        HttpResponse<String> r = TestNodes.post(url + "/v1/jobs",
                "{\"id\":\"big\",\"tenant\":\"vc1\",\"devices\":64,\"durationSeconds\":10}");
        assertThat(r.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> json(TestNodes.get(url + "/v1/jobs/big"))
                .get("state").asText().equals("rejected"));
        assertThat(json(TestNodes.get(url + "/v1/jobs/big")).get("reason").asText()).contains("64");
        HttpResponse<String> model = TestNodes.post(url + "/v1/jobs",
                "{\"id\":\"t4\",\"tenant\":\"vc1\",\"devices\":1,\"models\":\"T4\",\"durationSeconds\":10}");
        assertThat(model.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> json(TestNodes.get(url + "/v1/jobs/t4"))
                .get("state").asText().equals("rejected"));
    }

    @Test
    void cancelStopsARunningJobAndFreesItsDevices() throws Exception {
        TestNodes.post(url + "/v1/jobs", "{\"id\":\"c1\",\"tenant\":\"vc1\",\"devices\":4,\"durationSeconds\":3600}");
        await().atMost(Duration.ofSeconds(15)).until(() -> json(TestNodes.get(url + "/v1/jobs/c1"))
                .get("state").asText().equals("running"));
        HttpResponse<String> r = TestNodes.delete(url + "/v1/jobs/c1");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r).get("state").asText()).isEqualTo("cancelled");
        await().atMost(Duration.ofSeconds(10)).until(() -> !TestNodes.get(url + "/v1/sites/site-a/ledger").body()
                .contains("\"job\":\"c1\""));
        assertThat(json(TestNodes.get(url + "/v1/jobs/c1")).get("state").asText()).isEqualTo("cancelled");
    }

    @Test
    void sitesAndHealthDescribeTheFederation() throws Exception {
        JsonNode sites = json(TestNodes.get(url + "/v1/sites"));
        assertThat(sites).hasSize(1);
        JsonNode a = sites.get(0);
        assertThat(a.get("site").asText()).isEqualTo("site-a");
        assertThat(a.get("region").asText()).isEqualTo("test");
        assertThat(a.get("reachable").asBoolean()).isTrue();
        assertThat(a.get("capacity").asInt()).isEqualTo(16);
        JsonNode pool = a.get("pools").get(0);
        assertThat(pool.get("model").asText()).isEqualTo("H800");
        assertThat(pool.get("devicesPerNode").asInt()).isEqualTo(8);
        assertThat(pool.get("pricePerDeviceHour").asDouble()).isEqualTo(2.0);
        JsonNode health = json(TestNodes.get(url + "/v1/health"));
        assertThat(health.get("site").asText()).isEqualTo("site-a");
        assertThat(health.get("members").asInt()).isEqualTo(1);
        assertThat(health.get("sitesSeen").asInt()).isEqualTo(1);
        assertThat(TestNodes.get(url + "/v1/sites/site-z/ledger").statusCode()).isEqualTo(404);
    }

    @Test
    void devicesOfMinusTwoZeroAndTwoToThe31AreRefusedAndNothingIsAccepted() throws Exception {
        String[][] cases = {{"neg", "-2"}, {"zero", "0"}, {"huge31", "2147483648"}};
        for (String[] c : cases) {
            HttpResponse<String> r = TestNodes.post(url + "/v1/jobs", "{\"id\":\"" + c[0]
                    + "\",\"tenant\":\"vc1\",\"devices\":" + c[1] + ",\"durationSeconds\":10}");
            assertThat(r.statusCode()).isEqualTo(400);
            assertThat(json(r).get("field").asText()).isEqualTo("devices");
            assertThat(json(r).get("error").asText()).isEqualTo("devices must be in [1, 65536], got " + c[1]);
            HttpResponse<String> status = TestNodes.get(url + "/v1/jobs/" + c[0]);
            assertThat(status.statusCode()).isEqualTo(404);
            assertThat(json(status).get("error").asText()).isEqualTo("job " + c[0] + " not found");
        }
    }

    @Test
    void anInferenceServiceRunsOneReplicaPerNodeOrIsRejectedWhenTheSiteCannotEverHoldIt() throws Exception {
        HttpResponse<String> r = TestNodes.post(url + "/v1/jobs", "{\"id\":\"svc\",\"tenant\":\"vc1\","
                + "\"devices\":1,\"replicas\":2,\"maxReplicasPerNode\":1,\"durationSeconds\":3600}");
        assertThat(r.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> json(TestNodes.get(url + "/v1/jobs/svc"))
                .get("state").asText().equals("running"));
        JsonNode running = json(TestNodes.get(url + "/v1/jobs/svc"));
        assertThat(running.get("nodes").toString()).isEqualTo("[0,1]");
        JsonNode allocation = null;
        for (JsonNode a : json(TestNodes.get(url + "/v1/sites/site-a/ledger")).get("allocations")) {
            if (a.get("job").asText().equals("svc")) {
                allocation = a;
            }
        }
        assertThat(allocation).isNotNull();
        assertThat(allocation.get("nodes")).hasSize(2);
        for (JsonNode n : allocation.get("nodes")) {
            assertThat(n.get("devices")).hasSize(1);
            assertThat(n.get("milli").asInt()).isEqualTo(1000);
        }
        HttpResponse<String> three = TestNodes.post(url + "/v1/jobs", "{\"id\":\"svc3\",\"tenant\":\"vc1\","
                + "\"devices\":1,\"replicas\":3,\"maxReplicasPerNode\":1,\"durationSeconds\":10}");
        assertThat(three.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(15)).until(() -> json(TestNodes.get(url + "/v1/jobs/svc3"))
                .get("state").asText().equals("rejected"));
        assertThat(json(TestNodes.get(url + "/v1/jobs/svc3")).get("reason").asText())
                .contains("at most 2 replicas even when idle");
        HttpResponse<String> training = TestNodes.post(url + "/v1/jobs", "{\"id\":\"svc4\",\"tenant\":\"vc1\","
                + "\"devices\":1,\"replicas\":2,\"kind\":\"training\",\"durationSeconds\":10}");
        assertThat(training.statusCode()).isEqualTo(400);
        assertThat(json(training).get("field").asText()).isEqualTo("replicas");
        assertThat(TestNodes.delete(url + "/v1/jobs/svc").statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> !TestNodes.get(url + "/v1/sites/site-a/ledger").body()
                .contains("\"job\":\"svc\""));
    }

    @Test
    void aDeclaredAliasMatchesOnlyWithAllowEquivalents() throws Exception {
        TestNodes.post(url + "/v1/jobs", "{\"id\":\"alias-no\",\"tenant\":\"vc1\",\"devices\":1,"
                + "\"models\":\"H800-SXM5\",\"durationSeconds\":10}");
        await().atMost(Duration.ofSeconds(15)).until(() -> json(TestNodes.get(url + "/v1/jobs/alias-no"))
                .get("state").asText().equals("rejected"));
        // A prefix of the site's model is not declared: no match even with the flag.
        TestNodes.post(url + "/v1/jobs", "{\"id\":\"prefix\",\"tenant\":\"vc1\",\"devices\":1,"
                + "\"models\":\"H80\",\"allowEquivalents\":true,\"durationSeconds\":10}");
        await().atMost(Duration.ofSeconds(15)).until(() -> json(TestNodes.get(url + "/v1/jobs/prefix"))
                .get("state").asText().equals("rejected"));
        TestNodes.post(url + "/v1/jobs", "{\"id\":\"alias-yes\",\"tenant\":\"vc1\",\"devices\":1,"
                + "\"models\":\"H800-SXM5\",\"allowEquivalents\":true,\"durationSeconds\":1}");
        await().atMost(Duration.ofSeconds(30)).until(() -> List.of("running", "completed")
                .contains(json(TestNodes.get(url + "/v1/jobs/alias-yes")).get("state").asText()));
        assertThat(json(TestNodes.get(url + "/v1/jobs/alias-yes")).get("model").asText()).isEqualTo("H800");
    }
}
