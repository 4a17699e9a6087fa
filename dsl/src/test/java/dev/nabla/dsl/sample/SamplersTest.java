package dev.nabla.dsl.sample;

import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.sde.CustomSde;
import dev.nabla.dsl.sde.Diffusion;
import dev.nabla.dsl.sde.LinearSde;
import dev.nabla.dsl.sde.Prior;
import dev.nabla.dsl.sde.ScheduledSde;
import dev.nabla.dsl.sde.Sde;
import dev.nabla.dsl.sde.VarianceExploding;
import dev.nabla.dsl.sde.VariancePreserving;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Samplers and likelihoods driven by the exact score of Gaussian data {@code N(μ, s² I)}: under a linear SDE
 * the marginal is {@code N(α_t μ, (α_t² s² + σ_t²) I)}, so its score is known in closed form and every
 * sampler must reproduce the data distribution, and the probability-flow likelihood must equal the Gaussian
 * log-density.
 */
class SamplersTest {
    static final double MU = 1.5;
    static final double S = 0.5;

    static ScoreFunction exactScore(LinearSde sde) {
        return (y, t) -> {
            Tensor a = sde.meanScale(t);
            Tensor var = a.square().mul(S * S).add(sde.std(t).square());
            return y.sub(a.mul(MU)).div(var).neg();
        };
    }

    /**
     * n = 4000 samples: the sample mean's standard error is s/√n ≈ 0.008 and the variance's s²√(2/n) ≈ 0.0056;
     * with 5 standard errors (failure probability < 6e-7, fixed key) plus a discretisation allowance of 0.03
     * (first-order samplers with a few hundred steps; t_min = 1e-3 adds σ² ≤ 1e-4 of variance).
     */
    @Test
    void everySamplerReproducesTheData() {
        // VP: its prior N(0, I) is the terminal marginal up to α_T ≈ 7e-3 (VE's N(0, σ_max² I) ignores the data
        // mean, an offset the probability flow transports deterministically to the samples)
        LinearSde sde = VariancePreserving.standard();
        ScoreFunction score = exactScore(sde);
        Backend b = Backend.simd();
        List<Samplers.Sampler> samplers = List.of(
                Samplers.eulerMaruyama(sde, score, 500, 1e-3, b),
                Samplers.predictorCorrector(sde, score, 300, 1e-3, 1, 0.16, b),
                Samplers.probabilityFlowHeun(sde, score, 200, 1e-3, b),
                Samplers.probabilityFlowRk45(sde, score, 1e-5, 1e-5, 1e-3, b));
        int n = 4000;
        for (int i = 0; i < samplers.size(); i++) {
            NdArray x = samplers.get(i).sample(n, 2, Key.of(10 + i));
            for (int c = 0; c < 2; c++) {
                double m = 0;
                for (int r = 0; r < n; r++) {
                    m += x.get(r, c);
                }
                m /= n;
                double v = 0;
                for (int r = 0; r < n; r++) {
                    v += (x.get(r, c) - m) * (x.get(r, c) - m);
                }
                v /= n;
                assertEquals(MU, m, 5 * S / Math.sqrt(n) + 0.03, "sampler " + i + " mean of column " + c);
                assertEquals(S * S, v, 5 * S * S * Math.sqrt(2.0 / n) + 0.03, "sampler " + i + " variance of column " + c);
            }
        }
    }

