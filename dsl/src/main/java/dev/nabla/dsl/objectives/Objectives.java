package dev.nabla.dsl.objectives;

import dev.nabla.core.Autodiff;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.sde.GaussianKernel;
import dev.nabla.dsl.sde.LinearSde;
import dev.nabla.dsl.sde.LinearizedTransition;
import dev.nabla.dsl.sde.Sde;
import dev.nabla.dsl.sde.Simulation;
import dev.nabla.dsl.sde.TimePairs;

import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;

/**
 * The score-matching objectives, each a few lines of graph code. Conventions (those of score_sde): times
 * {@code t ~ U(t_min, T)} per row, losses are {@code mean_rows(λ(t) · Σ_d (…)²)} without a factor ½, and the
 * key's folds 0, 1, 2, … draw times, noise and probes. The THEORY.md identities carry the ½; multiply by ½ to
 * compare. Each is a {@link TimedObjective}: {@code lossAtTimes(score, batch, t, key)} and
 * {@code lossAt(score, batch, t, key)} evaluate it at given times or at one fixed noise level, with the same
 * folds 1, 2, … as {@code loss}.
 *
 * <ul>
 *   <li>{@link #dsm}: denoising score matching (Vincent 2011), target {@code ∇log q(y_t|y_0) = −ε/σ_t}.</li>
 *   <li>{@link #esm}: explicit score matching against a known score of the marginal.</li>
 *   <li>{@link #ism}: implicit score matching (Hyvärinen 2005), {@code ‖s‖² + 2 div s}, divergence exact
 *       (D reverse passes) or by Hutchinson's estimator; training it needs a gradient of a gradient.</li>
 *   <li>{@link #ssm}: sliced score matching (Song et al. 2019), {@code (vᵀs)² + 2 vᵀ(∂s/∂y)v}.</li>
 *   <li>{@link #localDsm}: local-DSM for nonlinear SDEs (2407.07998, §3): pairs (s, t) from a scheduler,
 *       {@code y_s} simulated from data, {@code y_t} from the transition linearised at {@code y_s}.</li>
 * </ul>
 */
public final class Objectives {
    private Objectives() {
    }

    /** The default smallest time, as in score_sde. */
    public static final double T_MIN = 1e-5;

    /** {@code t ~ U(tMin, T)}, a column {@code [B, 1]} from key fold 0. */
    public static Tensor times(Sde sde, Tensor batch, Tensor key, double tMin) {
        int b = batch.shape().dim(0);
        return key.fold(0).uniform(Shape.of(b, 1), batch.dtype()).mul(sde.horizon() - tMin).add(tMin);
    }

    private static void checkBatch(String what, Tensor batch) {
        if (batch.rank() != 2) {
            throw new IllegalArgumentException(what + ": batch has shape " + batch.shape() + ", expected [B, D]");
        }
    }

    private static void checkBatch(String what, Tensor batch, Sde sde) {
        checkBatch(what, batch);
        sde.checkDimension(what + ": the batch", batch.shape().dim(1));
    }

    private static void checkScore(String what, Tensor s, Tensor y) {
        if (!s.shape().equals(y.shape())) {
            throw new IllegalArgumentException(what + ": the score model returned shape " + s.shape() + " for input "
                    + y.shape() + "; its output dimension must equal the data dimension " + y.shape().dim(-1));
        }
    }

    /** Checks that t is a column {@code [B, 1]} of times for the B rows of batch. */
    static void checkTimes(String what, Tensor t, Tensor batch) {
        Shape want = Shape.of(batch.shape().dim(0), 1);
        if (!t.shape().equals(want)) {
            throw new IllegalArgumentException(what + ": t has shape " + t.shape() + ", expected " + want
                    + " (one time per row of the batch " + batch.shape() + ")");
        }
    }

    /** The per-level loss of an objective: {@link TimedObjective#lossAtTimes}'s body. */
    @FunctionalInterface
    interface AtTimes {
        Tensor loss(ScoreFunction score, Tensor batch, Tensor t, Tensor key);
    }

    /**
     * An objective given by its per-level loss: {@code lossAtTimes} checks the batch and the times and runs
     * {@code body}; {@code loss} draws the times from key fold 0 first.
     */
    record Timed(String name, Sde sde, double tMin, AtTimes body) implements TimedObjective {
        Timed {
            Objects.requireNonNull(sde, name + ": sde");
        }

