package dev.nabla.dsl.optim;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Gradient clipping by global norm (Pascanu et al. 2013) in front of another optimizer: with
 * {@code ‖g‖ = √(Σ_i ‖g_i‖²)} over all parameters' gradients (in float64),
 * <pre>  g_i ← g_i · c / max(‖g‖, c)</pre>
 * so gradients pass unchanged when {@code ‖g‖ ≤ c} and are scaled to norm {@code c} otherwise; then the
 * wrapped optimizer steps with the clipped gradients. The norm before clipping is kept in the state
 * parameter {@code clip.grad_norm} ({@link #lastNorm()}).
 */
public final class Clip implements Optimizer {
    private final double maxNorm;
    private final Optimizer inner;
    private Tensor norm;

    private Clip(double maxNorm, Optimizer inner) {
        this.maxNorm = maxNorm;
        this.inner = inner;
    }

    /** Clips the global gradient norm at {@code maxNorm > 0} before {@code inner} steps. */
    public static Clip byGlobalNorm(double maxNorm, Optimizer inner) {
        if (!(maxNorm > 0) || !Double.isFinite(maxNorm)) {
            throw new IllegalArgumentException("Clip.byGlobalNorm: maxNorm = " + maxNorm
                    + ", expected a finite number > 0");
        }
        return new Clip(maxNorm, Objects.requireNonNull(inner, "Clip.byGlobalNorm: inner"));
    }

    @Override
    public Map<Tensor, Tensor> updates(List<Tensor> params, List<Tensor> grads) {
        init(params);
        List<Tensor> gs = BaseOptimizer.checkGrads(params, grads);
        Tensor sq = null;
        for (Tensor g : gs) {
            Tensor s = g.cast(DType.F64).square().sum();
            sq = sq == null ? s : sq.add(s);
        }
        Tensor n = sq.sqrt();
        Tensor scale = n.maximum(maxNorm).reciprocal().mul(maxNorm);
        List<Tensor> clipped = new ArrayList<>(gs.size());
        for (Tensor g : gs) {
            clipped.add(g.mul(scale.cast(g.dtype())));
        }
        Map<Tensor, Tensor> out = inner.updates(params, clipped);
        out.put(norm, n);
        return out;
    }

    @Override
    public void init(List<Tensor> params) {
        inner.init(params);
        if (norm == null) {
            norm = Tensor.parameter("clip.grad_norm", NdArray.scalar(0));
        }
    }

    /** The wrapped optimizer's state, then {@code clip.grad_norm}. */
    @Override
    public List<Tensor> state() {
        if (norm == null) {
            return inner.state();
        }
        List<Tensor> s = new ArrayList<>(inner.state());
        s.add(norm);
        return Collections.unmodifiableList(s);
    }

    @Override
    public long steps() {
        return inner.steps();
    }

    /** The global gradient norm before clipping at the last step (0 before the first). */
    public double lastNorm() {
        return norm == null ? 0 : norm.value().getFlat(0);
    }

    public double maxNorm() {
        return maxNorm;
    }

    /** The optimizer that steps with the clipped gradients. */
    public Optimizer inner() {
        return inner;
    }

    @Override
    public String toString() {
        return "Clip.byGlobalNorm(" + maxNorm + ", " + inner + ")";
    }
}
