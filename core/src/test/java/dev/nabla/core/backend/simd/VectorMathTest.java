package dev.nabla.core.backend.simd;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.backend.ScalarOps;

import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SIMD backend's fused tanh and expm1 kernels (built from the vector exp and Cephes' rational approximations), run
 * through a compiled plan, against
 * {@code Math.tanh} and {@code Math.expm1} (themselves within 1–2.5 ulps of the exact values) on dense grids that
 * cover both branches, the switch points, tiny arguments, saturation and ±0. Bound: 4 ulps of the result, in
 * float64 and float32. The rational branches are accurate to about one rounding; on the exp branches, just past
 * the switch points, {@code eˣ − 1} and {@code 1 − e^{−2|x|}} lose up to log₂(e^{0.5}/(e^{0.5} − 1)) ≈ 1.3 bits
 * to cancellation, so the vector exp's ≤ 1 ulp becomes ≤ 2.5 ulps of the result, plus the final roundings.
 *
 * <p>The logistic kernel ({@code r = 1/(1 + e^{−|x|})}, then r or {@code e^{−|x|}·r}) has no cancellation: the
 * exp's ≤ 1 ulp reaches r scaled by {@code e/(1 + e) ≤ ½}, the add and the division round once each, and the
 * product for x &lt; 0 adds the exp's ulp and one more rounding, so each of the vector and the scalar
 * ({@code ScalarOps.logistic}, on {@code Math.exp}) is within 3 ulps of σ(x); in float64 they are compared with
 * each other (bound 3 + 3 = 6 ulps), in float32 against the float64 scalar value rounded to float (0.5 + 3 ≤ 4).
 */
class VectorMathTest {
    static double[] grid() {
        int n = 200_000;
        double[] x = new double[n + 8];
        for (int i = 0; i < n; i++) {
            double u = (i - n / 2) / (double) (n / 2); // [-1, 1)
            x[i] = Math.signum(u) * Math.pow(10, 6 * Math.abs(u) - 5) * (1 + 1e-3 * (i % 7)); // 1e-5 … 1e1 magnitudes
        }
        double[] special = {0.0, -0.0, 0.625, -0.625, 0.5, -0.5, 30, -800};
        System.arraycopy(special, 0, x, n, special.length);
        return x;
    }

    /** tanh and expm1 of every grid point, through one-op plans on the SIMD backend. */
    static double[][] viaSimd(double[] x, DType dt) {
        Tensor in = Tensor.placeholder("x", Shape.of(x.length), dt);
        Tensor t = in.tanh();
        Tensor e = in.expm1();
        Tensor s = in.sigmoid();
        Plan p = Plan.compile(List.of(t, e, s), Backend.simd(1));
        p.set(in, NdArray.wrap(x.clone(), Shape.of(x.length)).astype(dt)).execute();
        return new double[][] {p.get(t).toDoubleArray(), p.get(e).toDoubleArray(), p.get(s).toDoubleArray()};
    }

    @Test
    void float64() {
        double[] x = grid();
        double[][] r = viaSimd(x, DType.F64);
        double worstT = 0;
        double worstE = 0;
        for (int i = 0; i < x.length; i++) {
            worstT = Math.max(worstT, ulps(Math.tanh(x[i]), r[0][i]));
            if (x[i] < 700) {
                worstE = Math.max(worstE, ulps(Math.expm1(x[i]), r[1][i]));
            }
        }
        assertTrue(worstT <= 4, "tanh: " + worstT + " ulps");
        assertTrue(worstE <= 4, "expm1: " + worstE + " ulps");
        double worstS = 0;
        for (int i = 0; i < x.length; i++) {
            worstS = Math.max(worstS, ulps(ScalarOps.logistic(x[i]), r[2][i]));
        }
        assertTrue(worstS <= 6, "logistic: " + worstS + " ulps");
    }

    @Test
    void float32() {
        double[] xd = grid();
        double[] x = new double[xd.length];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) xd[i];
        }
        double[][] r = viaSimd(x, DType.F32);
        double worstT = 0;
        double worstE = 0;
        for (int i = 0; i < x.length; i++) {
            worstT = Math.max(worstT, ulpsF((float) Math.tanh(x[i]), (float) r[0][i]));
            if (x[i] < 80) {
                worstE = Math.max(worstE, ulpsF((float) Math.expm1(x[i]), (float) r[1][i]));
            }
        }
        assertTrue(worstT <= 4, "tanh f32: " + worstT + " ulps");
        assertTrue(worstE <= 4, "expm1 f32: " + worstE + " ulps");
        double worstS = 0;
        for (int i = 0; i < x.length; i++) {
            worstS = Math.max(worstS, ulpsF((float) ScalarOps.logistic(x[i]), (float) r[2][i]));
        }
        assertTrue(worstS <= 4, "logistic f32: " + worstS + " ulps");
    }

    /**
     * Past the least argument whose exp the kernels take (EXP_MIN = ln(MIN_NORMAL) + 1, there to keep the vector
     * exp off its subnormal slow path): tanh is ±1 and expm1 is −1 exactly, as in {@code Math}; σ is returned as 0
     * where the exact value is below 3·MIN_NORMAL, and stays within the ulp bounds above down to EXP_MIN.
     */
    @Test
    void argumentsWhoseExpIsSubnormal() {
        // 2·1000 elements run on the interpreted kernels, 2·4096 on the generated ones (SimdCodegen.MIN_SIZE)
        for (int n : new int[] {1000, 4096}) {
            checkSubnormalRange(n, DType.F64);
            checkSubnormalRange(n, DType.F32);
        }
    }

    static void checkSubnormalRange(int n, DType dt) {
        boolean f64 = dt == DType.F64;
        double expMin = f64 ? SimdF64.EXP_MIN : SimdF32.EXP_MIN;
        double lo = f64 ? -760 : -110;
        double[] x = new double[2 * n];
        for (int i = 0; i < n; i++) {
            double v = lo + (expMin + 20 - lo) * i / n;
            x[i] = f64 ? v : (float) v;
            x[n + i] = -x[i] / 2; // tanh's exp is of −2|x|
        }
        double[][] r = viaSimd(x, dt);
        for (int i = 0; i < n; i++) {
            double v = x[i];
            assertTrue(r[0][i] == -1 && r[0][n + i] == 1, dt + " tanh(" + v + ") = " + r[0][i]);
            if (v < expMin) {
                assertTrue(r[1][i] == -1, dt + " expm1(" + v + ") = " + r[1][i]);
                assertTrue(r[2][i] == 0, dt + " σ(" + v + ") = " + r[2][i]);
                assertTrue(ScalarOps.logistic(v) < 3 * (f64 ? Double.MIN_NORMAL : Float.MIN_NORMAL), "flushed σ(" + v + ")");
            } else {
                double want = ScalarOps.logistic(v);
                double err = f64 ? ulps(want, r[2][i]) : ulpsF((float) want, (float) r[2][i]);
                assertTrue(err <= 6, dt + " σ(" + v + "): " + err + " ulps");
            }
        }
    }

    static double ulps(double expected, double got) {
        if (expected == got) {
            return 0;
        }
        return Math.abs(expected - got) / Math.ulp(expected);
    }

    static double ulpsF(float expected, float got) {
        if (expected == got) {
            return 0;
        }
        return Math.abs(expected - got) / Math.ulp(expected);
    }
}
