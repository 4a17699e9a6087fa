package dev.nabla.dsl.objectives;

import dev.nabla.core.Autodiff;
import dev.nabla.core.Tensor;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.sde.LinearSde;

import java.util.Objects;

/**
 * The score-norm bias of optimising DSM's <em>input</em> (2511.11727, Theorem 2 and Corollary 1; THEORY.md §2),
 * and objectives that remove it.
 *
 * <p>With the data {@code x_0 ~ p_φ} (or {@code p(x|c)}) depending on what is optimised,
 * {@code L_DSM(φ) = L_ESM(φ) + C3 − C2(φ)} where {@code C2(φ) = E_{q_φ(x_t)} ½‖∇log q_φ(x_t)‖²}: minimising
 * DSM over φ also maximises the score norm C2. In this library's convention (no ½, weighting λ):
 * {@code DSM = ESM + E λ D/σ² − E λ ‖∇log q_φ‖²}.
 *
 * <p>{@link #correction} adds back an estimate of that term whose φ-gradient is right. Since
 * {@code E_q λ‖∇log q‖² = max_s E_q λ(−‖s‖² − 2 div s)} (the maximum is at the true score, by integration by
 * parts), the envelope theorem gives {@code ∇_φ E λ‖∇log q_φ‖² = ∇_φ E_{q_φ} λ(−‖s‖² − 2 div s)} evaluated
 * at {@code s = ∇log q_φ} with s held fixed: gradients flow through the reparameterised samples {@code x_t(φ)}
 * only. An auxiliary score model {@code s_aux ≈ ∇log q_φ}, trained alongside by ordinary DSM on samples of
 * {@code p_φ} (unbiased for its own parameters), makes {@code DSM + correction} have the ESM gradient in φ.
 */
public final class BiasCorrection {
    private BiasCorrection() {
    }

    /**
     * {@code E λ(t) (−‖s_aux(x_t)‖² − 2 div s_aux(x_t))} over the same times and noise as {@link Objectives#dsm}
     * (key folds 0 and 1); the divergence is exact or Hutchinson (key fold 3). The auxiliary model must be held
     * fixed in its parameters when this term is differentiated (optimise φ only; train the auxiliary model with
     * its own DSM step), while the path through its input {@code x_t(φ)} is what carries the gradient. At a
     * fixed t ({@link TimedObjective#lossAt}) and with {@code s_aux = ∇log q_t} its expectation is
     * {@code λ(t) E‖∇log q_t‖²}, the term DSM lacks at that level.
     */
    public static TimedObjective correction(LinearSde sde, ScoreFunction aux, Weighting weighting,
                                            Objectives.Divergence div) {
        Objects.requireNonNull(aux, "correction: aux");
        Objects.requireNonNull(weighting, "correction: weighting");
        Objects.requireNonNull(div, "correction: div");
        return new Objectives.Timed("correction", sde, Objectives.T_MIN, (score, batch, t, key) -> {
            Tensor xt = sde.perturb(batch, t, key.fold(1).normal(batch.shape(), batch.dtype()));
            Tensor s = aux.apply(xt, t);
            Tensor d = div == Objectives.Divergence.EXACT ? Autodiff.divergence(s, xt)
                    : Autodiff.divergenceHutchinson(s, xt, key.fold(3).rademacher(xt.shape(), xt.dtype()));
            return s.square().sum(-1).add(d.mul(2)).neg().mul(weighting.at(sde, t).reshape(-1)).mean();
        });
    }

    /**
     * {@code DSM + correction}: the bias-aware objective for optimising the data distribution or a condition.
     * Both terms see the same times (drawn with the DSM's {@code tMin}, or given to {@code lossAtTimes}) and the
     * same noise; at a fixed t and the exact auxiliary score its expectation is ESM's at t plus
     * {@code λ(t) D/σ_t²}, a constant in φ.
     */
    public static TimedObjective biasAware(Objectives.Dsm dsm, ScoreFunction aux, Objectives.Divergence div) {
        TimedObjective c = correction(dsm.sde(), aux, dsm.weighting(), div);
        return new Objectives.Timed("biasAware", dsm.sde(), dsm.tMin(),
                (score, batch, t, key) -> dsm.lossAtTimes(score, batch, t, key).add(c.lossAtTimes(score, batch, t, key)));
    }

    /**
     * The exact {@code C2} (with the ½) of an isotropic Gaussian {@code p = N(μ, diag(std²))} perturbed by
     * {@code x_t = α x_0 + σ ε}: {@code q_t = N(αμ, diag(α² std² + σ²))}, so
     * {@code C2 = ½ Σ_i 1/(α² std_i² + σ²)} (THEORY.md §2, derived). {@code std} is any tensor of standard
     * deviations (a parameter being optimised, say); the result is a scalar graph.
     */
    public static Tensor c2Gaussian(Tensor std, double alpha, double sigma) {
        return std.square().mul(alpha * alpha).add(sigma * sigma).reciprocal().sum().mul(0.5);
    }
}
