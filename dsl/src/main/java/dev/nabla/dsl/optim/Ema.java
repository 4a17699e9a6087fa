package dev.nabla.dsl.optim;

import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Tensor;
import dev.nabla.dsl.nn.Module;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An exponential moving average of parameters (Polyak averaging; the EMA weights of score models, Song and
 * Ermon 2020): shadow parameters {@code θ̄}, initialised to copies of the parameters and updated inside the
 * training plan after each optimizer step,
 * <pre>  θ̄ ← δ θ̄ + (1 − δ) θ'</pre>
 * where {@code θ'} is the parameter's value after the step and {@code δ ∈ [0, 1)} the decay. Shadows are
 * parameters named {@code ema.<p>} (this is a {@link Module}, so they can be checkpointed), and
 * {@link #copyTo} writes them into a model of the same architecture for sampling.
 */
public final class Ema implements Module {
    private final double decay;
    private final List<Tensor> params;
    private final List<Tensor> shadows;
    private final Map<Tensor, Tensor> shadowOf = new IdentityHashMap<>();

    private Ema(double decay, List<Tensor> params) {
        this.decay = decay;
        this.params = List.copyOf(params);
        List<Tensor> s = new ArrayList<>();
        for (Tensor p : params) {
            Tensor sh = Tensor.parameter("ema." + p.name(), p.value());
            s.add(sh);
            shadowOf.put(p, sh);
        }
        this.shadows = List.copyOf(s);
    }

    /** An EMA of {@code model}'s parameters with decay {@code δ ∈ [0, 1)}. */
    public static Ema of(Module model, double decay) {
        return of(Objects.requireNonNull(model, "Ema.of: model").parameters(), decay);
    }

    /** An EMA of {@code params} with decay {@code δ ∈ [0, 1)}. */
    public static Ema of(List<Tensor> params, double decay) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("Ema.of: decay = " + decay + ", expected 0 <= decay < 1");
        }
        BaseOptimizer.check(params);
        return new Ema(decay, params);
    }

    /**
     * The shadows' new values: {@code δ θ̄ + (1 − δ) θ'} with {@code θ' = newValues.get(p)} (the parameter's
     * update in the same plan), or the parameter's current value when it has no entry.
     */
    public Map<Tensor, Tensor> updates(Map<Tensor, Tensor> newValues) {
        Objects.requireNonNull(newValues, "Ema.updates: newValues");
        Map<Tensor, Tensor> out = new LinkedHashMap<>();
        for (Tensor p : params) {
            Tensor source = newValues.getOrDefault(p, p);
            Tensor sh = shadowOf.get(p);
            out.put(sh, sh.mul(decay).add(source.mul(1 - decay)));
        }
        return out;
    }

    /** Registers {@link #updates} on {@code plan}. */
    public void apply(Plan.Builder plan, Map<Tensor, Tensor> newValues) {
        for (Map.Entry<Tensor, Tensor> e : updates(newValues).entrySet()) {
            plan.update(e.getKey(), e.getValue());
        }
    }

    /** The shadow parameters {@code ema.<p>}, in the order of the averaged parameters. */
    @Override
    public List<Tensor> parameters() {
        return shadows;
    }

    /** The averaged parameters. */
    public List<Tensor> averaged() {
        return params;
    }

    /** The shadow parameter of {@code param}. */
    public Tensor shadow(Tensor param) {
        Tensor s = shadowOf.get(param);
        if (s == null) {
            throw new IllegalArgumentException("Ema.shadow: " + param + " is not one of the averaged parameters");
        }
        return s;
    }

    /** A copy of the current average of {@code param}. */
    public NdArray value(Tensor param) {
        return shadow(param).value().copy();
    }

    /** Copies of the current averages, in parameter order. */
    public List<NdArray> values() {
        List<NdArray> out = new ArrayList<>();
        for (Tensor s : shadows) {
            out.add(s.value().copy());
        }
        return out;
    }

    /** Writes the averages into {@code target}'s parameters (same count and shapes, e.g. a fresh model). */
    public void copyTo(Module target) {
        List<Tensor> ts = Objects.requireNonNull(target, "Ema.copyTo: target").parameters();
        if (ts.size() != shadows.size()) {
            throw new IllegalArgumentException("Ema.copyTo: target has " + ts.size() + " parameters, expected "
                    + shadows.size());
        }
        for (int i = 0; i < ts.size(); i++) {
            if (!ts.get(i).shape().equals(shadows.get(i).shape())) {
                throw new IllegalArgumentException("Ema.copyTo: target parameter '" + ts.get(i).name() + "' has shape "
                        + ts.get(i).shape() + ", expected " + shadows.get(i).shape());
            }
        }
        for (int i = 0; i < ts.size(); i++) {
            ts.get(i).value().copyFrom(shadows.get(i).value());
        }
    }

    public double decay() {
        return decay;
    }
}
