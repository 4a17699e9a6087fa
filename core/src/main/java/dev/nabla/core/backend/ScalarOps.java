package dev.nabla.core.backend;

import dev.nabla.core.DType;
import dev.nabla.core.Op;

/**
 * The scalar functions the elementwise primitives are defined with ({@link Op#apply}): the definition the reference
 * backend runs, constant folding uses, and the SIMD backend is tested against. float32 values are computed in double
 * and rounded once to float, which for +, ×, ÷ and √ is the correctly rounded float result.
 *
 * <p>exp, log, log1p, sin and cos (and the exp inside σ) are {@link VectorMath}'s float64 scalar twins, not
 * {@code Math}'s: fixed sequences of IEEE operations within 1 ulp of the exact value (against Math's
 * 1 ulp; measured in {@code VectorMathTest}), which the SIMD backend's float64 vector kernels evaluate lane for
 * lane. So the definition is the same bits in every JVM, JIT state and CPU, and the two backends, constant folding
 * and the SIMD tail agree bit for bit on these ops in float64 — a difference between backends is then a bug, not a
 * rounding. (float32 kernels compute in float and differ from this double-then-round definition by about an ulp
 * of float; tanh and expm1 stay {@code Math}'s, since the SIMD kernels compute them by other formulas anyway.)
 */
public final class ScalarOps {
    private ScalarOps() {
    }

    /** {@code op(a, b, c)}: the same as {@link Op#apply}. */
    public static double apply(Op op, double a, double b, double c) {
        return op.apply(a, b, c);
    }

    /** {@code e^x}, {@link ScalarMath}'s fixed sequence (the SIMD float64 lanes' twin). */
    public static double exp(double a) {
        return ScalarMath.exp(a);
    }

    /** {@code log x}, {@link ScalarMath}'s fixed sequence. */
    public static double log(double a) {
        return ScalarMath.log(a);
    }

    /** {@code log(1 + x)}, {@link ScalarMath}'s fixed sequence. */
    public static double log1p(double a) {
        return ScalarMath.log1p(a);
    }

    /** {@code sin x}, {@link ScalarMath}'s fixed sequence. */
    public static double sin(double a) {
        return ScalarMath.sin(a);
    }

    /** {@code cos x}, {@link ScalarMath}'s fixed sequence. */
    public static double cos(double a) {
        return ScalarMath.cos(a);
    }

    /** {@code erf x}, {@link ScalarMath}'s fixed sequence (fdlibm's method, within 1 ulp). */
    public static double erf(double a) {
        return ScalarMath.erf(a);
    }

    /** {@code 1/(1 + e^{−x})} without overflow: {@code r = 1/(1 + e^{−|x|})}, then r or {@code e^{−|x|}·r}. */
    public static double logistic(double a) {
        double e = ScalarMath.exp(-Math.abs(a));
        double r = 1.0 / (1.0 + e);
        return a < 0 ? e * r : r;
    }

    /** Rounds {@code v} to the precision of {@code dtype}. */
    public static double round(DType dtype, double v) {
        return dtype == DType.F32 ? (double) (float) v : v;
    }
}
