package dev.nabla.core.backend;

import dev.nabla.core.DType;
import dev.nabla.core.Op;

/**
 * What each elementwise primitive means, one value at a time: the definition the reference backend runs,
 * constant folding uses, and the SIMD backend is tested against. float32 values are computed in double
 * and rounded once to float, which for +, ×, ÷ and √ is the correctly rounded float result.
 */
public final class ScalarOps {
    private ScalarOps() {
    }

    /** {@code op(a, b, c)}; unary ops read {@code a}, binary {@code a, b}, WHERE {@code c ? a : b} with c first. */
    public static double apply(Op op, double a, double b, double c) {
        return switch (op) {
            case NEG -> -a;
            case EXP -> Math.exp(a);
            case EXPM1 -> Math.expm1(a);
            case LOG -> Math.log(a);
            case LOG1P -> Math.log1p(a);
            case SIN -> Math.sin(a);
            case SQRT -> Math.sqrt(a);
            case RECIPROCAL -> 1.0 / a;
            case TANH -> Math.tanh(a);
            case LOGISTIC -> logistic(a);
            case CAST, STOP_GRADIENT -> a;
            case ADD -> a + b;
            case MUL -> a * b;
            case MAX -> Math.max(a, b);
            case LESS -> a < b ? 1.0 : 0.0;
            case WHERE -> a != 0 ? b : c;
            default -> throw new IllegalArgumentException(op + " is not an elementwise op");
        };
    }

    /** {@code 1/(1 + e^{−x})} without overflow: {@code r = 1/(1 + e^{−|x|})}, then r or {@code e^{−|x|}·r}. */
    public static double logistic(double a) {
        double e = Math.exp(-Math.abs(a));
        double r = 1.0 / (1.0 + e);
        return a < 0 ? e * r : r;
    }

    /** Rounds {@code v} to the precision of {@code dtype}. */
    public static double round(DType dtype, double v) {
        return dtype == DType.F32 ? (double) (float) v : v;
    }
}
