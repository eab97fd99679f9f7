package dev.atoll.federationnode;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValue;
import com.typesafe.config.ConfigValueType;
import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import dev.atoll.placement.ModelEquivalence;
import dev.atoll.placement.ThroughputTable;
import dev.atoll.protocol.AcceleratorModel;
import java.io.IOException;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * The node's model settings, read from configuration:
 * <ul>
 *   <li>{@code atoll.models.equivalence} -&gt; {@link ModelEquivalence}: {@code aliases} maps an alias to the
 *       model it names ({@code "A100" = "A100-SXM4-40GB"}), {@code families} maps a family name to a list of at
 *       least two models ({@code a100-class = ["A100-40GB", "A100-80GB"]}). Only what is declared is
 *       equivalent, never a name prefix; a submission uses it only with {@code allowEquivalents: true}.
 *   <li>{@code atoll.job.throughput-table} -&gt; {@link ThroughputTable}: the path of a CSV file with header
 *       {@code job_class,model,speed} (speed relative to the reference model, a finite number &gt; 0), read with
 *       FastCSV; empty means no table (the {@code throughput} site choice then uses the pools' speed factors).
 * </ul>
 * Every error names the setting (and the file line) and the bad value.
 */
public final class ModelSettings {
    private ModelSettings() {
    }

    /**
     * @param config the node's configuration (a missing {@code atoll.models.equivalence} means none)
     * @return the declared equivalence
     * @throws IllegalArgumentException naming {@code atoll.models.equivalence.aliases.<alias>} or
     *     {@code atoll.models.equivalence.families.<name>} and the value when an entry is not a model name (or
     *     list of at least two)
     */
    public static ModelEquivalence equivalence(Config config) {
        String base = "atoll.models.equivalence";
        if (!config.hasPath(base)) {
            return ModelEquivalence.NONE;
        }
        ModelEquivalence.Builder b = ModelEquivalence.builder();
        Config eq = config.getConfig(base);
        if (eq.hasPath("aliases")) {
            for (Map.Entry<String, ConfigValue> e : eq.getObject("aliases").entrySet()) {
                String where = base + ".aliases." + e.getKey();
                ConfigValue v = e.getValue();
                if (v.valueType() != ConfigValueType.STRING) {
                    throw new IllegalArgumentException(where + " must be a model name (a string), got "
                            + v.render());
                }
                try {
                    b.alias(e.getKey(), (String) v.unwrapped());
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(where + ": " + ex.getMessage(), ex);
                }
            }
        }
        if (eq.hasPath("families")) {
            for (Map.Entry<String, ConfigValue> e : eq.getObject("families").entrySet()) {
                String where = base + ".families." + e.getKey();
                ConfigValue v = e.getValue();
                if (v.valueType() != ConfigValueType.LIST) {
                    throw new IllegalArgumentException(where + " must be a list of model names, got " + v.render());
                }
                List<String> models = new ArrayList<>();
                for (Object o : (List<?>) v.unwrapped()) {
                    if (!(o instanceof String s)) {
                        throw new IllegalArgumentException(where + " must list model names (strings), got " + o);
                    }
                    models.add(s);
                }
                try {
                    b.family(e.getKey(), models.toArray(new String[0]));
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(where + ": " + ex.getMessage(), ex);
                }
            }
        }
        return b.build();
    }

    /**
     * @param config the node's configuration
     * @return the table at {@code atoll.job.throughput-table}, or null when the setting is absent or empty
     * @throws IllegalArgumentException naming the setting, file, line, column and value when the file is missing
     *     or unreadable, lacks a column, or a speed is not a finite number &gt; 0 or a model name is bad
     */
    public static ThroughputTable throughputTable(Config config) {
        String key = "atoll.job.throughput-table";
        String path;
        try {
            path = config.hasPath(key) ? config.getString(key).trim() : "";
        } catch (ConfigException.WrongType e) {
            throw new IllegalArgumentException(key + " must be a file path, got " + config.getValue(key).render(), e);
        }
        if (path.isEmpty()) {
            return null;
        }
        Path file = Path.of(path);
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException(key + ": file '" + path + "' not found");
        }
        try (Reader r = Files.newBufferedReader(file)) {
            return parseThroughput(r, key + " (" + path + ")");
        } catch (IOException e) {
            throw new IllegalArgumentException(key + ": cannot read '" + path + "': " + e.getMessage(), e);
        }
    }

    /**
     * Parses CSV text with header {@code job_class,model,speed} (other columns are ignored).
     *
     * @param source names the input in errors
     * @throws IllegalArgumentException naming the source, line, column and value of the first bad row
     */
    public static ThroughputTable parseThroughput(Reader reader, String source) {
        CsvReader<CsvRecord> csv = CsvReader.builder().skipEmptyLines(true).ignoreDifferentFieldCount(true)
                .ofCsvRecord(reader);
        Iterator<CsvRecord> it = csv.iterator();
        if (!it.hasNext()) {
            throw new IllegalArgumentException(source + " is empty: expected header job_class,model,speed");
        }
        List<String> header = it.next().getFields().stream().map(String::trim).toList();
        int cls = header.indexOf("job_class");
        int model = header.indexOf("model");
        int speed = header.indexOf("speed");
        if (cls < 0 || model < 0 || speed < 0) {
            throw new IllegalArgumentException(source + " must have columns job_class, model, speed; header is "
                    + header);
        }
        Map<String, Map<AcceleratorModel, Double>> speeds = new HashMap<>();
        while (it.hasNext()) {
            CsvRecord row = it.next();
            long line = row.getStartingLineNumber();
            String c = field(row, cls);
            String m = field(row, model);
            String s = field(row, speed);
            if (c.isEmpty()) {
                throw new IllegalArgumentException(source + " line " + line + ": job_class is empty");
            }
            AcceleratorModel am;
            try {
                am = AcceleratorModel.of(m);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(source + " line " + line + ": model: " + e.getMessage(), e);
            }
            double v;
            try {
                v = Double.parseDouble(s);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(source + " line " + line + ": speed must be a number, got '"
                        + s + "'", e);
            }
            if (!(v > 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException(source + " line " + line + ": speed must be a finite number > 0, got "
                        + s);
            }
            if (speeds.computeIfAbsent(c, k -> new HashMap<>()).put(am, v) != null) {
                throw new IllegalArgumentException(source + " line " + line + ": job class '" + c + "' on " + m
                        + " is listed twice");
            }
        }
        return ThroughputTable.of(speeds);
    }

    private static String field(CsvRecord row, int i) {
        return i < row.getFieldCount() ? row.getField(i).trim() : "";
    }
}
