package dev.nabla.dsl.optim;

import dev.nabla.core.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Adam (Kingma and Ba 2015) with bias correction and optional decoupled weight decay (AdamW, Loshchilov and
 * Hutter 2019). At step {@code t = s + 1}, with gradient {@code g} and rate {@code η_s} from the schedule:
 * <pre>
 *   m ← β₁ m + (1 − β₁) g
 *   v ← β₂ v + (1 − β₂) g²
 *   m̂ = m / (1 − β₁ᵗ),   v̂ = v / (1 − β₂ᵗ)
 *   θ ← θ − η_s (m̂ / (√v̂ + ε) + λ θ)
 * </pre>
 * ({@code λ = 0}: plain Adam). State: {@code adam.step}, {@code adam.beta1_power = β₁ᵗ},
 * {@code adam.beta2_power = β₂ᵗ} (float64 scalars, kept as running products so that they are exact to
 * rounding), and {@code adam.m.<p>}, {@code adam.v.<p>} in each parameter's dtype. Defaults:
 * {@code β₁ = 0.9, β₂ = 0.999, ε = 1e−8, λ = 0}. Options must be set before the first step.
 */
public final class Adam extends BaseOptimizer {
    private double beta1 = 0.9;
    private double beta2 = 0.999;
    private double eps = 1e-8;
    private double weightDecay;
    private Tensor beta1Power;
    private Tensor beta2Power;
    private final List<Tensor> ms = new ArrayList<>();
    private final List<Tensor> vs = new ArrayList<>();

    /** Adam with a constant learning rate. */
    public Adam(double lr) {
        super("adam", rate("Adam", lr));
    }

    /** Adam with a learning-rate schedule. */
    public Adam(Schedule schedule) {
        super("adam", schedule);
    }

    /** The decay rates of the moment estimates, each in [0, 1). */
    public Adam betas(double beta1, double beta2) {
        configurable("betas");
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("Adam.betas: beta1 = " + beta1 + ", expected 0 <= beta1 < 1");
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("Adam.betas: beta2 = " + beta2 + ", expected 0 <= beta2 < 1");
        }
        this.beta1 = beta1;
        this.beta2 = beta2;
        return this;
    }

    /** The denominator's stabiliser ε > 0. */
    public Adam eps(double eps) {
        configurable("eps");
        if (!(eps > 0) || !Double.isFinite(eps)) {
            throw new IllegalArgumentException("Adam.eps: eps = " + eps + ", expected a finite number > 0");
        }
        this.eps = eps;
        return this;
    }

    /** Decoupled weight decay λ ≥ 0 (AdamW); the step subtracts {@code η_s λ θ}. */
    public Adam weightDecay(double lambda) {
        configurable("weightDecay");
        if (!(lambda >= 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("Adam.weightDecay: lambda = " + lambda
                    + ", expected a finite number >= 0");
        }
        this.weightDecay = lambda;
        return this;
    }

    /** The prefix of the state names (default "adam"); unique per checkpoint. */
    public Adam name(String prefix) {
        rename(prefix);
        return this;
    }

    @Override
    void createState(List<Tensor> params) {
        beta1Power = newScalar("beta1_power", 1);
        beta2Power = newScalar("beta2_power", 1);
        for (Tensor p : params) {
            ms.add(newState("m", p));
        }
        for (Tensor p : params) {
            vs.add(newState("v", p));
        }
    }

    @Override
    void step(List<Tensor> params, List<Tensor> grads, Tensor lr, Map<Tensor, Tensor> out) {
        Tensor b1t = beta1Power.mul(beta1);
        Tensor b2t = beta2Power.mul(beta2);
        Tensor r1 = b1t.rsub(1).reciprocal(); // 1 / (1 − β₁ᵗ)
        Tensor r2 = b2t.rsub(1).reciprocal(); // 1 / (1 − β₂ᵗ)
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor g = grads.get(i);
            Tensor m = ms.get(i).mul(beta1).add(g.mul(1 - beta1));
            Tensor v = vs.get(i).mul(beta2).add(g.square().mul(1 - beta2));
            Tensor mHat = m.mul(as(r1, p));
            Tensor vHat = v.mul(as(r2, p));
            Tensor dir = mHat.div(vHat.sqrt().add(eps));
            if (weightDecay > 0) {
                dir = dir.add(p.mul(weightDecay));
            }
            out.put(p, p.sub(dir.mul(as(lr, p))));
            out.put(ms.get(i), m);
            out.put(vs.get(i), v);
        }
        out.put(beta1Power, b1t);
        out.put(beta2Power, b2t);
    }

    public double beta1() {
        return beta1;
    }

    public double beta2() {
        return beta2;
    }

    public double eps() {
        return eps;
    }

    public double weightDecay() {
        return weightDecay;
    }

    /** The first-moment state of parameter {@code i}, or null before the first use. */
    public Tensor firstMoment(int i) {
        return ms.isEmpty() ? null : ms.get(i);
    }

    /** The second-moment state of parameter {@code i}, or null before the first use. */
    public Tensor secondMoment(int i) {
        return vs.isEmpty() ? null : vs.get(i);
    }

    @Override
    public String toString() {
        return "Adam(" + schedule + ", betas=(" + beta1 + ", " + beta2 + "), eps=" + eps
                + (weightDecay > 0 ? ", weightDecay=" + weightDecay : "") + ")";
    }
}
