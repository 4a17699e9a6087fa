import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * nabla's source preprocessor: writes the float64 and float32 twins of a kernel from one template, in the manner
 * of the JDK's {@code make/jdk/src/classes/build/tools/spp/Spp.java}, which generates the Vector API's per-type
 * classes from {@code X-Vector.java.template}. Java has no generics over primitives, so code that must run on
 * {@code double[]} and on {@code float[]} at full speed is written twice; here it is written once.
 *
 * <pre>
 *   java build-tools/Spp.java &lt;templates dir&gt; &lt;output dir&gt;
 * </pre>
 *
 * Every {@code *.java.template} below the templates dir becomes Java source at the same relative path below the
 * output dir (Maven runs this in {@code generate-sources}; see the parent pom):
 * <ul>
 *   <li>{@code Name-X.java.template}: one class per dtype, {@code NameF64.java} and {@code NameF32.java}, the
 *       whole file read once with the keys of {@code double} and once with those of {@code float};</li>
 *   <li>{@code Name.java.template}: one class, {@code Name.java}, in which only the lines between
 *       {@code #each[double,float]} and {@code #end[each]} are dtype code: they are written once for
 *       {@code double}, then once for {@code float} (as the JDK's build splices per-type fragments into a
 *       class). Outside such a block a key or a dtype condition is an error.</li>
 * </ul>
 *
 * In dtype code:
 * <ul>
 *   <li>keys {@code $type$} (double, float), {@code $Type$} (Double, Float), {@code $x$} (d, f), {@code $X$}
 *       (D, F), {@code $bits$} (64, 32) and {@code $f$} (the literal suffix: empty, f) are replaced;</li>
 *   <li>lines from {@code #if[double]} (or {@code #if[float]}) to {@code #else[double]} or {@code #end[double]}
 *       are kept only for that dtype, the lines from {@code #else[double]} to {@code #end[double]} only for the
 *       other; blocks nest, and the directive lines themselves are dropped;</li>
 *   <li>within a line, {@code {#if[double]?yes}} and {@code {#if[double]?yes:no}} choose a piece of text.</li>
 * </ul>
 *
 * An unknown key, a key outside dtype code, an unknown condition, an {@code #else} or {@code #end} that does not
 * close the open block, or a block left open stops the run with {@code file:line: what} and exit status 1, which
 * fails the build. Outputs are rewritten only when their text changes (so that javac's staleness check sees no
 * change when nothing changed), and files below the output dir that no template produces are deleted.
 */
public final class Spp {
    /** The dtypes, in the order in which {@code #each} writes them. */
    private static final List<String> DTYPES = List.of("double", "float");

    private static final Map<String, Map<String, String>> KEYS = Map.of(
            "double", keys("double", "Double", "d", "D", "64", ""),
            "float", keys("float", "Float", "f", "F", "32", "f"));

    private static final Pattern KEY = Pattern.compile("\\$([A-Za-z]+)\\$");
    private static final Pattern INLINE_IF = Pattern.compile("\\{#if\\[([^\\]]*)\\]\\?([^:}]*)(?::([^}]*))?\\}");
    private static final Pattern DIRECTIVE = Pattern.compile("\\s*#(if|else|end|each)\\[([^\\]]*)\\]\\s*");

    private Spp() {
    }

    private static Map<String, String> keys(String type, String boxed, String x, String upperX, String bits,
            String literalSuffix) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("type", type);
        m.put("Type", boxed);
        m.put("x", x);
        m.put("X", upperX);
        m.put("bits", bits);
        m.put("f", literalSuffix);
        return m;
    }

    /** A template error: where and what. */
    static final class TemplateException extends RuntimeException {
        TemplateException(String file, int line, String what) {
            super(file + ":" + line + ": " + what);
        }
    }

    public static void main(String[] args) throws IOException {
        if (args.length != 2) {
            System.err.println("usage: java Spp.java <templates dir> <output dir>");
            System.exit(2);
        }
        Path in = Path.of(args[0]);
        Path out = Path.of(args[1]);
        if (!Files.isDirectory(in)) {
            System.err.println("spp: templates dir " + in + " does not exist");
            System.exit(1);
        }
        try {
            run(in, out); // silent on success, as Maven's -q build is
        } catch (TemplateException e) {
            System.err.println("spp: error: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Generates every template below {@code in} into {@code out}; returns {templates, outputs, rewritten}. */
    static int[] run(Path in, Path out) throws IOException {
        List<Path> templates;
        try (Stream<Path> s = Files.walk(in)) {
            templates = s.filter(p -> p.getFileName().toString().endsWith(".java.template")).sorted().toList();
        }
        Set<Path> written = new HashSet<>();
        int rewritten = 0;
        for (Path t : templates) {
            Path rel = in.relativize(t);
            String name = t.getFileName().toString();
            String base = name.substring(0, name.length() - ".java.template".length());
            List<String> lines = Files.readAllLines(t, StandardCharsets.UTF_8);
            String file = rel.toString().replace('\\', '/');
            Map<String, String> outputs = new LinkedHashMap<>();
            if (base.endsWith("-X")) {
                String stem = base.substring(0, base.length() - 2);
                for (String dtype : DTYPES) {
                    outputs.put(stem + "F" + KEYS.get(dtype).get("bits") + ".java",
                            generate(file, lines, dtype));
                }
            } else {
                outputs.put(base + ".java", generate(file, lines, null));
            }
            for (Map.Entry<String, String> o : outputs.entrySet()) {
                Path target = out.resolve(rel).resolveSibling(o.getKey());
                String text = "// Generated by build-tools/Spp.java from " + file + ": edit the template, not this file.\n"
                        + o.getValue();
                if (!written.add(target)) {
                    throw new TemplateException(file, 1, "output " + target + " is also written by another template");
                }
                if (!Files.exists(target) || !Files.readString(target, StandardCharsets.UTF_8).equals(text)) {
                    Files.createDirectories(target.getParent());
                    Files.writeString(target, text, StandardCharsets.UTF_8);
                    rewritten++;
                }
            }
        }
        if (Files.isDirectory(out)) {
            try (Stream<Path> s = Files.walk(out)) {
                for (Path p : s.filter(Files::isRegularFile).toList()) {
                    if (!written.contains(p)) {
                        Files.delete(p);
                    }
                }
            } catch (UncheckedIOException e) {
                throw e.getCause();
            }
        }
        return new int[] {templates.size(), written.size(), rewritten};
    }

    /** One open block: {@code #if[cond]} (possibly past its {@code #else}) or {@code #each}. */
    private record Block(String kind, String cond, int line, boolean wasActive, boolean branch, boolean inElse) {
    }

    /**
     * The text of one template for {@code dtype} ({@code null}: a one-class template, dtype code only inside
     * {@code #each}).
     */
    static String generate(String file, List<String> lines, String dtype) {
        StringBuilder sb = new StringBuilder();
        expand(file, lines, 0, lines.size(), dtype, sb);
        return sb.toString();
    }

    private static void expand(String file, List<String> lines, int from, int to, String dtype, StringBuilder sb) {
        Deque<Block> open = new ArrayDeque<>();
        boolean active = true;
        for (int i = from; i < to; i++) {
            String line = lines.get(i);
            int no = i + 1;
            Matcher d = DIRECTIVE.matcher(line);
            if (d.matches()) {
                String kind = d.group(1);
                String arg = d.group(2).trim();
                switch (kind) {
                    case "each" -> {
                        if (dtype != null) {
                            throw new TemplateException(file, no, "#each inside dtype code (nested #each, or #each in a -X template)");
                        }
                        if (!arg.equals(String.join(",", DTYPES))) {
                            throw new TemplateException(file, no, "#each[" + arg + "]: expected #each[" + String.join(",", DTYPES) + "]");
                        }
                        int end = findEachEnd(file, lines, i + 1, to, no);
                        if (active) {
                            for (String t : DTYPES) {
                                expand(file, lines, i + 1, end, t, sb);
                            }
                        }
                        i = end; // the #end[each] line
                    }
                    case "if" -> {
                        condition(file, no, arg, dtype);
                        boolean branch = arg.equals(dtype);
                        open.push(new Block("if", arg, no, active, branch, false));
                        active = active && branch;
                    }
                    case "else" -> {
                        Block b = open.peek();
                        if (b == null || !b.kind.equals("if") || !b.cond.equals(arg) || b.inElse) {
                            throw new TemplateException(file, no, "#else[" + arg + "] "
                                    + (b == null ? "without an open #if" : "does not match " + describe(b)));
                        }
                        open.pop();
                        open.push(new Block("if", arg, b.line, b.wasActive, !b.branch, true));
                        active = b.wasActive && !b.branch;
                    }
                    case "end" -> {
                        if (arg.equals("each")) {
                            throw new TemplateException(file, no, "#end[each] without an open #each");
                        }
                        Block b = open.peek();
                        if (b == null || !b.cond.equals(arg)) {
                            throw new TemplateException(file, no, "#end[" + arg + "] "
                                    + (b == null ? "without an open #if" : "does not match " + describe(b)));
                        }
                        open.pop();
                        active = b.wasActive;
                    }
                    default -> throw new IllegalStateException(kind);
                }
                continue;
            }
            if (line.stripLeading().startsWith("#") && line.strip().matches("#[a-z]+\\[.*")) {
                throw new TemplateException(file, no, "unknown directive " + line.strip()
                        + " (known: #if[..], #else[..], #end[..], #each[double,float])");
            }
            if (active) {
                sb.append(substitute(file, no, line, dtype)).append('\n');
            }
        }
        if (!open.isEmpty()) {
            Block b = open.peek();
            throw new TemplateException(file, b.line, describe(b) + " is never closed (no #end[" + b.cond + "])");
        }
    }

    private static String describe(Block b) {
        return "#if[" + b.cond + "] of line " + b.line;
    }

    private static int findEachEnd(String file, List<String> lines, int from, int to, int start) {
        for (int j = from; j < to; j++) {
            Matcher d = DIRECTIVE.matcher(lines.get(j));
            if (d.matches()) {
                if (d.group(1).equals("each")) {
                    throw new TemplateException(file, j + 1, "#each inside the #each of line " + start);
                }
                if (d.group(1).equals("end") && d.group(2).trim().equals("each")) {
                    return j;
                }
            }
        }
        throw new TemplateException(file, start, "#each is never closed (no #end[each])");
    }

    private static void condition(String file, int no, String cond, String dtype) {
        if (!DTYPES.contains(cond)) {
            throw new TemplateException(file, no, "unknown condition [" + cond + "]: expected one of " + DTYPES);
        }
        if (dtype == null) {
            throw new TemplateException(file, no, "condition [" + cond + "] outside dtype code (#each or a -X template)");
        }
    }

    private static String substitute(String file, int no, String line, String dtype) {
        Matcher m = INLINE_IF.matcher(line);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            condition(file, no, m.group(1).trim(), dtype);
            String pick = m.group(1).trim().equals(dtype) ? m.group(2) : m.group(3) == null ? "" : m.group(3);
            m.appendReplacement(sb, Matcher.quoteReplacement(pick));
        }
        m.appendTail(sb);
        String text = sb.toString();
        if (text.contains("{#if[")) {
            throw new TemplateException(file, no, "malformed inline condition (expected {#if[dtype]?yes} or {#if[dtype]?yes:no})");
        }
        Matcher k = KEY.matcher(text);
        StringBuilder out = new StringBuilder();
        while (k.find()) {
            if (dtype == null) {
                throw new TemplateException(file, no, "key $" + k.group(1) + "$ outside dtype code (#each or a -X template)");
            }
            String v = KEYS.get(dtype).get(k.group(1));
            if (v == null) {
                throw new TemplateException(file, no, "unknown key $" + k.group(1) + "$ (known: "
                        + String.join(", ", KEYS.get(dtype).keySet().stream().map(s -> "$" + s + "$").toList()) + ")");
            }
            k.appendReplacement(out, Matcher.quoteReplacement(v));
        }
        k.appendTail(out);
        return out.toString();
    }
}
