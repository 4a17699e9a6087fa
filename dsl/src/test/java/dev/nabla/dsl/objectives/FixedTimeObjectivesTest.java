package dev.nabla.dsl.objectives;

import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.sde.CustomSde;
import dev.nabla.dsl.sde.Diffusion;
import dev.nabla.dsl.sde.LangevinSde;
import dev.nabla.dsl.sde.LinearSde;
import dev.nabla.dsl.sde.LinearizedTransition;
import dev.nabla.dsl.sde.OrnsteinUhlenbeck;
import dev.nabla.dsl.sde.Prior;
import dev.nabla.dsl.sde.TimePairs;
import dev.nabla.dsl.sde.VariancePreserving;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every objective evaluated at a fixed time ({@link TimedObjective#lossAt}) against closed forms. Data
 * {@code x_0 ~ N(0, S² I)} in D = 2 and a linear SDE, so {@code q_t = N(0, v I)} with {@code v = α_t² S² + σ_t²};
 * the model is {@code s(y) = −c y} with c = 0.8 (not the true score {@code −y/v}, so no term vanishes), the
 * weighting the heuristic {@code λ = σ_t²}, and losses are per row without the ½:
 *
 * <pre>
 *   ESM(t)       = λ D (1/v − c)² v
 *   DSM(t)       = ESM(t) + λ D (1/σ² − 1/v)                 (THEORY.md §1: + C3 − C2, C3 = D/σ², C2 = E‖∇log q_t‖² = D/v)
 *   ISM(t)       = SSM(t) = ESM(t) − λ D/v                   (Hyvärinen: ESM − E‖∇log q_t‖²)
 *   local-DSM(t) = ESM(t) + λ D (1/Σ − 1/v)                  (VP: the kernel from y_s is exact, variance Σ = 1 − α_t²/α_s²)
 *   correction(t) with s_aux = ∇log q_t = λ D/v,  biasAware(t) = DSM(t) + λ D/v = ESM(t) + λ D/σ²   (THEORY.md §2)
 * </pre>
 *
 * Each row's loss is λ times a scaled χ² variable whose standard deviation is known in closed form (given with
 * each case), so the mean over N = 200 000 independent rows is compared with its closed form within 6 of its
 * standard errors: failure probability ≈ 2e-9 per comparison under the normal approximation, keys fixed. The
 * same cases at a second time are apart by more than the two tolerances together, so an objective that ignored
 * the time it is given (and drew its own, or used another) could not pass at both.
 */
class FixedTimeObjectivesTest {
    static final double S = 0.7;
    static final int D = 2;
    static final int N = 200_000;
    static final double C = 0.8;
    static final double[] TIMES = {0.2, 0.6};
    static final ScoreFunction MODEL = (y, t) -> y.mul(-C);

    /** One objective at one time: its estimate, the closed form and the standard deviation of a row's loss. */
    record Case(String name, TimedObjective objective, double expected, double rowSd) {
    }

    /** {@code ∇log q_t(y) = −y/v_t}. */
    static BiFunction<Tensor, Tensor, Tensor> trueScore(LinearSde sde) {
        return (y, t) -> y.div(sde.meanScale(t).square().mul(S * S).add(sde.std(t).square())).neg();
    }

    static double esm(LinearSde sde, double t) {
        double a = sde.meanScale(t);
        double s2 = sde.std(t) * sde.std(t);
        double v = a * a * S * S + s2;
        return s2 * D * (1 / v - C) * (1 / v - C) * v;
    }

    /** DSM's row: {@code λ Σ_d w_d²} with {@code w = −cα x_0 + (1/σ − cσ) ε ~ N(0, τ²)}: sd {@code λ τ² √(2D)}. */
    static double dsmRowSd(LinearSde sde, double t) {
        double a = sde.meanScale(t);
        double sigma = sde.std(t);
        double tau2 = C * C * a * a * S * S + (1 / sigma - C * sigma) * (1 / sigma - C * sigma);
        return sigma * sigma * tau2 * Math.sqrt(2 * D);
    }

    static List<Case> cases(double t) {
        VariancePreserving vp = VariancePreserving.standard();
        double a = vp.meanScale(t);
        double sigma = vp.std(t);
        double lambda = sigma * sigma;
        double v = a * a * S * S + lambda;
        double esm = esm(vp, t);
        BiFunction<Tensor, Tensor, Tensor> exact = trueScore(vp);
        List<Case> out = new ArrayList<>();
        out.add(new Case("esm", Objectives.esm(vp, exact, Weighting.heuristic()), esm,
                lambda * (1 / v - C) * (1 / v - C) * v * Math.sqrt(2 * D)));     // λ (1/v − c)² v χ²_D
        Objectives.Dsm dsm = Objectives.dsm(vp);
        out.add(new Case("dsm", dsm, esm + lambda * D * (1 / lambda - 1 / v), dsmRowSd(vp, t)));
        double ismSd = lambda * C * C * v * Math.sqrt(2 * D);                      // λ(c²‖y‖² − 2cD), ‖y‖² ~ v χ²_D
        for (Objectives.Divergence div : Objectives.Divergence.values()) {         // Hutchinson is exact for s = −cy
            out.add(new Case("ism " + div, Objectives.ism(vp, div, Weighting.heuristic(), 1), esm - lambda * D / v, ismSd));
        }
        out.add(new Case("ssm", Objectives.ssm(vp, Weighting.heuristic(), 1), esm - lambda * D / v,
                lambda * C * C * D * v * Math.sqrt(2)));                           // λ(c²(vᵀy)² − 2cD), vᵀy ~ N(0, D v)
        // local-DSM on VP with s from the integral scheduler: y_t = r y_s + √Σ ε, r = α_t/α_s, Σ = 1 − r²
        double lambdaPairs = 0.05;
        Diffusion beta = vp.schedule();
        double s = Math.min(t, Math.max(0, beta.inverseIntegral(Math.max(beta.integral(t) - lambdaPairs, 0))));
        double r = a / vp.meanScale(s);
        double big = 1 - r * r;
        double vs = vp.meanScale(s) * vp.meanScale(s) * S * S + vp.std(s) * vp.std(s);
        double tau2 = C * C * r * r * vs + (1 / Math.sqrt(big) - C * Math.sqrt(big)) * (1 / Math.sqrt(big) - C * Math.sqrt(big));
        out.add(new Case("localDsm VP", Objectives.localDsm(vp, TimePairs.integral(beta, lambdaPairs),
                LinearizedTransition.Jacobian.DIAGONAL, 1, Weighting.heuristic()),
                esm + lambda * D * (1 / big - 1 / v), lambda * tau2 * Math.sqrt(2 * D)));
        // local-DSM on OU with s = 0 (a gap longer than the horizon): the linearised kernel from the data is the
        // exact one, so local-DSM is DSM at t
        OrnsteinUhlenbeck ou = new OrnsteinUhlenbeck(1.5, 1.2, 2);
        double ouLambda = ou.std(t) * ou.std(t);
        double ouV = ou.meanScale(t) * ou.meanScale(t) * S * S + ouLambda;
        out.add(new Case("localDsm OU", Objectives.localDsm(ou, TimePairs.fixedGap(10),
                LinearizedTransition.Jacobian.FULL, 1, Weighting.heuristic()),
                esm(ou, t) + ouLambda * D * (1 / ouLambda - 1 / ouV), dsmRowSd(ou, t)));
        // the bias correction with the exact auxiliary score: row λ(−‖y‖²/v² + 2D/v), sd λ √(2D)/v
        double corrSd = lambda * Math.sqrt(2 * D) / v;
        out.add(new Case("correction", BiasCorrection.correction(vp, exact::apply, Weighting.heuristic(),
                Objectives.Divergence.EXACT), lambda * D / v, corrSd));
        // DSM + correction: the sd of a sum is at most the sum of the sds
        out.add(new Case("biasAware", BiasCorrection.biasAware(dsm, exact::apply, Objectives.Divergence.EXACT),
                esm + lambda * D / lambda, dsmRowSd(vp, t) + corrSd));
        return out;
    }

    static double tolerance(Case c) {
        return 6 * c.rowSd() / Math.sqrt(N);
    }

    @Test
    void eachObjectiveAtAFixedTimeMatchesItsClosedForm() {
        Tensor batch = Tensor.key(Key.of(11)).normal(Shape.of(N, D)).mul(S);
        List<Case> first = cases(TIMES[0]);
        List<Case> second = cases(TIMES[1]);
        for (int i = 0; i < first.size(); i++) {
            String name = first.get(i).name();
            // the closed forms at the two times are further apart than the two tolerances together
            assertTrue(Math.abs(first.get(i).expected() - second.get(i).expected())
                    > tolerance(first.get(i)) + tolerance(second.get(i)), name + ": the times are not distinguishable");
        }
        for (double t : TIMES) {
            List<Case> cs = cases(t);
            for (int i = 0; i < cs.size(); i++) {
                Case c = cs.get(i);
                Tensor loss = c.objective().lossAt(MODEL, batch, t, Tensor.key(Key.of(100 + i)));
                double got = loss.eval().item();
                assertEquals(c.expected(), got, tolerance(c), c.name() + " at t = " + t);
            }
        }
    }

    /**
     * {@code loss} is {@code lossAtTimes} at the times {@link Objectives#times} draws from key fold 0, bit for bit,
     * for every objective — on SDEs with a Gaussian kernel and on nonlinear ones whose marginal is simulated.
     */
    @Test
    void lossIsLossAtTimesAtTheDrawnTimes() {
        VariancePreserving vp = VariancePreserving.standard();
        LangevinSde langevin = new LangevinSde(Diffusion.linearBeta(0.1, 20), 1, Prior.logistic(1));
        CustomSde doubleWell = CustomSde.of((y, t) -> y.mul(4).mul(y.square().rsub(1)), Diffusion.constant(1), 1,
                Prior.gaussian(1));
        List<TimedObjective> objectives = new ArrayList<>();
        for (Case c : cases(0.5)) {
            objectives.add(c.objective());
        }
        objectives.add(Objectives.dsm(vp).tMin(0.1));
        objectives.add(Objectives.ism(langevin, Objectives.Divergence.HUTCHINSON, Weighting.likelihood(), 4));
        objectives.add(Objectives.ssm(doubleWell, Weighting.likelihood(), 4));
        objectives.add(Objectives.localDsm(langevin, TimePairs.integral(Diffusion.linearBeta(0.1, 20), 0.1),
                LinearizedTransition.Jacobian.FULL, 4, null));
        objectives.add(Objectives.localDsm(doubleWell, TimePairs.fixedGap(0.1), LinearizedTransition.Jacobian.DIAGONAL,
                4, Weighting.likelihood()));
        Tensor batch = Tensor.key(Key.of(3)).normal(Shape.of(64, D));
        ScoreFunction model = (y, t) -> y.mul(-0.9).add(y.tanh().mul(t).mul(0.2));
        for (TimedObjective o : objectives) {
            Tensor k = Tensor.keyInput("k");
            Tensor drawn = o.loss(model, batch, k);
            Tensor given = o.lossAtTimes(model, batch, Objectives.times(o.sde(), batch, k, o.tMin()), k);
            Plan p = Plan.compile(List.of(drawn, given)).set(k, Key.of(9)).execute();
            assertEquals(p.get(drawn).item(), p.get(given).item(), 0.0, o.toString());
        }
    }

    @Test
    void badTimesAreNamed() {
        VariancePreserving vp = VariancePreserving.standard();
        Tensor batch = Tensor.zeros(4, D);
        Tensor key = Tensor.key(Key.of(1));
        for (TimedObjective o : List.of(Objectives.dsm(vp), Objectives.ism(vp, Objectives.Divergence.EXACT,
                Weighting.heuristic(), 1))) {
            for (double t : new double[] {0, -0.1, 1.5, Double.NaN}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> o.lossAt(MODEL, batch, t, key));
                assertTrue(e.getMessage().contains("t = " + t) && e.getMessage().contains("0 < t <= T = 1.0"),
                        e.getMessage());
            }
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> o.lossAtTimes(MODEL, batch, Tensor.zeros(3, 1), key));
            assertTrue(e.getMessage().contains("t has shape [3, 1]") && e.getMessage().contains("expected [4, 1]"),
                    e.getMessage());
        }
    }
}
