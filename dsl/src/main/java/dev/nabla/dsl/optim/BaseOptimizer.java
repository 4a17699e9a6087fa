package dev.nabla.dsl.optim;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Op;
import dev.nabla.core.Tensor;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What every optimizer here shares: binding to one parameter list, the step counter {@code <name>.step}
 * (float64 scalar), state creation with stable names {@code <name>.<kind>.<parameter name>}, the learning-rate
 * schedule, and checking of parameters and gradients.
 */
abstract class BaseOptimizer implements Optimizer {
    private String name;
    Schedule schedule;
    private List<Tensor> params;
    private Tensor step;
    private final List<Tensor> state = new ArrayList<>();

    BaseOptimizer(String name, Schedule schedule) {
        this.name = name;
        this.schedule = Objects.requireNonNull(schedule, name + ": schedule");
    }

    static Schedule rate(String what, double lr) {
        if (!(lr >= 0) || !Double.isFinite(lr)) {
            throw new IllegalArgumentException(what + ": lr = " + lr + ", expected a finite number >= 0");
        }
        return Schedule.constant(lr);
    }

    /** Fails if the state exists already (options must be set before the first step). */
    void configurable(String option) {
        if (params != null) {
            throw new IllegalStateException(name + "." + option + ": the optimizer already holds state for "
                    + params.size() + " parameters; set options before its first use");
        }
    }

    void rename(String newName) {
        Objects.requireNonNull(newName, "name");
        if (newName.isEmpty()) {
            throw new IllegalArgumentException("name: \"\", expected a non-empty state-name prefix");
        }
        configurable("name");
        this.name = newName;
    }

    /** The prefix of this optimizer's state names. */
    public String name() {
        return name;
    }

    /** The learning-rate schedule. */
    public Schedule schedule() {
        return schedule;
    }

    @Override
    public final void init(List<Tensor> ps) {
        check(ps);
        if (params != null) {
            if (params.size() != ps.size()) {
                throw bound(ps);
            }
            for (int i = 0; i < ps.size(); i++) {
                if (params.get(i) != ps.get(i)) {
                    throw bound(ps);
                }
            }
            return;
        }
        params = List.copyOf(ps);
        step = Tensor.parameter(name + ".step", NdArray.scalar(0));
        state.add(step);
        createState(params);
    }

    private IllegalStateException bound(List<Tensor> ps) {
        return new IllegalStateException(name + ": this optimizer holds state for parameters " + names(params)
                + ", not " + names(ps) + "; use one optimizer per parameter list");
    }

    private static List<String> names(List<Tensor> ts) {
        List<String> n = new ArrayList<>();
        for (Tensor t : ts) {
            n.add(t.name());
        }
        return n;
    }

    static void check(List<Tensor> ps) {
        Objects.requireNonNull(ps, "params");
        if (ps.isEmpty()) {
            throw new IllegalArgumentException("params: an empty list, expected at least one parameter");
        }
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < ps.size(); i++) {
            Tensor p = ps.get(i);
            Objects.requireNonNull(p, "params[" + i + "]");
            if (p.op() != Op.PARAMETER) {
                throw new IllegalArgumentException("params[" + i + "] = " + p + ", expected a Tensor.parameter");
            }
            if (p.dtype() == DType.KEY) {
                throw new IllegalArgumentException("params[" + i + "] = " + p + ", expected a float parameter");
            }
            if (!seen.add(p.name())) {
                throw new IllegalArgumentException("params[" + i + "]: name '" + p.name()
                        + "' is used twice, expected unique parameter names");
            }
        }
    }

    /** Creates the per-parameter state (register each with {@link #newState}). */
    abstract void createState(List<Tensor> params);

    /** A zero state parameter {@code <name>.<kind>.<p.name>} of p's shape and dtype. */
    Tensor newState(String kind, Tensor p) {
        Tensor s = Tensor.parameter(name + "." + kind + "." + p.name(), NdArray.zeros(p.shape(), p.dtype()));
        state.add(s);
        return s;
    }

    /** A float64 scalar state parameter {@code <name>.<kind>} with initial value {@code v}. */
    Tensor newScalar(String kind, double v) {
        Tensor s = Tensor.parameter(name + "." + kind, NdArray.scalar(v));
        state.add(s);
        return s;
    }

    @Override
    public final Map<Tensor, Tensor> updates(List<Tensor> ps, List<Tensor> grads) {
        init(ps);
        List<Tensor> gs = checkGrads(ps, grads);
        Map<Tensor, Tensor> out = new LinkedHashMap<>();
        step(ps, gs, schedule.at(step), out);
        out.put(step, step.add(1));
        return out;
    }

    static List<Tensor> checkGrads(List<Tensor> ps, List<Tensor> grads) {
        Objects.requireNonNull(grads, "grads");
        if (grads.size() != ps.size()) {
            throw new IllegalArgumentException("grads: " + grads.size() + " gradients for " + ps.size()
                    + " parameters, expected one per parameter");
        }
        List<Tensor> gs = new ArrayList<>(grads.size());
        for (int i = 0; i < ps.size(); i++) {
            Tensor g = Objects.requireNonNull(grads.get(i), "grads[" + i + "]");
            Tensor p = ps.get(i);
            if (!g.shape().equals(p.shape())) {
                throw new IllegalArgumentException("grads[" + i + "] has shape " + g.shape() + ", expected "
                        + p.shape() + " like parameter '" + p.name() + "'");
            }
            gs.add(g.cast(p.dtype()));
        }
        return gs;
    }

    /**
     * Puts the new value of each parameter and of each per-parameter state into {@code out}; {@code lr} is the
     * float64 scalar learning rate of this step. The step counter is advanced by the caller.
     */
    abstract void step(List<Tensor> params, List<Tensor> grads, Tensor lr, Map<Tensor, Tensor> out);

    /** A float64 scalar tensor cast to the dtype of {@code like}. */
    static Tensor as(Tensor scalar, Tensor like) {
        return scalar.cast(like.dtype());
    }

    @Override
    public final List<Tensor> state() {
        return Collections.unmodifiableList(state);
    }

    @Override
    public final long steps() {
        return step == null ? 0 : (long) step.value().getFlat(0);
    }

    /** The step-counter parameter, or null before {@link #init}. */
    public final Tensor stepCounter() {
        return step;
    }

    /** The parameters this optimizer serves, or null before {@link #init}. */
    final List<Tensor> params() {
        return params;
    }
}
