package dev.nabla.dsl.sample;

import dev.nabla.core.Autodiff;
import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.sde.Prior;
import dev.nabla.dsl.sde.Sde;

import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Log-likelihoods through the probability-flow ODE (Song et al. 2021, §4.3; THEORY.md §5): with
 * {@code v = f − ½ g² s}, {@code log p_0(y_0) = log π(y_T) + ∫_0^T div v(y_t, t) dt}, solved forward from
 * {@code t_min} as one augmented ODE with adaptive Dormand–Prince. The divergence is exact (D reverse passes,
 * for small D) or Hutchinson–Skilling's {@code εᵀ(∂v/∂y)ε} with one Rademacher probe per row held fixed along
 * the path (Grathwohl et al. 2019). Bits per dimension: {@code −log p / (D ln 2)}.
 */
public final class Likelihood {
    private Likelihood() {
    }

    /** How the divergence of the probability-flow velocity is taken: D reverse passes, or one probe. */
    public enum Divergence {
        /** {@code Σ_i ∂v_i/∂y_i} by D reverse passes: exact, D times the cost. */
        EXACT,
        /** Hutchinson–Skilling {@code εᵀ (∂v/∂y) ε}, one Rademacher probe per row: unbiased, one pass. */
        HUTCHINSON
    }

    /** Per-row log-densities and the solver's step count. */
    public record Result(double[] logDensity, int accepted, int evaluations) {
        /** Mean bits per dimension, {@code −mean(log p)/(D ln 2)}. */
        public double bitsPerDim(int d) {
            double m = 0;
            for (double v : logDensity) {
                m += v;
            }
            return -m / logDensity.length / (d * Math.log(2));
        }
    }

    /**
     * {@code log p_{t_min}(y)} of each row of {@code data} under the model's probability flow, ending at the
     * SDE's prior (or {@code prior} when given, e.g. an exact terminal marginal in tests).
     */
    public static Result logDensity(Sde sde, ScoreFunction score, NdArray data, Divergence divergence, double tMin,
                                    double rtol, double atol, Prior prior, Key key, Backend backend) {
        Objects.requireNonNull(data, "logDensity: data");
        if (data.shape().rank() != 2) {
            throw new IllegalArgumentException("logDensity: data has shape " + data.shape() + ", expected [n, D]");
        }
        int bad = data.firstNonFinite();
        if (bad >= 0) {
            throw new IllegalArgumentException("logDensity: data holds " + data.getFlat(bad) + " at row "
                    + bad / data.shape().dim(1) + ", column " + bad % data.shape().dim(1) + "; expected finite values");
        }
        int n = data.shape().dim(0);
        int d = data.shape().dim(1);
        Samplers.checkRequest(sde, score, n, d);
        Prior pi = prior != null ? prior : sde.prior();
        Tensor y = Tensor.placeholder("y", Shape.of(n, d));
        Tensor tt = Tensor.placeholder("t", Shape.of(1, 1));
        Tensor v = sde.probabilityFlow(y, tt.broadcastTo(Shape.of(n, 1)), score);
        Tensor div;
        if (divergence == Divergence.EXACT) {
            div = Autodiff.divergence(v, y);
        } else {
            Tensor k = Tensor.key(key);
            div = Autodiff.divergenceHutchinson(v, y, k.rademacher(Shape.of(n, d)));
        }
        Plan field = Plan.compile(List.of(v, div), backend);
        Tensor yEnd = Tensor.placeholder("yEnd", Shape.of(n, d));
        Tensor logPrior = pi.logDensity(yEnd);
        Plan priorPlan = Plan.compile(List.of(logPrior), backend);
        double[] state = new double[n * d + n];
        for (int i = 0; i < n * d; i++) {
            state[i] = data.getFlat(i);
        }
        double[] ybuf = new double[n * d];
        Ode.Result r = Ode.dormandPrince((t, s, out) -> {
            System.arraycopy(s, 0, ybuf, 0, n * d);
            field.set(y, ybuf).set(tt, t).execute();
            NdArray vv = field.get(v);
            NdArray dv = field.get(div);
            for (int i = 0; i < n * d; i++) {
                out[i] = vv.getFlat(i);
            }
            for (int i = 0; i < n; i++) {
                out[n * d + i] = dv.getFlat(i);
            }
        }, state, tMin, sde.horizon(), rtol, atol);
        double[] end = Arrays.copyOf(r.state(), n * d);
        NdArray lp = priorPlan.set(yEnd, end).execute().get(logPrior);
        double[] out = new double[n];
        for (int i = 0; i < n; i++) {
            out[i] = lp.getFlat(i) + r.state()[n * d + i];
        }
        return new Result(out, r.accepted(), r.evaluations());
    }
}
