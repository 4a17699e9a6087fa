package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

/**
 * The nonlinear forward processes of 2407.07998 (§4): {@code dy = ½ g(t)² ∇log π(y) dt + g(t) dW} on
 * [0, T], a Langevin diffusion towards a chosen stationary prior π (a Gaussian mixture, a logistic, or any
 * log-density), run on the clock {@code ∫ g²}. Its drift is nonlinear unless π is Gaussian, so its transition
 * kernel from data is unknown; local-DSM ({@link LinearizedTransition}) replaces it by the kernel of the SDE
 * linearised around {@code y_s}.
 */
public final class LangevinSde implements SeparableDrift {
    private final Diffusion g;
    private final double horizon;
    private final Prior prior;

    public LangevinSde(Diffusion g, double horizon, Prior prior) {
        this.g = java.util.Objects.requireNonNull(g, "LangevinSde: g");
        this.prior = java.util.Objects.requireNonNull(prior, "LangevinSde: prior");
        Times.positive("LangevinSde: horizon", horizon);
        this.horizon = horizon;
    }

    @Override
    public double horizon() {
        return horizon;
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
    public Tensor diffusion(Tensor t) {
        return g.at(t);
    }

    @Override
    public double diffusion(double t) {
        return g.at(Times.check(this, t));
    }

    @Override
    public double integratedG2(double s, double t) {
        Times.checkPair(this, s, t);
        return g.integral(t) - g.integral(s);
    }

    @Override
    public Tensor integratedG2(Tensor s, Tensor t) {
        return g.integral(t).sub(g.integral(s));
    }

    @Override
    public Prior prior() {
        return prior;
    }

    public Diffusion schedule() {
        return g;
    }

    @Override
    public String toString() {
        return "Langevin(π=" + prior + ", " + g + ", T=" + horizon + ")";
    }
}
