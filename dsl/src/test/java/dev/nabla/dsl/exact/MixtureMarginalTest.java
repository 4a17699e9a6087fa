package dev.nabla.dsl.exact;

import dev.nabla.core.Autodiff;
import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.objectives.Objectives;
import dev.nabla.dsl.objectives.Weighting;
import dev.nabla.dsl.sde.Diffusion;
import dev.nabla.dsl.sde.LangevinSde;
import dev.nabla.dsl.sde.LinearSde;
import dev.nabla.dsl.sde.Prior;
import dev.nabla.dsl.sde.Simulation;
import dev.nabla.dsl.sde.VarianceExploding;
import dev.nabla.dsl.sde.VariancePreserving;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link GaussianMixture#asPrior()} and {@link GaussianMixture#marginalScore} ({@link MixtureMarginal}). */
class MixtureMarginalTest {

    /** 2-D, different diagonal (non-isotropic) covariances: the elementwise path. */
    static GaussianMixture diagonal2D() {
        return new GaussianMixture(new double[] {0.4, 0.6}, new double[][] {{-1, 0.5}, {1.5, -0.5}},
                new double[][][] {{{0.3, 0}, {0, 0.8}}, {{0.5, 0}, {0, 0.2}}});
    }

    static List<GaussianMixture> mixtures() {
        return List.of(GaussianMixtureTest.oneD(), GaussianMixtureTest.twoD(), GaussianMixtureTest.threeD(),
                diagonal2D(), GaussianMixture.isotropic(new double[] {0.5, 0.5}, new double[][] {{-1, 0, 1, 2},
                        {1, 1, -1, 0}}, 0.6));
    }

    private static double[] row(double[] a, int r, int d) {
        double[] out = new double[d];
        System.arraycopy(a, r * d, out, 0, d);
        return out;
    }

    // ------------------------------------------------------------------ asPrior

