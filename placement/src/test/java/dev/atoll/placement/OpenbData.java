package dev.atoll.placement;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.NamedCsvRecord;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.JobSpec;
import dev.atoll.protocol.ModelSet;
import dev.atoll.protocol.PoolSpec;
import dev.atoll.protocol.SiteId;
import dev.atoll.protocol.SiteSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Reads the Alibaba openb trace (cluster-trace-gpu-v2023) with FastCSV: one site from the GPU node list,
 * tasks from a pod list. Test support; the data lives outside the repository.
 */
final class OpenbData {
    static final String DIR = "alibaba-gpu-v2023";
    static final String NODES = "openb_node_list_gpu_node.csv";
    static final String PODS = "openb_pod_list_default.csv";

    /** A task of the trace: its request and its creation time in seconds from trace start. */
    record Task(JobSpec spec, long creationSeconds) {
    }

    private OpenbData() {
    }

    /** @return the trace directory if both files are there (from -Datoll.data or env ATOLL_DATA) */
    static Optional<Path> locate() {
        String root = System.getProperty("atoll.data");
        if (root == null || root.isBlank()) {
            root = System.getenv("ATOLL_DATA");
        }
        if (root == null || root.isBlank()) {
            return Optional.empty();
        }
        Path dir = Paths.get(root, DIR);
        if (Files.isReadable(dir.resolve(NODES)) && Files.isReadable(dir.resolve(PODS))) {
            return Optional.of(dir);
        }
        return Optional.empty();
    }

    /** @return what is missing, for skip and failure messages */
    static String missingReason() {
        return "openb trace not found: need " + DIR + "/" + NODES + " and " + PODS + " under atoll.data="
                + System.getProperty("atoll.data") + " (or env ATOLL_DATA=" + System.getenv("ATOLL_DATA") + ")";
    }

    /**
     * One site: nodes grouped into pools by (model, GPU count), pools sorted by model then count, so node
     * numbers are stable. Memory per device is the model's known size in GiB (V100M16 16, V100M32 32, T4 16,
     * P100 16, A10 24) or 0 where the trace does not say (G1/G2/G3).
     */
    static SiteSpec site(Path dir) {
        Map<String, Map<Integer, Integer>> nodes = new TreeMap<>();
        try (CsvReader<NamedCsvRecord> csv = CsvReader.builder().ofNamedCsvRecord(dir.resolve(NODES))) {
            for (NamedCsvRecord r : csv) {
                int gpus = Integer.parseInt(r.getField("gpu").trim());
                String model = r.getField("model").trim();
                if (gpus > 0) {
                    nodes.computeIfAbsent(model, k -> new TreeMap<>()).merge(gpus, 1, Integer::sum);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<PoolSpec> pools = new ArrayList<>();
        nodes.forEach((model, bySize) -> bySize.forEach((size, count) ->
                pools.add(new PoolSpec(AcceleratorModel.of(model), count, size, memoryGiB(model), 1.0, 1.0))));
        return new SiteSpec(SiteId.of("openb"), "cn", pools);
    }

    private static int memoryGiB(String model) {
        switch (model) {
            case "V100M32":
                return 32;
            case "A10":
                return 24;
            case "V100M16":
            case "T4":
            case "P100":
                return 16;
            default:
                return 0;
        }
    }

    /**
     * Tasks that ask for a GPU ({@code num_gpu > 0}), sorted by creation time (stable: file order on ties;
     * a file without {@code creation_time} keeps file order).
     * {@code gpu_milli} is the share of one device when {@code num_gpu == 1}; multi-GPU tasks take whole
     * devices. An empty or absent {@code gpu_spec} accepts any model.
     */
    static List<Task> tasks(Path dir, String file) {
        List<Task> out = new ArrayList<>();
        try (CsvReader<NamedCsvRecord> csv = CsvReader.builder().ofNamedCsvRecord(dir.resolve(file))) {
            for (NamedCsvRecord r : csv) {
                int gpus = Integer.parseInt(r.getField("num_gpu").trim());
                if (gpus == 0) {
                    continue;
                }
                int milli = gpus == 1 ? Integer.parseInt(r.getField("gpu_milli").trim()) : 1000;
                JobSpec spec = JobSpec.builder(r.getField("name").trim(), "openb").devices(gpus).gpuMilli(milli)
                        .models(ModelSet.parse(r.findField("gpu_spec").orElse(""))).build();
                // multigpu50 has no times: file order stands for arrival order there.
                long created = Long.parseLong(r.findField("creation_time").orElse(Integer.toString(out.size())).trim());
                out.add(new Task(spec, created));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        out.sort(Comparator.comparingLong(Task::creationSeconds));
        return out;
    }
}
