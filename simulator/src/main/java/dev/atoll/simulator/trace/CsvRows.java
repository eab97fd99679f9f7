package dev.atoll.simulator.trace;

import de.siegmar.fastcsv.reader.CsvReader;
import de.siegmar.fastcsv.reader.CsvRecord;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Header-aware CSV iteration shared by the readers: maps column names to indexes, checks that the
 * required columns exist, hands each data row over with its 1-based line number, and offers parsers
 * that throw {@link BadRow} naming the field.
 */
final class CsvRows {
    private final Map<String, Integer> columns = new HashMap<>();
    private CsvRecord current;

    private CsvRows() {
    }

    /** Opens {@code path} and calls {@code perRow} for every data row. */
    static void read(Path path, List<String> required, Consumer<CsvRows> perRow) {
        if (!Files.isRegularFile(path)) {
            throw new UncheckedIOException(new NoSuchFileException(path.toString(), null, "trace file not found"));
        }
        try (Reader r = Files.newBufferedReader(path)) {
            read(r, path.toString(), required, perRow);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }

    /**
     * Reads CSV text with a header line.
     *
     * @throws IllegalArgumentException if the header is missing or lacks a required column (names them)
     */
    static void read(Reader reader, String source, List<String> required, Consumer<CsvRows> perRow) {
        CsvReader<CsvRecord> csv = CsvReader.builder().ignoreDifferentFieldCount(true).skipEmptyLines(true)
                .ofCsvRecord(reader);
        Iterator<CsvRecord> it = csv.iterator();
        if (!it.hasNext()) {
            throw new IllegalArgumentException(source + " is empty: expected a header with " + required);
        }
        CsvRows rows = new CsvRows();
        CsvRecord header = it.next();
        for (int i = 0; i < header.getFieldCount(); i++) {
            String name = header.getField(i).trim();
            if (i == 0 && name.startsWith("\uFEFF")) {
                name = name.substring(1);
            }
            rows.columns.putIfAbsent(name, i);
        }
        List<String> missing = new ArrayList<>();
        for (String c : required) {
            if (!rows.columns.containsKey(c)) {
                missing.add(c);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalArgumentException(source + " lacks column(s) " + missing + "; header is "
                    + header.getFields() + ", required " + required);
        }
        while (it.hasNext()) {
            rows.current = it.next();
            perRow.accept(rows);
        }
    }

    /** @return 1-based line number of the current row */
    int line() {
        return (int) current.getStartingLineNumber();
    }

    boolean has(String column) {
        return columns.containsKey(column);
    }

    /** @return the trimmed field, or "" if the row is short or the column absent */
    String get(String column) {
        Integer i = columns.get(column);
        if (i == null || i >= current.getFieldCount()) {
            return "";
        }
        return current.getField(i).trim();
    }

    static boolean isBlank(String v) {
        return v.isEmpty() || v.equalsIgnoreCase("nan") || v.equalsIgnoreCase("null") || v.equalsIgnoreCase("none");
    }

    /** Parses a whole number; accepts "12.0". @throws BadRow missing-value / not-a-number / not-an-integer */
    long longValue(String column) {
        String v = get(column);
        if (isBlank(v)) {
            throw new BadRow(column, v, "missing-value");
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            double d;
            try {
                d = Double.parseDouble(v);
            } catch (NumberFormatException e2) {
                throw new BadRow(column, v, "not-a-number");
            }
            if (Double.isNaN(d) || Double.isInfinite(d) || d != Math.rint(d) || Math.abs(d) > 9e15) {
                throw new BadRow(column, v, "not-an-integer");
            }
            return (long) d;
        }
    }

    /** As {@link #longValue} but must fit an int and be {@code >= 0}. @throws BadRow negative-count */
    int count(String column) {
        long v = longValue(column);
        if (v < 0) {
            throw new BadRow(column, get(column), "negative-count");
        }
        if (v > Integer.MAX_VALUE) {
            throw new BadRow(column, get(column), "too-large");
        }
        return (int) v;
    }

    /** Parses a decimal number of seconds and rounds up to whole seconds. @throws BadRow as longValue */
    long secondsCeil(String column) {
        String v = get(column);
        if (isBlank(v)) {
            throw new BadRow(column, v, "missing-value");
        }
        double d;
        try {
            d = Double.parseDouble(v);
        } catch (NumberFormatException e) {
            throw new BadRow(column, v, "not-a-number");
        }
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new BadRow(column, v, "not-a-number");
        }
        return (long) Math.ceil(d);
    }
}
