package dev.nabla.core.backend.simd;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Op;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.backend.ScalarOps;

import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link VectorMath}'s exp, log, log1p, sin and cos: accuracy over wide ranges, the special values of {@link Math},
 * and the SIMD kernels' lanes against the scalar twins, bit for bit.
 *
 * <p>Accuracy. float64 against {@link StrictMath} (fdlibm, within 1 ulp of the exact value): both are within 1 ulp,
 * so they differ by at most 2 ulps (measured: 1). float32 against the double {@link StrictMath} value, unrounded
 * (its own error is 2⁻²⁹ ulp of float): bound 2 ulps of float — the float kernels' polynomial and reduction errors
 * plus their roundings (measured: exp 0.92, log 0.74, log1p 0.77, sin 1.42, cos 1.47).
 */
class VectorMathFunctionsTest {
    static final String[] NAMES = {"exp", "log", "log1p", "sin", "cos"};
    static final DoubleUnaryOperator[] F64 = {VectorMath::exp, VectorMath::log, VectorMath::log1p, VectorMath::sin,
        VectorMath::cos};
    static final DoubleUnaryOperator[] REF = {StrictMath::exp, StrictMath::log, StrictMath::log1p, StrictMath::sin,
        StrictMath::cos};

    static float f32(int f, float x) {
        return switch (f) {
            case 0 -> VectorMath.exp(x);
            case 1 -> VectorMath.log(x);
            case 2 -> VectorMath.log1p(x);
            case 3 -> VectorMath.sin(x);
            default -> VectorMath.cos(x);
        };
    }

    /** Arguments for function f: its whole domain, log-uniform in magnitude, plus the regions where it is delicate. */
    static double[] arguments(int f, int n, long seed) {
        Random r = new Random(seed);
        double[] x = new double[n];
        for (int i = 0; i < n; i++) {
            double u = r.nextDouble() * 2 - 1;
            x[i] = switch (f) {
                case 0 -> r.nextInt(4) == 0 ? u * 750 : r.nextBoolean() ? u : u * 50; // overflow, underflow, |r| ≤ ln2/2
                case 1 -> Math.exp(u * 745) * (r.nextInt(10) == 0 ? 1e-10 : 1);       // subnormals to MAX_VALUE
                case 2 -> r.nextInt(3) == 0 ? -1 + Math.exp(-40 * r.nextDouble())        // just above −1
                        : Math.copySign(Math.exp(40 * u), Math.max(u, -0.9));
                default -> Math.copySign(Math.pow(2, r.nextDouble() * 36 - 4), u);     // up to 2³² (past both bounds)
            };
            if (f == 2 && x[i] <= -1) {
                x[i] = -0.5;
            }
        }
        return x;
    }

    @Test
    void float64Accuracy() {
        for (int f = 0; f < 5; f++) {
            double worst = 0;
            for (double x : arguments(f, 400_000, 1 + f)) {
                double want = REF[f].applyAsDouble(x);
                double got = F64[f].applyAsDouble(x);
                double err = want == got ? 0 : Math.abs(got - want) / Math.ulp(want);
                worst = Math.max(worst, err);
                assertTrue(err <= 2, NAMES[f] + "(" + x + ") = " + got + ", StrictMath " + want); // class comment
            }
            System.out.printf("VectorMath %s float64: max %.2f ulps against StrictMath%n", NAMES[f], worst);
        }
    }

    @Test
    void float32Accuracy() {
        for (int f = 0; f < 5; f++) {
            double worst = 0;
            for (double xd : arguments(f, 400_000, 11 + f)) {
                float x = (float) xd;
                double want = REF[f].applyAsDouble(x);
                float got = f32(f, x);
                if (Double.isInfinite(want) || want == 0 || (float) want == 0 || Float.isInfinite((float) want)) {
                    assertEquals((float) want, got, 0, NAMES[f] + "(" + x + ")");
                    continue;
                }
                double err = Math.abs(got - want) / Math.ulp((float) want);
                worst = Math.max(worst, err);
                assertTrue(err <= 2, NAMES[f] + "(" + x + ") = " + got + ", want " + want); // class comment
            }
            System.out.printf("VectorMath %s float32: max %.2f ulps against the double StrictMath%n", NAMES[f], worst);
        }
    }

