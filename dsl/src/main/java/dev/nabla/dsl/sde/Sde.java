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

    /**
     * The data dimension the SDE is defined on, when it has one — that of its prior (e.g. a Langevin diffusion
     * towards a D-dimensional mixture); empty for SDEs that act on rows of any width (VE, VP, OU, …).
     */
    default java.util.OptionalInt dimension() {
        return prior().dimension();
    }

    /**
     * Checks that rows of width {@code d} (data, samples, or a score model's input) fit this SDE.
     *
     * @param what the caller and argument named in the error
     * @throws IllegalArgumentException naming {@code what}, d and the SDE's dimension, when they differ
     */
    default void checkDimension(String what, int d) {
        java.util.OptionalInt own = dimension();
        if (own.isPresent() && own.getAsInt() != d) {
            throw new IllegalArgumentException(what + " has dimension D = " + d + ", expected the SDE's dimension D = "
                    + own.getAsInt() + " (" + this + ")");
        }
    }

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
