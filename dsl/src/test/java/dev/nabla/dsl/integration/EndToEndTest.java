package dev.nabla.dsl.integration;

import dev.nabla.core.NdArray;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.Objective;
import dev.nabla.dsl.data.Datasets;
import dev.nabla.dsl.metrics.Metrics;
import dev.nabla.dsl.nn.Activation;
import dev.nabla.dsl.nn.Mlp;
import dev.nabla.dsl.nn.ScaledScore;
import dev.nabla.dsl.nn.TimeInput;
import dev.nabla.dsl.objectives.Objectives;
import dev.nabla.dsl.sample.Samplers;
import dev.nabla.dsl.sde.VarianceExploding;
import dev.nabla.dsl.train.FitResult;
import dev.nabla.dsl.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The whole pipeline as a researcher uses it: a 2-D Gaussian ring (6 modes), an MLP score model trained with
 * DSM under a VE SDE, and samples from every sampler, judged by the energy distance to fresh data.
 *
 * <p>Thresholds are relative to two baselines measured in the same run on n = m = 800 points: the noise floor
 * (two samples of the data, ≈ 0.003) and a model that learnt the ring's mean and covariance but not its modes
 * (a Gaussian fitted to the data, ≈ 0.107). A sampler passes when its energy distance is below 0.7 of the latter:
 * it must have moved mass onto the modes (measured here after 2 500 steps: Euler–Maruyama 0.012, PC 0.037,
 * Heun and RK45 ≈ 0.007).
 *
 * <p>The model is noise-conditioned and scaled ({@link ScaledScore}: {@code net(y, log σ_t)/σ_t}). With a
 * plain {@code s(y, t)} MLP of the same size and steps, the Langevin corrector made samples worse the stronger
 * it was (energy distance 0.30 at snr 0.16 against 0.058 without it): Langevin steps at a fixed t relax
 * towards the distribution the model's score implies, and that model's score was poor at small σ.
 */
class EndToEndTest {
    @Test
    void trainWithDsmAndSampleWithEverySampler() {
        VarianceExploding sde = new VarianceExploding(0.01, 5);
        NdArray data = Datasets.gaussianRing(4000, 6, 2.0, 0.15, Key.of(1));
        ScaledScore<Mlp> model = ScaledScore.of(sde, Mlp.builder(2).hidden(64, 64).activation(Activation.SILU)
                .timeInput(TimeInput.LOG).timeEmbedding(8, 1).key(Key.of(2)).build());
        FitResult<ScaledScore<Mlp>> fit = Trainer.of(model, Objectives.dsm(sde)).adam(3e-3).batch(256).steps(2500)
                .backend(Backend.simd()).progress(false).fit(data, Key.of(3));
        assertTrue(fit.finalLoss() < fit.initialLoss(), "loss fell: " + fit);
        NdArray fresh = Datasets.gaussianRing(800, 6, 2.0, 0.15, Key.of(4));
        List<Samplers.Sampler> samplers = List.of(
                Samplers.eulerMaruyama(sde, model, 300, 1e-3, Backend.simd()),
                Samplers.predictorCorrector(sde, model, 300, 1e-3, 1, 0.16, Backend.simd()),
                Samplers.probabilityFlowHeun(sde, model, 150, 1e-3, Backend.simd()),
                Samplers.probabilityFlowRk45(sde, model, 1e-4, 1e-4, 1e-3, Backend.simd()));
        String[] names = {"Euler-Maruyama", "predictor-corrector (snr 0.16)", "probability flow (Heun)", "probability flow (RK45)"};
        double floor = Metrics.energyDistance(Datasets.gaussianRing(800, 6, 2.0, 0.15, Key.of(5)), fresh);
        double blob = Metrics.energyDistance(gaussianLike(data, 800, Key.of(6)), fresh);
        assertTrue(floor < 0.2 * blob, "the baselines are apart: floor " + floor + ", Gaussian " + blob);
        for (int i = 0; i < samplers.size(); i++) {
            NdArray x = samplers.get(i).sample(800, 2, Key.of(10 + i));
            double ed = Metrics.energyDistance(x, fresh);
            assertTrue(ed < 0.7 * blob, names[i] + ": energy distance " + ed + " (noise floor " + floor
                    + ", Gaussian fitted to the data " + blob + ")");
        }
    }

    /** n samples of the Gaussian with the data's mean and covariance: a model that missed the modes. */
    static NdArray gaussianLike(NdArray data, int n, Key key) {
        int rows = data.shape().dim(0);
        double[] m = new double[2];
        double[][] c = new double[2][2];
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < 2; i++) {
                m[i] += data.get(r, i) / rows;
            }
        }
        for (int r = 0; r < rows; r++) {
            for (int i = 0; i < 2; i++) {
                for (int j = 0; j < 2; j++) {
                    c[i][j] += (data.get(r, i) - m[i]) * (data.get(r, j) - m[j]) / rows;
                }
            }
        }
        double l00 = Math.sqrt(c[0][0]);
        double l10 = c[1][0] / l00;
        double l11 = Math.sqrt(c[1][1] - l10 * l10);
        Tensor z = Tensor.key(key).normal(dev.nabla.core.Shape.of(n, 2));
        Tensor x = z.matmul(Tensor.of(new double[][] {{l00, l10}, {0, l11}})).add(Tensor.of(m));
        return x.eval();
    }

    /**
     * A new objective in a dozen lines of the DSL: "noise-conditional DSM with a learnt time-dependent
     * weighting floor", written as graph code against the SDE, and trained like any other.
     */
    @Test
    void aNewObjectiveInADozenLines() {
        VarianceExploding sde = new VarianceExploding(0.01, 5);
        Objective mine = (score, batch, key) -> {
            Tensor t = Objectives.times(sde, batch, key, 1e-4);
            Tensor eps = key.fold(1).normal(batch.shape());
            Tensor sigma = sde.std(t);
            Tensor xt = batch.add(eps.mul(sigma));
            Tensor residual = score.apply(xt, t).mul(sigma).add(eps);      // σ s + ε, the ε-prediction error
            Tensor huber = residual.abs().minimum(1).mul(residual.abs()).sub(residual.abs().minimum(1).square().mul(0.5));
            return huber.sum(-1).mean();                                    // a robust (Huber) DSM
        };
        NdArray data = Datasets.gaussianRing(4000, 6, 2.0, 0.15, Key.of(1));
        Mlp model = Mlp.builder(2).hidden(64, 64).timeEmbedding(8).key(Key.of(5)).build();
        FitResult<Mlp> fit = Trainer.of(model, mine).adam(3e-3).batch(256).steps(2500).progress(false).fit(data, Key.of(6));
        assertTrue(fit.finalLoss() < 0.9 * fit.initialLoss(), "the new objective trains: " + fit);
        NdArray x = Samplers.eulerMaruyama(sde, model, 300, 1e-3, Backend.simd()).sample(800, 2, Key.of(7));
        NdArray fresh = Datasets.gaussianRing(800, 6, 2.0, 0.15, Key.of(8));
        double ed = Metrics.energyDistance(x, fresh);
        double blob = Metrics.energyDistance(gaussianLike(data, 800, Key.of(9)), fresh);
        assertTrue(ed < 0.7 * blob, "its samples reach the modes: energy distance " + ed + ", Gaussian baseline " + blob);
    }
}