    /**
     * The probability-flow log-density of Gaussian data equals the Gaussian log-density at t_min, with the
     * exact terminal marginal as prior: the only errors are the ODE solver's (rtol = atol = 1e-8 → ~1e-6 in
     * log p). Hutchinson's estimator is exact here because ∂v/∂y is a multiple of I and εᵀε = D for
     * Rademacher probes.
     */
    @Test
    void probabilityFlowLikelihoodOfAGaussian() {
        VariancePreserving sde = VariancePreserving.standard();
        double tMin = 1e-3;
        double aT = sde.meanScale(1.0);
        double varT = aT * aT * S * S + sde.std(1.0) * sde.std(1.0);
        Prior exactEnd = Prior.of(y -> y.sub(aT * MU).square().sum(-1).mul(-0.5 / varT).sub(Math.log(2 * Math.PI * varT)),
                (key, n, d) -> key.normal(Shape.of(n, d)).mul(Math.sqrt(varT)).add(aT * MU));
        double[] pts = {1.5, 1.5, 0.2, 2.9, 2.0, 1.0, -0.5, 3.0};
        NdArray data = NdArray.of(pts, 4, 2);
        double a0 = sde.meanScale(tMin);
        double var0 = a0 * a0 * S * S + sde.std(tMin) * sde.std(tMin);
        for (Likelihood.Divergence div : Likelihood.Divergence.values()) {
            Likelihood.Result r = Likelihood.logDensity(sde, exactScore(sde), data, div, tMin, 1e-8, 1e-8, exactEnd,
                    Key.of(1), Backend.simd());
            for (int i = 0; i < 4; i++) {
                double q = (pts[2 * i] - a0 * MU) * (pts[2 * i] - a0 * MU) + (pts[2 * i + 1] - a0 * MU) * (pts[2 * i + 1] - a0 * MU);
                double exact = -0.5 * q / var0 - Math.log(2 * Math.PI * var0);
                assertEquals(exact, r.logDensity()[i], 1e-5 * (1 + Math.abs(exact)), div + " row " + i);
            }
            assertTrue(r.bitsPerDim(2) > 0);
        }
    }

    /**
     * Every sampler, driven by the exact score of a 6-mode Gaussian ring under VE noise
     * ({@code q_t = Σ_k w_k N(μ_k, (s² + σ_t²) I)}, written as graph code), reproduces the ring: energy distance
     * to fresh data below 0.02 with n = m = 800, where two data samples are ≈ 0.003 apart and a Gaussian fitted
     * to the data ≈ 0.1 (measured: PC 0.002, EM 0.004). Seeds fixed.
     */
    @Test
    void everySamplerReproducesAMixtureWithTheExactScore() {
        VarianceExploding sde = new VarianceExploding(0.01, 5);
        int k = 6;
        double r = 2;
        double s = 0.15;
        double[] mu = new double[2 * k];
        for (int i = 0; i < k; i++) {
            mu[2 * i] = r * Math.cos(2 * Math.PI * i / k);
            mu[2 * i + 1] = r * Math.sin(2 * Math.PI * i / k);
        }
        Tensor means = Tensor.of(mu, k, 2);
        ScoreFunction exact = (y, t) -> {
            Tensor v = sde.std(t).square().add(s * s);                                     // [B, 1]
            Tensor diff = means.unsqueeze(0).sub(y.unsqueeze(1));                           // [B, K, 2]
            Tensor resp = diff.square().sum(-1).mul(-0.5).div(v).softmax().unsqueeze(-1);   // [B, K, 1]
            return diff.mul(resp).sum(1).div(v);
        };
        NdArray fresh = dev.nabla.dsl.data.Datasets.gaussianRing(800, k, r, s, Key.of(4));
        Backend b = Backend.simd();
        List<Samplers.Sampler> samplers = List.of(
                Samplers.eulerMaruyama(sde, exact, 300, 1e-3, b),
                Samplers.predictorCorrector(sde, exact, 200, 1e-3, 1, 0.16, b),
                Samplers.probabilityFlowHeun(sde, exact, 150, 1e-3, b),
                Samplers.probabilityFlowRk45(sde, exact, 1e-5, 1e-5, 1e-3, b));
        for (int i = 0; i < samplers.size(); i++) {
            double ed = dev.nabla.dsl.metrics.Metrics.energyDistance(samplers.get(i).sample(800, 2, Key.of(20 + i)), fresh);
            assertTrue(ed < 0.02, "sampler " + i + ": energy distance " + ed);
        }
    }

