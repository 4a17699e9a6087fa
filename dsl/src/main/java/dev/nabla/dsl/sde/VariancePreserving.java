package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

/**
 * The variance-preserving SDE {@code dy = −½β(t) y dt + √β(t) dW}, {@code β(t) = β_min + t(β_max − β_min)} on
 * [0, 1] (Song et al. 2021, eq. 32): {@code α_t = exp(−½B(t))}, {@code σ_t² = 1 − α_t²} with
 * {@code B(t) = ∫_0^t β}. Prior {@code N(0, I)}. In the form of {@link SeparableDrift}: {@code F(y) = −y},
 * {@code c = ½β}, κ = 2.
 */
public final class VariancePreserving extends ScheduledSde implements LinearSde, SeparableDrift {
    private final double betaMin;
    private final double betaMax;

    public VariancePreserving(double betaMin, double betaMax) {
        super("VariancePreserving", Diffusion.linearBeta(betaMin, betaMax), 1);
        this.betaMin = betaMin;
        this.betaMax = betaMax;
    }

    /** The usual schedule β ∈ [0.1, 20]. */
    public static VariancePreserving standard() {
        return new VariancePreserving(0.1, 20);
    }

    public double betaMin() {
        return betaMin;
    }

    public double betaMax() {
        return betaMax;
    }

    @Override
    public Tensor field(Tensor y) {
        return y.neg();
    }

    @Override
    public double kappa() {
        return 2;
    }

    @Override
    public Prior prior() {
        return Prior.gaussian(1);
    }

    @Override
    public Tensor meanScale(Tensor t) {
        return schedule().integral(t).mul(-0.5).exp();
    }

    @Override
    public Tensor std(Tensor t) {
        return schedule().integral(t).neg().expm1().neg().sqrt();
    }

    @Override
    public double meanScale(double t) {
        return Math.exp(-0.5 * schedule().integral(Times.check(this, "meanScale", t)));
    }

    @Override
    public double std(double t) {
        return Math.sqrt(-Math.expm1(-schedule().integral(Times.check(this, "std", t))));
    }

    /**
     * {@code α = 1 − β(t)Δt} (score_sde's {@code alphas = 1 − β_i}): the default {@code 1 + 2a(t)Δt} with
     * {@code a = −½β}, written as score_sde writes it.
     */
    @Override
    public Tensor correctorAlpha(Tensor t, double dt) {
        return diffusion(t).square().mul(-dt).add(1);
    }

    @Override
    public String toString() {
        return "VP(βmin=" + betaMin + ", βmax=" + betaMax + ")";
    }
}
