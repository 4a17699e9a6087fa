package dev.nabla.dsl.optim;

import dev.nabla.core.Tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Stochastic gradient descent with optional heavy-ball or Nesterov momentum and L2 weight decay (PyTorch's
 * {@code SGD} convention, no dampening). With gradient {@code g}, momentum {@code μ}, decay {@code λ} and rate
 * {@code η_s}:
 * <pre>
 *   d ← g + λ θ
 *   b ← μ b + d                      (b = 0 initially; no buffer when μ = 0)
 *   θ ← θ − η_s (nesterov ? d + μ b : b)
 * </pre>
 * State: {@code sgd.step} and, when {@code μ > 0}, {@code sgd.momentum.<p>}. Options must be set before the
 * first step.
 */
public final class Sgd extends BaseOptimizer {
    private double momentum;
    private boolean nesterov;
    private double weightDecay;
    private final List<Tensor> buffers = new ArrayList<>();

    /** Plain SGD with a constant learning rate. */
    public Sgd(double lr) {
        super("sgd", rate("Sgd", lr));
    }

    /** Plain SGD with a learning-rate schedule. */
    public Sgd(Schedule schedule) {
        super("sgd", schedule);
    }

    /** Heavy-ball momentum {@code μ} in [0, 1). */
    public Sgd momentum(double mu) {
        configurable("momentum");
        if (!(mu >= 0 && mu < 1)) {
            throw new IllegalArgumentException("Sgd.momentum: mu = " + mu + ", expected 0 <= mu < 1");
        }
        this.momentum = mu;
        return this;
    }

    /** Nesterov momentum {@code μ} in (0, 1). */
    public Sgd nesterov(double mu) {
        if (!(mu > 0 && mu < 1)) {
            throw new IllegalArgumentException("Sgd.nesterov: mu = " + mu + ", expected 0 < mu < 1");
        }
        momentum(mu);
        this.nesterov = true;
        return this;
    }

    /** L2 weight decay {@code λ ≥ 0}, added to the gradient. */
    public Sgd weightDecay(double lambda) {
        configurable("weightDecay");
        if (!(lambda >= 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("Sgd.weightDecay: lambda = " + lambda + ", expected a finite number >= 0");
        }
        this.weightDecay = lambda;
        return this;
    }

    /** The prefix of the state names (default "sgd"); unique per checkpoint. */
    public Sgd name(String prefix) {
        rename(prefix);
        return this;
    }

    @Override
    void createState(List<Tensor> params) {
        if (momentum > 0) {
            for (Tensor p : params) {
                buffers.add(newState("momentum", p));
            }
        }
    }

    @Override
    void step(List<Tensor> params, List<Tensor> grads, Tensor lr, Map<Tensor, Tensor> out) {
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i);
            Tensor d = grads.get(i);
            if (weightDecay > 0) {
                d = d.add(p.mul(weightDecay));
            }
            Tensor dir = d;
            if (momentum > 0) {
                Tensor b = buffers.get(i).mul(momentum).add(d);
                out.put(buffers.get(i), b);
                dir = nesterov ? d.add(b.mul(momentum)) : b;
            }
            out.put(p, p.sub(dir.mul(as(lr, p))));
        }
    }

    public double momentum() {
        return momentum;
    }

    public boolean isNesterov() {
        return nesterov;
    }

    public double weightDecay() {
        return weightDecay;
    }

    @Override
    public String toString() {
        return "Sgd(" + schedule + (momentum > 0 ? (nesterov ? ", nesterov=" : ", momentum=") + momentum : "")
                + (weightDecay > 0 ? ", weightDecay=" + weightDecay : "") + ")";
    }
}
