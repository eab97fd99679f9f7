package dev.atoll.simulator.trace;

import dev.atoll.simulator.topology.FleetNode;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** Reads a fleet file in whichever known format its header shows (openb node list or 2026 spot fleet). */
public final class FleetFile {
    private FleetFile() {
    }

    /**
     * @return nodes in file order
     * @throws IllegalArgumentException if the header matches no known fleet format (the message lists
     *     the expected headers), or a row makes no sense (line, field and value named)
     * @throws UncheckedIOException if the file cannot be read
     */
    public static List<FleetNode> read(Path path) {
        String header;
        try (BufferedReader r = Files.newBufferedReader(path)) {
            header = r.readLine();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read fleet file " + path + ": " + e.getMessage(), e);
        }
        List<String> cols = header == null ? List.of() : List.of(header.replace("\uFEFF", "").trim().split("\\s*,\\s*"));
        if (cols.containsAll(OpenbTraceReader.NODE_COLUMNS)) {
            return OpenbTraceReader.readNodes(path);
        }
        if (cols.containsAll(SpotFleetReader.COLUMNS)) {
            return SpotFleetReader.readNodes(path);
        }
        throw new IllegalArgumentException("fleet file " + path + " has header " + cols + "; expected the openb node list "
                + OpenbTraceReader.NODE_COLUMNS + " or the spot fleet " + SpotFleetReader.COLUMNS);
    }
}
