package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;
import dev.nabla.dsl.ScoreFunction;

/**
 * A forward SDE {@code dy = f(y, t) dt + g(t) dW} on {@code [0, T]} (Song et al. 2021, eq. 5), with
 * {@code y} a batch of rows {@code [B, D]} and {@code t} a column {@code [B, 1]}. It knows its reverse-time SDE
 * {@code dy = [f − g² s] dt + g dW̄} (eq. 6) and its probability-flow ODE {@code dy/dt = f − ½ g² s} (eq. 13)
 * for a score {@code s}, and the integral {@code ∫ g²} that local-DSM's time-pair scheduler needs
 * (2407.07998, §3).
 */
public interface Sde {
    /** The horizon T. */
    double horizon();

    /** The drift {@code f(y, t)}, shape of y. */
    Tensor drift(Tensor y, Tensor t);

    /** The diffusion coefficient {@code g(t)} as a tensor of t's shape. */
    Tensor diffusion(Tensor t);

    /** {@code g(t)} at one time. */
    double diffusion(double t);

    /** {@code ∫_s^t g(τ)² dτ}. */
    double integratedG2(double s, double t);

    /** {@code ∫_s^t g(τ)² dτ} on tensors of times. */
    Tensor integratedG2(Tensor s, Tensor t);

    /** The stationary/terminal distribution used to start sampling and to score likelihoods. */
    Prior prior();

    /** Drift of the reverse-time SDE, {@code f − g² s}. */
    default Tensor reverseDrift(Tensor y, Tensor t, ScoreFunction score) {
        Tensor g = diffusion(t);
        return drift(y, t).sub(g.square().mul(score.apply(y, t)));
    }

    /** Velocity of the probability-flow ODE, {@code f − ½ g² s}. */
    default Tensor probabilityFlow(Tensor y, Tensor t, ScoreFunction score) {
        Tensor g = diffusion(t);
        return drift(y, t).sub(g.square().mul(score.apply(y, t)).mul(0.5));
    }
}
