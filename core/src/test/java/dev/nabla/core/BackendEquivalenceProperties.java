package dev.nabla.core;

import dev.nabla.core.backend.Backend;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The SIMD backend (fused kernels, vector tails, one and two threads) computes what the reference backend
 * computes, on random graphs including non-smooth ops, their gradients, and sizes chosen to hit vector tails
 * (any width 1–40) and chunk boundaries (129, 513 columns: kernels are evaluated in chunks of 512).
 *
 * <p>Tolerances. float64: each primitive differs by at most a few ulps between the backends (the Vector API's
 * transcendentals are within 1–2 ulps of {@code Math}'s; sums are reassociated), and graphs have at most a few
 * hundred primitives on O(1)–O(10²) values, so {@code 1e-10·(1 + max|ref|)} bounds the difference with a wide
 * margin, while any wrong kernel is off by O(|ref|). float32: the reference accumulates sums in double while
 * SIMD accumulates in float; for sums of up to n ≈ 2·10³ terms the worst-case float error is
 * {@code n·2⁻²⁴ ≈ 1.2e-4} relative to the sum of magnitudes, so the base bound is {@code 2e-3·(1 + max|ref|)}.
 * Some random graphs amplify rounding far more (powers of values; {@code 1 − tanh²} near saturation multiplies
 * a tanh's rounding error by {@code 1/(1 − tanh²)}); for those, the graph's own sensitivity is measured:
 * {@code δ_i = |ref32_i − ref64_i|}, the float32 reference's deviation from the same graph evaluated in float64.
 * The two float32 implementations round differently: the reference's transcendentals are correctly rounded
 * (within ½ ulp) and its sums accumulate in double, SIMD's are within 4 ulps (VectorMathTest) and its sums of
 * up to a few dozen terms accumulate in float (up to ~8× the rounding of one result). Its error can therefore
 * reach (4/½)·8 = 64 times the reference's: each element may differ by the base bound plus {@code 64 δ_i}.
 * float64 graphs can amplify rounding the same way: a cosine of a large sum multiplies the sum's
 * reassociation error by the argument's size (a random graph with a cosine of a 513-term sum differed by
 * 2.7e-9 relative, above the fixed 1e-10; float32 saturates there, so it cannot measure this). Their
 * sensitivity is measured by perturbing every input by ±2⁻³⁶ relative (random signs, seeded) and rescaling
 * the reference's response to a perturbation of {@code max(64, 2n)} ulps, n = a·b the most terms any sum in
 * the graph has: reassociating an n-term sum is the same as perturbing its terms by up to n − 1 ulps each
 * (backward stability of summation), so 2n covers it with a factor 2 (the failing graph needed about 150).
 */
public class BackendEquivalenceProperties {
    /** Relative size of the float64 input perturbation that measures a graph's sensitivity: 2⁻³⁶, linear range. */
    static final double PERTURBATION = Math.scalb(1.0, -36);

    @Provide
    Arbitrary<Integer> widths() {
        return Arbitraries.oneOf(Arbitraries.integers().between(1, 40), Arbitraries.of(129, 513));
    }

    @Property(tries = 80)
    void simdEqualsReference(@ForAll long seed, @ForAll @IntRange(min = 6, max = 10) int depth,
                             @ForAll @IntRange(min = 1, max = 4) int a, @ForAll("widths") int b,
                             @ForAll boolean f32, @ForAll boolean smooth) {
        assertMatchesReference(List.of(Backend.simd(1), Backend.simd(2)), seed, depth, a, b, f32, smooth);
    }

    /**
     * Random graph {@code (seed, depth, a, b, smooth)} and its gradients evaluated on each backend of {@code backends}
     * against the reference backend, within the bounds the class comment derives. Public for other backends' tests
     * (the TornadoVM backend in nabla-gpu).
     */
    public static void assertMatchesReference(List<Backend> backends, long seed, int depth, int a, int b, boolean f32,
                                              boolean smooth) {
        DType dt = f32 ? DType.F32 : DType.F64;
        RandomGraphs.Graph g = RandomGraphs.build(seed, depth, a, b, smooth, dt);
        List<Tensor> grads = Autodiff.grad(g.f(), List.of(g.x(), g.y()));
        List<Tensor> outs = List.of(g.f(), g.last(), grads.get(0), grads.get(1));
        Random r = new Random(seed);
        double[] xv = RandomGraphs.weights(r, a * b);
        double[] yv = RandomGraphs.weights(r, b);
        double[][] ref = eval(Backend.reference(), outs, g, xv, yv);
        double[][] refOther;
        if (f32) { // the same graph in float64: the float32 reference's deviation from it
            RandomGraphs.Graph go = RandomGraphs.build(seed, depth, a, b, smooth, DType.F64);
            List<Tensor> gradsO = Autodiff.grad(go.f(), List.of(go.x(), go.y()));
            refOther = eval(Backend.reference(), List.of(go.f(), go.last(), gradsO.get(0), gradsO.get(1)), go, xv, yv);
        } else { // float64: the reference's response to inputs perturbed by a relative PERTURBATION
            Random p = new Random(~seed);
            double[] xp = xv.clone();
            double[] yp = yv.clone();
            for (int i = 0; i < xp.length; i++) {
                xp[i] *= 1 + (p.nextBoolean() ? PERTURBATION : -PERTURBATION);
            }
            for (int i = 0; i < yp.length; i++) {
                yp[i] *= 1 + (p.nextBoolean() ? PERTURBATION : -PERTURBATION);
            }
            refOther = eval(Backend.reference(), outs, g, xp, yp);
        }
        for (Backend be : backends) {
            double[][] got = eval(be, outs, g, xv, yv);
            for (int o = 0; o < outs.size(); o++) {
                double scale = 1;
                for (double v : ref[o]) {
                    scale = Math.max(scale, Math.abs(v));
                }
                double tol = (f32 ? 2e-3 : 1e-10) * scale;
                for (int i = 0; i < ref[o].length; i++) {
                    double delta = Math.abs(ref[o][i] - refOther[o][i]);
                    double bound = tol + (f32 ? 64 * delta : delta * Math.max(64, 2 * a * b) * Math.ulp(1.0) / PERTURBATION);
                    // NaN matches NaN and an infinity matches the same infinity (overflow is part of the meaning)
                    boolean same = Double.isNaN(ref[o][i]) ? Double.isNaN(got[o][i])
                            : ref[o][i] == got[o][i] || Math.abs(ref[o][i] - got[o][i]) <= bound;
                    assertTrue(same, be.name() + " output " + o + "[" + i + "] = " + got[o][i] + ", reference "
                            + ref[o][i] + " (" + dt + ", tolerance " + bound + ", other-precision value " + refOther[o][i] + ") for seed " + seed + " " + g);
                }
            }
        }
    }

    private static double[][] eval(Backend b, List<Tensor> outs, RandomGraphs.Graph g, double[] xv, double[] yv) {
        Plan p = Plan.compile(outs, b);
        p.set(g.x(), xv).set(g.y(), yv).execute();
        double[][] r = new double[outs.size()][];
        for (int i = 0; i < outs.size(); i++) {
            r[i] = p.get(outs.get(i)).toDoubleArray();
        }
        return r;
    }
}
