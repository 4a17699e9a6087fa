package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

import java.util.Objects;

/**
 * The nonlinear forward processes of 2407.07998 (§4): {@code dy = ½ g(t)² ∇log π(y) dt + g(t) dW} on
 * [0, T], a Langevin diffusion towards a chosen stationary prior π (a Gaussian mixture, a logistic, or any
 * log-density), run on the clock {@code ∫ g²}. Its drift is nonlinear unless π is Gaussian, so its transition
 * kernel from data is unknown; local-DSM ({@link LinearizedTransition}) replaces it by the kernel of the SDE
 * linearised around {@code y_s}.
 */
public final class LangevinSde extends ScheduledSde implements SeparableDrift {
    private final Prior prior;

    public LangevinSde(Diffusion g, double horizon, Prior prior) {
        super("LangevinSde", g, horizon);
        this.prior = Objects.requireNonNull(prior, "LangevinSde: prior");
    }

    @Override
    public Tensor field(Tensor y) {
        return prior.score(y);
    }

    @Override
    public double kappa() {
        return 2;
    }

    @Override
    public Prior prior() {
        return prior;
    }

    @Override
    public String toString() {
        return "Langevin(π=" + prior + ", " + schedule() + ", T=" + horizon() + ")";
    }
}
