package dev.nabla.core;

import dev.nabla.core.backend.ScalarOps;

import java.util.ArrayList;
import java.util.List;

/**
 * The primitive operations, each defined here in one place: its family ({@link Kind}, which fixes the shape rule:
 * elementwise ops keep their operands' shape, reductions keep reduced axes with extent 1, movement ops are checked
 * where {@link Tensor} builds them), its meaning one value at a time ({@link #apply}, for the elementwise ops: what
 * the reference backend runs, constant folding uses and every other backend is tested against) and its backward
 * rule ({@link #backward}: the only place derivatives are defined; forward mode is its transpose, see
 * {@link Autodiff}). Everything else (sub, div, softplus, logsumexp, normal sampling, …) is written with these
 * in {@link Tensor}, so it needs no rule of its own.
 *
 * <p>What stays outside: the user-facing method in {@link Tensor}, and each backend's fast lowering — the SIMD
 * backend's vector loop (its dtype template, {@code SimdKernels}), found by name and falling back to
 * {@link #apply} lane by lane where an op has none; the TornadoVM backend's device code. Java cannot put those
 * here: the vector loops need the {@code jdk.incubator.vector} module, which this class must load without (the
 * reference backend runs where that module is missing), and the device code is compiled by TornadoVM from another
 * module. So a new elementwise primitive is this entry, a method in {@link Tensor}, and — for speed — a vector loop
 * (see {@code docs/core.md}).
 */
public enum Op {
    // sources
    /** A literal array ({@link NdArray}). */
    CONSTANT(Kind.SOURCE, null, null),
    /** A named input supplied at each run. */
    PLACEHOLDER(Kind.SOURCE, null, null),
    /** A named value held by the graph (model parameters, optimizer state); plans may update it in place. */
    PARAMETER(Kind.SOURCE, null, null),
    /** A PRNG key supplied at each run (dtype KEY). */
    KEY_INPUT(Kind.SOURCE, null, null),
    /** A fixed PRNG key (dtype KEY). */
    KEY_CONSTANT(Kind.SOURCE, null, null),
    /** {@code key.fold(data)} (dtype KEY). */
    KEY_FOLD(Kind.KEY, null, (n, g) -> none(1)),
    /** Uniform numbers in [0, 1), element i a function of (key, i) alone (Philox4x32-10). */
    RANDOM_UNIFORM(Kind.RANDOM, null, (n, g) -> none(1)),
    /** Standard normal numbers, element i a function of (key, i) alone (Box–Muller in scalar code). */
    RANDOM_NORMAL(Kind.RANDOM, null, (n, g) -> none(1)),

