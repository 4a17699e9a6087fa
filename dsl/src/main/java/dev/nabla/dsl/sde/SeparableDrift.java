package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

import java.util.Optional;

/**
 * An SDE whose drift factors as {@code f(y, τ) = c(τ) F(y)} with {@code g(τ)² = κ c(τ)} for a constant κ —
 * the form of the paper's nonlinear forward processes {@code dy = ½ g² ∇log π(y) dt + g dW} (κ = 2,
 * 2407.07998 §4) and of VP and OU. In the clock {@code u = ∫_s^τ c} the process is time-homogeneous,
 * {@code dy = F(y) du + √κ dW_u}, so its linearisation at {@code y_s} has the closed-form Gaussian transition
 * of {@link LinearizedTransition} over {@code U = ∫_s^t c = (1/κ) ∫_s^t g²}, exact when F is affine.
 */
public interface SeparableDrift extends Sde {
    /** The time-independent field {@code F(y)}. */
    Tensor field(Tensor y);

    /** {@code κ = g²/c}. */
    double kappa();

    /** This SDE's factorisation: itself. */
    @Override
    default Optional<SeparableDrift> separableDrift() {
        return Optional.of(this);
    }

    @Override
    default Tensor drift(Tensor y, Tensor t) {
        return field(y).mul(diffusion(t).square().div(kappa()));
    }
}
