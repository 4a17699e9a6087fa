package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

/**
 * The sub-VP SDE {@code dy = −½β(t) y dt + √(β(t)(1 − e^{−2B(t)})) dW} (Song et al. 2021, eq. 34):
 * {@code α_t = exp(−½B(t))} and {@code σ_t = 1 − e^{−B(t)}} (a standard deviation, not a variance), with
 * {@code ∫_s^t g² = B(t) − B(s) − ½(e^{−2B(s)} − e^{−2B(t)})}. Prior {@code N(0, I)}.
 */
public final class SubVariancePreserving implements LinearSde {
    private final double betaMin;
    private final double betaMax;
    private final Diffusion beta;

    public SubVariancePreserving(double betaMin, double betaMax) {
        this.beta = Diffusion.linearBeta(betaMin, betaMax);
        this.betaMin = betaMin;
        this.betaMax = betaMax;
    }

    @Override
    public double horizon() {
        return 1;
    }

    @Override
    public Tensor drift(Tensor y, Tensor t) {
        return y.mul(beta.at(t).square().mul(-0.5));
    }

    @Override
    public Tensor diffusion(Tensor t) {
        return beta.at(t).square().mul(beta.integral(t).mul(-2).expm1().neg()).sqrt();
    }

    @Override
    public double diffusion(double t) {
        double c = Times.check(this, "diffusion", t);
        double b = beta.at(c);
        return Math.sqrt(b * b * -Math.expm1(-2 * beta.integral(c)));
    }

    @Override
    public double integratedG2(double s, double t) {
        double[] st = Times.checkPair(this, "integratedG2", s, t);
        double bs = beta.integral(st[0]);
        double bt = beta.integral(st[1]);
        return bt - bs - 0.5 * (Math.exp(-2 * bs) - Math.exp(-2 * bt));
    }

    @Override
    public Tensor integratedG2(Tensor s, Tensor t) {
        Tensor bs = beta.integral(s);
        Tensor bt = beta.integral(t);
        return bt.sub(bs).sub(bs.mul(-2).exp().sub(bt.mul(-2).exp()).mul(0.5));
    }

    @Override
    public Prior prior() {
        return Prior.gaussian(1);
    }

    @Override
    public Tensor meanScale(Tensor t) {
        return beta.integral(t).mul(-0.5).exp();
    }

    @Override
    public Tensor std(Tensor t) {
        return beta.integral(t).neg().expm1().neg();
    }

    @Override
    public double meanScale(double t) {
        return Math.exp(-0.5 * beta.integral(Times.check(this, "meanScale", t)));
    }

    @Override
    public double std(double t) {
        return -Math.expm1(-beta.integral(Times.check(this, "std", t)));
    }

    @Override
    public String toString() {
        return "subVP(βmin=" + betaMin + ", βmax=" + betaMax + ")";
    }
}