    // elementwise unary
    /** {@code −x}; {@code d(−x) = −dx}. */
    NEG(Kind.UNARY, (a, b, c) -> -a, (n, g) -> grads(g.neg())),
    /** {@code e^x}; {@code d e^x = e^x dx} (the node itself). */
    EXP(Kind.UNARY, (a, b, c) -> ScalarOps.exp(a), (n, g) -> grads(g.mul(n))),
    /** {@code log x}; {@code d log x = dx / x}. */
    LOG(Kind.UNARY, (a, b, c) -> ScalarOps.log(a), (n, g) -> grads(g.div(n.inputs[0]))),
    /** {@code sin x}; {@code d sin x = cos x dx} (the COS primitive, accurate near π/2 + kπ). */
    SIN(Kind.UNARY, (a, b, c) -> ScalarOps.sin(a), (n, g) -> grads(g.mul(n.inputs[0].cos()))),
    /**
     * Cosine; {@code d cos x = −sin x dx}. Primitive rather than {@code sin(x + π/2)}, whose rounded sum loses all
     * relative accuracy near the zeros of cos (cos(π/2) came out 1.22·10⁻¹⁶ instead of 6.12·10⁻¹⁷) and so in
     * d sin/dx near π/2 and d cos/dx = −sin x near 0.
     */
    COS(Kind.UNARY, (a, b, c) -> ScalarOps.cos(a), (n, g) -> grads(g.mul(n.inputs[0].sin()).neg())),
    /** {@code √x}; {@code d√x = dx / (2√x)}. */
    SQRT(Kind.UNARY, (a, b, c) -> Math.sqrt(a), (n, g) -> grads(g.div(n.mul(2)))),
    /** {@code 1/x}; {@code d(1/x) = −dx / x²}. */
    RECIPROCAL(Kind.UNARY, (a, b, c) -> 1.0 / a, (n, g) -> grads(g.mul(n.square()).neg())),
    /**
     * {@code e^x − 1}, accurate near 0 (primitive so that softplus, tanh and log(1−u) stay accurate);
     * {@code d(e^x − 1) = (out + 1) dx}.
     */
    EXPM1(Kind.UNARY, (a, b, c) -> Math.expm1(a), (n, g) -> grads(g.mul(n.add(1)))),
    /** {@code log(1 + x)}, accurate near 0; {@code d log(1+x) = dx / (1 + x)}. */
    LOG1P(Kind.UNARY, (a, b, c) -> ScalarOps.log1p(a), (n, g) -> grads(g.div(n.inputs[0].add(1)))),
    /**
     * Hyperbolic tangent; primitive because its compositions with exp overflow into NaN gradients;
     * {@code d tanh x = (1 − tanh² x) dx}.
     */
    TANH(Kind.UNARY, (a, b, c) -> Math.tanh(a), (n, g) -> grads(g.mul(n.square().rsub(1)))),
    /**
     * Logistic sigmoid {@code σ(x) = 1/(1 + e^{−x})}, computed as {@code 1/(1 + e^{−|x|})} for x ≥ 0 and
     * {@code e^{−|x|}/(1 + e^{−|x|})} below, so it never overflows; primitive (like JAX's {@code lax.logistic}) so
     * that SiLU costs one exponential and one division, and its derivative {@code σ(1 − σ)} needs no exponential.
     */
    LOGISTIC(Kind.UNARY, (a, b, c) -> ScalarOps.logistic(a), (n, g) -> grads(g.mul(n.mul(n.rsub(1))))),
    /**
     * The error function {@code erf x = (2/√π) ∫₀ˣ e^{−t²} dt}, within 1 ulp (fdlibm's method, see
     * {@code ScalarMath}); {@code d erf x = (2/√π) e^{−x²} dx}. The Gaussian CDF is {@code ½(1 + erf(x/√2))}.
     */
    ERF(Kind.UNARY, (a, b, c) -> ScalarOps.erf(a),
            (n, g) -> grads(g.mul(n.inputs[0].square().neg().exp().mul(Op.TWO_OVER_SQRT_PI)))),
    /** Conversion to the node's dtype (the value is rounded to it); the cotangent is cast back. */
    CAST(Kind.UNARY, (a, b, c) -> a, (n, g) -> grads(g.cast(n.inputs[0].dtype))),
    /** Identity whose derivative is zero. */
    STOP_GRADIENT(Kind.UNARY, (a, b, c) -> a, (n, g) -> none(1)),

    // elementwise binary (equal shapes; broadcasting is explicit through EXPAND)
    /** {@code a + b}. */
    ADD(Kind.BINARY, (a, b, c) -> a + b, (n, g) -> grads(g, g)),
    /** {@code a · b}; {@code d(ab) = b da + a db}. */
    MUL(Kind.BINARY, (a, b, c) -> a * b, (n, g) -> grads(g.mul(n.inputs[1]), g.mul(n.inputs[0]))),
    /** {@code max(a, b)}; the derivative goes to the larger argument, split equally on ties. */
    MAX(Kind.BINARY, (a, b, c) -> Math.max(a, b), (n, g) -> {
        Tensor a = n.inputs[0];
        Tensor b = n.inputs[1];
        Tensor aWins = b.lt(a).sub(a.lt(b)); // +1, 0 or -1
        return grads(g.mul(aWins.add(1).mul(0.5)), g.mul(aWins.rsub(1).mul(0.5)));
    }),
    /** {@code a < b} as 1 or 0; no derivative. */
    LESS(Kind.BINARY, (a, b, c) -> a < b ? 1.0 : 0.0, (n, g) -> none(2)),

    /** {@code where(c, a, b)}: a where c ≠ 0, else b; the cotangent goes to the chosen branch. */
    WHERE(Kind.TERNARY, (c, a, b) -> c != 0 ? a : b, (n, g) -> {
        Tensor zero = g.zerosLike();
        Tensor c = n.inputs[0];
        return grads(null, Tensor.where(c, g, zero), Tensor.where(c, zero, g));
    }),

    // reductions (keep the reduced axes with extent 1)
    /** Sum over axes; the cotangent is broadcast back over them. */
    SUM(Kind.REDUCE, null, (n, g) -> grads(g.broadcastTo(n.inputs[0].shape))),
    /** Maximum over axes; the cotangent goes to the maximal elements, split equally on ties. */
    REDUCE_MAX(Kind.REDUCE, null, (n, g) -> {
        Tensor x = n.inputs[0];
        Tensor hit = x.eq(n.broadcastTo(x.shape));
        Tensor share = hit.div(hit.sumKeep((int[]) n.attr));
        return grads(g.broadcastTo(x.shape).mul(share));
    }),

