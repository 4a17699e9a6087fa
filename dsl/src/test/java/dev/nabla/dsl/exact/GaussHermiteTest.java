package dev.nabla.dsl.exact;

import dev.nabla.core.NdArray;
import dev.nabla.core.Tensor;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GaussHermiteTest {

    /** (2k−1)!! = E_{N(0,1)} z^{2k}. */
    private static double doubleFactorial(int m) {
        double r = 1;
        for (int i = m; i > 1; i -= 2) {
            r *= i;
        }
        return r;
    }

    @Test
    void smallRulesMatchClosedForms() {
        // H_2: ±1/√2, weights √π/2; H_3: 0, ±√(3/2), weights 2√π/3 and √π/6 (A&S Table 25.10).
        // Newton converges to a few ulp: 4e-16 absolute is ~3 ulp at these magnitudes.
        GaussHermite r2 = GaussHermite.physicists(2);
        assertEquals(-Math.sqrt(0.5), r2.nodes()[0], 4e-16);
        assertEquals(Math.sqrt(0.5), r2.nodes()[1], 4e-16);
        // Weights 2/h_n'(x)²: a few roundings in the recurrence and the division, ≤ 1e-15 relative.
        assertEquals(Math.sqrt(Math.PI) / 2, r2.weights()[0], 1e-15);
        GaussHermite r3 = GaussHermite.physicists(3);
        assertEquals(0.0, r3.nodes()[1], 0.0);
        assertEquals(Math.sqrt(1.5), r3.nodes()[2], 4e-16);
        assertEquals(2 * Math.sqrt(Math.PI) / 3, r3.weights()[1], 1e-15);
        assertEquals(Math.sqrt(Math.PI) / 6, r3.weights()[2], 1e-15);
        GaussHermite r1 = GaussHermite.physicists(1);
        assertEquals(0.0, r1.nodes()[0], 0.0);
        assertEquals(Math.sqrt(Math.PI), r1.weights()[0], 1e-15);
    }

    @Test
    void largeRulesMatchHighPrecisionReference() {
        // Reference: Newton on H_n in 60-digit arithmetic (mpmath 1.3), w = 2^{n−1} n! √π / (n² H_{n−1}(x)²).
        // Spec: ~1e-14 for n ≤ 100. Nodes to ~4 ulp relative (1e-15). Weights to 2e-14 relative, including the
        // outermost weight ≈ 6e-79: w = 2/h_n'(x)² changes by 4x·ulp(x) ≈ 1e-13 relative per ulp of the node
        // there, and the 100-step recurrence adds ~1e-14 of rounding (NumPy's hermgauss is off by 5e-14).
        double[][] ref = {
                // n, index, node, weight
                {20, 19, 5.387480890011232862, 2.2293936455341512925e-13},
                {20, 10, 0.2453407083009012499, 0.46224366960061008965},
                {20, 13, 1.7385377121165862068, 0.024810520887463610882},
                {100, 99, 13.406487338144910138, 5.9080678650312068153e-79},
                {100, 50, 0.11079587242243948289, 0.21889262958743912506},
                {100, 53, 0.77595076154014578198, 0.12153798684410418198}};
        for (double[] r : ref) {
            GaussHermite rule = GaussHermite.physicists((int) r[0]);
            int i = (int) r[1];
            assertEquals(r[2], rule.nodes()[i], 1e-15 * r[2], "node " + i + " of n = " + (int) r[0]);
            assertEquals(r[3], rule.weights()[i], 2e-14 * r[3], "weight " + i + " of n = " + (int) r[0]);
        }
    }

    @Test
    void rulesAreSymmetricSortedAndSumToTheirMass() {
        // Σw = √π (physicists') is the degree-0 exactness; relative error of ~n ulp summed: 1e-14 allows n ≤ 300.
        for (int n = 1; n <= GaussHermite.MAX_POINTS; n += n < 20 ? 1 : 17) {
            GaussHermite r = GaussHermite.physicists(n);
            double[] x = r.nodes();
            double[] w = r.weights();
            double s = 0;
            for (int i = 0; i < n; i++) {
                assertEquals(-x[n - 1 - i], x[i], 0.0, "symmetric nodes, n = " + n);
                assertEquals(w[n - 1 - i], w[i], 0.0, "symmetric weights, n = " + n);
                assertTrue(w[i] >= 0, "positive weights, n = " + n);
                if (i > 0) {
                    assertTrue(x[i] > x[i - 1], "increasing nodes, n = " + n);
                }
                s += w[i];
            }
            assertEquals(Math.sqrt(Math.PI), s, 1e-14 * Math.sqrt(Math.PI), "Σw, n = " + n);
            assertEquals(1.0, GaussHermite.probabilists(n).apply(z -> 1), 1e-14, "Σw probabilists', n = " + n);
        }
    }

    @Test
    void polynomialMomentsAreExactUpToDegree2nMinus1() {
        // E z^{2k} = (2k−1)!! for 2k ≤ 2n−1, odd moments 0 (by symmetry, exactly). Each term carries a relative
        // error ≤ 2k·(node error) + (weight error) ≈ 2k·2e-16 + 1e-14 and all terms are positive, so 1e-12
        // relative covers k ≤ 99 (n = 100, degree 198) with margin.
        for (int n : new int[] {1, 2, 3, 5, 10, 20, 50, 100}) {
            GaussHermite r = GaussHermite.probabilists(n);
            for (int k = 0; 2 * k <= 2 * n - 1; k++) {
                int p = 2 * k;
                double exact = doubleFactorial(2 * k - 1);
                double q = r.apply(z -> Math.pow(z, p));
                assertEquals(exact, q, 1e-12 * exact, "E z^" + p + " with n = " + n);
                double odd = r.apply(z -> Math.pow(z, p + 1));
                assertEquals(0.0, odd, 1e-12 * Math.max(1, doubleFactorial(2 * k + 1)), "E z^" + (p + 1));
            }
        }
    }

    @Test
    void physicistsRuleIntegratesAgainstExpMinusXSquared() {
        // ∫ e^{−x²} x⁴ dx = 3√π/4; exact for n ≥ 3; 1e-14 relative (a handful of roundings).
        for (int n : new int[] {3, 40, 100}) {
            assertEquals(3 * Math.sqrt(Math.PI) / 4, GaussHermite.physicists(n).apply(x -> x * x * x * x),
                    1e-14 * Math.sqrt(Math.PI), "n = " + n);
        }
    }

    @Test
    void cosineExpectationIsExpMinusHalf() {
        // E cos z = e^{−1/2}; the Gauss–Hermite error for an entire function like cos falls like 1/(2n)!:
        // at n = 30 it is far below rounding, so 1e-15 absolute (≈ 5 ulp of the result) is the rounding bound.
        assertEquals(Math.exp(-0.5), GaussHermite.probabilists(30).expectation(Math::cos), 1e-15);
        // Same via the physicists' rule, and for N(μ, s²): E cos x = cos μ e^{−s²/2}.
        assertEquals(Math.exp(-0.5), GaussHermite.physicists(30).expectation(Math::cos), 1e-15);
        assertEquals(Math.cos(0.3) * Math.exp(-0.5 * 0.49),
                GaussHermite.probabilists(30).expectation(0.3, 0.7, Math::cos), 1e-15);
    }

    @Test
    void correlatedGaussianSecondMomentsEqualTheCovariance() {
        // Second moments are polynomials of degree 2 in z: exact for n ≥ 2. The sums mix terms of size ≈ the
        // entries, so 1e-12 absolute is ~1e4 ulp of margin for rounding.
        double[] mean2 = {0.5, -1.0};
        double[][] cov2 = {{2.0, 0.6}, {0.6, 0.5}};
        double[] mean3 = {1.0, 0.0, -2.0};
        double[][] cov3 = {{1.5, 0.3, -0.4}, {0.3, 0.8, 0.2}, {-0.4, 0.2, 2.2}};
        for (int n : new int[] {2, 5, 12}) {
            checkMoments(GaussHermite.gaussianGrid(mean2, cov2, n), mean2, cov2);
            checkMoments(GaussHermite.gaussianGrid(mean3, cov3, n), mean3, cov3);
        }
    }

    private static void checkMoments(QuadratureGrid g, double[] mean, double[][] cov) {
        int d = mean.length;
        assertEquals(d, g.dimension());
        assertEquals(1.0, g.totalWeight(), 1e-13);
        for (int i = 0; i < d; i++) {
            int ii = i;
            assertEquals(mean[i], g.pointwiseExpectation(x -> x[ii]), 1e-12);
            for (int j = 0; j < d; j++) {
                int jj = j;
                double c = g.pointwiseExpectation(x -> (x[ii] - mean[ii]) * (x[jj] - mean[jj]));
                assertEquals(cov[i][j], c, 1e-12, "Σ[" + i + "][" + j + "]");
            }
        }
        // The same through a graph function evaluated on all points at once: E[x xᵀ] = Σ + μ μᵀ.
        NdArray second = g.expectation(x -> x.unsqueeze(-1).mul(x.unsqueeze(-2)));
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                assertEquals(cov[i][j] + mean[i] * mean[j], second.get(i, j), 1e-12);
            }
        }
    }

    @Test
    void mixtureGridWeightsComponents() {
        // E_mix[x] = Σ π_k μ_k, E_mix[x²] = Σ π_k (σ_k² + μ_k²): degree 2, exact for n ≥ 2 (rounding: 1e-12).
        GaussianMixture m = new GaussianMixture(new double[] {0.25, 0.75}, new double[][] {{-1}, {2}},
                new double[][][] {{{0.5}}, {{2.0}}});
        QuadratureGrid g = GaussHermite.mixtureGrid(m, 4);
        assertEquals(8, g.size());
        assertEquals(0.25 * -1 + 0.75 * 2, g.expectationScalar(x -> x.sum(-1)), 1e-12);
        assertEquals(0.25 * 1.5 + 0.75 * 6, g.pointwiseExpectation(x -> x[0] * x[0]), 1e-12);
    }

    @Test
    void graphExpectationMatchesPointwise() {
        // E log(1 + ‖x‖²) two ways: the same terms summed in different orders, 1e-13 relative.
        QuadratureGrid g = GaussHermite.gaussianGrid(new double[] {0.2, 0.1}, new double[][] {{1, 0.2}, {0.2, 0.5}}, 20);
        double a = g.expectationScalar(x -> x.square().sum(-1).log1p());
        double b = g.pointwiseExpectation(x -> Math.log1p(x[0] * x[0] + x[1] * x[1]));
        assertEquals(b, a, 1e-13 * Math.abs(b));
        assertThrows(IllegalArgumentException.class, () -> g.expectation(x -> Tensor.scalar(1)));
    }

    @Test
    void badInputsFailFast() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GaussHermite.physicists(0));
        assertTrue(e.getMessage().contains("n = 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> GaussHermite.probabilists(GaussHermite.MAX_POINTS + 1));
        e = assertThrows(IllegalArgumentException.class,
                () -> GaussHermite.gaussianGrid(new double[] {0, 0}, new double[][] {{1, 2}, {2, 1}}, 5));
        assertTrue(e.getMessage().contains("not positive definite"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> GaussHermite.gaussianGrid(new double[] {0, Double.NaN}, new double[][] {{1, 0}, {0, 1}}, 5));
        assertTrue(e.getMessage().contains("mean[1] = NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class,
                () -> GaussHermite.gaussianGrid(new double[] {0, 0}, new double[][] {{1, 0, 0}, {0, 1, 0}}, 5));
        assertThrows(IllegalArgumentException.class,
                () -> GaussHermite.gaussianGrid(new double[5], identity(5), 100)); // 100^5 points
        assertThrows(IllegalArgumentException.class,
                () -> GaussHermite.probabilists(5).expectation(0, -1, Math::cos));
    }

    private static double[][] identity(int d) {
        double[][] a = new double[d][d];
        for (int i = 0; i < d; i++) {
            a[i][i] = 1;
        }
        return a;
    }
}
