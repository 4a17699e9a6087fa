package dev.nabla.dsl.data;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Numeric comma-separated values as an {@link NdArray} {@code [rows, cols]} (float64): one row per line, an
 * optional header line of column names, cells trimmed of spaces, blank lines skipped. Numbers are decimal
 * ({@code -1.5}, {@code 2e-3}, {@code .5}); {@code nan}, {@code inf}, {@code -inf}, {@code NaN},
 * {@code Infinity} (any case) are read only when non-finite values are explicitly allowed — by default they are
 * rejected, since a NaN in training data is almost always a bug; so is a decimal beyond the double range,
 * such as {@code 1e999}, which would read as infinity. Every error is an {@link IOException} naming
 * the file, the line and the column. Writes are atomic (temporary file, then move) and round-trip exactly
 * (shortest decimal that reads back to the same double, or float for float32 arrays).
 */
public final class Csv {
    private static final Pattern NUMBER =
            Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private Csv() {
    }

    /** {@link #read(Path, boolean, boolean)} rejecting non-finite values. */
    public static NdArray read(Path file, boolean hasHeader) throws IOException {
        return read(file, hasHeader, false);
    }

    /**
     * Reads a numeric CSV file.
     *
     * @param hasHeader      whether the first non-blank line holds column names (checked only for their count)
     * @param allowNonFinite whether NaN and ±infinity are accepted
     * @return {@code [rows, cols]} float64; {@code [0, cols]} for a header without data
     * @throws IOException naming file, line and column on any malformed content, ragged rows, or a rejected
     *                     non-finite value
     */
    public static NdArray read(Path file, boolean hasHeader, boolean allowNonFinite) throws IOException {
        Objects.requireNonNull(file, "Csv.read: file");
        List<double[]> rows = new ArrayList<>();
        int cols = -1;
        boolean headerPending = hasHeader;
        String what = "a CSV table (Csv.read)";
        InputFiles.checkReadable(file, what);
        BufferedReader opened;
        try {
            opened = Files.newBufferedReader(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw InputFiles.explain(e, file, what);
        }
        try (BufferedReader r = opened) {
            String line;
            int lineNo = 0;
            while ((line = r.readLine()) != null) {
                lineNo++;
                if (line.isBlank()) {
                    continue;
                }
                String[] cells = line.split(",", -1);
                if (headerPending) {
                    headerPending = false;
                    cols = cells.length;
                    continue;
                }
                if (cols >= 0 && cells.length != cols) {
                    throw new IOException("Csv: " + file + " line " + lineNo + " has " + cells.length + " columns, expected "
                            + cols + (rows.isEmpty() ? " like the header" : " like the lines before"));
                }
                cols = cells.length;
                double[] row = new double[cols];
                for (int c = 0; c < cols; c++) {
                    row[c] = parse(file, lineNo, c + 1, cells[c].strip(), allowNonFinite);
                }
                rows.add(row);
            }
        }
        if (cols < 0) {
            throw new IOException("Csv: " + file + " has no " + (hasHeader ? "header" : "data") + " line");
        }
        double[] data = new double[rows.size() * cols];
        for (int i = 0; i < rows.size(); i++) {
            System.arraycopy(rows.get(i), 0, data, i * cols, cols);
        }
        return NdArray.wrap(data, Shape.of(rows.size(), cols));
    }

    private static double parse(Path file, int line, int col, String cell, boolean allowNonFinite) throws IOException {
        String where = "Csv: " + file + " line " + line + " column " + col;
        if (cell.isEmpty()) {
            throw new IOException(where + " is empty, expected a number");
        }
        if (NUMBER.matcher(cell).matches()) {
            double v = Double.parseDouble(cell);
            if (Double.isInfinite(v) && !allowNonFinite) {
                throw new IOException(where + " is '" + cell + "', beyond the largest double "
                        + Double.MAX_VALUE + " (it reads as " + v + "); non-finite values are rejected unless allowed "
                        + "(Csv.read(file, hasHeader, true))");
            }
            return v;
        }
        double special = switch (cell.toLowerCase(Locale.ROOT)) {
            case "nan", "+nan", "-nan" -> Double.NaN;
            case "inf", "+inf", "infinity", "+infinity" -> Double.POSITIVE_INFINITY;
            case "-inf", "-infinity" -> Double.NEGATIVE_INFINITY;
            default -> throw new IOException(where + " is '" + cell + "', expected a number");
        };
        if (!allowNonFinite) {
            throw new IOException(where + " is '" + cell + "': non-finite values are rejected unless allowed "
                    + "(Csv.read(file, hasHeader, true))");
        }
        return special;
    }

    /** Writes {@code data} without a header. */
    public static void write(Path file, NdArray data) throws IOException {
        write(file, data, List.of());
    }

    /**
     * Writes {@code data} ({@code [rows, cols]}, or {@code [n]} as one column) with an optional header line,
     * atomically replacing any existing file. Non-finite values are written as {@code NaN}, {@code Infinity},
     * {@code -Infinity}.
     *
     * @param header column names (empty for none); as many as columns, without commas or line breaks
     */
    public static void write(Path file, NdArray data, List<String> header) throws IOException {
        Objects.requireNonNull(file, "Csv.write: file");
        Objects.requireNonNull(data, "Csv.write: data");
        Objects.requireNonNull(header, "Csv.write: header");
        int rank = data.shape().rank();
        if (rank != 1 && rank != 2) {
            throw new IllegalArgumentException("Csv.write: data has shape " + data.shape() + ", expected [rows, cols] or [n]");
        }
        int rows = data.shape().dim(0);
        int cols = rank == 2 ? data.shape().dim(1) : 1;
        if (!header.isEmpty() && header.size() != cols) {
            throw new IllegalArgumentException("Csv.write: header has " + header.size() + " names, expected " + cols
                    + " (one per column)");
        }
        for (int i = 0; i < header.size(); i++) {
            String h = header.get(i);
            if (h == null || h.contains(",") || h.contains("\n") || h.contains("\r")) {
                throw new IllegalArgumentException("Csv.write: header[" + i + "] = '" + h
                        + "', expected a name without commas or line breaks");
            }
        }
        StringBuilder sb = new StringBuilder();
        if (!header.isEmpty()) {
            sb.append(String.join(",", header)).append('\n');
        }
        boolean f32 = data.dtype() == DType.F32;
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c++) {
                if (c > 0) {
                    sb.append(',');
                }
                double v = data.getFlat(r * cols + c);
                sb.append(f32 ? Float.toString((float) v) : Double.toString(v));
            }
            sb.append('\n');
        }
        Npy.writeAtomically(file, sb.toString().getBytes(StandardCharsets.UTF_8));
    }
}