    /** Special values give exactly what {@link Math} gives (bit for bit, NaNs as NaN), in float64 and float32. */
    @Test
    void specialValues() {
        double[] s = {0.0, -0.0, 1, -1, 2, -2, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            Double.MIN_VALUE, -Double.MIN_VALUE, Double.MIN_NORMAL, Double.MAX_VALUE, -Double.MAX_VALUE,
            709.782712893384, 709.7827128933841, 710, -745.1332191019411, -745.1332191019412, -746, 1e300, -1e300,
            0x1p30, Math.nextUp(0x1p30), 89, 88.72283935546875, -103.97, -104, 0x1p16, Math.nextUp(0x1p16f)};
        for (double x : s) {
            for (int f = 0; f < 5; f++) {
                double want = REF[f].applyAsDouble(x);
                double got = F64[f].applyAsDouble(x);
                if (Double.isNaN(want) || Double.isInfinite(want) || want == 0 || Math.abs(want) == 1) {
                    assertEquals(want, got, 0, NAMES[f] + "(" + x + ")"); // exact: the same value and sign of zero
                    if (!Double.isNaN(want)) { // a NaN's sign bit carries no meaning
                        assertEquals(Math.copySign(1, want), Math.copySign(1, got), NAMES[f] + "(" + x + ") sign");
                    }
                }
                float xf = (float) x;
                double wf = REF[f].applyAsDouble(xf);
                float gf = f32(f, xf);
                if (Double.isNaN(wf) || Double.isInfinite(wf) || (float) wf == 0 || Math.abs(wf) == 1
                        || Float.isInfinite((float) wf)) {
                    assertEquals((float) wf, gf, 0, NAMES[f] + "(" + xf + "f)");
                    if (!Double.isNaN(wf)) {
                        assertEquals(Math.copySign(1f, (float) wf), Math.copySign(1f, gf), NAMES[f] + "(" + xf + "f) sign");
                    }
                }
            }
        }
    }

    /**
     * Every lane of the vector functions equals the scalar twin, bit for bit (NaNs as NaN), run as the SIMD backend
     * runs them: one-op plans of 64 000 elements (the generated kernel) and of 1000 (the interpreter's kernels).
     * (Not by calling the vector methods from this test: a vector method compiled on its own, outside a kernel, is
     * no longer inlined into the kernels compiled after it, which then box their vectors.)
     */
    @Test
    void vectorLanesEqualScalarTwins() {
        Op[] ops = {Op.EXP, Op.LOG, Op.LOG1P, Op.SIN, Op.COS};
        for (int f = 0; f < 5; f++) {
            for (int n : new int[] {64_000, 1000}) {
                double[] x = arguments(f, n, 21 + f);
                x[5] = Double.NaN;
                x[6] = -0.0;
                x[7] = Double.NEGATIVE_INFINITY;
                x[8] = Double.POSITIVE_INFINITY;
                x[9] = Double.MIN_VALUE;
                for (DType dt : new DType[] {DType.F64, DType.F32}) {
                    Tensor in = Tensor.placeholder("x", Shape.of(n), dt);
                    Tensor y = new Tensor[] {in.exp(), in.log(), in.log1p(), in.sin(), in.cos()}[f];
                    assertEquals(ops[f], y.op());
                    Plan p = Plan.compile(List.of(y), Backend.simd(1));
                    p.set(in, NdArray.wrap(x.clone(), Shape.of(n)).astype(dt)).execute();
                    double[] got = p.get(y).toDoubleArray();
                    for (int i = 0; i < n; i++) {
                        double s = dt == DType.F64 ? F64[f].applyAsDouble(x[i]) : f32(f, (float) x[i]);
                        assertTrue(Double.doubleToLongBits(s) == Double.doubleToLongBits(got[i]),
                                dt + " " + NAMES[f] + "(" + x[i] + "): kernel " + got[i] + ", scalar " + s);
                    }
                }
            }
        }
    }

    /** The reference backend's definition (ScalarOps) is the float64 twin, so both backends agree bit for bit. */
    @Test
    void scalarOpsIsTheTwin() {
        Op[] ops = {Op.EXP, Op.LOG, Op.LOG1P, Op.SIN, Op.COS};
        for (int f = 0; f < 5; f++) {
            for (double x : arguments(f, 1000, 31 + f)) {
                assertEquals(F64[f].applyAsDouble(x), ScalarOps.apply(ops[f], x, 0, 0), 0, NAMES[f] + "(" + x + ")");
            }
        }
    }
}
