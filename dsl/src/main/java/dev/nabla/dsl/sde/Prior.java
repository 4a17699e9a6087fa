package dev.nabla.dsl.sde;

import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;

import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Function;

/** A distribution to start reverse-time sampling from and to evaluate {@code log π} in likelihoods. */
public interface Prior {
    /** {@code n} samples in dimension {@code d}, from a key tensor. */
    Tensor sample(Tensor key, int n, int d);

    /** {@code log π(y)} per row, shape {@code [B]}. */
    Tensor logDensity(Tensor y);

    /** {@code ∇ log π(y)}, shape of y. */
    Tensor score(Tensor y);

    /**
     * The data dimension this prior is defined on, when it has one (a Gaussian mixture's D); empty for priors
     * that apply to any dimension (an isotropic Gaussian, an elementwise logistic).
     */
    default OptionalInt dimension() {
        return OptionalInt.empty();
    }

    /** An isotropic Gaussian {@code N(0, s² I)}. */
    static Prior gaussian(double std) {
        if (!(std > 0) || !Double.isFinite(std)) {
            throw new IllegalArgumentException("Prior.gaussian: std = " + std + ", expected a finite number > 0");
        }
        return new Prior() {
            @Override
            public Tensor sample(Tensor key, int n, int d) {
                return key.normal(Shape.of(n, d)).mul(std);
            }

            @Override
            public Tensor logDensity(Tensor y) {
                int d = y.shape().dim(-1);
                return y.square().sum(-1).mul(-0.5 / (std * std))
                        .sub(0.5 * d * Math.log(2 * Math.PI * std * std));
            }

            @Override
            public Tensor score(Tensor y) {
                return y.mul(-1.0 / (std * std));
            }

            @Override
            public String toString() {
                return "N(0, " + std + "² I)";
            }
        };
    }

    /**
     * Independent logistic(0, s) coordinates: {@code log π = Σ −y/s − 2 log(1 + e^{−y/s}) − log s}, score
     * {@code −tanh(y/(2s))/s} (2407.07998 §4); sampled as {@code s log(u/(1−u))}.
     */
    static Prior logistic(double scale) {
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("Prior.logistic: scale = " + scale + ", expected a finite number > 0");
        }
        return new Prior() {
            @Override
            public Tensor sample(Tensor key, int n, int d) {
                Tensor u = key.uniform(Shape.of(n, d));
                return u.log().sub(u.neg().log1p()).mul(scale);
            }

            @Override
            public Tensor logDensity(Tensor y) {
                Tensor z = y.div(scale);
                return z.neg().sub(z.neg().softplus().mul(2)).sum(-1).sub(y.shape().dim(-1) * Math.log(scale));
            }

            @Override
            public Tensor score(Tensor y) {
                return y.div(2 * scale).tanh().div(-scale);
            }

            @Override
            public String toString() {
                return "Logistic(0, " + scale + ")";
            }
        };
    }

    /**
     * A prior given by its log-density (any graph function of the rows of y, returning [B]) and a sampler; the
     * score is obtained by automatic differentiation of the log-density.
     */
    static Prior of(Function<Tensor, Tensor> logDensity, Sampler sampler) {
        Objects.requireNonNull(logDensity, "Prior.of: logDensity");
        Objects.requireNonNull(sampler, "Prior.of: sampler");
        return new Prior() {
            @Override
            public Tensor sample(Tensor key, int n, int d) {
                return sampler.sample(key, n, d);
            }

            @Override
            public Tensor logDensity(Tensor y) {
                return logDensity.apply(y);
            }

            @Override
            public Tensor score(Tensor y) {
                return dev.nabla.core.Autodiff.grad(logDensity.apply(y).sum(), y);
            }
        };
    }

    /** Draws {@code n} rows of dimension {@code d} from a key tensor. */
    @FunctionalInterface
    interface Sampler {
        Tensor sample(Tensor key, int n, int d);
    }
}