    @Test
    void priorScoreIsTheGradientOfItsLogDensity() {
        // Closed-form score vs reverse-mode gradient of Σ_b log π(y_b): same constants, float64, 1e-12 relative.
        for (GaussianMixture m : mixtures()) {
            int d = m.dimension();
            Prior prior = m.asPrior();
            Tensor y = Tensor.placeholder("y", Shape.of(30, d));
            Tensor exact = prior.score(y);
            Tensor auto = Autodiff.grad(prior.logDensity(y).sum(), y);
            SplittableRandom rng = new SplittableRandom(3);
            double[] x = new double[30 * d];
            for (int i = 0; i < x.length; i++) {
                x[i] = 3 * (2 * rng.nextDouble() - 1);
            }
            Plan p = Plan.compile(List.of(exact, auto)).set(y, NdArray.wrap(x, Shape.of(30, d))).execute();
            double[] e = p.get(exact).toDoubleArray();
            double[] a = p.get(auto).toDoubleArray();
            for (int i = 0; i < e.length; i++) {
                assertEquals(e[i], a[i], 1e-12 * Math.max(1, Math.abs(e[i])), m + " entry " + i);
            }
            double[] lg = prior.logDensity(Tensor.of(x, 30, d)).eval().toDoubleArray();
            for (int r = 0; r < 30; r++) {
                double l = m.logDensity(row(x, r, d));
                assertEquals(l, lg[r], 1e-12 * Math.max(1, Math.abs(l)), m + " log π row " + r);
            }
        }
        GaussianMixture two = GaussianMixtureTest.twoD();
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class,
                () -> two.asPrior().sample(Tensor.key(Key.of(1)), 10, 3));
        assertTrue(ex.getMessage().contains("d = 3") && ex.getMessage().contains("D = 2"), ex.getMessage());
    }

    /**
     * 2407.07998 §4's Langevin forward process with a mixture prior, started at the prior, stays at the prior.
     * {@code g = √2}, simulated to t = 1 (clock ∫g² = 2, several relaxation times {@code 2 s_k²} of every
     * component) in 200 Euler–Maruyama steps (clock step h = 0.01). Statistics of 8000 samples: means, second
     * moments, and the characteristic function {@code E cos(ωᵀy) = Σ_k π_k cos(ωᵀμ_k) e^{−ωᵀΣ_kω/2}},
     * {@code E sin(ωᵀy)} likewise, at {@code ω = 2e_i}, which a Gaussian with the same mean and covariance does
     * not preserve. Tolerance: 5 standard errors (CLT) plus the Euler–Maruyama bias of the stationary law: for a
     * Gaussian component of precision λ the invariant variance is {@code 1/(λ(1 − hλ/4))}, a relative error
     * hλ/4 ≤ 1.6% (λ ≤ 1/0.16), bounded by 2% of the second moment; in the characteristic function a relative
     * variance error δ changes {@code e^{−x}}, {@code x = ω²s²/2}, by at most {@code δ x e^{−x} ≤ δ/e ≈ 0.006},
     * bounded by 0.02 absolute. A wrong drift that keeps mean and covariance (the Gaussian with the mixture's
     * moments) fails this test (measured).
     */
    @Test
    void langevinWithAMixturePriorIsStationary() {
        for (GaussianMixture m : List.of(GaussianMixtureTest.oneD(), GaussianMixtureTest.twoD())) {
            int d = m.dimension();
            int n = 8000;
            LangevinSde sde = new LangevinSde(Diffusion.constant(Math.sqrt(2)), 1, m.asPrior());
            Tensor y0 = sde.prior().sample(Tensor.key(Key.of(11)), n, d);
            Tensor y = Simulation.eulerMaruyama(sde, y0, Tensor.full(Shape.of(n, 1), 1.0), 200,
                    Tensor.key(Key.of(12)));
            double[] v = y.eval().toDoubleArray();
            double[] mu = m.mixtureMean();
            double[][] cov = m.mixtureCovariance();
            for (int i = 0; i < d; i++) {
                int ii = i;
                double second = cov[i][i] + mu[i] * mu[i];
                check(m + ": E[y_" + i + "]", v, n, d, r -> r[ii], mu[i], 0.02 * Math.sqrt(cov[i][i]));
                for (int j = i; j < d; j++) {
                    int jj = j;
                    double exact = cov[i][j] + mu[i] * mu[j];
                    check(m + ": E[y_" + i + " y_" + j + "]", v, n, d, r -> r[ii] * r[jj], exact,
                            0.02 * (second + cov[j][j] + mu[j] * mu[j]) / 2);
                }
                double cosExact = 0;
                double sinExact = 0;
                for (int c = 0; c < m.components(); c++) {
                    double damp = m.weight(c) * Math.exp(-0.5 * 4 * m.covariance(c)[i][i]);
                    cosExact += damp * Math.cos(2 * m.mean(c)[i]);
                    sinExact += damp * Math.sin(2 * m.mean(c)[i]);
                }
                check(m + ": E cos(2 y_" + i + ")", v, n, d, r -> Math.cos(2 * r[ii]), cosExact, 0.02);
                check(m + ": E sin(2 y_" + i + ")", v, n, d, r -> Math.sin(2 * r[ii]), sinExact, 0.02);
            }
        }
    }

    /** Asserts that the sample mean of f over the rows is within 5 standard errors + allowance of exact. */
    private static void check(String what, double[] v, int n, int d,
                              ToDoubleFunction<double[]> f, double exact, double allowance) {
        double s = 0;
        double s2 = 0;
        for (int r = 0; r < n; r++) {
            double z = f.applyAsDouble(row(v, r, d));
            s += z;
            s2 += z * z;
        }
        double mean = s / n;
        double se = Math.sqrt(Math.max(0, s2 / n - mean * mean) / n);
        assertEquals(exact, mean, 5 * se + allowance, what);
    }

    // ------------------------------------------------------------------ marginalScore

    /**
     * Row by row, with a different t per row (VP and VE), the graph score and log-density equal those of the
     * plain {@code perturbed(α_t, σ_t)} mixture; the closed forms are evaluated differently (adjugate or
     * elementwise inverse vs Cholesky), so rounding only: 1e-11 relative.
     */
    @Test
    void marginalScoreEqualsPerturbedMixtureRowByRow() {
        List<LinearSde> sdes = List.of(VariancePreserving.standard(), new VarianceExploding(0.01, 20));
        for (LinearSde sde : sdes) {
            for (GaussianMixture m : mixtures()) {
                int d = m.dimension();
                int b = 25;
                SplittableRandom rng = new SplittableRandom(5);
                double[] x = new double[b * d];
                double[] ts = new double[b];
                for (int r = 0; r < b; r++) {
                    ts[r] = r == 0 ? 0 : r == b - 1 ? 1 : rng.nextDouble();
                    double scale = 3 * Math.max(sde.meanScale(ts[r]), sde.std(ts[r]));
                    for (int i = 0; i < d; i++) {
                        x[r * d + i] = scale * (2 * rng.nextDouble() - 1);
                    }
                }
                MixtureMarginal q = m.marginalScore(sde);
                Tensor y = Tensor.of(x, b, d);
                Tensor t = Tensor.of(ts, b, 1);
                double[] s = q.apply(y, t).eval().toDoubleArray();
                double[] lg = q.logDensity(y, t).eval().toDoubleArray();
                for (int r = 0; r < b; r++) {
                    GaussianMixture pr = m.perturbed(sde.meanScale(ts[r]), sde.std(ts[r]));
                    double[] yr = row(x, r, d);
                    double l = pr.logDensity(yr);
                    assertEquals(l, lg[r], 1e-11 * Math.max(1, Math.abs(l)), sde + " " + m + " row " + r);
                    double[] e = pr.score(yr);
                    for (int i = 0; i < d; i++) {
                        assertEquals(e[i], s[r * d + i], 1e-11 * Math.max(1, Math.abs(e[i])),
                                sde + " " + m + " row " + r + " coordinate " + i);
                    }
                }
                // a single time [1, 1] broadcast over the rows
                double[] s1 = q.apply(y, Tensor.full(Shape.of(1, 1), 0.3)).eval().toDoubleArray();
                GaussianMixture p3 = m.perturbed(sde.meanScale(0.3), sde.std(0.3));
                for (int r = 0; r < b; r++) {
                    double[] e = p3.score(row(x, r, d));
                    for (int i = 0; i < d; i++) {
                        assertEquals(e[i], s1[r * d + i], 1e-11 * Math.max(1, Math.abs(e[i])));
                    }
                }
            }
        }
    }

    @Test
    void marginalScoreIsTheGradientOfTheMarginalLogDensity() {
        VariancePreserving sde = VariancePreserving.standard();
        for (GaussianMixture m : mixtures()) {
            int d = m.dimension();
            int b = 20;
            MixtureMarginal q = m.marginalScore(sde);
            Tensor y = Tensor.placeholder("y", Shape.of(b, d));
            Tensor t = Tensor.placeholder("t", Shape.of(b, 1));
            Tensor exact = q.score(y, t);
            Tensor auto = Autodiff.grad(q.logDensity(y, t).sum(), y);
            SplittableRandom rng = new SplittableRandom(9);
            double[] x = new double[b * d];
            double[] ts = new double[b];
            for (int r = 0; r < b; r++) {
                ts[r] = 0.01 + 0.98 * rng.nextDouble();
                for (int i = 0; i < d; i++) {
                    x[r * d + i] = 2 * (2 * rng.nextDouble() - 1);
                }
            }
            Plan p = Plan.compile(List.of(exact, auto)).set(y, NdArray.wrap(x, Shape.of(b, d)))
                    .set(t, NdArray.wrap(ts, Shape.of(b, 1))).execute();
            double[] e = p.get(exact).toDoubleArray();
            double[] a = p.get(auto).toDoubleArray();
            for (int i = 0; i < e.length; i++) {
                assertEquals(e[i], a[i], 1e-11 * Math.max(1, Math.abs(e[i])), m + " entry " + i);
            }
        }
    }

    /** ESM against the analytic mixture score is exactly 0 at that score and positive off it. */
    @Test
    void esmAtTheExactMixtureScoreIsZero() {
        GaussianMixture m = GaussianMixtureTest.twoD();
        for (LinearSde sde : List.of(VariancePreserving.standard(), new VarianceExploding(0.01, 20))) {
            MixtureMarginal q = m.marginalScore(sde);
            Tensor k = Tensor.keyInput("k");
            Tensor batch = m.sample(Tensor.key(Key.of(2)), 500);
            Tensor zero = Objectives.esm(sde, q, Weighting.heuristic()).loss(q, batch, k);
            Tensor off = Objectives.esm(sde, q, Weighting.heuristic()).loss((y, t) -> q.apply(y, t).mul(1.1), batch, k);
            Plan p = Plan.compile(List.of(zero, off)).set(k, Key.of(4)).execute();
            assertEquals(0.0, p.get(zero).item(), 0.0);
            assertTrue(p.get(off).item() > 1e-3, "ESM off the score: " + p.get(off).item());
        }
    }

    @Test
    void badInputsFailFast() {
        double[][][] full4 = new double[1][4][4];
        for (int i = 0; i < 4; i++) {
            full4[0][i][i] = 1;
        }
        full4[0][0][1] = full4[0][1][0] = 0.1;
        GaussianMixture g4 = new GaussianMixture(new double[] {1}, new double[][] {new double[4]}, full4);
        VariancePreserving sde = VariancePreserving.standard();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> g4.marginalScore(sde));
        assertTrue(e.getMessage().contains("D = 4"), e.getMessage());
        MixtureMarginal q = GaussianMixtureTest.twoD().marginalScore(sde);
        e = assertThrows(IllegalArgumentException.class,
                () -> q.apply(Tensor.zeros(Shape.of(5, 3), dev.nabla.core.DType.F64), Tensor.zeros(Shape.of(5, 1),
                        dev.nabla.core.DType.F64)));
        assertTrue(e.getMessage().contains("[B, 2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> q.apply(Tensor.zeros(Shape.of(5, 2), dev.nabla.core.DType.F64), Tensor.zeros(Shape.of(4, 1),
                        dev.nabla.core.DType.F64)));
        assertTrue(e.getMessage().contains("[5, 1]"), e.getMessage());
        assertThrows(NullPointerException.class, () -> GaussianMixtureTest.twoD().marginalScore(null));
    }
}