    /**
     * A VP written by a user — a subclass of {@link ScheduledSde} implementing {@link LinearSde} with the VP
     * schedule, drift {@code −½β(t) y}, {@code α_t = e^{−½B(t)}}, {@code σ_t² = 1 − α_t²} — is the same SDE as
     * {@link VariancePreserving}: nothing in it names VP.
     */
    static final class UserVp extends ScheduledSde implements LinearSde {
        UserVp() {
            super("UserVp", Diffusion.linearBeta(0.1, 20), 1);
        }

        @Override
        public Tensor drift(Tensor y, Tensor t) {
            return y.mul(schedule().at(t).square().mul(-0.5));
        }

        @Override
        public Prior prior() {
            return Prior.gaussian(1);
        }

        @Override
        public Tensor meanScale(Tensor t) {
            return schedule().integral(t).mul(-0.5).exp();
        }

        @Override
        public Tensor std(Tensor t) {
            return schedule().integral(t).neg().expm1().neg().sqrt();
        }

        @Override
        public double meanScale(double t) {
            return Math.exp(-0.5 * schedule().integral(t));
        }

        @Override
        public double std(double t) {
            return Math.sqrt(-Math.expm1(-schedule().integral(t)));
        }
    }

    /**
     * The predictor–corrector's step size {@code ε = 2α(r‖z‖/‖s‖)²} takes α from the SDE: a user's VP (a
     * {@link LinearSde} subclass) and a {@link CustomSde#linear} with VP's rate {@code −½β(t)} must sample what
     * {@link VariancePreserving} samples with the same key, score and steps, i.e. get {@code α = 1 − β(t)Δt}.
     * With α = 1 (what every SDE but VP got when α was chosen by {@code instanceof VariancePreserving}) the
     * corrector's step is larger by {@code 1/(1 − βΔt)}, up to 1.25 here (β ≤ 20, Δt ≈ 0.01), and the samples
     * move by up to 5.8e-3 (measured with α = 1). The bound 1e-9 allows float64 round-off only: the SDEs compute
     * β and the drift by equal formulas in different orders (√β squared against β, {@code −½β·y} against
     * {@code −y·β/2}), a few ulps per step carried through 100 steps (measured: 0 for the subclass, 8.9e-16 for
     * the custom SDE).
     */
    @Test
    void aUserDefinedVpLikeSdeGetsTheCorrectorAlphaOfVp() {
        VariancePreserving vp = VariancePreserving.standard();
        ScoreFunction score = exactScore(vp);
        Sde custom = CustomSde.linear(t -> t.mul(19.9).add(0.1).mul(-0.5), Diffusion.linearBeta(0.1, 20), 1,
                Prior.gaussian(1));
        Backend b = Backend.simd();
        NdArray reference = Samplers.predictorCorrector(vp, score, 100, 1e-3, 2, 0.16, b).sample(64, 2, Key.of(7));
        for (Sde sde : List.of(new UserVp(), custom)) {
            NdArray x = Samplers.predictorCorrector(sde, score, 100, 1e-3, 2, 0.16, b).sample(64, 2, Key.of(7));
            double maxDiff = 0;
            for (int i = 0; i < x.size(); i++) {
                maxDiff = Math.max(maxDiff, Math.abs(x.getFlat(i) - reference.getFlat(i)));
            }
            assertTrue(maxDiff < 1e-9, sde + ": predictor-corrector samples differ from VP's by " + maxDiff);
        }
    }

    @Test
    void badInputIsRejected() {
        LinearSde sde = new VarianceExploding(0.01, 10);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Samplers.eulerMaruyama(sde, exactScore(sde), 0, 1e-3, Backend.simd()));
        assertTrue(e.getMessage().contains("steps = 0"), e.getMessage());
        NdArray nan = NdArray.of(new double[] {1, Double.NaN}, 1, 2);
        e = assertThrows(IllegalArgumentException.class, () -> Likelihood.logDensity(sde, exactScore(sde), nan,
                Likelihood.Divergence.EXACT, 1e-3, 1e-6, 1e-6, null, Key.of(0), Backend.simd()));
        assertTrue(e.getMessage().contains("NaN") && e.getMessage().contains("row 0, column 1"), e.getMessage());
    }
}
