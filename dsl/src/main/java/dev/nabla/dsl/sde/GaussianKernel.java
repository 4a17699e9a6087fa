package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

/**
 * A Gaussian perturbation kernel from data, {@code q(y_t | y_0) = N(α_t y_0, σ_t² I)} (THEORY.md, notation;
 * score_sde's {@code SDE.marginal_prob}, which returns the mean {@code α_t y_0} and {@code σ_t}): the mean
 * coefficient {@code α_t} and the standard deviation {@code σ_t} of the forward SDE's transition from time 0.
 * It is what denoising score matching needs (its conditional score is {@code −(y_t − α_t y_0)/σ_t² = −ε/σ_t}),
 * what exact samples of the marginal {@code q_t} need, and what the heuristic weighting {@code λ = σ_t²} and a
 * σ-scaled score model read. An SDE offers one through {@link Sde#gaussianKernel()}.
 */
public interface GaussianKernel {
    /** {@code α_t}, shape of t. */
    Tensor meanScale(Tensor t);

    /** {@code σ_t}, shape of t. */
    Tensor std(Tensor t);

    /** {@code α_t} at one time. */
    double meanScale(double t);

    /** {@code σ_t} at one time. */
    double std(double t);

    /** {@code y_t = α_t y_0 + σ_t ε}: a sample of the kernel from standard normal rows ε. */
    default Tensor perturb(Tensor y0, Tensor t, Tensor eps) {
        return y0.mul(meanScale(t)).add(eps.mul(std(t)));
    }
}
