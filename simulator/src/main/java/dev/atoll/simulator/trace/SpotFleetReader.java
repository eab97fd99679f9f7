package dev.atoll.simulator.trace;

import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.simulator.topology.FleetNode;

import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the Alibaba 2026 spot GPU fleet ({@code alibaba-spot-gpu-v2026/node_info_df.csv}, columns
 * {@code gpu_model,gpu_capacity_num,cpu_num,node_name}). Node names in that file are bare numbers, so a
 * node is named {@code spot-<node_name>}; {@code cpu_num} is cores (stored as cores x 1000 milli);
 * memory is not given (0).
 */
public final class SpotFleetReader {
    /** Columns this reader needs. */
    public static final List<String> COLUMNS = List.of("gpu_model", "gpu_capacity_num", "cpu_num", "node_name");

    private SpotFleetReader() {
    }

    /**
     * @return nodes in file order
     * @throws IllegalArgumentException naming line, field and value for a row that makes no sense, or a missing column
     * @throws UncheckedIOException if the file cannot be read
     */
    public static List<FleetNode> readNodes(Path path) {
        List<FleetNode> nodes = new ArrayList<>();
        CsvRows.read(path, COLUMNS, row -> nodes.add(node(row, path.toString())));
        return nodes;
    }

    /** As {@link #readNodes(Path)}, from text. */
    public static List<FleetNode> readNodes(Reader reader, String source) {
        List<FleetNode> nodes = new ArrayList<>();
        CsvRows.read(reader, source, COLUMNS, row -> nodes.add(node(row, source)));
        return nodes;
    }

    private static FleetNode node(CsvRows row, String source) {
        try {
            String name = row.get("node_name");
            if (name.isEmpty()) {
                throw new BadRow("node_name", name, "missing-value");
            }
            int gpus = row.count("gpu_capacity_num");
            int cpus = row.count("cpu_num");
            String model = row.get("gpu_model");
            AcceleratorModel m;
            try {
                m = CsvRows.isBlank(model) ? null : AcceleratorModel.of(model);
            } catch (IllegalArgumentException e) {
                throw new BadRow("gpu_model", model, "bad-model");
            }
            if (gpus > 0 && m == null) {
                throw new BadRow("gpu_model", model, "missing-value");
            }
            return new FleetNode("spot-" + name, m, gpus, (int) Math.min(Integer.MAX_VALUE, cpus * 1000L), 0);
        } catch (BadRow b) {
            throw new IllegalArgumentException(source + " line " + row.line() + ": " + b.getMessage());
        }
    }
}
