package dev.atoll.simulator;

import org.junit.jupiter.api.Assumptions;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Locates the shared trace data ({@code ../shared/data}) for tests. The directory comes from system
 * property {@code atoll.data} (set by surefire), else env {@code ATOLL_DATA}. A missing file fails the
 * test with a clear message when env {@code CI=true}, and skips it with the reason otherwise.
 */
public final class DataFiles {
    private DataFiles() {
    }

    /** @return the existing file {@code relative} under the data directory */
    public static Path require(String relative) {
        String dir = System.getProperty("atoll.data", System.getenv("ATOLL_DATA"));
        Path p = dir == null ? null : Path.of(dir).resolve(relative);
        if (p == null || !Files.isRegularFile(p)) {
            String why = "trace data file " + relative + " not found (atoll.data=" + dir
                    + "); it lives in ../shared/data of the checkout, see ../shared/data/README.md";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                throw new AssertionError(why);
            }
            System.out.println("SKIPPED: " + why);
            Assumptions.abort(why);
        }
        return p;
    }
}
