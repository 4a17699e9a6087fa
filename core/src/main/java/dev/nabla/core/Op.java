package dev.nabla.core;

/**
 * The primitive operations. Every tensor is one of these applied to its inputs; everything else
 * (sub, div, tanh, softplus, logsumexp, normal sampling, …) is written with them in {@link Tensor},
 * so it needs no backward rule of its own. The meaning of each op is defined by the reference
 * backend; the backward rules are in {@link Autodiff}.
 */
public enum Op {
    // sources
    /** A literal array ({@link NdArray}). */
    CONSTANT(Kind.SOURCE),
    /** A named input supplied at each run. */
    PLACEHOLDER(Kind.SOURCE),
    /** A named value held by the graph (model parameters, optimizer state); plans may update it in place. */
    PARAMETER(Kind.SOURCE),
    /** A PRNG key supplied at each run (dtype KEY). */
    KEY_INPUT(Kind.SOURCE),
    /** A fixed PRNG key (dtype KEY). */
    KEY_CONSTANT(Kind.SOURCE),
    /** {@code key.fold(data)} (dtype KEY). */
    KEY_FOLD(Kind.KEY),
    /** Uniform numbers in [0, 1), element i a function of (key, i) alone (Philox4x32-10). */
    RANDOM_UNIFORM(Kind.RANDOM),
    /** Standard normal numbers, element i a function of (key, i) alone (Box–Muller in scalar code). */
    RANDOM_NORMAL(Kind.RANDOM),

    // elementwise unary
    NEG(Kind.UNARY), EXP(Kind.UNARY), LOG(Kind.UNARY), SIN(Kind.UNARY),
    /**
     * Cosine; primitive rather than {@code sin(x + π/2)}, whose rounded sum loses all relative accuracy near the
     * zeros of cos (cos(π/2) came out 1.22·10⁻¹⁶ instead of 6.12·10⁻¹⁷) and so in d sin/dx near π/2 and
     * d cos/dx = −sin x near 0.
     */
    COS(Kind.UNARY),
    SQRT(Kind.UNARY), RECIPROCAL(Kind.UNARY),
    /** {@code e^x − 1}, accurate near 0 (primitive so that softplus, tanh and log(1−u) stay accurate). */
    EXPM1(Kind.UNARY),
    /** {@code log(1 + x)}, accurate near 0. */
    LOG1P(Kind.UNARY),
    /** Hyperbolic tangent; primitive because its compositions with exp overflow into NaN gradients. */
    TANH(Kind.UNARY),
    /**
     * Logistic sigmoid {@code σ(x) = 1/(1 + e^{−x})}, computed as {@code 1/(1 + e^{−|x|})} for x ≥ 0 and
     * {@code e^{−|x|}/(1 + e^{−|x|})} below, so it never overflows; primitive (like JAX's {@code lax.logistic}) so
     * that SiLU costs one exponential and one division, and its derivative {@code σ(1 − σ)} needs no exponential.
     */
    LOGISTIC(Kind.UNARY),
    /** Conversion to the node's dtype. */
    CAST(Kind.UNARY),
    /** Identity whose derivative is zero. */
    STOP_GRADIENT(Kind.UNARY),

    // elementwise binary (equal shapes; broadcasting is explicit through EXPAND)
    ADD(Kind.BINARY), MUL(Kind.BINARY), MAX(Kind.BINARY),
    /** {@code a < b} as 1 or 0. */
    LESS(Kind.BINARY),

    /** {@code where(c, a, b)}: a where c ≠ 0, else b. */
    WHERE(Kind.TERNARY),

    // reductions (keep the reduced axes with extent 1)
    SUM(Kind.REDUCE), REDUCE_MAX(Kind.REDUCE),

    // movement
    RESHAPE(Kind.MOVEMENT), EXPAND(Kind.MOVEMENT), PERMUTE(Kind.MOVEMENT), SLICE(Kind.MOVEMENT), PAD(Kind.MOVEMENT),
    /**
     * Its inputs joined along axis {@code attr} (an Integer), each written into its slice of one buffer; primitive
     * so that a stack of n rows costs n copies of a row rather than n pads of the whole result and n − 1 adds.
     */
    CONCAT(Kind.MOVEMENT),

    /** Batched matrix product {@code [..., m, k] · [..., k, n]} with equal batch extents. */
    MATMUL(Kind.MATMUL);

    /** The families the compiler and backends dispatch on. */
    public enum Kind {
        /** Constants, parameters, placeholders. */
        SOURCE,
        /** PRNG keys and their folds. */
        KEY,
        /** Uniform or normal numbers drawn from a key. */
        RANDOM,
        /** Elementwise with one argument. */
        UNARY,
        /** Elementwise with two (broadcast) arguments. */
        BINARY,
        /** Elementwise with three arguments (select). */
        TERNARY,
        /** Sum or maximum over axes. */
        REDUCE,
        /** Reshape, permute, expand, slice, pad, concat: data movement only. */
        MOVEMENT,
        /** Batched matrix product. */
        MATMUL
    }

    public final Kind kind;

    Op(Kind kind) {
        this.kind = kind;
    }

    /** Whether the op maps elements one to one (and so can be fused into a single loop). */
    public boolean isElementwise() {
        return kind == Kind.UNARY || kind == Kind.BINARY || kind == Kind.TERNARY;
    }
}
