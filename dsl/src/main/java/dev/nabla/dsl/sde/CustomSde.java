package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

import java.util.Objects;
import java.util.function.BiFunction;

/**
 * An SDE written by the user: any drift {@code f(y, t)} as a tensor function, a {@link Diffusion} schedule,
 * a horizon and a prior. {@code CustomSde.of(...)} builds one:
 *
 * <pre>{@code
 * Sde doubleWell = CustomSde.of((y, t) -> y.mul(4).mul(y.square().rsub(1)),   // −V'(y), V = (y² − 1)²
 *                               Diffusion.constant(Math.sqrt(2)), 1.0, Prior.gaussian(1));
 * }</pre>
 *
 * Its linearised transition freezes the drift's Jacobian at {@code (y_s, s)} and integrates the time-varying g²
 * over [s, t], {@code Σ = ∫_s^t e^{J(t−τ)} g(τ)² e^{Jᵀ(t−τ)} dτ} ({@link LinearizedTransition}).
 */
public final class CustomSde extends ScheduledSde {
    private final BiFunction<Tensor, Tensor, Tensor> drift;
    private final Prior prior;

    private CustomSde(BiFunction<Tensor, Tensor, Tensor> drift, Diffusion g, double horizon, Prior prior) {
        super("CustomSde", g, horizon);
        this.drift = Objects.requireNonNull(drift, "CustomSde: drift");
        this.prior = Objects.requireNonNull(prior, "CustomSde: prior");
    }

    public static CustomSde of(BiFunction<Tensor, Tensor, Tensor> drift, Diffusion g, double horizon, Prior prior) {
        return new CustomSde(drift, g, horizon, prior);
    }

    @Override
    public Tensor drift(Tensor y, Tensor t) {
        Tensor f = drift.apply(y, t);
        if (!f.shape().equals(y.shape())) {
            throw new IllegalArgumentException("CustomSde: drift returned shape " + f.shape() + " for y of shape "
                    + y.shape() + "; expected the shape of y");
        }
        return f;
    }

    @Override
    public Prior prior() {
        return prior;
    }

    @Override
    public String toString() {
        return "CustomSde(" + schedule() + ", T=" + horizon() + ")";
    }
}
