package dev.nabla.core;

/**
 * Element types of tensors. {@link #F64} is the default: the theory checks of nabla run in IEEE-754
 * binary64; {@link #F32} (binary32) is there for speed. {@link #KEY} is the type of PRNG key nodes
 * (shape {@code []}), which only random ops consume.
 */
public enum DType {
    /** IEEE-754 binary64. */
    F64,
    /** IEEE-754 binary32. */
    F32,
    /** A counter-based PRNG key (see {@link dev.nabla.core.random.Key}); not a number. */
    KEY;

    /** The type of {@code a op b}: float64 wins over float32, as in NumPy's promotion of floats. */
    public static DType promote(DType a, DType b) {
        if (a == KEY || b == KEY) {
            throw new IllegalArgumentException("a PRNG key is not a number: cannot combine " + a + " with " + b);
        }
        return a == F64 || b == F64 ? F64 : F32;
    }

    /** Machine epsilon (distance from 1 to the next larger number). */
    public double epsilon() {
        return switch (this) {
            case F64 -> Math.ulp(1.0);
            case F32 -> Math.ulp(1.0f);
            case KEY -> throw new IllegalStateException("KEY has no epsilon");
        };
    }
}