        @Override
        public Tensor lossAtTimes(ScoreFunction score, Tensor batch, Tensor t, Tensor key) {
            checkBatch(name, batch, sde);
            checkTimes(name, t, batch);
            return body.loss(score, batch, t, key);
        }

        @Override
        public Tensor loss(ScoreFunction score, Tensor batch, Tensor key) {
            checkBatch(name, batch, sde);
            return lossAtTimes(score, batch, times(sde, batch, key, tMin), key);
        }

        @Override
        public String toString() {
            return name;
        }
    }

    /** Denoising score matching for a linear SDE, with a weighting (default heuristic σ²). */
    public static Dsm dsm(LinearSde sde) {
        return new Dsm(sde, Weighting.heuristic(), T_MIN);
    }

    /** DSM: {@code E λ(t) ‖s(α y_0 + σ ε, t) + ε/σ‖²}, noise ε from key fold 1. */
    public record Dsm(LinearSde sde, Weighting weighting, double tMin) implements TimedObjective {
        public Dsm {
            Objects.requireNonNull(sde, "dsm: sde");
            Objects.requireNonNull(weighting, "dsm: weighting");
            if (!(tMin > 0 && tMin < sde.horizon())) {
                throw new IllegalArgumentException("dsm: tMin = " + tMin + ", expected 0 < tMin < T = " + sde.horizon());
            }
        }

        public Dsm weighting(Weighting w) {
            return new Dsm(sde, w, tMin);
        }

        public Dsm tMin(double t) {
            return new Dsm(sde, weighting, t);
        }

        @Override
        public Tensor loss(ScoreFunction score, Tensor batch, Tensor key) {
            checkBatch("dsm", batch, sde);
            return lossAtTimes(score, batch, times(sde, batch, key, tMin), key);
        }

        @Override
        public Tensor lossAtTimes(ScoreFunction score, Tensor batch, Tensor t, Tensor key) {
            checkBatch("dsm", batch, sde);
            checkTimes("dsm", t, batch);
            return lossAt(score, batch, t, key.fold(1).normal(batch.shape(), batch.dtype()));
        }

        /**
         * The loss at given times and given noise {@code eps [B, D]} (for tests, and for estimating per-level
         * statistics with common noise).
         */
        public Tensor lossAt(ScoreFunction score, Tensor batch, Tensor t, Tensor eps) {
            Tensor sigma = sde.std(t);
            Tensor yt = sde.perturb(batch, t, eps);
            Tensor s = score.apply(yt, t);
            checkScore("dsm", s, yt);
            Tensor target = eps.div(sigma).neg();
            return s.sub(target).square().sum(-1).mul(weighting.at(sde, t).reshape(-1)).mean();
        }

        @Override
        public String toString() {
            return "dsm(" + sde + ")";
        }
    }

    /**
     * Explicit score matching {@code E λ(t) ‖s(y_t, t) − ∇log q_t(y_t)‖²} against a known marginal score
     * {@code ∇log q_t(y)}, with {@code y_t = α_t y_0 + σ_t ε} (ε from key fold 1).
     */
    public static TimedObjective esm(LinearSde sde, BiFunction<Tensor, Tensor, Tensor> trueScore, Weighting weighting) {
        Objects.requireNonNull(trueScore, "esm: trueScore");
        Objects.requireNonNull(weighting, "esm: weighting");
        return new Timed("esm", sde, T_MIN, (score, batch, t, key) -> {
            Tensor yt = sde.perturb(batch, t, key.fold(1).normal(batch.shape(), batch.dtype()));
            Tensor s = score.apply(yt, t);
            checkScore("esm", s, yt);
            return s.sub(trueScore.apply(yt, t)).square().sum(-1).mul(weighting.at(sde, t).reshape(-1)).mean();
        });
    }

    /** How ISM and SSM take the model's divergence. */
    public enum Divergence {
        /** {@code div s = Σ_i ∂s_i/∂y_i} by D reverse passes. */
        EXACT,
        /** {@code vᵀ (∂s/∂y) v} with one Rademacher probe v per row (Hutchinson): unbiased, one pass. */
        HUTCHINSON
    }

