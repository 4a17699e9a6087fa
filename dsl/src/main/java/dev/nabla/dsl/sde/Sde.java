package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;
import dev.nabla.dsl.ScoreFunction;

import java.util.Optional;
import java.util.OptionalInt;

/**
 * A forward SDE {@code dy = f(y, t) dt + g(t) dW} on {@code [0, T]} (Song et al. 2021, eq. 5), with
 * {@code y} a batch of rows {@code [B, D]} and {@code t} a column {@code [B, 1]}. It knows its reverse-time SDE
 * {@code dy = [f − g² s] dt + g dW̄} (eq. 6) and its probability-flow ODE {@code dy/dt = f − ½ g² s} (eq. 13)
 * for a score {@code s}, and the integral {@code ∫ g²} that local-DSM's time-pair scheduler needs
 * (2407.07998, §3).
 *
 * <p>What a sampler or an objective needs beyond {@code f} and {@code g} an SDE declares through capability
 * accessors, each with a default that is correct for an SDE that declares nothing (score_sde's {@code SDE}
 * class plays the same part with {@code marginal_prob}, {@code discretize} and {@code prior_sampling}):
 * <ul>
 *   <li>{@link #gaussianKernel()}: the Gaussian perturbation kernel {@code N(α_t y_0, σ_t² I)}, if there is
 *       one in closed form (every {@link LinearSde});</li>
 *   <li>{@link #separableDrift()}: the factorisation {@code f = c(τ) F(y)}, {@code g² = κ c}
 *       ({@link SeparableDrift});</li>
 *   <li>{@link #diffusionSchedule()}: g as a {@link Diffusion} schedule, with {@code ∫_0^t g²} and its inverse
 *       ({@link ScheduledSde});</li>
 *   <li>{@link #linearDriftRate(Tensor)}: the rate {@code a(t)} of a linear drift {@code f = a(t) y};</li>
 *   <li>{@link #correctorAlpha(Tensor, double)}: the α of the Langevin corrector's step size, derived from
 *       the drift rate.</li>
 * </ul>
 * Callers ask these instead of testing an SDE's class, so a user's SDE (or a wrapper that forwards them) is
 * treated like the built-in one it resembles.
 */
public interface Sde {
    /** The horizon T. */
    double horizon();

    /**
     * The data dimension the SDE is defined on, when it has one — that of its prior (e.g. a Langevin diffusion
     * towards a D-dimensional mixture); empty for SDEs that act on rows of any width (VE, VP, OU, …).
     */
    default OptionalInt dimension() {
        return prior().dimension();
    }

    /**
     * Checks that rows of width {@code d} (data, samples, or a score model's input) fit this SDE.
     *
     * @param what the caller and argument named in the error
     * @throws IllegalArgumentException naming {@code what}, d and the SDE's dimension, when they differ
     */
    default void checkDimension(String what, int d) {
        OptionalInt own = dimension();
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

    /**
     * The Gaussian perturbation kernel {@code q(y_t | y_0) = N(α_t y_0, σ_t² I)} of this SDE started at data,
     * when it is known in closed form; empty otherwise (then {@code q_t} is only reached by simulation). Every
     * {@link LinearSde} returns itself.
     */
    default Optional<GaussianKernel> gaussianKernel() {
        return Optional.empty();
    }

    /**
     * The factorisation {@code f(y, τ) = c(τ) F(y)} with {@code g(τ)² = κ c(τ)} when the drift has it (VP, VE,
     * OU and the Langevin processes of 2407.07998 §4), which makes the SDE time-homogeneous in the clock
     * {@code u = ∫c} (exact linearisation for affine F, steps of equal noise in simulation); empty otherwise.
     * Every {@link SeparableDrift} returns itself.
     */
    default Optional<SeparableDrift> separableDrift() {
        return Optional.empty();
    }

    /**
     * The diffusion coefficient as a {@link Diffusion} schedule — {@code g(t)}, {@code G(t) = ∫_0^t g²} and
     * {@code G⁻¹} in closed form — when g is one; empty otherwise (e.g. sub-VP, whose g is derived from β).
     * Every {@link ScheduledSde} returns its schedule.
     */
    default Optional<Diffusion> diffusionSchedule() {
        return Optional.empty();
    }

    /**
     * The rate {@code a(t)} of a linear isotropic drift {@code f(y, t) = a(t) y}, shape of t, when the drift has
     * that form (VP and sub-VP: {@code −½β(t)}; OU: {@code −θ}; VE: 0; a {@link CustomSde#linear} drift: its
     * rate); empty for any other drift. Every {@link LinearSde} returns {@code f(1, t)}.
     */
    default Optional<Tensor> linearDriftRate(Tensor t) {
        return Optional.empty();
    }

    /**
     * The factor α of the Langevin corrector's step size {@code ε = 2α (r ‖z‖/‖s‖)²} at time t of a sampler
     * with step {@code Δt} (Song et al. 2021, Algorithm 5; score_sde's {@code LangevinCorrector}, whose
     * {@code α_i = 1 − β_i} is DDPM's per-step factor with {@code β_i = β(t_i)Δt}), of t's shape or a scalar
     * where it does not depend on t. Over one step a
     * linear drift {@code f = a(t) y} scales the second moment of the data part of {@code y} by
     * {@code exp(2∫a) ≈ 1 + 2a(t)Δt}; that first-order factor is α:
     *
     * <pre>
     *   α(t) = 1 + 2 a(t) Δt     when {@link #linearDriftRate} gives a(t)   (VP, sub-VP: 1 − β(t)Δt; OU: 1 − 2θΔt; VE: 1)
     *   α(t) = 1                 otherwise (score_sde's value for every SDE but VP and sub-VP)
     * </pre>
     *
     * It is positive only while {@code −2a(t)Δt < 1}: a sampler needs enough steps for that.
     */
    default Tensor correctorAlpha(Tensor t, double dt) {
        return linearDriftRate(t).map(a -> a.mul(2 * dt).add(1)).orElseGet(() -> Tensor.scalar(1, t.dtype()));
    }

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
