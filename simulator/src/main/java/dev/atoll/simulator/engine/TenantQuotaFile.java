package dev.atoll.simulator.engine;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;
import dev.atoll.placement.TenantQuota;
import dev.atoll.protocol.AcceleratorModel;
import dev.atoll.protocol.TenantId;

import java.io.IOException;
import java.io.Reader;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads tenant quotas for {@code --queue drf} ({@code --quotas FILE}): CSV with the header
 * {@code tenant,weight,model,guaranteed,borrow_limit}, one row per tenant and accelerator model.
 * <ul>
 *   <li>{@code tenant}: a tenant (virtual cluster) id as in the trace; required.
 *   <li>{@code weight}: DRF weight, a finite number &gt; 0; empty = 1. Rows of one tenant must agree.
 *   <li>{@code model}: accelerator model (e.g. {@code V100}); empty = the row only sets the weight.
 *   <li>{@code guaranteed}: devices of that model guaranteed to the tenant, integer &gt;= 0; empty = 0.
 *   <li>{@code borrow_limit}: devices of that model it may use beyond the guarantee, integer &gt;= 0, or -1 /
 *       empty = unlimited.
 * </ul>
 * Models not listed for a tenant have no guarantee and unlimited borrowing; tenants not listed get
 * {@link TenantQuota#bestEffort}. Semantics are placement's {@link TenantQuota}.
 */
public final class TenantQuotaFile {
    private TenantQuotaFile() {
    }

    /**
     * @param path the CSV file
     * @return one quota per tenant, in order of first appearance
     * @throws UncheckedIOException if the file cannot be read
     * @throws IllegalArgumentException naming the file, line, field and value of a bad row
     */
    public static List<TenantQuota> read(Path path) {
        try (Reader r = Files.newBufferedReader(path)) {
            return read(r, path.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read quota file " + path + ": " + e.getMessage(), e);
        }
    }

    /** As {@link #read(Path)} from CSV text ({@code source} names it in errors). */
    public static List<TenantQuota> parse(String csv, String source) {
        return read(new StringReader(csv), source);
    }

    private static final List<String> COLUMNS = List.of("tenant", "weight", "model", "guaranteed", "borrow_limit");

    private static List<TenantQuota> read(Reader reader, String source) {
        Iterator<CsvRecord> it = CsvReader.builder().skipEmptyLines(true).ignoreDifferentFieldCount(true)
                .ofCsvRecord(reader).iterator();
        if (!it.hasNext()) {
            throw new IllegalArgumentException(source + " is empty: expected the header " + String.join(",", COLUMNS));
        }
        CsvRecord header = it.next();
        Map<String, Integer> col = new HashMap<>();
        for (int i = 0; i < header.getFieldCount(); i++) {
            col.put(header.getField(i).trim(), i);
        }
        for (String c : COLUMNS) {
            if (!col.containsKey(c)) {
                throw new IllegalArgumentException(source + ": header lacks column '" + c + "'; expected "
                        + String.join(",", COLUMNS));
            }
        }
        Map<String, Double> weight = new LinkedHashMap<>();
        Map<String, Map<AcceleratorModel, Integer>> guaranteed = new HashMap<>();
        Map<String, Map<AcceleratorModel, Integer>> borrow = new HashMap<>();
        while (it.hasNext()) {
            CsvRecord row = it.next();
            String where = source + " line " + row.getStartingLineNumber();
            String tenant = field(row, col, "tenant");
            if (tenant.isEmpty()) {
                throw new IllegalArgumentException(where + ": tenant is required");
            }
            TenantId.of(tenant); // validates the id
            String w = field(row, col, "weight");
            double wv;
            try {
                wv = w.isEmpty() ? 1 : Double.parseDouble(w);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException(where + ": weight must be a number > 0, got '" + w + "'");
            }
            if (!(wv > 0) || Double.isInfinite(wv)) {
                throw new IllegalArgumentException(where + ": weight must be a finite number > 0, got '" + w + "'");
            }
            Double before = weight.putIfAbsent(tenant, wv);
            if (before != null && before != wv) {
                throw new IllegalArgumentException(where + ": weight of tenant " + tenant + " is " + wv
                        + " here but " + before + " on an earlier row");
            }
            String model = field(row, col, "model");
            if (model.isEmpty()) {
                continue;
            }
            AcceleratorModel m = AcceleratorModel.of(model);
            int g = integer(where, "guaranteed", field(row, col, "guaranteed"), 0, 0);
            int b = integer(where, "borrow_limit", field(row, col, "borrow_limit"), -1, -1);
            if (guaranteed.computeIfAbsent(tenant, k -> new HashMap<>()).put(m, g) != null) {
                throw new IllegalArgumentException(where + ": tenant " + tenant + " lists model " + model + " twice");
            }
            borrow.computeIfAbsent(tenant, k -> new HashMap<>()).put(m, b);
        }
        List<TenantQuota> out = new ArrayList<>();
        for (Map.Entry<String, Double> e : weight.entrySet()) {
            out.add(new TenantQuota(TenantId.of(e.getKey()), e.getValue(), guaranteed.get(e.getKey()),
                    borrow.get(e.getKey()), -1));
        }
        return out;
    }

    private static String field(CsvRecord row, Map<String, Integer> col, String name) {
        int i = col.get(name);
        return i < row.getFieldCount() ? row.getField(i).trim() : "";
    }

    private static int integer(String where, String name, String text, int ifEmpty, int min) {
        if (text.isEmpty()) {
            return ifEmpty;
        }
        try {
            int v = Integer.parseInt(text);
            if (v < min) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(where + ": " + name + " must be an integer >= " + min + ", got '"
                    + text + "'");
        }
    }
}
