package dev.nabla.core;

import dev.nabla.core.backend.Backend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleUnaryOperator;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Relative accuracy of the composite ops of {@link Tensor} (and of their derivatives) at their critical points —
 * where the result is near 0 or a naive formula cancels, underflows or rounds a small term away — in both dtypes
 * and on both CPU backends. References are computed in float64 from formulas that are accurate there (each
 * Math function within 1 ulp); a float32 result is compared with the float64 reference of its float32 input.
 *
 * <p>Tolerance: {@link #ULPS} units in the last place of the reference in the result's dtype. A composite is a
 * chain of a few correctly rounded or ≤ 1-ulp steps (exp, log1p, a sum, a division), each adding at most an ulp
 * or so relative where no step cancels; 8 ulps bounds such a chain with room, while any cancellation or
 * underflow that the critical points provoke gives errors of 2⁺²⁰ ulps and more.
 */
class CompositeAccuracyTest {
    static final double ULPS = 8;

    static Stream<Arguments> backendsAndDtypes() {
        List<Arguments> a = new ArrayList<>();
        for (Backend b : List.of(Backend.reference(), Backend.simd(1))) {
            for (DType d : List.of(DType.F64, DType.F32)) {
                a.add(Arguments.of(b, d));
            }
        }
        return a.stream();
    }

    @ParameterizedTest
    @MethodSource("backendsAndDtypes")
    void logsumexpAndLogSoftmaxNearZero(Backend backend, DType dtype) {
        // log(e⁰ + e^{−t}) = log1p(e^{−t}): near 0 for large t, where a naive log(Σ) rounds it to 0
        double[] ts = dtype == DType.F64 ? new double[] {0, 1e-10, 1, 10, 36, 40, 100, 700}
                : new double[] {0, 1e-5, 1, 10, 17, 30, 80};
        for (double t0 : ts) {
            double t = round(dtype, t0);
            Tensor x = Tensor.placeholder("x", Shape.of(2), dtype);
            Tensor lse = x.logsumexp();
            Tensor lsm = x.logSoftmax();
            Tensor sm = x.softmax();
            Tensor grad = Autodiff.grad(lse, x);
            Plan p = Plan.compile(List.of(lse, lsm, sm, grad), backend);
            p.set(x, NdArray.of(new double[] {0, -t}).astype(dtype)).execute();
            double l = Math.log1p(Math.exp(-t));
            double s1 = 1 / (1 + Math.exp(-t));
            double s2 = Math.exp(-t) / (1 + Math.exp(-t));
            String at = "x = [0, " + (-t) + "], " + backend.name() + " " + dtype;
            close(l, p.get(lse).item(), dtype, "logsumexp " + at);
            close(-l, p.get(lsm).getFlat(0), dtype, "logSoftmax[0] " + at);
            close(-t - l, p.get(lsm).getFlat(1), dtype, "logSoftmax[1] " + at);
            close(s1, p.get(sm).getFlat(0), dtype, "softmax[0] " + at);
            close(s2, p.get(sm).getFlat(1), dtype, "softmax[1] " + at);
            close(s1, p.get(grad).getFlat(0), dtype, "∂logsumexp/∂x0 " + at);
            close(s2, p.get(grad).getFlat(1), dtype, "∂logsumexp/∂x1 " + at);
        }
        // ties and a shift: log(2e^a) = a + log 2 with its gradient split equally
        Tensor x = Tensor.placeholder("x", Shape.of(3), dtype);
        Tensor lse = x.logsumexp();
        Tensor grad = Autodiff.grad(lse, x);
        Plan p = Plan.compile(List.of(lse, grad), backend);
        p.set(x, NdArray.of(new double[] {5, 5, -200}).astype(dtype)).execute();
        close(5 + Math.log(2), p.get(lse).item(), dtype, "logsumexp of a tie");
        close(0.5, p.get(grad).getFlat(0), dtype, "∂ of a tie");
        close(0.5, p.get(grad).getFlat(1), dtype, "∂ of a tie");
    }

    @ParameterizedTest
    @MethodSource("backendsAndDtypes")
    void logsumexpOfInfinities(Backend backend, DType dtype) {
        Tensor x = Tensor.placeholder("x", Shape.of(2), dtype);
        Tensor lse = x.logsumexp();
        Plan p = Plan.compile(List.of(lse), backend);
        double inf = Double.POSITIVE_INFINITY;
        assertTrue(p.set(x, NdArray.of(new double[] {-inf, -inf}).astype(dtype)).execute().get(lse).item() == -inf);
        assertTrue(p.set(x, NdArray.of(new double[] {inf, 0}).astype(dtype)).execute().get(lse).item() == inf);
        assertTrue(p.set(x, NdArray.of(new double[] {-inf, 3}).astype(dtype)).execute().get(lse).item() == 3);
    }

    @ParameterizedTest
    @MethodSource("backendsAndDtypes")
    void softplusAndItsDerivativeInBothTails(Backend backend, DType dtype) {
        double far = dtype == DType.F64 ? 700 : 80; // e^{−far} is a normal number in the dtype
        double[] xs = {-far, -100, -20, -1, -1e-8, 0, 1e-8, 1, 20, 40, 100, far};
        check(backend, dtype, xs, Tensor::softplus,
                x -> x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)),
                CompositeAccuracyTest::sigmoid, "softplus");
    }

    @ParameterizedTest
    @MethodSource("backendsAndDtypes")
    void sigmoidAndSiluInTheLowerTail(Backend backend, DType dtype) {
        // the lowest points whose σ and x·σ are still normal numbers in the dtype (below, gradual underflow
        // leaves fewer significant bits: not an error of the op)
        double[] xs = dtype == DType.F64 ? new double[] {-700, -100, -30, -1, -1e-8, 0, 1e-8, 1, 30}
                : new double[] {-80, -30, -1, -1e-8, 0, 1e-8, 1, 30};
        check(backend, dtype, xs, Tensor::sigmoid, CompositeAccuracyTest::sigmoid, null, "sigmoid");
        check(backend, dtype, xs, Tensor::silu, x -> x * sigmoid(x), null, "silu");
    }

    @ParameterizedTest
    @MethodSource("backendsAndDtypes")
    void sqrtAndItsDerivativeNearZero(Backend backend, DType dtype) {
        double[] xs = dtype == DType.F64 ? new double[] {1e-300, 1e-100, 1e-20, 1e-8, 1} : new double[] {1e-30, 1e-10, 1e-4, 1};
        check(backend, dtype, xs, Tensor::sqrt, Math::sqrt, x -> 0.5 / Math.sqrt(x), "sqrt");
        check(backend, dtype, xs, Tensor::rsqrt, x -> 1 / Math.sqrt(x), x -> -0.5 / (x * Math.sqrt(x)), "rsqrt");
    }

    @ParameterizedTest
    @MethodSource("backendsAndDtypes")
    void tanNearItsZerosAndPoles(Backend backend, DType dtype) {
        // tan = sin/cos: relative accuracy at its zeros kπ needs sin accurate there, near its poles cos
        double[] xs = {1e-8, -1e-8, 0.5, Math.PI, -Math.PI, 2 * Math.PI, 10 * Math.PI, Math.PI / 2 - 1e-6,
                Math.PI / 2, 3 * Math.PI / 2};
        check(backend, dtype, xs, Tensor::tan, Math::tan, x -> 1 / (Math.cos(x) * Math.cos(x)), "tan");
    }

    /** σ(x), accurate in both tails. */
    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    /** Checks {@code f} elementwise against {@code want}, and its derivative against {@code dWant} when given. */
    static void check(Backend backend, DType dtype, double[] xs, UnaryOperator<Tensor> f, DoubleUnaryOperator want,
                      DoubleUnaryOperator dWant, String name) {
        Tensor x = Tensor.placeholder("x", Shape.of(xs.length), dtype);
        Tensor y = f.apply(x);
        List<Tensor> outs = new ArrayList<>(List.of(y));
        Tensor g = dWant == null ? null : Autodiff.grad(y.sum(), x);
        if (g != null) {
            outs.add(g);
        }
        Plan p = Plan.compile(outs, backend);
        NdArray in = NdArray.of(xs).astype(dtype);
        p.set(x, in).execute();
        for (int i = 0; i < xs.length; i++) {
            double xi = in.getFlat(i); // the input as the dtype holds it
            String at = name + " at x = " + xi + ", " + backend.name() + " " + dtype;
            close(want.applyAsDouble(xi), p.get(y).getFlat(i), dtype, at);
            if (g != null) {
                close(dWant.applyAsDouble(xi), p.get(g).getFlat(i), dtype, "d/dx " + at);
            }
        }
    }

    static void close(double want, double got, DType dtype, String what) {
        double w = round(dtype, want);
        double ulp = dtype == DType.F64 ? Math.ulp(w) : Math.ulp((float) w);
        if (w == 0 || Double.isInfinite(w)) { // exact zeros, and overflow in the dtype
            assertTrue(got == w, what + ": expected " + w + ", got " + got);
            return;
        }
        double err = Math.abs(got - w) / ulp;
        assertTrue(err <= ULPS, what + ": expected " + want + ", got " + got + " (" + err + " ulp)");
    }

    static double round(DType dtype, double v) {
        return dtype == DType.F32 ? (double) (float) v : v;
    }
}
