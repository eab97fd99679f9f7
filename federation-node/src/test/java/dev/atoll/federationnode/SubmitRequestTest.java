package dev.atoll.federationnode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.atoll.federationnode.job.Job;
import dev.atoll.placement.ModelEquivalence;
import dev.atoll.placement.Offer;
import dev.atoll.placement.ThroughputTable;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.WorkloadKind;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SubmitRequest parsing and the node's model settings, without a running node. */
class SubmitRequestTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode body(String extra) throws Exception {
        return JSON.readTree("{\"id\":\"j\",\"tenant\":\"t\",\"durationSeconds\":10" + extra + "}");
    }

    private static Config node(String extra) {
        return ConfigFactory.parseString(extra).withFallback(ConfigFactory.parseResources("atoll-node.conf"))
                .resolve();
    }

    @Test
    void devicesOfMinusTwoZeroAndTwoToThe31AreRejectedNamingFieldAndValue() {
        for (String v : List.of("-2", "0", "2147483648")) {
            assertThatThrownBy(() -> SubmitRequest.parse(body(",\"devices\":" + v)))
                    .isInstanceOfSatisfying(SubmitRequest.Invalid.class, e -> {
                        assertThat(e.field()).isEqualTo("devices");
                        assertThat(e.getMessage()).isEqualTo("devices must be in [1, 65536], got " + v);
                    });
        }
    }

    @Test
    void servicesCarryReplicasAndTheirPerNodeLimit() throws Exception {
        JobSpec s = SubmitRequest.parse(body(",\"devices\":2,\"replicas\":3,\"maxReplicasPerNode\":1"));
        assertThat(s.replicas()).isEqualTo(3);
        assertThat(s.maxReplicasPerNode()).isEqualTo(1);
        assertThat(s.kind()).isEqualTo(WorkloadKind.INFERENCE);
        assertThat(s.totalDevices()).isEqualTo(6);
        JobSpec plain = SubmitRequest.parse(body(",\"devices\":2"));
        assertThat(plain.replicas()).isEqualTo(1);
        assertThat(plain.maxReplicasPerNode()).isEqualTo(-1);
        assertThat(plain.kind()).isEqualTo(WorkloadKind.TRAINING);

        assertInvalid(",\"devices\":1,\"replicas\":0", "replicas", "replicas must be in [1, 10000], got 0");
        assertInvalid(",\"devices\":1,\"replicas\":2.5", "replicas", "replicas must be an integer, got 2.5");
        assertInvalid(",\"devices\":1,\"replicas\":2,\"maxReplicasPerNode\":-1", "maxReplicasPerNode",
                "maxReplicasPerNode must be in [1, 10000], got -1");
        assertInvalid(",\"devices\":1,\"replicas\":2,\"kind\":\"training\"", "replicas",
                "replicas 2 needs kind inference (an inference service), got kind training");
        assertInvalid(",\"devices\":65536,\"replicas\":17,\"kind\":\"inference\"", "replicas",
                "devices x replicas must be at most 1048576, got 65536 x 17");
    }

    @Test
    void jobClassAndPreferredRegionReachTheSpec() throws Exception {
        JobSpec s = SubmitRequest.parse(body(",\"devices\":1,\"jobClass\":\" llm \",\"preferredRegion\":\"eu\""));
        assertThat(s.jobClass()).isEqualTo("llm");
        assertThat(s.preferredRegion()).isEqualTo("eu");
        assertThat(SubmitRequest.parse(body(",\"devices\":1")).jobClass()).isNull();
        assertInvalid(",\"devices\":1,\"jobClass\":\"  \"", "jobClass",
                "jobClass must be 1..200 characters (not blank), got '  '");
        assertInvalid(",\"devices\":1,\"preferredRegion\":3", "preferredRegion", "preferredRegion must be a string, got 3");
    }

    @Test
    void equivalentsOnlyWhenAllowedOnlyWhatIsDeclaredNeverAPrefix() throws Exception {
        ModelEquivalence eq = ModelSettings.equivalence(node("""
                atoll.models.equivalence.aliases { "A100" = "A100-SXM4-40GB" }
                atoll.models.equivalence.families { h-class = ["H800", "H20"] }
                """));
        JobSpec widened = SubmitRequest.parse(body(",\"devices\":1,\"models\":\"A100\",\"allowEquivalents\":true"), eq);
        assertThat(widened.models()).isEqualTo(ModelSet.of("A100", "A100-SXM4-40GB"));
        assertThat(widened.models().accepts(AcceleratorModel.of("A100-SXM4-40GB"))).isTrue();
        assertThat(widened.models().accepts(AcceleratorModel.of("A100-80GB"))).isFalse(); // a prefix, not declared
        JobSpec exact = SubmitRequest.parse(body(",\"devices\":1,\"models\":\"A100\""), eq);
        assertThat(exact.models()).isEqualTo(ModelSet.of("A100"));
        assertThat(exact.models().accepts(AcceleratorModel.of("A100-SXM4-40GB"))).isFalse();
        JobSpec family = SubmitRequest.parse(body(",\"devices\":1,\"models\":\"H20|T4\",\"allowEquivalents\":true"), eq);
        assertThat(family.models()).isEqualTo(ModelSet.of("H20", "H800", "T4"));
        assertInvalid(",\"devices\":1,\"allowEquivalents\":\"yes\"", "allowEquivalents",
                "allowEquivalents must be true or false, got \"yes\"");
        // The shipped configuration declares nothing.
        assertThat(ModelSettings.equivalence(node("")).families()).isEmpty();
        assertThatThrownBy(() -> ModelSettings.equivalence(node("atoll.models.equivalence.families { f = [\"A\"] }")))
                .hasMessageContaining("atoll.models.equivalence.families.f").hasMessageContaining("at least 2");
        assertThatThrownBy(() -> ModelSettings.equivalence(node("atoll.models.equivalence.aliases { X = [1] }")))
                .hasMessageContaining("atoll.models.equivalence.aliases.X must be a model name");
    }

    @Test
    void theNodesThroughputPolicyPrefersTheSiteWhoseModelRunsTheJobsClassFaster(@TempDir Path dir) throws Exception {
        Path csv = dir.resolve("speeds.csv");
        Files.writeString(csv, "job_class,model,speed\nllm,A100,3.0\nllm,H800,1.5\nresnet,H800,2.0\n");
        Config cfg = node("atoll.job.site-choice = \"throughput\"\natoll.job.throughput-table = \""
                + csv.toString().replace("\\", "\\\\") + "\"");
        Job.Settings settings = Job.Settings.from(cfg);
        // H800's pool speed factor is higher, so without the table H800 would win.
        Offer h800 = new Offer(SiteId.of("s-h800"), AcceleratorModel.of("H800"), 0, 2.0, 2.0, 0, 8, "r");
        Offer a100 = new Offer(SiteId.of("s-a100"), AcceleratorModel.of("A100"), 0, 2.0, 1.0, 0, 8, "r");
        JobSpec llm = JobSpec.builder("j", "t").jobClass("llm").build();
        JobSpec resnet = JobSpec.builder("k", "t").jobClass("resnet").build();
        JobSpec none = JobSpec.builder("n", "t").build();
        assertThat(settings.siteChoice().rank(llm, List.of(h800, a100))).extracting(Offer::site)
                .containsExactly(SiteId.of("s-a100"), SiteId.of("s-h800"));
        // resnet has no A100 row: A100 falls back to its speed factor 1.0 < 2.0.
        assertThat(settings.siteChoice().rank(resnet, List.of(a100, h800)).get(0).site()).isEqualTo(SiteId.of("s-h800"));
        assertThat(settings.siteChoice().rank(none, List.of(a100, h800)).get(0).site()).isEqualTo(SiteId.of("s-h800"));
        // Without a table setting the node falls back to speed factors for every class.
        Job.Settings plain = Job.Settings.from(node("atoll.job.site-choice = \"throughput\""));
        assertThat(plain.siteChoice().rank(llm, List.of(a100, h800)).get(0).site()).isEqualTo(SiteId.of("s-h800"));
    }

    @Test
    void badThroughputTablesNameTheSettingLineAndValue(@TempDir Path dir) throws Exception {
        assertThatThrownBy(() -> Job.Settings.from(node("atoll.job.throughput-table = \"" + dir.resolve("nope.csv")
                .toString().replace("\\", "\\\\") + "\""))).hasMessageContaining("atoll.job.throughput-table")
                .hasMessageContaining("nope.csv").hasMessageContaining("not found");
        assertThatThrownBy(() -> ModelSettings.parseThroughput(new StringReader("job_class,model,speed\nllm,A100,0\n"),
                "t.csv")).hasMessage("t.csv line 2: speed must be a finite number > 0, got 0");
        assertThatThrownBy(() -> ModelSettings.parseThroughput(new StringReader("job_class,model,speed\nllm,A100,x\n"),
                "t.csv")).hasMessage("t.csv line 2: speed must be a number, got 'x'");
        assertThatThrownBy(() -> ModelSettings.parseThroughput(new StringReader("class,model,speed\n"), "t.csv"))
                .hasMessageContaining("must have columns job_class, model, speed");
        ThroughputTable t = ModelSettings.parseThroughput(new StringReader("model,speed,job_class\nT4,0.5,bert\n"), "t");
        assertThat(t.speed("bert", AcceleratorModel.of("T4"), 9)).isEqualTo(0.5);
        assertThat(t.speed("bert", AcceleratorModel.of("T4-16GB"), 9)).isEqualTo(9);
    }

    private static void assertInvalid(String extra, String field, String message) {
        assertThatThrownBy(() -> SubmitRequest.parse(body(extra)))
                .isInstanceOfSatisfying(SubmitRequest.Invalid.class, e -> {
                    assertThat(e.field()).isEqualTo(field);
                    assertThat(e.getMessage()).isEqualTo(message);
                });
    }
}
