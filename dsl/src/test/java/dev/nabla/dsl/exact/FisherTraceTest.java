package dev.nabla.dsl.exact;

import dev.nabla.core.Tensor;
import dev.nabla.dsl.objectives.Weighting;
import dev.nabla.dsl.sde.VarianceExploding;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link GaussianMixture#fisherTrace(double, double)} meets its stated tolerance, against an independent
 * reference: for a product of two 1-D mixtures {@code p(x, y) = p₁(x) p₂(y)} (a 2-D mixture of K₁K₂ components
 * with diagonal covariances), perturbing by isotropic noise keeps the coordinates independent, so
 * {@code tr I(σ) = I₁(σ) + I₂(σ)}, each a 1-D integral computed in x by a fine trapezoidal rule.
 */
class FisherTraceTest {
    static final GaussianMixture P1 = new GaussianMixture(new double[] {0.2, 0.5, 0.3}, new double[][] {{-2}, {0.5}, {2}},
            new double[][][] {{{0.16}}, {{0.49}}, {{1.0}}});
    static final GaussianMixture P2 = new GaussianMixture(new double[] {0.6, 0.4}, new double[][] {{-0.5}, {1.5}},
            new double[][][] {{{0.09}}, {{0.25}}});

    static GaussianMixture product() {
        int k = 0;
        double[] w = new double[6];
        double[][] mu = new double[6][];
        double[][][] cov = new double[6][][];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 2; j++) {
                w[k] = P1.weight(i) * P2.weight(j);
                mu[k] = new double[] {P1.mean(i)[0], P2.mean(j)[0]};
                cov[k] = new double[][] {{P1.covariance(i)[0][0], 0}, {0, P2.covariance(j)[0][0]}};
                k++;
            }
        }
        return new GaussianMixture(w, mu, cov);
    }

    /**
     * {@code ∫ p_σ (∂ log p_σ)² dx} by the trapezoidal rule with step h on ±30: spectrally accurate for this
     * analytic, Gaussian-decaying integrand (checked: h = 0.002 and 0.001 agree to 1e-13 relative; the mass
     * beyond ±30 is beyond 9 standard deviations of every component for σ ≤ 3).
     */
    static double reference1d(GaussianMixture p, double sigma, double h) {
        GaussianMixture pt = p.perturbed(1, sigma);
        int n = (int) Math.round(60 / h) + 1;
        double s = 0;
        for (int i = 0; i < n; i++) {
            double[] x = {-30 + i * h};
            double sc = pt.score(x)[0];
            s += pt.density(x) * sc * sc;
        }
        return s * h;
    }

    /**
     * At σ = 0.05, 0.1, 0.3, 1, 3 the adaptive value is within its tolerance (1e-10 relative) of the reference
     * and its error estimate is below the tolerance; Gauss–Hermite with the old default of 32 points per axis is
     * off by more than 1e-6 at σ ≤ 0.3 (measured up to ~1e-3).
     */
    @Test
    void adaptiveFisherTraceMeetsItsToleranceOnA2dMixture() {
        GaussianMixture p = product();
        for (double sigma : new double[] {0.05, 0.1, 0.3, 1, 3}) {
            double r1 = reference1d(P1, sigma, 0.001);
            double r2 = reference1d(P2, sigma, 0.001);
            assertEquals(r1, reference1d(P1, sigma, 0.002), 1e-13 * r1, "reference converged");
            double ref = r1 + r2;
            GaussianMixture.Estimate e = p.fisherTraceEstimate(1, sigma, GaussianMixture.FISHER_TOLERANCE);
            double gh32 = p.fisherTrace(1, sigma, 32);
            System.out.printf("σ = %g: adaptive rel. error %.2e (estimate %.2e, %d points/axis), GH32 %.2e%n", sigma,
                    Math.abs(e.value() / ref - 1), e.error() / ref, e.pointsPerAxis(), Math.abs(gh32 / ref - 1));
            assertEquals(ref, e.value(), GaussianMixture.FISHER_TOLERANCE * ref, "σ = " + sigma);
            assertTrue(e.error() <= GaussianMixture.FISHER_TOLERANCE * e.value(), "error estimate " + e.error());
            assertEquals(e.value(), p.fisherTrace(1, sigma), 0.0);
            if (sigma <= 0.3) {
                assertTrue(Math.abs(gh32 / ref - 1) > 1e-6, "GH32 at σ = " + sigma + " is off by " + Math.abs(gh32 / ref - 1));
            }
        }
    }

    /** VP-like α ≠ 1: the perturbed law scales the means; against the same independent reference with α. */
    @Test
    void alphaScalesTheMeans() {
        double alpha = 0.6;
        double sigma = 0.4;
        GaussianMixture p = product();
        double ref = reference1d(scaled(P1, alpha), sigma, 0.001) + reference1d(scaled(P2, alpha), sigma, 0.001);
        // the stated tolerance
        assertEquals(ref, p.fisherTrace(alpha, sigma), GaussianMixture.FISHER_TOLERANCE * ref);
        // E tr Var = D/σ² − tr I
        assertEquals(2 / (sigma * sigma) - ref, p.expectedTraceVariance(alpha, sigma), GaussianMixture.FISHER_TOLERANCE * ref);
    }

    /** The law of α x for x ~ p (1-D). */
    private static GaussianMixture scaled(GaussianMixture p, double alpha) {
        return p.perturbed(alpha, 0);
    }

    @Test
    void singleGaussianIsExactAndBadArgumentsAreNamed() {
        GaussianMixture g = GaussianMixture.gaussian(new double[] {0, 0}, new double[][] {{1.5, 0.5}, {0.5, 0.75}});
        GaussianMixture.Estimate e = g.fisherTraceEstimate(1, 0.5, 1e-10);
        // tr (Σ + 0.25 I)^{-1} = tr [[1.75, .5], [.5, 1]]^{-1} = 2.75/1.5: a few roundings
        assertEquals(2.75 / 1.5, e.value(), 1e-14);
        assertEquals(0, e.error());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class, () -> g.fisherTraceEstimate(1, 0.5, 0));
        assertTrue(bad.getMessage().contains("tolerance = 0.0"), bad.getMessage());
    }

    /** In 5-D a two-component mixture cannot be refined within the point budget: a clear error, not a value. */
    @Test
    void budgetExhaustionIsAnError() {
        double[][] cov = new double[5][5];
        for (int i = 0; i < 5; i++) {
            cov[i][i] = 0.1;
        }
        GaussianMixture m = new GaussianMixture(new double[] {0.5, 0.5}, new double[][] {{-1, 0, 0, 0, 0}, {1, 0, 0, 0, 0}},
                new double[][][] {cov, cov});
        ArithmeticException e = assertThrows(ArithmeticException.class, () -> m.fisherTrace(1, 0.05));
        assertTrue(e.getMessage().contains("not met"), e.getMessage());
    }

    /**
     * {@code w*(σ) = σ²/(1 − σ² tr I(σ)/D)} at one level ({@link Weighting#optimalWeight}) and in the table of
     * {@link Weighting#optimal(GaussianMixture, dev.nabla.dsl.sde.LinearSde, int)} at its grid times (VE σ 0.01 →
     * 10), against the independent reference. Tolerance 1e-9 relative: tr I's 1e-10 amplified by
     * {@code σ² tr I/(D − σ² tr I)} ≤ 3 at these levels, plus rounding. (With the old default of 32
     * Gauss–Hermite points per axis the table was off by up to ~1e-3.)
     */
    @Test
    void optimalWeightingUsesTheAccurateFisherTrace() {
        GaussianMixture p = product();
        VarianceExploding ve = new VarianceExploding(0.01, 10);
        int grid = 6;
        Weighting w = Weighting.optimal(p, ve, grid);
        for (int i = 1; i < grid - 1; i++) {
            double t = i / (grid - 1.0);
            double sigma = ve.std(t);
            double trI = reference1d(P1, sigma, 0.001) + reference1d(P2, sigma, 0.001);
            double want = sigma * sigma / (1 - sigma * sigma * trI / 2);
            assertEquals(want, Weighting.optimalWeight(p, 1, sigma), 1e-9 * want, "w*(σ = " + sigma + ")");
            double table = w.at(ve, Tensor.of(new double[] {t}, 1, 1)).eval().item();
            assertEquals(want, table, 1e-9 * want, "table at t = " + t + " (σ = " + sigma + ")");
        }
        assertEquals(0, Weighting.optimalWeight(p, 1, 0), 0.0);
    }
}
