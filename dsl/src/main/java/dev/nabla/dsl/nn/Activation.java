package dev.nabla.dsl.nn;

import dev.nabla.core.Tensor;

import java.util.Objects;

/**
 * Pointwise nonlinearities for {@link Mlp} hidden layers. Each is a composition of differentiable primitives,
 * so models built with them can be differentiated to any order (implicit score matching needs second
 * derivatives; {@link #RELU} has a zero second derivative almost everywhere, so prefer the smooth ones there).
 */
public enum Activation {
    /** {@code silu(x) = x·σ(x)}, {@code σ(x) = 1/(1+e^{−x})} (swish; smooth, the usual choice for score models). */
    SILU,
    /** {@code tanh(x)}. */
    TANH,
    /** {@code softplus(x) = log(1 + eˣ)}, computed stably as {@code max(x,0) + log1p(e^{−|x|})}. */
    SOFTPLUS,
    /** {@code relu(x) = max(x, 0)}. */
    RELU,
    /** The identity {@code x} (a linear network). */
    IDENTITY;

    /** Applies this activation elementwise to {@code x}. */
    public Tensor apply(Tensor x) {
        Objects.requireNonNull(x, "Activation.apply: x");
        return switch (this) {
            case SILU -> x.silu();
            case TANH -> x.tanh();
            case SOFTPLUS -> x.softplus();
            case RELU -> x.relu();
            case IDENTITY -> x;
        };
    }
}
