package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

/**
 * The Ornstein–Uhlenbeck SDE {@code dy = −θ y dt + σ dW} on [0, T]: {@code α_t = e^{−θt}},
 * {@code σ_t² = σ²(1 − e^{−2θt})/(2θ)}; stationary prior {@code N(0, σ²/(2θ) I)}. As a
 * {@link SeparableDrift}: {@code c = σ²/2}, {@code F(y) = −(2θ/σ²) y}, κ = 2 (a Langevin process towards
 * its stationary Gaussian).
 */
public final class OrnsteinUhlenbeck extends ScheduledSde implements LinearSde, SeparableDrift {
    private final double theta;
    private final double sigma;

    public OrnsteinUhlenbeck(double theta, double sigma, double horizon) {
        super("OrnsteinUhlenbeck", constantDiffusion(sigma), horizon);
        Times.positive("OrnsteinUhlenbeck: theta", theta);
        this.theta = theta;
        this.sigma = sigma;
    }

    @Override
    public Tensor field(Tensor y) {
        return y.mul(-2 * theta / (sigma * sigma));
    }

    @Override
    public double kappa() {
        return 2;
    }

    @Override
    public Tensor drift(Tensor y, Tensor t) {
        return y.mul(-theta);
    }

    @Override
    public Prior prior() {
        return Prior.gaussian(sigma / Math.sqrt(2 * theta));
    }

    @Override
    public Tensor meanScale(Tensor t) {
        return t.mul(-theta).exp();
    }

    @Override
    public Tensor std(Tensor t) {
        return t.mul(-2 * theta).expm1().neg().mul(sigma * sigma / (2 * theta)).sqrt();
    }

    @Override
    public double meanScale(double t) {
        return Math.exp(-theta * Times.check(this, "meanScale", t));
    }

    @Override
    public double std(double t) {
        return Math.sqrt(-Math.expm1(-2 * theta * Times.check(this, "std", t)) * sigma * sigma / (2 * theta));
    }

    @Override
    public String toString() {
        return "OU(θ=" + theta + ", σ=" + sigma + ", T=" + horizon() + ")";
    }

    private static Diffusion constantDiffusion(double sigma) {
        Times.positive("OrnsteinUhlenbeck: sigma", sigma);
        return Diffusion.constant(sigma);
    }
}
