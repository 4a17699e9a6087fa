package dev.nabla.dsl.train;

import dev.nabla.core.NdArray;
import dev.nabla.core.Tensor;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.sde.VarianceExploding;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Gaussian data {@code N(0, s² I)}, D = 2, under VE, and the model {@code s_θ(x, t) = −θ x/(s² + σ_t²) + b}, exact
 * at θ = 1, b = 0. Data are a finite sample, so expectations are taken under its empirical distribution (the
 * monitor draws rows with replacement): with {@code m2_d} the sample mean of {@code x_d²} and
 * {@code v = s² + σ²}, the per-example DSM residual {@code z_d = −x_{0,d}/v + ε_d(1/σ − σ/v)} has
 * {@code E z_d² = m2_d/v² + (1/σ − σ/v)²}, which for {@code m2 = s²} gives THEORY §3's {@code D/σ² − D/v}.
 */
class NoiseLevelMonitorTest {
    private static final double S = 1.5;
    private static final int D = 2;
    private static final VarianceExploding SDE = new VarianceExploding(0.1, 5);

    private final Tensor theta = Tensor.parameter("theta", NdArray.of(new double[] {1}, 1));
    private final Tensor bias = Tensor.parameter("b", NdArray.of(new double[] {0, 0}, 2));
    private final ScoreFunction model = (x, t) -> x.mul(theta).div(SDE.std(t).square().add(S * S)).neg().add(bias);

    private static NdArray data(int n, long seed) {
        Random r = new Random(seed);
        double[] v = new double[n * D];
        for (int i = 0; i < v.length; i++) {
            v[i] = S * r.nextGaussian();
        }
        return NdArray.of(v, n, D);
    }

    private static double[] secondMoments(NdArray x) {
        int n = x.shape().dim(0);
        double[] m2 = new double[D];
        for (int i = 0; i < n; i++) {
            for (int d = 0; d < D; d++) {
                m2[d] += x.getFlat(i * D + d) * x.getFlat(i * D + d) / n;
            }
        }
        return m2;
    }

    /** DSM loss and score norm per level at the exact score against their closed forms, within 5 standard errors. */
    @Test
    void lossAndScoreNormMatchClosedForms() {
        NdArray x = data(4000, 1);
        double[] m2 = secondMoments(x);
        NoiseLevelMonitor mon = NoiseLevelMonitor.of(model, List.of(theta, bias), SDE, 0.1, 0.5, 1.0).groups(16, 64);
        int b = mon.examples();
        List<NoiseLevelMonitor.Level> levels = mon.measure(x, Key.of(7));
        assertEquals(3, levels.size());
        for (NoiseLevelMonitor.Level l : levels) {
            double sigma = SDE.std(l.t());
            double v = S * S + sigma * sigma;
            double lambda = sigma * sigma;
            assertEquals(sigma, l.sigma(), 1e-12);
            assertEquals(lambda, l.weight(), 1e-9 * lambda);
            double c2 = Math.pow(1 / sigma - sigma / v, 2);
            double loss = 0;
            double lossVar = 0;
            double norm = 0;
            double normVar = 0;
            for (int d = 0; d < D; d++) {
                double a2 = m2[d] / (v * v) + c2;
                loss += lambda * a2;
                lossVar += 2 * lambda * lambda * a2 * a2;
                double q = (m2[d] + sigma * sigma) / (v * v);
                norm += q;
                normVar += 2 * q * q;
            }
            // closed forms under the data law (m2 = s²): λ(D/σ² − D/v) and D/v; the sample's m2 is within ~3%
            assertEquals(lambda * (D / (sigma * sigma) - D / v), loss, 0.05 * loss);
            assertEquals(D / v, norm, 0.05 * norm);
            assertEquals(loss, l.dsmLoss(), 5 * Math.sqrt(lossVar / b), "DSM loss at t = " + l.t());
            assertEquals(norm, l.meanScoreNorm(), 5 * Math.sqrt(normVar / b), "E‖s‖² at t = " + l.t());
            assertTrue(l.dsmLossStdErr() > 0.3 * Math.sqrt(lossVar / b) && l.dsmLossStdErr() < 3 * Math.sqrt(lossVar / b),
                    "standard error " + l.dsmLossStdErr() + " vs " + Math.sqrt(lossVar / b));
            assertTrue(l.gradVariance() >= 0, "tr Σ ≥ 0");
        }
    }