    // movement
    /** The same elements in a new shape. */
    RESHAPE(Kind.MOVEMENT, null, (n, g) -> grads(g.reshape(n.inputs[0].shape.dims()))),
    /** Broadcast of extent-1 axes; undone here and only here: the cotangent is summed over the expanded axes. */
    EXPAND(Kind.MOVEMENT, null, (n, g) -> {
        Shape in = n.inputs[0].shape;
        List<Integer> axes = new ArrayList<>();
        for (int a = 0; a < in.rank(); a++) {
            if (in.dim(a) != n.shape.dim(a)) {
                axes.add(a);
            }
        }
        return grads(g.sumKeep(axes.stream().mapToInt(Integer::intValue).toArray()));
    }),
    /** Axis permutation; the cotangent goes through the inverse permutation. */
    PERMUTE(Kind.MOVEMENT, null, (n, g) -> {
        int[] p = (int[]) n.attr;
        int[] inv = new int[p.length];
        for (int i = 0; i < p.length; i++) {
            inv[p[i]] = i;
        }
        return grads(g.permute(inv));
    }),
    /** {@code [start, end)} along each axis; the cotangent is padded back with zeros. */
    SLICE(Kind.MOVEMENT, null, (n, g) -> {
        int[][] se = (int[][]) n.attr;
        Shape in = n.inputs[0].shape;
        Tensor r = g;
        for (int a = 0; a < in.rank(); a++) {
            r = r.pad(a, se[0][a], in.dim(a) - se[1][a]);
        }
        return grads(r);
    }),
    /** Zeros before and after along each axis; the cotangent is the interior slice. */
    PAD(Kind.MOVEMENT, null, (n, g) -> {
        int[][] ba = (int[][]) n.attr;
        Tensor r = g;
        for (int a = 0; a < g.rank(); a++) {
            r = r.slice(a, ba[0][a], g.shape.dim(a) - ba[1][a]);
        }
        return grads(r);
    }),
    /**
     * Its inputs joined along axis {@code attr} (an Integer), each written into its slice of one buffer; primitive
     * so that a stack of n rows costs n copies of a row rather than n pads of the whole result and n − 1 adds. The
     * cotangent of each part is its slice of the output's.
     */
    CONCAT(Kind.MOVEMENT, null, (n, g) -> {
        int a = (Integer) n.attr;
        Tensor[] r = new Tensor[n.inputs.length];
        int off = 0;
        for (int i = 0; i < r.length; i++) {
            int len = n.inputs[i].shape.dim(a);
            r[i] = g.slice(a, off, off + len);
            off += len;
        }
        return r;
    }),

    /**
     * Batched matrix product {@code [..., m, k] · [..., k, n]} with equal batch extents; for {@code C = A B},
     * {@code dA = G Bᵀ} and {@code dB = Aᵀ G}.
     */
    MATMUL(Kind.MATMUL, null, (n, g) -> grads(g.matmul(n.inputs[1].transpose()), n.inputs[0].transpose().matmul(g)));

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

    /** An elementwise primitive's value: unary ops read {@code a}, binary {@code a, b}, ternary all three in order. */
    @FunctionalInterface
    interface Scalar {
        double apply(double a, double b, double c);
    }

    /** A backward rule: given the node and the cotangent of its output, the cotangent of each input (null = 0). */
    @FunctionalInterface
    interface Backward {
        Tensor[] apply(Tensor node, Tensor g);
    }

    /** {@code 2/√π}, rounded to double. */
    private static final double TWO_OVER_SQRT_PI = 1.1283791670955126;

    public final Kind kind;
    private final Scalar scalar;
    private final Backward backward;

    Op(Kind kind, Scalar scalar, Backward backward) {
        this.kind = kind;
        this.scalar = scalar;
        this.backward = backward;
    }

    /** Whether the op maps elements one to one (and so can be fused into a single loop). */
    public boolean isElementwise() {
        return kind == Kind.UNARY || kind == Kind.BINARY || kind == Kind.TERNARY;
    }

    /**
     * The elementwise op's value at one point, in double (a float32 node rounds it once to float); unary ops read
     * {@code a}, binary {@code a, b}, WHERE {@code c ? a : b} with the condition first. The definition every
     * backend is tested against.
     *
     * @throws IllegalArgumentException if the op is not elementwise
     */
    public double apply(double a, double b, double c) {
        if (scalar == null) {
            throw new IllegalArgumentException(this + " is not an elementwise op");
        }
        return scalar.apply(a, b, c);
    }

    /** The cotangents of {@code node}'s inputs given the cotangent {@code g} of its output (null = zero). */
    Tensor[] backward(Tensor node, Tensor g) {
        if (backward == null) {
            throw new IllegalArgumentException(this + " is a source and has no inputs");
        }
        return backward.apply(node, g);
    }

    private static Tensor[] grads(Tensor... gs) {
        return gs;
    }

    private static Tensor[] none(int arity) {
        return new Tensor[arity];
    }
}
