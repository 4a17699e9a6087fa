package dev.nabla.proofs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The recorder behind {@code target/theory-report.md}: every property calls {@link #check} once per try with
 * the error it measured and the tolerance it allows; {@link ReportHook} opens a row before the property runs
 * (so that the row knows its name) and closes it afterwards with the number of tries and the verdict, then
 * the whole table is rewritten — so the file exists and is complete for whatever subset of the suite ran.
 *
 * <p>A row keeps the try whose error was largest relative to its tolerance ("max error" and "tolerance" are
 * that try's values): where a tolerance scales with the parameters of a try, the ratio is what decides.
 */
public final class Report {
    /** Where the table is written, relative to the module directory (surefire's working directory). */
    public static final Path FILE = Path.of(System.getProperty("basedir", "."), "target", "theory-report.md");

    /** One table row. */
    static final class Row {
        final String name;
        String section = "";
        final Set<String> statements = new LinkedHashSet<>();
        int tries;
        double error = Double.NaN;
        double tolerance = Double.NaN;
        double worstRatio = Double.NEGATIVE_INFINITY;
        String verdict = "running";

        Row(String name) {
            this.name = name;
        }
    }

    private static final Map<String, Row> ROWS = new LinkedHashMap<>();
    private static Row current; // properties run one after another

    private Report() {
    }

    /** Starts (or restarts) the row of property {@code name}; called by {@link ReportHook}. */
    static synchronized void begin(String name) {
        Row r = new Row(name);
        ROWS.put(name, r);
        current = r;
    }

    /** Closes the current row and rewrites the report; called by {@link ReportHook}. */
    static synchronized void end(int tries, boolean passed, String failure) {
        Row r = current;
        if (r == null) {
            return;
        }
        r.tries = tries;
        r.verdict = passed ? "pass" : "**FAIL**" + (failure == null ? "" : " (" + oneLine(failure) + ")");
        current = null;
        write();
    }

    /**
     * Records one measured {@code error} against its {@code tolerance} for the running property and fails the
     * try (an {@link AssertionError} with {@code what}, the error and the tolerance) when it is not within.
     *
     * @param section   paper and section, e.g. "2511.11727 Thm 1 (THEORY §1)"
     * @param statement the identity or inequality, in one line
     */
    public static void check(String section, String statement, double error, double tolerance, String what) {
        record(section, statement, error, tolerance);
        if (!(error <= tolerance)) {
            throw new AssertionError(String.format(Locale.ROOT, "%s: error %.3e exceeds tolerance %.3e", what, error,
                    tolerance));
        }
    }

    /** Records without asserting (the caller asserts). */
    public static synchronized void record(String section, String statement, double error, double tolerance) {
        Row r = current;
        if (r == null) { // run outside the hook (e.g. from an IDE without it): keep a row anyway
            begin("(unnamed)");
            r = current;
        }
        r.section = section;
        r.statements.add(statement);
        double ratio = Double.isNaN(error) ? Double.POSITIVE_INFINITY : error / tolerance;
        if (ratio > r.worstRatio) {
            r.worstRatio = ratio;
            r.error = error;
            r.tolerance = tolerance;
        }
    }

    private static String oneLine(String s) {
        String t = s.replace('\n', ' ').replace("|", "\\|");
        return t.length() > 400 ? t.substring(0, 400) + "…" : t;
    }

    private static String num(double v) {
        return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%.2e", v);
    }

    private static synchronized void write() {
        List<String> lines = new ArrayList<>();
        lines.add("# Theory report");
        lines.add("");
        lines.add("One row per property of `proofs` (see `proofs/README.md`). *max error* is the largest error measured");
        lines.add("over the property's tries relative to its tolerance; *tolerance* is the bound that try had to meet.");
        lines.add("");
        lines.add("| name | paper § | statement | tries | max error | tolerance | pass/fail |");
        lines.add("|---|---|---|---|---|---|---|");
        for (Row r : ROWS.values()) {
            lines.add("| " + r.name + " | " + oneLine(r.section) + " | " + oneLine(String.join("; ", r.statements)) + " | " + r.tries + " | "
                    + num(r.error) + " | " + num(r.tolerance) + " | " + r.verdict + " |");
        }
        try {
            Files.createDirectories(FILE.getParent());
            Files.write(FILE, lines);
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + FILE, e);
        }
    }
}
