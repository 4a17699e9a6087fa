package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

import java.util.Objects;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.UnaryOperator;

/**
 * An SDE written by the user: any drift {@code f(y, t)} as a tensor function, a {@link Diffusion} schedule,
 * a horizon and a prior. {@code CustomSde.of(...)} builds one:
 *
 * <pre>{@code
 * Sde doubleWell = CustomSde.of((y, t) -> y.mul(4).mul(y.square().rsub(1)),   // −V'(y), V = (y² − 1)²
 *                               Diffusion.constant(Math.sqrt(2)), 1.0, Prior.gaussian(1));
 * }</pre>
 *
 * and {@code CustomSde.linear(...)} one with a linear drift {@code f = a(t) y} given by its rate, which it
 * declares ({@link #linearDriftRate}) so that samplers treat it like the built-in SDE of the same form — a
 * VP-type drift {@code a = −½β(t)} gets the predictor–corrector's {@code α = 1 − β(t)Δt}:
 *
 * <pre>{@code
 * Sde vpLike = CustomSde.linear(t -> t.mul(19.9).add(0.1).mul(-0.5), Diffusion.linearBeta(0.1, 20),
 *                               1.0, Prior.gaussian(1));
 * }</pre>
 *
 * Its linearised transition freezes the drift's Jacobian at {@code (y_s, s)} and integrates the time-varying g²
 * over [s, t], {@code Σ = ∫_s^t e^{J(t−τ)} g(τ)² e^{Jᵀ(t−τ)} dτ} ({@link LinearizedTransition}).
 */
public final class CustomSde extends ScheduledSde {
    private final BiFunction<Tensor, Tensor, Tensor> drift;
    private final UnaryOperator<Tensor> rate; // a(t) of a linear drift f = a(t) y, or null
    private final Prior prior;

    private CustomSde(BiFunction<Tensor, Tensor, Tensor> drift, UnaryOperator<Tensor> rate, Diffusion g,
                      double horizon, Prior prior) {
        super("CustomSde", g, horizon);
        this.drift = drift;
        this.rate = rate;
        this.prior = Objects.requireNonNull(prior, "CustomSde: prior");
    }

    /** The SDE {@code dy = f(y, t) dt + g(t) dW} on {@code [0, horizon]} with prior π. */
    public static CustomSde of(BiFunction<Tensor, Tensor, Tensor> drift, Diffusion g, double horizon, Prior prior) {
        return new CustomSde(Objects.requireNonNull(drift, "CustomSde: drift"), null, g, horizon, prior);
    }

    /**
     * The SDE {@code dy = a(t) y dt + g(t) dW} on {@code [0, horizon]} with prior π, its drift linear with the
     * rate {@code a}: a tensor function from times {@code [B, 1]} to rates of the same shape.
     */
    public static CustomSde linear(UnaryOperator<Tensor> rate, Diffusion g, double horizon, Prior prior) {
        Objects.requireNonNull(rate, "CustomSde.linear: rate");
        return new CustomSde(null, rate, g, horizon, prior);
    }

    @Override
    public Tensor drift(Tensor y, Tensor t) {
        Tensor f = rate != null ? y.mul(rateAt(t)) : drift.apply(y, t);
        if (!f.shape().equals(y.shape())) {
            throw new IllegalArgumentException("CustomSde: drift returned shape " + f.shape() + " for y of shape "
                    + y.shape() + "; expected the shape of y");
        }
        return f;
    }

    /** The rate {@code a(t)} of a drift built by {@link #linear}; empty for one built by {@link #of}. */
    @Override
    public Optional<Tensor> linearDriftRate(Tensor t) {
        return rate == null ? Optional.empty() : Optional.of(rateAt(t));
    }

    private Tensor rateAt(Tensor t) {
        Tensor a = rate.apply(t);
        if (!a.shape().equals(t.shape())) {
            throw new IllegalArgumentException("CustomSde.linear: rate returned shape " + a.shape() + " for t of shape "
                    + t.shape() + "; expected the shape of t");
        }
        return a;
    }

    @Override
    public Prior prior() {
        return prior;
    }

    @Override
    public String toString() {
        return "CustomSde(" + (rate != null ? "linear drift, " : "") + schedule() + ", T=" + horizon() + ")";
    }
}
