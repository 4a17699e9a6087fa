package dev.nabla.dsl.sde;

import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;

import java.util.Optional;

/**
 * Euler–Maruyama simulation of a forward SDE as a graph: {@code y ← y + f(y, τ) Δ + g(τ) √Δ z}, with a
 * per-row end time, so a whole minibatch is simulated to its own times in one compiled step (local-DSM's
 * {@code y_s}, 2407.07998 §3; ISM's samples of {@code q_t} for nonlinear SDEs).
 */
public final class Simulation {
    private Simulation() {
    }

    /**
     * Simulates rows {@code y0 [B, D]} from time 0 to {@code t [B, 1]} in {@code steps} steps per row, with
     * noise from {@code key.fold(i)}. Strong order ½, weak order 1 in the step.
     *
     * <p>For an SDE with a {@link Sde#diffusionSchedule() schedule} the steps are equal in the clock
     * {@code u = ∫_0^τ g²} rather than in τ, and each step's noise has the exact variance
     * {@code ∫_{τ_i}^{τ_{i+1}} g²}. For a {@link Sde#separableDrift() separable drift} ({@code f = (g²/κ) F(y)})
     * the step is then Euler–Maruyama of the time-homogeneous SDE {@code dy = F(y)/κ du + dW_u}:
     * {@code y ← y + F(y) Δu/κ + √Δu z}.
     * With a fast-growing g (a VE-like schedule's g² grows ~e^{2t}) equal steps in τ put almost all of ∫g² into
     * the last few steps, where an explicit step on the stiff drift {@code ½g²∇log π} is unstable or biased
     * (for a linear drift of rate a the step inflates the stationary variance by {@code 1/(1 − aΔ/2)}); equal
     * steps in u spread the error evenly.
     */
    public static Tensor eulerMaruyama(Sde sde, Tensor y0, Tensor t, int steps, Tensor key) {
        if (steps < 1) {
            throw new IllegalArgumentException("eulerMaruyama: steps = " + steps + ", expected >= 1");
        }
        if (y0.rank() != 2 || !t.shape().equals(Shape.of(y0.shape().dim(0), 1))) {
            throw new IllegalArgumentException("eulerMaruyama: y0 " + y0.shape() + " and t " + t.shape()
                    + "; expected [B, D] and [B, 1]");
        }
        Optional<Diffusion> schedule = sde.diffusionSchedule();
        if (schedule.isPresent()) {
            return onClock(sde, schedule.get(), y0, t, steps, key);
        }
        Tensor dt = t.div(steps);
        Tensor sq = dt.sqrt();
        Tensor y = y0;
        for (int i = 0; i < steps; i++) {
            Tensor tau = dt.mul(i);
            Tensor z = key.fold(i).normal(y0.shape(), y0.dtype());
            y = y.add(sde.drift(y, tau).mul(dt)).add(sde.diffusion(tau).mul(sq).mul(z));
        }
        return y;
    }

    private static Tensor onClock(Sde sde, Diffusion g, Tensor y0, Tensor t, int steps, Tensor key) {
        Tensor du = g.integral(t).div(steps); // G(t) = ∫_0^t g²
        Tensor sq = du.sqrt();
        SeparableDrift separable = sde.separableDrift().orElse(null);
        Tensor fieldStep = separable != null ? du.div(separable.kappa()) : null; // Δu/κ
        Tensor y = y0;
        Tensor tau = t.mul(0);
        for (int i = 0; i < steps; i++) {
            Tensor z = key.fold(i).normal(y0.shape(), y0.dtype());
            if (separable != null) {
                y = y.add(separable.field(y).mul(fieldStep)).add(sq.mul(z));
            } else {
                Tensor next = i == steps - 1 ? t : g.inverseIntegral(du.mul(i + 1));
                y = y.add(sde.drift(y, tau).mul(next.sub(tau))).add(sq.mul(z));
                tau = next;
            }
        }
        return y;
    }
}
