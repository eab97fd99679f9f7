package dev.atoll.placement;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atoll.protocol.SiteSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Assertions;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Step 3 of issue 3: the openb fill on real data (see {@link OpenbFill} for the rule). */
class OpenbFillTest {
    private static Path data() {
        Optional<Path> dir = OpenbData.locate();
        if (dir.isEmpty()) {
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                Assertions.fail(OpenbData.missingReason() + "; CI=true, so this is a failure");
            }
            Assumptions.abort(OpenbData.missingReason() + "; skipped (set CI=true to fail instead)");
        }
        return dir.get();
    }

    @Test
    void siteAndTasksMatchTheTracesDocumentedShape() {
        Path dir = data();
        SiteSpec site = OpenbData.site(dir);
        assertThat(site.nodeCount()).isEqualTo(1213);
        assertThat(site.deviceCount()).isEqualTo(6212);
        assertThat(site.pools()).hasSize(12);
        List<OpenbData.Task> tasks = OpenbData.tasks(dir, OpenbData.PODS);
        assertThat(tasks).hasSize(7064);
        for (int i = 1; i < tasks.size(); i++) {
            assertThat(tasks.get(i).creationSeconds()).isGreaterThanOrEqualTo(tasks.get(i - 1).creationSeconds());
        }
    }

    @Test
    void fgdAllocatesAtLeastAsMuchAsBestFitWhichAllocatesAtLeastAsMuchAsFirstFit() {
        List<OpenbFill.Outcome> out = OpenbFill.runRegistered(data(), OpenbData.PODS);
        System.out.print(OpenbFill.table(out));
        assertThat(out).extracting(OpenbFill.Outcome::policy).containsExactly("first-fit", "best-fit", "fgd");
        double firstFit = out.get(0).allocatedShare();
        double bestFit = out.get(1).allocatedShare();
        double fgd = out.get(2).allocatedShare();
        assertThat(fgd).isGreaterThanOrEqualTo(bestFit);
        assertThat(bestFit).isGreaterThanOrEqualTo(firstFit);
        // The figure: the share allocated when requests stop fitting (just before the first failure).
        double firstFitAtFailure = out.get(0).shareAtFirstFailure();
        double bestFitAtFailure = out.get(1).shareAtFirstFailure();
        double fgdAtFailure = out.get(2).shareAtFirstFailure();
        assertThat(firstFitAtFailure).isBetween(0.5, 1.0);
        assertThat(fgdAtFailure).isGreaterThanOrEqualTo(bestFitAtFailure);
        assertThat(bestFitAtFailure).isGreaterThanOrEqualTo(firstFitAtFailure);
        for (OpenbFill.Outcome o : out) {
            assertThat(o.placed() + o.failed()).isEqualTo(7064);
            assertThat(o.allocatedShare()).isBetween(0.5, 1.0);
        }
    }
}