    /**
     * tr Cov of the per-example gradient (∂ℓ/∂θ = −2λ Σ_d r_d x_{t,d}/v, ∂ℓ/∂b_d = 2λ r_d, r = s + ε/σ) by direct
     * Monte Carlo over 200 000 examples, against the monitor's estimate averaged over 30 calls of 16 groups of 8
     * (relative sd of the average ≈ √(2/15)/√30 · kurtosis factor ≈ 0.1): within 40%. ‖E∇ℓ‖² likewise.
     */
    @Test
    void gradientVarianceMatchesDirectMonteCarlo() {
        NdArray x = data(4000, 2);
        int n = x.shape().dim(0);
        double t = 0.5;
        double sigma = SDE.std(t);
        double v = S * S + sigma * sigma;
        double lambda = sigma * sigma;
        Random r = new Random(3);
        int mc = 200_000;
        double[] sum = new double[1 + D];
        double[] sumSq = new double[1 + D];
        for (int i = 0; i < mc; i++) {
            int row = r.nextInt(n);
            double gTheta = 0;
            for (int d = 0; d < D; d++) {
                double eps = r.nextGaussian();
                double xt = x.getFlat(row * D + d) + sigma * eps;
                double res = -xt / v + eps / sigma;
                gTheta += -2 * lambda * res * xt / v;
                double gb = 2 * lambda * res;
                sum[1 + d] += gb;
                sumSq[1 + d] += gb * gb;
            }
            sum[0] += gTheta;
            sumSq[0] += gTheta * gTheta;
        }
        double trCov = 0;
        double meanSq = 0;
        for (int p = 0; p <= D; p++) {
            double m = sum[p] / mc;
            trCov += sumSq[p] / mc - m * m;
            meanSq += m * m;
        }
        meanSq -= trCov / mc;

        NoiseLevelMonitor mon = NoiseLevelMonitor.of(model, List.of(theta, bias), SDE, t).groups(16, 8);
        int reps = 30;
        double est = 0;
        double estMean = 0;
        for (int k = 0; k < reps; k++) {
            NoiseLevelMonitor.Level l = mon.measure(x, Key.of(100 + k)).get(0);
            assertTrue(l.gradVariance() >= 0);
            est += l.gradVariance() / reps;
            estMean += l.gradMeanNormSq() / reps;
        }
        assertEquals(trCov, est, 0.4 * trCov, "tr Cov of per-example gradients");
        assertEquals(meanSq, estMean, 1.2 * trCov / mon.examples(), "‖E∇ℓ‖² (≈ 0 at the exact score)");
    }

    /** The Trainer adapter measures every {@code everyLogs}-th log with key {@code key.fold(step)}. */
    @Test
    void callbackMeasuresEveryKthLog() {
        NdArray x = data(100, 4);
        NoiseLevelMonitor mon = NoiseLevelMonitor.of(model, List.of(theta, bias), SDE, 0.3, 0.9).groups(2, 4);
        List<Long> seen = new ArrayList<>();
        Callback cb = mon.callback(x, Key.of(5), 2, (step, levels) -> {
            assertEquals(2, levels.size());
            assertEquals(mon.measure(x, Key.of(5).fold(step)).get(1).dsmLoss(), levels.get(1).dsmLoss(), 0);
            seen.add(step);
        });
        for (long s = 0; s < 5; s++) {
            cb.onLog(s * 10, 1.0);
        }
        assertEquals(List.of(0L, 20L, 40L), seen);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> mon.callback(x, Key.of(5), 0, (s, l) -> { }));
        assertTrue(e.getMessage().contains("everyLogs = 0"), e.getMessage());
    }

    @Test
    void badArgumentsFailFast() {
        List<Tensor> ps = List.of(theta, bias);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NoiseLevelMonitor.of(model, ps, SDE, 0.5, 0.0));
        assertTrue(e.getMessage().contains("times[1] = 0.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NoiseLevelMonitor.of(model, ps, SDE, 1.5));
        assertTrue(e.getMessage().contains("times[0] = 1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NoiseLevelMonitor.of(model, ps, SDE));
        assertTrue(e.getMessage().contains("times is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NoiseLevelMonitor.of(model, List.of(), SDE, 0.5));
        assertTrue(e.getMessage().contains("params is empty"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NoiseLevelMonitor.of(model, ps, SDE, 0.5).groups(1, 4));
        assertTrue(e.getMessage().contains("groups = 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> NoiseLevelMonitor.of(model, ps, SDE, 0.5).groups(4, 0));
        assertTrue(e.getMessage().contains("groupSize = 0"), e.getMessage());
        NoiseLevelMonitor mon = NoiseLevelMonitor.of(model, ps, SDE, 0.5);
        e = assertThrows(IllegalArgumentException.class,
                () -> mon.measure(NdArray.of(new double[] {1, 2, 3}, 3), Key.of(0)));
        assertTrue(e.getMessage().contains("expected [N, D]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> mon.measure(NdArray.of(new double[] {1, Double.NaN}, 1, 2), Key.of(0)));
        assertTrue(e.getMessage().contains("data[0, 1] = NaN"), e.getMessage());
    }
}
