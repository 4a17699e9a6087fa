package dev.nabla.core;

import dev.nabla.core.backend.Backend;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Reverse-mode derivatives of random expression graphs (depth 6–10, {@link RandomGraphs}) against finite
 * differences in float64, to third order: each order's automatic derivative is compared with a finite
 * difference of the order below, which was itself obtained by automatic differentiation.
 *
 * <p>Finite differences use the five-point stencil {@code D(h) = [−f(2h) + 8f(h) − 8f(−h) + f(−2h)]/(12h)}, whose
 * error is {@code −h⁴/30·f⁽⁵⁾ + O(h⁶·f⁽⁷⁾)}, Richardson-extrapolated over h = 1e-3 and h/2:
 * {@code (16·D(h/2) − D(h))/15} cancels the h⁴ term, leaving {@code O(h⁶·|f⁽⁷⁾|) ≈ 1e-18·|f⁽⁷⁾|}, and round-off
 * {@code ≈ (16·2 + 1)/15 · 18·2⁻⁵³·|f|/(12h) ≈ 5e-13·|f|}. The graphs use only bounded, smooth ops on inputs in
 * [−1, 1], so values are O(1)–O(10²); their high derivatives can be large (compositions such as exp∘tanh
 * reach |f⁽⁵⁾| ≈ 1e7, which left the plain stencil 4e-7 off), and the extrapolation keeps the truncation far
 * below the tolerance {@code 1e-7·(1 + |exact|)}, while a wrong rule (a sign, a missing broadcast sum, a
 * transposed factor) gives errors of order |exact|.
 */
class GradientProperties {
    static final double H = 1e-3;
    static final double TOL = 1e-7;

    static double fivePoint(DoubleUnaryOperator f) {
        return (16 * fivePoint(f, H / 2) - fivePoint(f, H)) / 15;
    }

    static double fivePoint(DoubleUnaryOperator f, double h) {
        return (-f.applyAsDouble(2 * h) + 8 * f.applyAsDouble(h) - 8 * f.applyAsDouble(-h) + f.applyAsDouble(-2 * h))
                / (12 * h);
    }

    static double[] random(Random r, int n) {
        return RandomGraphs.weights(r, n);
    }

