package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

/**
 * The variance-exploding SDE {@code dy = g(t) dW} with {@code σ(t) = σ_min (σ_max/σ_min)^t} and
 * {@code g(t) = σ(t)√(2 ln(σ_max/σ_min))} on [0, 1] (Song et al. 2021, eq. 30). Started at data,
 * {@code α_t = 1} and {@code σ_t² = ∫_0^t g² = σ(t)² − σ_min²} (exact; score_sde instead takes σ_t = σ(t),
 * counting σ_min as already present in the data). Prior {@code N(0, σ_max² I)}.
 */
public final class VarianceExploding extends ScheduledSde implements LinearSde, SeparableDrift {
    private final double sigmaMin;
    private final double sigmaMax;

    public VarianceExploding(double sigmaMin, double sigmaMax) {
        super("VarianceExploding", Diffusion.exponential(sigmaMin, sigmaMax), 1);
        this.sigmaMin = sigmaMin;
        this.sigmaMax = sigmaMax;
    }

    public double sigmaMin() {
        return sigmaMin;
    }

    public double sigmaMax() {
        return sigmaMax;
    }

    @Override
    public Tensor field(Tensor y) {
        return y.zerosLike();
    }

    @Override
    public double kappa() {
        return 2;
    }

    @Override
    public Tensor drift(Tensor y, Tensor t) {
        return y.zerosLike();
    }

    @Override
    public Prior prior() {
        return Prior.gaussian(sigmaMax);
    }

    @Override
    public Tensor meanScale(Tensor t) {
        return t.mul(0).add(1);
    }

    @Override
    public Tensor std(Tensor t) {
        return schedule().integral(t).sqrt();
    }

    @Override
    public double meanScale(double t) {
        Times.check(this, "meanScale", t);
        return 1;
    }

    @Override
    public double std(double t) {
        return Math.sqrt(schedule().integral(Times.check(this, "std", t)));
    }

    /** {@code α = 1}: the drift is zero ({@code 1 + 2a(t)Δt} with a = 0, as a constant). */
    @Override
    public Tensor correctorAlpha(Tensor t, double dt) {
        return Tensor.scalar(1, t.dtype());
    }

    @Override
    public String toString() {
        return "VE(σmin=" + sigmaMin + ", σmax=" + sigmaMax + ")";
    }
}
