package dev.nabla.dsl.exact;

import dev.nabla.core.Autodiff;
import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.data.Datasets;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GaussianMixtureTest {

    /** 1-D, three components of different widths. */
    static GaussianMixture oneD() {
        return new GaussianMixture(new double[] {0.2, 0.5, 0.3}, new double[][] {{-2}, {0.5}, {2}},
                new double[][][] {{{0.16}}, {{0.49}}, {{1.0}}});
    }

    /** 2-D, three components with full covariances. */
    static GaussianMixture twoD() {
        return new GaussianMixture(new double[] {0.3, 0.45, 0.25},
                new double[][] {{-1.5, 0.5}, {1.0, 1.0}, {0.5, -1.5}},
                new double[][][] {
                        {{0.5, 0.2}, {0.2, 0.3}},
                        {{0.25, -0.1}, {-0.1, 0.6}},
                        {{0.8, 0.0}, {0.0, 0.2}}});
    }

    /** 3-D, two components. */
    static GaussianMixture threeD() {
        return new GaussianMixture(new double[] {0.6, 0.4}, new double[][] {{0, 1, -1}, {1, -0.5, 0.5}},
                new double[][][] {
                        {{1.0, 0.3, 0.1}, {0.3, 0.7, -0.2}, {0.1, -0.2, 0.5}},
                        {{0.4, 0.0, 0.1}, {0.0, 0.9, 0.3}, {0.1, 0.3, 0.6}}});
    }

    private static NdArray randomPoints(int n, int d, long seed, double scale) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = scale * (2 * rng.nextDouble() - 1);
        }
        return NdArray.wrap(x, Shape.of(n, d));
    }

    private static double[] row(NdArray a, int r) {
        int d = a.shape().dim(1);
        double[] out = new double[d];
        for (int i = 0; i < d; i++) {
            out[i] = a.getFlat(r * d + i);
        }
        return out;
    }

    @Test
    void densityIntegratesToOne() {
        // Trapezoidal rule on a uniform grid: for Gaussians with std ≥ s its error is ~2·exp(−2π² s²/h²)
        // (spectral; s = 0.4, h = 0.02 → e^{−7900}) plus the mass outside the box (≥ 9 std out: < 1e-18).
        // What is left is rounding in the sum of N positive terms: ~√N ulp, so 1e-13 absolute.
        GaussianMixture m1 = oneD();
        double h = 0.02;
        double s = 0;
        for (int i = -750; i <= 750; i++) {
            s += m1.density(new double[] {i * h});
        }
        assertEquals(1.0, s * h, 1e-13);

        // 2-D through the graph version on all 241² points at once (smallest std ≈ 0.33, h = 0.1: e^{−215}).
        GaussianMixture m2 = twoD();
        double h2 = 0.1;
        int n = 241;
        double[] pts = new double[n * n * 2];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                pts[(i * n + j) * 2] = -12 + i * h2;
                pts[(i * n + j) * 2 + 1] = -12 + j * h2;
            }
        }
        NdArray logp = m2.logDensity(Tensor.of(pts, n * n, 2)).exp().sum().eval();
        assertEquals(1.0, logp.item() * h2 * h2, 1e-12);
    }

    @Test
    void graphAndPlainDensitiesAgree() {
        // Two evaluations of the same closed form (precision matrix vs Cholesky solve): rounding only, 1e-13
        // relative on log p and on the score (values of size ≤ ~20 on these points).
        for (GaussianMixture m : List.of(oneD(), twoD(), threeD())) {
            int d = m.dimension();
            NdArray x = randomPoints(50, d, 7, 3);
            NdArray lg = m.logDensity(Tensor.constant(x)).eval();
            NdArray sc = m.score(Tensor.constant(x)).eval();
            assertEquals(Shape.of(50), lg.shape());
            assertEquals(Shape.of(50, d), sc.shape());
            for (int r = 0; r < 50; r++) {
                double[] y = row(x, r);
                double l = m.logDensity(y);
                assertEquals(l, lg.getFlat(r), 1e-13 * Math.max(1, Math.abs(l)));
                double[] s = m.score(y);
                for (int i = 0; i < d; i++) {
                    assertEquals(s[i], sc.getFlat(r * d + i), 1e-13 * Math.max(1, Math.abs(s[i])));
                }
            }
        }
    }

    @Test
    void scoreEqualsFiniteDifferencesAndAutodiff() {
        for (GaussianMixture m : List.of(oneD(), twoD(), threeD())) {
            int d = m.dimension();
            int b = 40;
            NdArray x = randomPoints(b, d, 11, 3);
            // Central differences, h = 1e-5: truncation h²|f'''|/6 ≲ 1e-9 and rounding ε|f|/h ≲ 1e-10 for these
            // points (|log p| < 40, derivatives of order ≤ 1e2), so 1e-7 absolute/relative has ample margin.
            double hh = 1e-5;
            for (int r = 0; r < b; r++) {
                double[] y = row(x, r);
                double[] s = m.score(y);
                for (int i = 0; i < d; i++) {
                    double[] yp = y.clone();
                    double[] ym = y.clone();
                    yp[i] += hh;
                    ym[i] -= hh;
                    double fd = (m.logDensity(yp) - m.logDensity(ym)) / (2 * hh);
                    assertEquals(fd, s[i], 1e-7 * Math.max(1, Math.abs(s[i])), "∂_" + i + " log p at row " + r);
                }
            }
            // Reverse-mode gradient of Σ_b log p(y_b): mathematically equal to the closed-form score row by row;
            // both are evaluated in float64 from the same constants, so 1e-12 relative.
            Tensor y = Tensor.placeholder("y", Shape.of(b, d));
            Tensor exact = m.score(y);
            Tensor auto = Autodiff.grad(m.logDensity(y).sum(), y);
            Plan plan = Plan.compile(List.of(exact, auto)).set(y, x).execute();
            double[] e = plan.get(exact).toDoubleArray();
            double[] a = plan.get(auto).toDoubleArray();
            for (int i = 0; i < e.length; i++) {
                assertEquals(e[i], a[i], 1e-12 * Math.max(1, Math.abs(e[i])));
            }
        }
    }

    @Test
    void perturbedDensityIsTheConvolution() {
        // p_t(x) = E_{x0~p}[N(x; α x0, σ²)] by Gauss–Hermite on each component (60 points). The integrand is a
        // Gaussian bump of width σ/α = 0.625 against components of std 0.4–1; at n = 60 the quadrature error
        // is below 1e-15 (it is 1e-12 already at n = 30), so 1e-13 relative is rounding.
        GaussianMixture p = oneD();
        double alpha = 0.8;
        double sigma = 0.5;
        GaussianMixture pt = p.perturbed(alpha, sigma);
        QuadratureGrid g = p.quadratureGrid(60);
        for (double x = -5; x <= 5; x += 0.37) {
            double xx = x;
            double conv = g.pointwiseExpectation(x0 -> Math.exp(-0.5 * Math.pow((xx - alpha * x0[0]) / sigma, 2))
                    / (sigma * Math.sqrt(2 * Math.PI)));
            assertEquals(conv, pt.density(new double[] {x}), 1e-13 * conv, "x = " + x);
        }
        // Parameters: same weights, means α μ, covariances α² Σ + σ² I.
        GaussianMixture q = twoD().perturbed(0.5, 2.0);
        assertArrayEquals(new double[] {-0.75, 0.25}, q.mean(0), 1e-15);
        assertEquals(0.25 * 0.5 + 4.0, q.covariance(0)[0][0], 1e-15);
        assertEquals(0.25 * 0.2, q.covariance(0)[0][1], 1e-15);
        assertEquals(0.45, q.weight(1), 1e-15);
    }

    @Test
    void fisherTraceOfAGaussianIsTraceOfInverseCovariance() {
        // THEORY.md §3: p = N(0, s² I) gives tr I(σ) = D/(α² s² + σ²). ‖score‖² is a quadratic, so 3 points
        // per axis are exact; 1e-12 relative is rounding.
        for (int d = 1; d <= 3; d++) {
            double[][] mean = {new double[d]};
            GaussianMixture p = GaussianMixture.isotropic(new double[] {1}, mean, 0.7);
            for (double sigma : new double[] {0.01, 0.3, 2.0}) {
                for (double alpha : new double[] {1.0, 0.6}) {
                    double expected = d / (alpha * alpha * 0.49 + sigma * sigma);
                    assertEquals(expected, p.fisherTrace(alpha, sigma, 3), 1e-12 * expected,
                            "D = " + d + ", σ = " + sigma + ", α = " + alpha);
                }
            }
        }
        // A full covariance: tr (Σ + σ² I)^{-1} for Σ = [[2, .6], [.6, .5]], σ = 0.5: det = 2.25·0.75 − 0.36 = 1.3275.
        GaussianMixture g = GaussianMixture.gaussian(new double[] {1, -1}, new double[][] {{2, 0.6}, {0.6, 0.5}});
        assertEquals((2.25 + 0.75) / 1.3275, g.fisherTrace(1, 0.5, 4), 1e-12);
    }

    /** ∫ p_σ (∂ log p_σ)² dx and ∫ p_σ(x) tr Var_{x0|x}[s(x|x0)] dx by the trapezoidal rule (h = 0.005 on ±25). */
    private static double[] trapezoidFisherAndPosteriorVariance(GaussianMixture p, double sigma) {
        // The trapezoidal rule is spectrally accurate for these analytic, Gaussian-decaying integrands: halving h
        // from 0.01 to 0.005 changes the result by < 1e-12 relative (measured); for σ ≤ 1.5 the mass beyond ±25 is
        // beyond 12 standard deviations of every component (< 1e-30).
        GaussianMixture pt = p.perturbed(1, sigma);
        double h = 0.005;
        int n = 10001;
        double[] xs = new double[n];
        for (int i = 0; i < n; i++) {
            xs[i] = -25 + i * h;
        }
        NdArray trCov = p.posterior(NdArray.of(xs, n, 1), 1, sigma).traceCovariance();
        double fisher = 0;
        double variance = 0;
        for (int i = 0; i < n; i++) {
            double[] x = {xs[i]};
            double dens = pt.density(x);
            double sc = pt.score(x)[0];
            fisher += dens * sc * sc;
            variance += dens * trCov.getFlat(i) / Math.pow(sigma, 4);
        }
        return new double[] {fisher * h, variance * h};
    }

    @Test
    void fisherTraceOfAMixtureMatchesATrapezoidalIntegral() {
        // Gauss–Hermite per component is not exact for a mixture (see fisherTrace's Javadoc): the responsibilities
        // switch over a narrow width where components meet. Measured relative errors against the trapezoid:
        // σ = 1: 2e-9 at n = 80, 5e-13 at n = 150; σ = 0.3: 2.5e-5 at n = 80, 2e-6 at n = 150. Tolerances are
        // ~5× those.
        GaussianMixture p = oneD();
        double ref1 = trapezoidFisherAndPosteriorVariance(p, 1.0)[0];
        assertEquals(ref1, p.fisherTrace(1, 1.0, 80), 1e-8 * ref1);
        assertEquals(ref1, p.fisherTrace(1, 1.0, 150), 3e-12 * ref1);
        double ref03 = trapezoidFisherAndPosteriorVariance(p, 0.3)[0];
        assertEquals(ref03, p.fisherTrace(1, 0.3, 150), 1e-5 * ref03);
    }

    @Test
    void posteriorOfAGaussianIsTheConjugateUpdate() {
        // x0 ~ N(μ, s²), xt = α x0 + σ ε: posterior N(μ + α s² (xt − αμ)/(α²s² + σ²), s²σ²/(α²s² + σ²)).
        // Closed forms evaluated two ways: 1e-14 relative (a few roundings).
        double mu = 0.7;
        double s2 = 1.3;
        double alpha = 0.8;
        double sigma = 0.6;
        GaussianMixture p = GaussianMixture.gaussian(new double[] {mu}, new double[][] {{s2}});
        NdArray xt = NdArray.of(new double[] {-1, 0.2, 3}, 3, 1);
        MixturePosterior post = p.posterior(xt, alpha, sigma);
        double v = alpha * alpha * s2 + sigma * sigma;
        for (int r = 0; r < 3; r++) {
            double m = mu + alpha * s2 * (xt.getFlat(r) - alpha * mu) / v;
            assertEquals(m, post.mean().getFlat(r), 1e-14 * Math.max(1, Math.abs(m)));
            assertEquals(s2 * sigma * sigma / v, post.covariance().getFlat(r), 1e-14);
            assertEquals(1.0, post.responsibilities().getFlat(r), 0.0);
        }
    }

    @Test
    void posteriorSatisfiesTweedieToFirstAndSecondOrder() {
        // Tweedie: E[x0|xt] = (xt + σ² ∇log p_t(xt))/α and, THEORY.md §3 with α,
        // α² Cov(x0|xt)/σ⁴ = I/σ² + ∇² log p_t(xt). The Hessian comes from autodiff of the exact score graph.
        // Independent exact formulas, rounding only; the second identity subtracts terms of size 1/σ² ≈ 1.6
        // from each other, so 1e-11 absolute.
        for (GaussianMixture p : List.of(twoD(), threeD())) {
            int d = p.dimension();
            double alpha = 0.9;
            double sigma = 0.8;
            GaussianMixture pt = p.perturbed(alpha, sigma);
            int b = 6;
            NdArray xt = randomPoints(b, d, 5, 2.5);
            MixturePosterior post = p.posterior(xt, alpha, sigma);
            NdArray mean = post.mean();
            NdArray cov = post.covariance();
            Tensor y = Tensor.placeholder("y", Shape.of(b, d));
            Tensor hess = Autodiff.jacobian(pt.score(y), y); // [b, d, b, d], block diagonal
            Plan plan = Plan.compile(List.of(hess)).set(y, xt).execute();
            NdArray hv = plan.get(hess);
            for (int r = 0; r < b; r++) {
                double[] s = pt.score(row(xt, r));
                for (int i = 0; i < d; i++) {
                    double tweedie = (xt.getFlat(r * d + i) + sigma * sigma * s[i]) / alpha;
                    assertEquals(tweedie, mean.getFlat(r * d + i), 1e-12 * Math.max(1, Math.abs(tweedie)));
                    for (int j = 0; j < d; j++) {
                        double lhs = alpha * alpha * cov.get(r, i, j) / Math.pow(sigma, 4);
                        double rhs = (i == j ? 1 / (sigma * sigma) : 0) + hv.get(r, i, r, j);
                        assertEquals(rhs, lhs, 1e-11, "row " + r + " [" + i + "][" + j + "]");
                    }
                }
            }
        }
    }

    @Test
    void expectedPosteriorVarianceIsDOverSigmaSquaredMinusFisherTrace() {
        // THEORY.md §3 (α = 1): E_{xt} tr Var_{x0|xt}[s(xt|x0)] = D/σ² − tr I(σ). In 1-D both sides by the same
        // trapezoidal rule (spectrally accurate, so integration by parts holds to rounding): 1e-11 relative.
        GaussianMixture p = oneD();
        for (double sigma : new double[] {0.1, 0.7, 1.5}) {
            double[] fv = trapezoidFisherAndPosteriorVariance(p, sigma);
            double rhs = 1 / (sigma * sigma) - fv[0];
            assertEquals(rhs, fv[1], 1e-11 * rhs, "σ = " + sigma);
        }
        // 2-D with Gauss–Hermite on the perturbed mixture (40 points per axis). The two integrands differ by the
        // Laplacian of log p_t, whose integral equals −E‖∇log p_t‖² only up to the quadrature error (measured
        // 4e-7 relative at n = 40, σ = 0.7); tolerance 5e-6.
        GaussianMixture p2 = twoD();
        double sigma = 0.7;
        QuadratureGrid g = p2.perturbed(1, sigma).quadratureGrid(40);
        NdArray trCov = p2.posterior(g.points(), 1, sigma).traceCovariance();
        double[] w = g.weights().f64();
        double lhs = 0;
        for (int i = 0; i < w.length; i++) {
            lhs += w[i] * trCov.getFlat(i) / Math.pow(sigma, 4);
        }
        double rhs = 2 / (sigma * sigma) - p2.fisherTrace(1, sigma, 40);
        assertEquals(rhs, lhs, 5e-6 * rhs);
    }

    @Test
    void posteriorRowIsAMixture() {
        // Row b of the posterior as a mixture has the posterior's mean (same arithmetic reordered: 1e-14).
        GaussianMixture p = twoD();
        NdArray xt = randomPoints(3, 2, 9, 2);
        MixturePosterior post = p.posterior(xt, 1, 0.5);
        for (int r = 0; r < 3; r++) {
            double[] m = post.row(r).mixtureMean();
            assertEquals(post.mean().get(r, 0), m[0], 1e-14);
            assertEquals(post.mean().get(r, 1), m[1], 1e-14);
        }
    }

    @Test
    void sampleMomentsAreWithinCltBounds() {
        // n = 40000 samples; each check is |estimate − exact| < 5 standard errors (the standard error of a
        // product moment estimated from the sample itself). Under the CLT a single check fails with
        // probability 5.7e-7, all 5 checks together < 3e-6 for a random key; the key here is fixed, so the
        // test is deterministic.
        GaussianMixture p = twoD();
        int n = 40000;
        NdArray x = p.sample(Tensor.key(Key.of(42)), n).eval();
        assertMomentsWithinClt(p, x, n);
        // Reproducible bit for bit: the same key gives the same numbers (the normals' log and cos are fixed
        // operation sequences, the same compiled or interpreted); another key gives others.
        assertArrayEquals(x.f64(), p.sample(Tensor.key(Key.of(42)), n).eval().f64(), 0.0);
        assertTrue(Math.abs(x.getFlat(0) - p.sample(Tensor.key(Key.of(43)), n).eval().getFlat(0)) > 1e-6);
    }

    @Test
    void componentsSharingOneCovarianceSampleTheirMoments() {
        // The sampler's shortcut for one covariance shared by all components (x = μ_k + L z, or μ_k + s z when
        // L = sI): the same CLT bounds as above, for a full shared covariance and an isotropic ring.
        double[][] cov = {{0.5, 0.3}, {0.3, 0.4}};
        GaussianMixture full = new GaussianMixture(new double[] {0.3, 0.45, 0.25},
                new double[][] {{-1.5, 0.5}, {1.0, 1.0}, {0.5, -1.5}}, new double[][][] {cov, cov, cov});
        int n = 40000;
        assertMomentsWithinClt(full, full.sample(Tensor.key(Key.of(7)), n).eval(), n);
        GaussianMixture ring = Datasets.gaussianRingMixture(8, 4.0, 0.1);
        NdArray x = ring.sample(Tensor.key(Key.of(8)), n).eval();
        assertMomentsWithinClt(ring, x, n);
        // the ring's spread hides its modes' width: ‖x − μ_nearest‖²/0.1² is χ²₂ (modes 3 apart, 30 std), mean 2,
        // variance 4, so its sample mean is within 5 standard errors 5·√(4/n) = 0.05 of 2 (failure ≤ 5.7e-7)
        double chi2 = 0;
        for (int r = 0; r < n; r++) {
            double best = Double.MAX_VALUE;
            for (int c = 0; c < ring.components(); c++) {
                double[] m = ring.mean(c);
                double dx = x.getFlat(2 * r) - m[0];
                double dy = x.getFlat(2 * r + 1) - m[1];
                best = Math.min(best, dx * dx + dy * dy);
            }
            chi2 += best / 0.01;
        }
        assertEquals(2, chi2 / n, 5 * Math.sqrt(4.0 / n), "mean of ‖x − μ‖²/σ²");
    }

    /** Sample mean and covariance of {@code x} within 5 standard errors of the mixture's (see the caller). */
    private static void assertMomentsWithinClt(GaussianMixture p, NdArray x, int n) {
        assertEquals(Shape.of(n, 2), x.shape());
        double[] mean = p.mixtureMean();
        double[][] cov = p.mixtureCovariance();
        for (int i = 0; i < 2; i++) {
            double sum = 0;
            for (int r = 0; r < n; r++) {
                sum += x.getFlat(2 * r + i);
            }
            double se = Math.sqrt(cov[i][i] / n);
            assertEquals(mean[i], sum / n, 5 * se, "mean[" + i + "]");
        }
        for (int i = 0; i < 2; i++) {
            for (int j = i; j < 2; j++) {
                double s = 0;
                double s2 = 0;
                for (int r = 0; r < n; r++) {
                    double v = (x.getFlat(2 * r + i) - mean[i]) * (x.getFlat(2 * r + j) - mean[j]);
                    s += v;
                    s2 += v * v;
                }
                double est = s / n;
                double se = Math.sqrt((s2 / n - est * est) / n);
                assertEquals(cov[i][j], est, 5 * se, "cov[" + i + "][" + j + "]");
            }
        }
    }

    @Test
    void samplesTakeEachComponentAtItsWeight() {
        // Components 100 standard deviations apart, so each sample's component is its nearest mean. A frequency
        // of n = 20000 draws is within 5 binomial standard errors √(w(1 − w)/n) of w except with probability
        // 5.7e-7 per check under the CLT; the key is fixed, so the test is deterministic.
        double[] w = {0.2, 0.5, 0.3};
        GaussianMixture p = new GaussianMixture(w, new double[][] {{0}, {100}, {200}},
                new double[][][] {{{1}}, {{1}}, {{1}}});
        int n = 20000;
        NdArray s = p.sample(Tensor.key(Key.of(7)), n).eval();
        int[] count = new int[3];
        for (int i = 0; i < n; i++) {
            count[(int) Math.round(s.getFlat(i) / 100)]++;
        }
        for (int k = 0; k < 3; k++) {
            assertEquals(w[k], count[k] / (double) n, 5 * Math.sqrt(w[k] * (1 - w[k]) / n), "component " + k);
        }
    }

    @Test
    void zeroWeightComponentsTakeNoPart() {
        // Dropping a weight-0 component changes nothing: same arithmetic on the active components, 0 tolerance
        // would do; 1e-15 guards against summation-order differences.
        GaussianMixture a = new GaussianMixture(new double[] {0.4, 0, 0.6}, new double[][] {{0}, {100}, {1}},
                new double[][][] {{{1}}, {{1}}, {{0.5}}});
        GaussianMixture b = new GaussianMixture(new double[] {0.4, 0.6}, new double[][] {{0}, {1}},
                new double[][][] {{{1}}, {{0.5}}});
        for (double x = -3; x <= 3; x += 0.5) {
            assertEquals(b.logDensity(new double[] {x}), a.logDensity(new double[] {x}), 1e-15);
        }
        NdArray s = a.sample(Tensor.key(Key.of(1)), 1000).eval();
        for (int i = 0; i < 1000; i++) {
            assertTrue(Math.abs(s.getFlat(i)) < 10, "no sample from the weight-0 component at 100");
        }
        assertEquals(3, a.components());
        assertEquals(2 * 40, GaussHermite.mixtureGrid(a, 40).size() / 1);
    }

    @Test
    void float32InputsGiveFloat32Outputs() {
        // float32 evaluation of the same formulas: relative error ~1e-6 (a few float roundings of values ≤ 30).
        GaussianMixture p = twoD();
        NdArray x = randomPoints(10, 2, 3, 2);
        NdArray l32 = p.logDensity(Tensor.constant(x.astype(DType.F32))).eval();
        assertEquals(DType.F32, l32.dtype());
        for (int r = 0; r < 10; r++) {
            double l = p.logDensity(row(x, r));
            assertEquals(l, l32.getFlat(r), 1e-5 * Math.max(1, Math.abs(l)));
        }
    }

    private static IllegalArgumentException bad(org.junit.jupiter.api.function.Executable e, String... fragments) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String f : fragments) {
            assertTrue(ex.getMessage().contains(f), "message '" + ex.getMessage() + "' should contain '" + f + "'");
        }
        return ex;
    }

    @Test
    void badInputsFailFastWithClearMessages() {
        double[][] mu = {{0, 0}, {1, 1}};
        double[][][] eye = {{{1, 0}, {0, 1}}, {{1, 0}, {0, 1}}};
        bad(() -> new GaussianMixture(new double[] {0.5, 0.4}, mu, eye), "weights sum to 0.9", "expected 1");
        bad(() -> new GaussianMixture(new double[] {1.2, -0.2}, mu, eye), "weights[1] = -0.2", ">= 0");
        bad(() -> new GaussianMixture(new double[] {Double.NaN, 1}, mu, eye), "weights[0] = NaN");
        bad(() -> new GaussianMixture(new double[] {}, mu, eye), "weights");
        bad(() -> new GaussianMixture(new double[] {0.5, 0.5}, new double[][] {{0, 0}, {1}}, eye),
                "means[1] has length 1", "D = 2");
        bad(() -> new GaussianMixture(new double[] {0.5, 0.5}, new double[][] {{0, 0}}, eye), "means has 1 rows");
        bad(() -> new GaussianMixture(new double[] {0.5, 0.5}, new double[][] {{0, Double.NaN}, {1, 1}}, eye),
                "means[0][1] = NaN");
        bad(() -> new GaussianMixture(new double[] {0.5, 0.5}, mu,
                new double[][][] {{{1, 0}, {0, 1}}, {{1, 2}, {2, 1}}}), "covariances[1]", "not positive definite");
        bad(() -> new GaussianMixture(new double[] {0.5, 0.5}, mu,
                new double[][][] {{{1, 0.5}, {0, 1}}, {{1, 0}, {0, 1}}}), "covariances[0]", "not symmetric");
        bad(() -> new GaussianMixture(new double[] {0.5, 0.5}, mu,
                new double[][][] {{{1, 0}, {0, 1}}, {{1}}}), "covariances[1]", "expected 2");
        bad(() -> new GaussianMixture(new double[] {0.5, 0.5}, mu,
                new double[][][] {{{1, 0}, {0, Double.POSITIVE_INFINITY}}, {{1, 0}, {0, 1}}}), "Infinity");
        bad(() -> GaussianMixture.isotropic(new double[] {1}, new double[][] {{0}}, 0), "std = 0");

        GaussianMixture p = twoD();
        bad(() -> p.logDensity(Tensor.zeros(4, 3)), "expected float rows [..., 2]");
        bad(() -> p.score(new double[] {1}), "length 1", "D = 2");
        bad(() -> p.perturbed(Double.NaN, 1), "alpha = NaN");
        bad(() -> p.perturbed(1, -1), "sigma = -1");
        bad(() -> p.perturbed(0, 0), "point mass");
        bad(() -> p.posterior(NdArray.of(new double[] {1, 2}, 1, 2), 1, 0), "sigma = 0", "> 0");
        bad(() -> p.posterior(NdArray.of(new double[] {1, 2, 3}, 1, 3), 1, 1), "shape [1, 3]", "[B, 2]");
        bad(() -> p.posterior(NdArray.of(new double[] {1, Double.NaN}, 1, 2), 1, 1), "NaN");
        bad(() -> p.sample(Tensor.key(Key.of(0)), 0), "n = 0");
        bad(() -> p.sample(Tensor.zeros(1), 5), "expected a PRNG key");
        bad(() -> p.fisherTrace(1, 1, 0), "n = 0");
    }
}
