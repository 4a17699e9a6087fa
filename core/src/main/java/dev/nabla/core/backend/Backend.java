package dev.nabla.core.backend;

import dev.nabla.core.NdArray;
import dev.nabla.core.plan.Program;

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

    /** The Vector API backend using at most {@code threads} threads. */
    static Backend simd(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("simd: threads = " + threads + ", expected >= 1");
        }
        return new SimdBackend(threads);
    }
}
