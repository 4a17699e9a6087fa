package dev.nabla.core.backend;

import dev.nabla.core.NdArray;
import dev.nabla.core.backend.simd.SimdBackend;
import dev.nabla.core.plan.Program;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.ServiceLoader;

/**
 * Runs compiled {@link Program}s. {@link #reference()} defines what every op means (scalar loops, no fusion,
 * double accumulation); {@link #simd()} runs the same programs with the JDK Vector API, fused elementwise
 * kernels, a register-tiled matmul and, for big kernels, several threads. Other backends (TornadoVM, in the
 * {@code gpu} module) implement this interface too, so changing backend is one argument.
 */
public interface Backend {
    /** A short name for messages and benchmark tables. */
    String name();

    /** Whether the compiler should fuse chains of elementwise ops into single kernels for this backend. */
    boolean fusesElementwise();

    /**
     * Prepares {@code program} to run. {@code parameters[i]} is the live storage of the program's parameter
     * {@code i}; the executable reads and updates it in place. With {@code debug}, every step's output is
     * checked and the first NaN or infinity fails naming the op that produced it.
     */
    Executable load(Program program, NdArray[] parameters, boolean debug);

    /** The scalar reference backend. */
    static Backend reference() {
        return ReferenceBackend.INSTANCE;
    }

    /** The Vector API backend using every available core for big kernels. */
    static Backend simd() {
        return simd(Runtime.getRuntime().availableProcessors());
    }

    /**
     * A backend by name, for command-line flags and configuration: {@code "reference"}, {@code "simd"} (every
     * core), {@code "simd:N"} (at most N threads), or the name of a backend another module provides through
     * {@link BackendProvider} (e.g. {@code "tornado"} from {@code nabla-gpu}).
     *
     * @throws IllegalArgumentException for an unknown name or bad options, listing the known names
     * @throws IllegalStateException    when a provided backend cannot run here (its message says what to install)
     */
    static Backend named(String spec) {
        Objects.requireNonNull(spec, "Backend.named: spec");
        String s = spec.trim();
        if (s.equals("reference")) {
            return reference();
        }
        if (s.equals("simd")) {
            return simd();
        }
        if (s.startsWith("simd:")) {
            try {
                return simd(Integer.parseInt(s.substring(5)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("Backend.named: '" + spec + "', expected simd:N with N >= 1 threads");
            }
        }
        String prefix = s.contains(":") ? s.substring(0, s.indexOf(':')) : s;
        List<String> known = new ArrayList<>(List.of("reference", "simd", "simd:N"));
        for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) {
            if (p.prefix().equals(prefix)) {
                return p.create(s);
            }
            known.add(p.prefix());
        }
        throw new IllegalArgumentException("Backend.named: unknown backend '" + spec + "'; expected one of " + known
                + (known.contains("tornado") ? "" : " (tornado needs nabla-gpu on the class path)"));
    }

    /**
     * The Vector API backend using at most {@code threads} threads.
     *
     * @throws IllegalStateException when the JVM was started without {@code --add-modules jdk.incubator.vector}
     *                               (the message says so; {@link #vectorApiAvailable} tells beforehand)
     */
    static Backend simd(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("simd: threads = " + threads + ", expected >= 1");
        }
        if (!vectorApiAvailable()) {
            throw new IllegalStateException("the simd backend " + VECTOR_API_MISSING);
        }
        return new SimdBackend(threads);
    }

    /** What to do when the Vector API is missing: the tail of the messages that say so. */
    String VECTOR_API_MISSING = "needs the JDK's Vector API, which this JVM was started without: add "
            + "--add-modules jdk.incubator.vector to the java command (in a jbang script: "
            + "//JAVA_OPTIONS --add-modules jdk.incubator.vector; with Maven: the compiler's and surefire's arguments)";

    /** Whether this JVM has the {@code jdk.incubator.vector} module that the SIMD backend is built on. */
    static boolean vectorApiAvailable() {
        return VectorApi.AVAILABLE;
    }
}
