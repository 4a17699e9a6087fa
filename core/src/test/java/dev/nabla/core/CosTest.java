package dev.nabla.core;

import dev.nabla.core.backend.Backend;

import java.util.List;
import java.util.stream.Stream;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * cos is a primitive, accurate to a few ulps relative where the old {@code sin(x + π/2)} lost everything: cos near its
 * zeros π/2 + kπ, d cos/dx = −sin x near 0, and d sin/dx = cos x near π/2 + kπ, in float64 and float32, on the
 * reference and SIMD backends (a short kernel, run by the SIMD interpreter, and one of 4096 + 5 elements, run by the
 * generated code and the interpreter's tail).
 *
 * <p>References: {@code StrictMath.sin}/{@code cos} in double (fdlibm, with its exact Payne–Hanek reduction near the
 * zeros too, within 1 ulp). Bounds: float64, 2 ulps of the reference — the computed value is within 1 ulp of
 * the exact one (fdlibm's reduction and kernels, {@code VectorMath}) and the reference within 1 ulp; float32, 2 ulps
 * of float measured against the unrounded double reference (whose own error, 2⁻⁵² relative, is 2⁻²⁹ ulp of float):
 * the float kernel's reduction and Taylor polynomials are within 1.5 ulps (VectorMathFunctionsTest) and the
 * reference backend rounds its double result once (0.5 ulp). The old composition missed these by far: cos(π/2)
 * came out 1.22·10⁻¹⁶ instead of 6.12·10⁻¹⁷, and d cos/dx at 10⁻⁹ in float32 87 times too large.
 */
class CosTest {
    static Stream<Backend> backends() {
        return Stream.of(Backend.reference(), Backend.simd(1));
    }

    /** π/2 + kπ for |k| ≤ 40 rounded to the dtype, and their neighbours up to 3 ulps away. */
    static double[] zerosOfCos(DType dt) {
        double[] x = new double[81 * 7];
        int n = 0;
        for (int k = -40; k <= 40; k++) {
            double z = Math.PI / 2 + k * Math.PI;
            for (int d = -3; d <= 3; d++) {
                if (dt == DType.F64) {
                    x[n++] = z + d * Math.ulp(z);
                } else {
                    float zf = (float) z;
                    x[n++] = zf + d * Math.ulp(zf);
                }
            }
        }
        return x;
    }

    /** ±10⁻ᵉ for e = 1 … 30 (float: 1 … 30 as floats), where sin x ≈ x. */
    static double[] nearZero(DType dt) {
        double[] x = new double[60];
        for (int e = 1; e <= 30; e++) {
            double v = Math.pow(10, -e) * 1.2345;
            x[2 * (e - 1)] = dt == DType.F64 ? v : (float) v;
            x[2 * (e - 1) + 1] = -x[2 * (e - 1)];
        }
        return x;
    }

    /** {@code x} repeated to {@code n} elements. */
    static double[] cycle(double[] x, int n) {
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = x[i % x.length];
        }
        return out;
    }

    static void check(DType dt, double[] x, double[] got, double[] want, String what) {
        for (int i = 0; i < x.length; i++) {
            double ulp = dt == DType.F64 ? Math.ulp(want[i]) : Math.ulp((float) want[i]);
            double err = Math.abs(got[i] - want[i]) / ulp;
            // see the class comment: ≤ 1 + 1 ulps in float64, ≤ 1.5 (+ 2⁻²⁹) ulps of float in float32
            assertTrue(err <= 2, dt + " " + what + "(" + x[i] + ") = " + got[i] + ", want " + want[i] + ": " + err
                    + " ulps");
        }
    }

    static double[] run(Backend b, DType dt, double[] x, java.util.function.Function<Tensor, Tensor> f) {
        Tensor in = Tensor.placeholder("x", Shape.of(x.length), dt);
        Tensor y = f.apply(in);
        Plan p = Plan.compile(List.of(y), b);
        p.set(in, NdArray.wrap(x.clone(), Shape.of(x.length)).astype(dt)).execute();
        return p.get(y).toDoubleArray();
    }

    @ParameterizedTest
    @MethodSource("backends")
    void cosNearItsZeros(Backend b) {
        for (DType dt : new DType[] {DType.F64, DType.F32}) {
            for (int n : new int[] {0, 4096 + 5}) {
                double[] x = n == 0 ? zerosOfCos(dt) : cycle(zerosOfCos(dt), n);
                double[] got = run(b, dt, x, Tensor::cos);
                double[] want = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    want[i] = StrictMath.cos(x[i]);
                }
                check(dt, x, got, want, "cos");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void derivativeOfCosNearZero(Backend b) {
        for (DType dt : new DType[] {DType.F64, DType.F32}) {
            for (int n : new int[] {0, 4096 + 5}) {
                double[] x = n == 0 ? nearZero(dt) : cycle(nearZero(dt), n);
                double[] got = run(b, dt, x, t -> Autodiff.grad(t.cos().sum(), t));
                double[] want = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    want[i] = -StrictMath.sin(x[i]);
                }
                check(dt, x, got, want, "d cos/dx");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("backends")
    void derivativeOfSinNearHalfPi(Backend b) {
        for (DType dt : new DType[] {DType.F64, DType.F32}) {
            for (int n : new int[] {0, 4096 + 5}) {
                double[] x = n == 0 ? zerosOfCos(dt) : cycle(zerosOfCos(dt), n);
                double[] got = run(b, dt, x, t -> Autodiff.grad(t.sin().sum(), t));
                double[] want = new double[x.length];
                for (int i = 0; i < x.length; i++) {
                    want[i] = StrictMath.cos(x[i]);
                }
                check(dt, x, got, want, "d sin/dx");
            }
        }
    }
}
