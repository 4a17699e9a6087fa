package dev.nabla.dsl.sde;

import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;

/**
 * Euler–Maruyama simulation of a forward SDE as a graph: {@code y ← y + f(y, τ) Δ + g(τ) √Δ z}, with a
 * per-row end time, so a whole minibatch is simulated to its own times in one compiled step (local-DSM's
 * {@code y_s}, 2407.07998 §3; ISM's samples of {@code q_t} for nonlinear SDEs).
 */
public final class Simulation {
    private Simulation() {
    }

    /**
     * Simulates rows {@code y0 [B, D]} from time 0 to {@code t [B, 1]} in {@code steps} equal steps per row,
     * with noise from {@code key.fold(i)}. Strong order ½, weak order 1 in the step {@code t/steps}.
     */
    public static Tensor eulerMaruyama(Sde sde, Tensor y0, Tensor t, int steps, Tensor key) {
        if (steps < 1) {
            throw new IllegalArgumentException("eulerMaruyama: steps = " + steps + ", expected >= 1");
        }
        if (y0.rank() != 2 || !t.shape().equals(Shape.of(y0.shape().dim(0), 1))) {
            throw new IllegalArgumentException("eulerMaruyama: y0 " + y0.shape() + " and t " + t.shape()
                    + "; expected [B, D] and [B, 1]");
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
}
