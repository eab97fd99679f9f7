package dev.atoll.federationnode.demo;

import dev.atoll.protocol.SiteSpec;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class WorkloadGeneratorTest {
    @Test
    void sameSeedGivesTheSameWorkload() {
        Workload a = WorkloadGenerator.generate(42, 600);
        Workload b = WorkloadGenerator.generate(42, 600);
        assertThat(a.tasks()).isEqualTo(b.tasks());
        assertThat(a.sites()).isEqualTo(b.sites());
        assertThat(WorkloadGenerator.generate(43, 600).tasks()).isNotEqualTo(a.tasks());
    }

    @Test
    void aShorterRunIsAPrefixOfTheLongerOne() {
        assertThat(WorkloadGenerator.generate(7, 600).tasks().subList(0, 100))
                .isEqualTo(WorkloadGenerator.generate(7, 100).tasks());
    }

    @Test
    void sitesAreTheThreeDocumentedOnes() {
        List<SiteSpec> sites = WorkloadGenerator.sites();
        assertThat(sites).extracting(s -> s.id().value()).containsExactly("site-a", "site-b", "site-c");
        assertThat(sites).extracting(SiteSpec::deviceCount).containsExactly(128, 192, 128);
        assertThat(sites).extracting(s -> s.pools().get(0).model().name())
                .containsExactly("H800", "A100-80GB", "Ascend-910B");
    }

    @Test
    void mixHasEverySizeWholeNodeGangsAndOddRequests() {
        Workload w = WorkloadGenerator.generate(42, 600);
        List<DemoTask> tasks = w.tasks();
        assertThat(tasks).hasSize(600);
        Set<String> ids = new HashSet<>();
        tasks.forEach(t -> ids.add(t.id()));
        assertThat(ids).hasSize(600);
        Set<Integer> sizes = new HashSet<>();
        tasks.forEach(t -> sizes.add(t.devices()));
        assertThat(sizes).contains(1, 2, 4, 8, 16, 32, 256);
        assertThat(tasks).filteredOn(DemoTask::wholeNodes).allMatch(t -> t.devices() % 8 == 0).isNotEmpty();
        long ones = tasks.stream().filter(t -> t.devices() == 1).count();
        assertThat(ones).isBetween(150L, 210L); // 30% of 600, give or take the draw
        assertThat(w.fractionalRounded()).isBetween(5, 40);
        assertThat(tasks).anyMatch(t -> t.models().toString().equals("V100"));
        assertThat(tasks).allMatch(t -> t.durationSeconds() >= WorkloadGenerator.MIN_DURATION_SECONDS
                && t.durationSeconds() <= WorkloadGenerator.MAX_DURATION_SECONDS);
        // arrivals sorted and about four trace hours for 600 tasks (mean gap 24 s)
        for (int i = 1; i < tasks.size(); i++) {
            assertThat(tasks.get(i).arrivalSeconds()).isGreaterThanOrEqualTo(tasks.get(i - 1).arrivalSeconds());
        }
        assertThat(w.arrivalSpanSeconds()).isBetween(12_000L, 17_000L);
    }

    @Test
    void firstTaskOfSeed42IsStable() {
        DemoTask t = WorkloadGenerator.generate(42, 1).tasks().get(0);
        assertThat(t.id()).isEqualTo("demo-00000");
        assertThat(t.arrivalSeconds()).isZero();
        assertThat(t).isEqualTo(WorkloadGenerator.generate(42, 5).tasks().get(0));
    }

    @Test
    void countOutOfRangeNamesTheOption() {
        assertThatThrownBy(() -> WorkloadGenerator.generate(1, 0))
                .hasMessage("--tasks: must be in [1, 1000000], got 0");
    }

    @Test
    void limitKeepsTheFirstTasksAndTheSites() {
        Workload w = WorkloadGenerator.generate(42, 600).limit(200);
        assertThat(w.tasks()).hasSize(200);
        assertThat(w.tasks()).isEqualTo(WorkloadGenerator.generate(42, 600).tasks().subList(0, 200));
        assertThat(w.sites()).hasSize(3);
        assertThatThrownBy(() -> w.limit(0)).hasMessage("--limit: must be >= 1, got 0");
    }
}
