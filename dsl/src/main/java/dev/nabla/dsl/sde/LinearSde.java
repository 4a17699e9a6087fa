package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

/**
 * An SDE with affine drift {@code f = a(t) y}, whose transition from data is Gaussian:
 * {@code q(y_t | y_0) = N(α_t y_0, σ_t² I)} (THEORY.md, notation). Denoising score matching uses its
 * conditional score {@code −(y_t − α_t y_0)/σ_t² = −ε/σ_t}.
 */
public interface LinearSde extends Sde {
    /** {@code α_t}, shape of t. */
    Tensor meanScale(Tensor t);

    /** {@code σ_t}, shape of t. */
    Tensor std(Tensor t);

    double meanScale(double t);

    double std(double t);

    /** {@code y_t = α_t y_0 + σ_t ε}. */
    default Tensor perturb(Tensor y0, Tensor t, Tensor eps) {
        return y0.mul(meanScale(t)).add(eps.mul(std(t)));
    }
}
