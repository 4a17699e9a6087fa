package dev.nabla.dsl.nn;

/**
 * Weight initialisations of a {@link Linear} layer with {@code fanIn} inputs and {@code fanOut} outputs.
 * Uniform schemes draw {@code U(−a, a)}, normal schemes {@code N(0, s²)}; all are deterministic functions of a
 * {@link dev.nabla.core.random.Key} (Philox4x32-10 streams, see {@link Linear}).
 */
public enum Init {
    /** LeCun uniform: {@code a = √(3/fanIn)}, variance {@code 1/fanIn} (LeCun et al. 1998). */
    LECUN_UNIFORM,
    /** LeCun normal: {@code s = 1/√fanIn}. */
    LECUN_NORMAL,
    /** He (Kaiming) uniform: {@code a = √(6/fanIn)}, variance {@code 2/fanIn} (He et al. 2015). */
    HE_UNIFORM,
    /** He (Kaiming) normal: {@code s = √(2/fanIn)}. */
    HE_NORMAL,
    /** Glorot (Xavier) uniform: {@code a = √(6/(fanIn+fanOut))} (Glorot and Bengio 2010). */
    GLOROT_UNIFORM,
    /** All zeros (e.g. a last layer that starts as the zero function). */
    ZEROS;

    /** Whether this scheme draws from a normal distribution (else uniform or zeros). */
    boolean normal() {
        return this == LECUN_NORMAL || this == HE_NORMAL;
    }

    /** The half-width {@code a} of the uniform, or the standard deviation {@code s} of the normal. */
    double scale(int fanIn, int fanOut) {
        return switch (this) {
            case LECUN_UNIFORM -> Math.sqrt(3.0 / fanIn);
            case LECUN_NORMAL -> 1.0 / Math.sqrt(fanIn);
            case HE_UNIFORM -> Math.sqrt(6.0 / fanIn);
            case HE_NORMAL -> Math.sqrt(2.0 / fanIn);
            case GLOROT_UNIFORM -> Math.sqrt(6.0 / (fanIn + fanOut));
            case ZEROS -> 0;
        };
    }
}
