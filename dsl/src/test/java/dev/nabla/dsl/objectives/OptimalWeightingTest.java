package dev.nabla.dsl.objectives;

import dev.nabla.core.Tensor;
import dev.nabla.dsl.exact.GaussianMixture;
import dev.nabla.dsl.sde.LinearSde;
import dev.nabla.dsl.sde.VarianceExploding;
import dev.nabla.dsl.sde.VariancePreserving;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Weighting#optimal}: the inverse-variance weighting of 2508.01597 (THEORY.md §3). */
class OptimalWeightingTest {
    private static final double S = 0.8;

    /** Closed form for p = N(0, s² I): tr I_t = D/(α²s² + σ²), so w* = σ²/(1 − σ²/(α²s² + σ²)) = σ²(α²s² + σ²)/(α²s²). */
    private static double closedForm(LinearSde sde, double t) {
        double a = sde.meanScale(t);
        double s = sde.std(t);
        return s * s * (a * a * S * S + s * s) / (a * a * S * S);
    }

    private static double at(Weighting w, LinearSde sde, double t) {
        return w.at(sde, Tensor.of(new double[] {t}, 1, 1)).eval().item();
    }

    /**
     * For a single Gaussian, Gauss–Hermite is exact, so at the grid times the table equals the closed form up to
     * rounding (1e-10 relative), and between them it differs from the closed form exactly by the linear
     * interpolation error {@code (w_i + w_{i+1})/2 − w(mid)} (checked at midpoints, within 1e-9 relative).
     */
    @Test
    void singleGaussianMatchesTheClosedFormToTheInterpolationError() {
        for (int d = 1; d <= 2; d++) {
            GaussianMixture p = GaussianMixture.isotropic(new double[] {1}, new double[][] {new double[d]}, S);
            for (LinearSde sde : new LinearSde[] {new VarianceExploding(0.01, 20), VariancePreserving.standard()}) {
                int n = 41;
                Weighting w = Weighting.optimal(p, sde, n);
                for (int i = 0; i < n; i++) {
                    double t = (double) i / (n - 1);
                    double e = closedForm(sde, t);
                    assertEquals(e, at(w, sde, t), 1e-10 * e + 1e-300, sde + " D = " + d + " grid t = " + t);
                    if (i + 1 < n) {
                        double t1 = (double) (i + 1) / (n - 1);
                        double mid = 0.5 * (t + t1);
                        double interp = 0.5 * (e + closedForm(sde, t1));
                        double exact = closedForm(sde, mid);
                        double got = at(w, sde, mid);
                        assertEquals(interp, got, 1e-9 * interp, sde + " midpoint " + mid);
                        assertTrue(Math.abs(got - exact) <= Math.abs(interp - exact) * (1 + 1e-6) + 1e-9 * interp,
                                "within the interpolation error at " + mid);
                    }
                }
            }
        }
    }

    /** VE: w*(t) / σ² = 1 + σ²/s² exactly, so it tends to 1 (the heuristic) at small σ, and s² w*(t) / σ⁴ to 1 at large σ. */
    @Test
    void approachesTheHeuristicAtSmallSigmaAndGrowsLikeSigmaToTheFourth() {
        VarianceExploding ve = new VarianceExploding(0.01, 50);
        GaussianMixture p = GaussianMixture.isotropic(new double[] {1}, new double[][] {{0, 0}}, S);
        int n = 101;
        Weighting w = Weighting.optimal(p, ve, n);
        double t1 = 1.0 / (n - 1);
        double s1 = ve.std(t1);
        double r1 = at(w, ve, t1) / (s1 * s1);
        assertEquals(1.0, r1, 2 * s1 * s1 / (S * S), "w*/σ² at σ = " + s1);
        double sT = ve.std(1.0);
        double rT = at(w, ve, 1.0) * S * S / Math.pow(sT, 4);
        assertEquals(1.0, rT, 2 * S * S / (sT * sT), "s² w*/σ⁴ at σ = " + sT);
        assertEquals(0.0, at(w, ve, 0.0), 0.0, "σ_0 = 0");

        // A 2-D mixture: w*/σ² ≥ 1 everywhere (tr I > 0) and → 1 at small σ.
        GaussianMixture m = new GaussianMixture(new double[] {0.3, 0.45, 0.25},
                new double[][] {{-1.5, 0.5}, {1.0, 1.0}, {0.5, -1.5}},
                new double[][][] {{{0.5, 0.2}, {0.2, 0.3}}, {{0.25, -0.1}, {-0.1, 0.6}}, {{0.8, 0.0}, {0.0, 0.2}}});
        Weighting wm = Weighting.optimal(m, ve, 21);
        for (int i = 1; i <= 20; i++) {
            double t = i / 20.0;
            double s = ve.std(t);
            double r = at(wm, ve, t) / (s * s);
            assertTrue(r >= 1 - 1e-9, "w*/σ² = " + r + " at t = " + t);
            if (s < 0.05) {
                assertEquals(1.0, r, 0.05, "w*/σ² at σ = " + s);
            }
        }
    }