    /**
     * Implicit score matching {@code E λ(t) [‖s(y_t, t)‖² + 2 div_y s(y_t, t)]} on samples of the marginal:
     * exact for an SDE with a {@link Sde#gaussianKernel() Gaussian kernel}, Euler–Maruyama with
     * {@code simulationSteps} for others ({@link #marginalSample}); Hutchinson probes from key fold 3.
     */
    public static TimedObjective ism(Sde sde, Divergence divergence, Weighting weighting, int simulationSteps) {
        Objects.requireNonNull(divergence, "ism: divergence");
        Objects.requireNonNull(weighting, "ism: weighting");
        return new Timed("ism", sde, T_MIN, (score, batch, t, key) -> {
            Tensor yt = marginalSample(sde, batch, t, key, simulationSteps).stopGradient();
            Tensor s = score.apply(yt, t);
            checkScore("ism", s, yt);
            Tensor div = divergence == Divergence.EXACT ? Autodiff.divergence(s, yt)
                    : Autodiff.divergenceHutchinson(s, yt, key.fold(3).rademacher(yt.shape(), yt.dtype()));
            return s.square().sum(-1).add(div.mul(2)).mul(weighting.at(sde, t).reshape(-1)).mean();
        });
    }

    /**
     * Sliced score matching with Rademacher projections {@code v} (key fold 3):
     * {@code E λ [(vᵀs)² + 2 vᵀ(∂s/∂y)v]}, on samples of the marginal as for {@link #ism}.
     */
    public static TimedObjective ssm(Sde sde, Weighting weighting, int simulationSteps) {
        Objects.requireNonNull(weighting, "ssm: weighting");
        return new Timed("ssm", sde, T_MIN, (score, batch, t, key) -> {
            Tensor yt = marginalSample(sde, batch, t, key, simulationSteps).stopGradient();
            Tensor s = score.apply(yt, t);
            checkScore("ssm", s, yt);
            Tensor v = key.fold(3).rademacher(yt.shape(), yt.dtype());
            Tensor vs = s.mul(v).sum(-1);
            return vs.square().add(Autodiff.divergenceHutchinson(s, yt, v).mul(2))
                    .mul(weighting.at(sde, t).reshape(-1)).mean();
        });
    }

    /**
     * Samples of {@code q_t}: exact for an SDE with a {@link Sde#gaussianKernel() Gaussian kernel} (noise from
     * key fold 1), otherwise simulated ({@link Simulation#eulerMaruyama}, noise from key fold 2).
     */
    public static Tensor marginalSample(Sde sde, Tensor batch, Tensor t, Tensor key, int simulationSteps) {
        Optional<GaussianKernel> kernel = sde.gaussianKernel();
        if (kernel.isPresent()) {
            return kernel.get().perturb(batch, t, key.fold(1).normal(batch.shape(), batch.dtype()));
        }
        return Simulation.eulerMaruyama(sde, batch, t, simulationSteps, key.fold(2));
    }

    /**
     * Local-DSM (2407.07998, §3): {@code E λ(t) ‖s(y_t, t) − ∇log q̃(y_t | y_s)‖²} with {@code s = pairs(t)},
     * {@code y_s} simulated from the data row ({@code simulationSteps} Euler–Maruyama steps, exact for SDEs with
     * a Gaussian kernel; {@link #marginalSample}), {@code y_t ~ q̃} the transition linearised at {@code y_s}
     * ({@link LinearizedTransition}, noise from key fold 4) and the weighting {@code λ} (null: the transition's
     * variance, the analogue of σ²).
     */
    public static TimedObjective localDsm(Sde sde, TimePairs pairs, LinearizedTransition.Jacobian jacobian,
                                          int simulationSteps, Weighting weighting) {
        Objects.requireNonNull(pairs, "localDsm: pairs");
        Objects.requireNonNull(jacobian, "localDsm: jacobian");
        return new Timed("localDsm", sde, T_MIN, (score, batch, t, key) -> {
            Tensor s = pairs.start(t).stopGradient();
            Tensor ys = marginalSample(sde, batch, s, key, simulationSteps).stopGradient();
            LinearizedTransition q = LinearizedTransition.of(sde, ys, s, t, jacobian);
            Tensor eps = key.fold(4).normal(batch.shape(), batch.dtype());
            Tensor yt = q.sample(eps).stopGradient();
            Tensor target = q.scoreOfNoise(eps).stopGradient();
            Tensor out = score.apply(yt, t);
            checkScore("localDsm", out, yt);
            Tensor w = weighting != null ? weighting.at(sde, t).reshape(-1) : q.variance().mean(-1).stopGradient();
            return out.sub(target).square().sum(-1).mul(w).mean();
        });
    }
}
