package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

import java.util.Optional;

/**
 * An SDE with linear isotropic drift {@code f(y, t) = a(t) y}, whose transition from data is Gaussian:
 * {@code q(y_t | y_0) = N(α_t y_0, σ_t² I)} with {@code α_t = exp(∫_0^t a)} and
 * {@code σ_t² = ∫_0^t (α_t/α_τ)² g(τ)² dτ} (THEORY.md, notation). It is its own {@link GaussianKernel}, and
 * its drift's rate is {@code a(t) = f(1, t)} (the drift at the all-ones row, which the linear form makes exact).
 * Denoising score matching uses its conditional score {@code −(y_t − α_t y_0)/σ_t² = −ε/σ_t}.
 */
public interface LinearSde extends Sde, GaussianKernel {
    /** This SDE's kernel: itself. */
    @Override
    default Optional<GaussianKernel> gaussianKernel() {
        return Optional.of(this);
    }

    /** {@code a(t) = f(1, t)}: the drift evaluated at the row 1, exact since {@code f(y, t) = a(t) y}. */
    @Override
    default Optional<Tensor> linearDriftRate(Tensor t) {
        return Optional.of(drift(t.onesLike(), t));
    }
}