    @Test
    void badInputsFailFast() {
        GaussianMixture p = GaussianMixture.isotropic(new double[] {1}, new double[][] {{0}}, S);
        VariancePreserving vp = VariancePreserving.standard();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Weighting.optimal(p, vp, 1));
        assertTrue(e.getMessage().contains("gridPoints = 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Weighting.optimal(p, vp, 5, 0));
        assertTrue(e.getMessage().contains("quadraturePoints = 0"), e.getMessage());
        assertThrows(NullPointerException.class, () -> Weighting.optimal(null, vp, 5));
        assertThrows(NullPointerException.class, () -> Weighting.optimal(p, null, 5));
    }
    /**
     * The Monte Carlo version with the exact score of a 2-D three-component mixture equals the quadrature
     * version at every grid time within 5 of its own standard errors. The standard error is computed here from the
     * same samples: tr I's relative error {@code sd(‖s‖²)/(mean √n)} (fixed key; a 5σ two-sided miss has
     * probability < 1e-6 per time under the CLT) times the amplification {@code σ² trI/(D − σ² trI)}, plus the
     * quadrature's own relative error (below 1e-6 with 32 points per axis). A score 10 % too small is caught; one whose norm exceeds √D/σ is refused with the time named.
     */
    @Test
    void monteCarloFromAScoreMatchesQuadrature() {
        GaussianMixture p = new GaussianMixture(new double[] {0.3, 0.5, 0.2}, new double[][] {{-1, 0.5}, {1.5, 0}, {0, -1.5}},
                new double[][][] {{{0.3, 0.1}, {0.1, 0.4}}, {{0.2, 0}, {0, 0.5}}, {{0.6, -0.2}, {-0.2, 0.3}}});
        VarianceExploding sde = new VarianceExploding(0.01, 5);
        int n = 20_000;
        dev.nabla.core.NdArray data = p.sample(Tensor.key(dev.nabla.core.random.Key.of(1)), n).eval();
        int grid = 6;
        dev.nabla.dsl.ScoreFunction exact = p.marginalScore(sde);
        Weighting mc = Weighting.optimal(exact, sde, data, grid, dev.nabla.core.random.Key.of(2),
                dev.nabla.core.backend.Backend.simd());
        Weighting quad = Weighting.optimal(p, sde, grid);
        dev.nabla.dsl.ScoreFunction off = (y, t) -> exact.apply(y, t).mul(0.9); // too large a norm would be refused outright (tested below)
        Weighting wrong = Weighting.optimal(off, sde, data, grid, dev.nabla.core.random.Key.of(2),
                dev.nabla.core.backend.Backend.simd());
        int caught = 0;
        for (int i = 1; i < grid; i++) {
            double t = (double) i / (grid - 1);
            double sigma = sde.std(t);
            Tensor x = sde.perturb(Tensor.constant(data), Tensor.full(dev.nabla.core.Shape.of(n, 1), t),
                    Tensor.key(dev.nabla.core.random.Key.of(2).fold(i)).normal(data.shape()));
            double[] sq = exact.apply(x, Tensor.full(dev.nabla.core.Shape.of(n, 1), t)).square().sum(-1).eval().toDoubleArray();
            double mean = Arrays.stream(sq).average().orElseThrow();
            double var = Arrays.stream(sq).map(v -> (v - mean) * (v - mean)).sum() / (n - 1);
            double rel = Math.sqrt(var / n) / mean;
            double amp = sigma * sigma * mean / (2 - sigma * sigma * mean);
            double bound = 5 * rel * amp + 1e-6;
            double got = at(mc, sde, t);
            double ref = at(quad, sde, t);
            assertEquals(ref, got, bound * ref, "t = " + t + " (relative bound " + bound + ")");
            if (Math.abs(at(wrong, sde, t) / ref - 1) > bound) {
                caught++;
            }
        }
        assertTrue(caught >= 3, "a score 10 % too small moves w* beyond the bound at " + caught + " of 5 times");
        dev.nabla.dsl.ScoreFunction big = (y, t) -> exact.apply(y, t).mul(1.1);
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Weighting.optimal(big, sde, data, grid,
                dev.nabla.core.random.Key.of(2), dev.nabla.core.backend.Backend.simd()));
        assertTrue(e.getMessage().contains("at t = 1.0"), e.getMessage());
    }
}