    static double[] axpy(double[] x, double t, double[] d) {
        double[] out = x.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] += t * d[i];
        }
        return out;
    }

    static double dot(double[] a, double[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i] * b[i];
        }
        return s;
    }

    static void close(double exact, double approx, String what, Object graph) {
        double err = Math.abs(exact - approx);
        assertTrue(err <= TOL * (1 + Math.abs(exact)), what + ": automatic " + exact + " vs finite difference "
                + approx + " (error " + err + ") for " + graph);
    }

    @Property(tries = 60)
    void gradientsMatchFiniteDifferences(@ForAll long seed, @ForAll @IntRange(min = 6, max = 10) int depth,
                                         @ForAll @IntRange(min = 1, max = 3) int a,
                                         @ForAll @IntRange(min = 1, max = 4) int b) {
        RandomGraphs.Graph g = RandomGraphs.build(seed, depth, a, b, true, DType.F64);
        List<Tensor> grads = Autodiff.grad(g.f(), List.of(g.x(), g.y()));
        Plan plan = Plan.compile(List.of(g.f(), grads.get(0), grads.get(1)), Backend.reference());
        Random r = new Random(seed ^ 0x5DEECE66DL);
        double[] xv = random(r, a * b);
        double[] yv = random(r, b);
        plan.set(g.x(), xv).set(g.y(), yv).execute();
        double[] gx = plan.get(grads.get(0)).toDoubleArray();
        double[] gy = plan.get(grads.get(1)).toDoubleArray();
        for (int i = 0; i < xv.length; i++) {
            double[] e = new double[xv.length];
            e[i] = 1;
            double fd = fivePoint(t -> plan.set(g.x(), axpy(xv, t, e)).set(g.y(), yv).execute().get(g.f()).item());
            close(gx[i], fd, "d f / d x[" + i + "]", g);
        }
        for (int i = 0; i < yv.length; i++) {
            double[] e = new double[yv.length];
            e[i] = 1;
            double fd = fivePoint(t -> plan.set(g.x(), xv).set(g.y(), axpy(yv, t, e)).execute().get(g.f()).item());
            close(gy[i], fd, "d f / d y[" + i + "]", g);
        }
    }

    @Property(tries = 40)
    void secondAndThirdDerivativesMatchFiniteDifferencesOfTheOrderBelow(
            @ForAll long seed, @ForAll @IntRange(min = 6, max = 8) int depth,
            @ForAll @IntRange(min = 1, max = 3) int a, @ForAll @IntRange(min = 1, max = 3) int b) {
        RandomGraphs.Graph g = RandomGraphs.build(seed, depth, a, b, true, DType.F64);
        Tensor v = Tensor.placeholder("v", g.x().shape());
        Tensor w = Tensor.placeholder("w", g.x().shape());
        Tensor gx = Autodiff.grad(g.f(), g.x());
        Tensor hv = Autodiff.hvp(g.f(), g.x(), v);                  // ∇²f v
        Tensor wHv = hv.mul(w).sum();                                // wᵀ ∇²f v
        Tensor third = Autodiff.grad(wHv, g.x());                    // ∇(wᵀ ∇²f v) = D³f[v, w, ·]
        // y is declared: a random graph need not read it, and its derivatives need not either
        Plan plan = Plan.builder().outputs(List.of(gx, hv, wHv, third)).inputs(g.y()).backend(Backend.reference()).build();
        Random r = new Random(seed ^ 0xB5AD4ECEDA1CE2A9L);
        double[] xv = random(r, a * b);
        double[] yv = random(r, b);
        double[] vv = random(r, a * b);
        double[] wv = random(r, a * b);
        double[] uv = random(r, a * b);
        plan.set(g.x(), xv).set(g.y(), yv).set(v, vv).set(w, wv).execute();
        double[] hvAt = plan.get(hv).toDoubleArray();
        double thirdU = dot(plan.get(third).toDoubleArray(), uv);
        // second order: ∇²f v against the finite difference of the (automatic) gradient along v
        for (int i = 0; i < xv.length; i++) {
            int k = i;
            double fd = fivePoint(t -> plan.set(g.x(), axpy(xv, t, vv)).execute().get(gx).getFlat(k));
            close(hvAt[i], fd, "(∇²f v)[" + i + "]", g);
        }
        // third order: D³f[v, w, u] against the finite difference of wᵀ∇²f v along u
        double fd3 = fivePoint(t -> plan.set(g.x(), axpy(xv, t, uv)).execute().get(wHv).item());
        close(thirdU, fd3, "D³f[v, w, u]", g);
    }

    @Property(tries = 60)
    void jvpAndVjpAreAdjoint(@ForAll long seed, @ForAll @IntRange(min = 6, max = 10) int depth,
                             @ForAll @IntRange(min = 1, max = 3) int a, @ForAll @IntRange(min = 1, max = 4) int b) {
        RandomGraphs.Graph g = RandomGraphs.build(seed, depth, a, b, true, DType.F64);
        Tensor y = g.last();
        Tensor v = Tensor.placeholder("v", g.x().shape());
        Tensor u = Tensor.placeholder("u", y.shape());
        Tensor jv = Autodiff.jvp(y, g.x(), v);
        Tensor jtu = Autodiff.vjp(y, g.x(), u);
        Tensor lhs = u.mul(jv).sum();
        Tensor rhs = jtu.mul(v).sum();
        Random r = new Random(seed * 31 + 7);
        Plan plan = Plan.builder().outputs(List.of(lhs, rhs)).inputs(g.y()).backend(Backend.reference()).build();
        plan.set(g.x(), random(r, a * b)).set(g.y(), random(r, b)).set(v, random(r, a * b))
                .set(u, random(r, y.size())).execute();
        double l = plan.get(lhs).item();
        double rr = plan.get(rhs).item();
        // both sides are exact derivatives evaluated in float64; they differ by round-off only:
        // O(100) operations of relative error 2⁻⁵³ on O(1)–O(10²) values, far below 1e-10.
        assertTrue(Math.abs(l - rr) <= 1e-10 * (1 + Math.abs(l)), "<u, J v> = " + l + " but <Jᵀu, v> = " + rr + " for " + g);
    }
}
