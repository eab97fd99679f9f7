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

    /**
     * Parses local date-time text {@code YYYY-MM-DD HH:MM:SS} (a {@code T} separator is accepted too) in
     * {@code zone} and returns epoch seconds. In an autumn overlap the earlier offset is used.
     *
     * @throws BadRow missing-value, bad-time, or dst-gap for a local time that does not exist in the zone
     */
    long localEpochSeconds(String column, java.time.ZoneId zone) {
        String v = get(column);
        if (isBlank(v)) {
            throw new BadRow(column, v, "missing-value");
        }
        java.time.LocalDateTime t = fastLocal(v);
        if (t == null) {
            try {
                t = java.time.LocalDateTime.parse(v.replace(' ', 'T'));
            } catch (java.time.format.DateTimeParseException e) {
                throw new BadRow(column, v, "bad-time");
            }
        }
        if (zone.getRules().getValidOffsets(t).isEmpty()) {
            throw new BadRow(column, v, "dst-gap");
        }
        return t.atZone(zone).toEpochSecond();
    }

    /** Fast path for exactly {@code YYYY-MM-DD HH:MM:SS}; null if the text has another shape or is invalid. */
    private static java.time.LocalDateTime fastLocal(String v) {
        if (v.length() != 19 || v.charAt(4) != '-' || v.charAt(7) != '-' || (v.charAt(10) != ' ' && v.charAt(10) != 'T')
                || v.charAt(13) != ':' || v.charAt(16) != ':') {
            return null;
        }
        int y = digits(v, 0, 4);
        int mo = digits(v, 5, 7);
        int d = digits(v, 8, 10);
        int h = digits(v, 11, 13);
        int mi = digits(v, 14, 16);
        int s = digits(v, 17, 19);
        if (y < 0 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) {
            return null;
        }
        try {
            return java.time.LocalDateTime.of(y, mo, d, h, mi, s);
        } catch (java.time.DateTimeException e) {
            return null;
        }
    }

    private static int digits(String v, int from, int to) {
        int n = 0;
        for (int i = from; i < to; i++) {
            char c = v.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            n = n * 10 + (c - '0');
        }
        return n;
    }

    /** Matches protocol identifiers: 1..128 characters of {@code [A-Za-z0-9._:-]}. */
    static boolean isIdentifier(String v) {
        if (v.isEmpty() || v.length() > 128) {
            return false;
        }
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_'
                    || c == ':' || c == '-')) {
                return false;
            }
        }
        return true;
    }

    /** Parses a decimal number of seconds, rounded to the nearest second. @throws BadRow as secondsCeil */
    long secondsRound(String column) {
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
        return Math.round(d);
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
