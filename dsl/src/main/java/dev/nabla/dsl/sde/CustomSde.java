package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

import java.util.Objects;
import java.util.function.BiFunction;

/**
 * An SDE written by the user: any drift {@code f(y, t)} as a tensor function, a {@link Diffusion} schedule,
 * a horizon and a prior. {@code Sde.custom(...)} builds one:
 *
 * <pre>{@code
 * Sde doubleWell = CustomSde.of((y, t) -> y.mul(4).mul(y.square().rsub(1)),   // −V'(y), V = (y² − 1)²
 *                               Diffusion.constant(Math.sqrt(2)), 1.0, Prior.gaussian(1));
 * }</pre>
 *
 * Its linearised transition freezes the drift's Jacobian at {@code (y_s, s)} and uses the average of g² over
 * [s, t] ({@link LinearizedTransition}).
 */
public final class CustomSde implements Sde {
    private final BiFunction<Tensor, Tensor, Tensor> drift;
    private final Diffusion g;
    private final double horizon;
    private final Prior prior;

    private CustomSde(BiFunction<Tensor, Tensor, Tensor> drift, Diffusion g, double horizon, Prior prior) {
        this.drift = Objects.requireNonNull(drift, "CustomSde: drift");
        this.g = Objects.requireNonNull(g, "CustomSde: diffusion");
        this.prior = Objects.requireNonNull(prior, "CustomSde: prior");
        Times.positive("CustomSde: horizon", horizon);
        this.horizon = horizon;
    }

    public static CustomSde of(BiFunction<Tensor, Tensor, Tensor> drift, Diffusion g, double horizon, Prior prior) {
        return new CustomSde(drift, g, horizon, prior);
    }

    @Override
    public double horizon() {
        return horizon;
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
    public Tensor diffusion(Tensor t) {
        return g.at(t);
    }

    @Override
    public double diffusion(double t) {
        return g.at(Times.check(this, t));
    }

    @Override
    public double integratedG2(double s, double t) {
        Times.checkPair(this, s, t);
        return g.integral(t) - g.integral(s);
    }

    @Override
    public Tensor integratedG2(Tensor s, Tensor t) {
        return g.integral(t).sub(g.integral(s));
    }

    @Override
    public Prior prior() {
        return prior;
    }

    public Diffusion schedule() {
        return g;
    }

    @Override
    public String toString() {
        return "CustomSde(" + g + ", T=" + horizon + ")";
    }
}
