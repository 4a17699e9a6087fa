package dev.nabla.core;

import dev.nabla.core.backend.Backend;

import java.math.BigDecimal;
import java.math.MathContext;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The error function primitive ({@link Op#ERF}): its definition against a 60-digit reference, the backends against
 * the definition (float64 bit for bit: the SIMD lanes perform the definition's operations; float32 the definition
 * rounded once), and its derivatives.
 *
 * <p>Reference: {@code erf x = (2/√π) Σₙ (−1)ⁿ x²ⁿ⁺¹ / (n! (2n + 1))} summed in {@link BigDecimal} with 90
 * significant digits; for |x| ≤ 6 the largest term is below e³⁶ ≈ 4·10¹⁵, so cancellation costs at most 16 of
 * them and the sum is good to better than 10⁻⁷⁰, far below half an ulp of the result.
 */
class ErfTest {
    private static final MathContext MC = new MathContext(90);
    private static final BigDecimal PI = new BigDecimal("3.14159265358979323846264338327950288419716939937510"
            + "58209749445923078164062862089986280348253421170679");

    /** erf x to 90 digits, |x| ≤ 6. */
    static BigDecimal erfReference(double x) {
        BigDecimal bx = new BigDecimal(x);
        BigDecimal x2 = bx.multiply(bx, MC);
        BigDecimal power = bx; // (−1)ⁿ x²ⁿ⁺¹ / n!
        BigDecimal sum = BigDecimal.ZERO;
        BigDecimal eps = new BigDecimal("1e-80");
        for (int n = 0; ; n++) {
            BigDecimal term = power.divide(BigDecimal.valueOf(2L * n + 1), MC);
            sum = sum.add(term, MC);
            if (term.abs().compareTo(eps) < 0 && n > 2) {
                break;
            }
            power = power.multiply(x2, MC).divide(BigDecimal.valueOf(-(n + 1L)), MC);
        }
        return sum.multiply(BigDecimal.valueOf(2), MC).divide(PI.sqrt(MC), MC);
    }

    static double[] grid() {
        Random r = new Random(7);
        double[] x = new double[4000];
        for (int i = 0; i < x.length; i++) {
            double scale = switch (i % 4) {
                case 0 -> 0.9;  // the small-argument rational approximation
                case 1 -> 1.3;  // around 1: the one about erf(1)
                case 2 -> 3.0;  // both tail approximations
                default -> 6.5; // and ±1 from 6 on
            };
            x[i] = (2 * r.nextDouble() - 1) * scale;
        }
        return x;
    }

    static double ulps(double got, BigDecimal want) {
        double w = want.doubleValue();
        return new BigDecimal(got).subtract(want).abs().doubleValue() / Math.ulp(w);
    }

    @Test
    void definitionIsWithinOneUlp() {
        double worst = 0;
        for (double x : grid()) {
            double got = Op.ERF.apply(x, 0, 0);
            double err = Math.abs(x) >= 6 ? (got == Math.signum(x) ? 0 : 99) : ulps(got, erfReference(x));
            // fdlibm's bound for its erf is < 1 ulp; our Horner steps are fused multiply-adds (fewer roundings)
            assertTrue(err < 1, "erf(" + x + ") = " + got + ": " + err + " ulps");
            worst = Math.max(worst, err);
        }
        assertTrue(worst > 0.1, "the grid reaches the ulp level (worst " + worst + ")");
    }

    @Test
    void specialValues() {
        assertEquals(0.0, Op.ERF.apply(0.0, 0, 0));
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(Op.ERF.apply(-0.0, 0, 0)));
        assertEquals(1.0, Op.ERF.apply(Double.POSITIVE_INFINITY, 0, 0));
        assertEquals(-1.0, Op.ERF.apply(Double.NEGATIVE_INFINITY, 0, 0));
        assertTrue(Double.isNaN(Op.ERF.apply(Double.NaN, 0, 0)));
        // erf x ≈ (2/√π) x near 0, down to the subnormals
        for (double x : new double[] {1e-10, 1e-200, Double.MIN_NORMAL, 4 * Double.MIN_VALUE}) {
            double want = 1.1283791670955126 * x;
            assertEquals(want, Op.ERF.apply(x, 0, 0), Math.ulp(want), "erf(" + x + ")");
        }
    }

    static Stream<Backend> backends() {
        return Stream.of(Backend.reference(), Backend.simd(1), Backend.simd(2));
    }

    static double[] run(Backend b, DType dt, double[] x, java.util.function.Function<Tensor, Tensor> f) {
        Tensor in = Tensor.placeholder("x", Shape.of(x.length), dt);
        Tensor y = f.apply(in);
        Plan p = Plan.compile(List.of(y), b);
        p.set(in, NdArray.wrap(x.clone(), Shape.of(x.length)).astype(dt)).execute();
        return p.get(y).toDoubleArray();
    }

    /** The grid, then special values, cycled to n elements (n = 4096 + 5: vector loops and a scalar tail). */
    static double[] inputs(DType dt, int n) {
        double[] g = grid();
        double[] special = {0.0, -0.0, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY, Double.NaN, 1e-300, 0.84375,
                -0.84375, 1.25, -1.25, 1 / 0.35, 6, -6, 27, -1e300};
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            double v = i < special.length ? special[i] : g[i % g.length];
            x[i] = dt == DType.F64 ? v : (float) v;
        }
        return x;
    }

    @ParameterizedTest
    @MethodSource("backends")
    void backendsComputeTheDefinition(Backend b) {
        for (DType dt : new DType[] {DType.F64, DType.F32}) {
            for (int n : new int[] {37, 4096 + 5}) {
                double[] x = inputs(dt, n);
                double[] got = run(b, dt, x, Tensor::erf);
                for (int i = 0; i < n; i++) {
                    double want = Op.ERF.apply(x[i], 0, 0);
                    if (dt == DType.F32) {
                        want = (float) want;
                    }
                    assertEquals(Double.doubleToRawLongBits(want), Double.doubleToRawLongBits(got[i]),
                            b.name() + " " + dt + " erf(" + x[i] + ") = " + got[i] + ", definition " + want);
                }
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void derivatives(Backend b) {
        double[] x = inputs(DType.F64, 4096 + 5);
        double[] d1 = run(b, DType.F64, x, t -> Autodiff.grad(t.erf().sum(), t));
        double[] d2 = run(b, DType.F64, x, t -> Autodiff.grad(Autodiff.grad(t.erf().sum(), t).sum(), t));
        for (int i = 0; i < x.length; i++) {
            if (!Double.isFinite(x[i])) {
                continue; // e^{−x²} → 0 but −2x e^{−x²} is ∞·0 at ±∞: the derivatives are checked at finite x
            }
            double g = 2 / Math.sqrt(Math.PI) * Math.exp(-x[i] * x[i]);
            // d erf = (2/√π) e^{−x²}, d² erf = −2x (2/√π) e^{−x²}: a few roundings of exp, square and products
            // against Math's, so 8 ulps relative plus the absolute floor of subnormal results
            assertEquals(g, d1[i], 8 * Math.ulp(g) + Double.MIN_VALUE, "d erf/dx at " + x[i]);
            double h = -2 * x[i] * g;
            assertEquals(h, d2[i], 8 * Math.ulp(h) + Double.MIN_VALUE, "d² erf/dx² at " + x[i]);
        }
    }
}
