package dev.nabla.dsl.sample;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.nn.Module;
import dev.nabla.dsl.sde.Sde;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * Samplers that integrate from the prior at {@code T} back to {@code t_min} (Song et al. 2021, §4):
 * <ul>
 *   <li>{@link #eulerMaruyama}: the reverse SDE {@code dy = [f − g² s] dt + g dW̄}, discretised by
 *       Euler–Maruyama; the last step returns its mean (no noise), as in score_sde.</li>
 *   <li>{@link #predictorCorrector}: the same predictor followed by Langevin corrector steps
 *       {@code y ← y + ε s + √(2ε) z} with {@code ε = 2α(r ‖z‖/‖s‖)²} for a signal-to-noise ratio r
 *       (score_sde's LangevinCorrector), α the SDE's {@link Sde#correctorAlpha}: {@code 1 + 2a(t)Δt} for a
 *       linear drift {@code f = a(t) y} (VP and sub-VP: {@code 1 − β(t)Δt}; VE: 1), 1 for other drifts.</li>
 *   <li>{@link #probabilityFlowHeun} and {@link #probabilityFlowRk45}: the probability-flow ODE
 *       {@code dy/dt = f − ½ g² s}, with Heun's method (fixed steps) or the adaptive Dormand–Prince 5(4)
 *       pair.</li>
 * </ul>
 * Each compiles one step (one stage) into a plan once and runs it in a loop; the keys of the steps are
 * {@code key.fold(i)}.
 */
public final class Samplers {
    private Samplers() {
    }

    /** Draws {@code n} samples of dimension {@code d}. */
    @FunctionalInterface
    public interface Sampler {
        NdArray sample(int n, int d, Key key);
    }

    private static void check(Sde sde, ScoreFunction score, int steps, double tMin) {
        Objects.requireNonNull(sde, "sampler: sde");
        Objects.requireNonNull(score, "sampler: score");
        if (steps < 1) {
            throw new IllegalArgumentException("sampler: steps = " + steps + ", expected >= 1");
        }
        if (!(tMin >= 0 && tMin < sde.horizon())) {
            throw new IllegalArgumentException("sampler: tMin = " + tMin + ", expected 0 <= tMin < T = " + sde.horizon());
        }
        Module.inputDimensionOf(score).ifPresent(d -> sde.checkDimension("sampler: the score model's input", d));
    }

    /** Checks a sampling request against the SDE and the model: n ≥ 1 rows of width d. */
    static void checkRequest(Sde sde, ScoreFunction score, int n, int d) {
        if (n < 1 || d < 1) {
            throw new IllegalArgumentException("sample: n = " + n + ", d = " + d + "; expected n >= 1 rows of width d >= 1");
        }
        sde.checkDimension("sample: d", d);
        OptionalInt model = Module.inputDimensionOf(score);
        if (model.isPresent() && model.getAsInt() != d) {
            throw new IllegalArgumentException("sample: d = " + d + ", expected the score model's input dimension D = "
                    + model.getAsInt());
        }
    }

    /** Prior samples at time T, {@code [n, d]}. */
    static NdArray prior(Sde sde, int n, int d, Key key, Backend backend) {
        Tensor k = Tensor.keyInput("k");
        Tensor y = sde.prior().sample(k, n, d);
        return Plan.compile(List.of(y), backend).set(k, key).execute().get(y).copy();
    }

    /** Reverse-SDE Euler–Maruyama with {@code steps} uniform steps from T to {@code tMin}. */
    public static Sampler eulerMaruyama(Sde sde, ScoreFunction score, int steps, double tMin, Backend backend) {
        return predictorCorrector(sde, score, steps, tMin, 0, 0, backend);
    }

    /** Reverse-SDE predictor with {@code correctorSteps} Langevin corrector steps at signal-to-noise {@code snr}. */
    public static Sampler predictorCorrector(Sde sde, ScoreFunction score, int steps, double tMin, int correctorSteps,
                                             double snr, Backend backend) {
        check(sde, score, steps, tMin);
        if (correctorSteps < 0 || (correctorSteps > 0 && !(snr > 0))) {
            throw new IllegalArgumentException("predictorCorrector: correctorSteps = " + correctorSteps + ", snr = " + snr
                    + "; expected correctorSteps >= 0 and snr > 0 when correcting");
        }
        return (n, d, key) -> {
            checkRequest(sde, score, n, d);
            double dt = (sde.horizon() - tMin) / steps;
            Tensor y = Tensor.placeholder("y", Shape.of(n, d));
            Tensor tt = Tensor.placeholder("t", Shape.of(1, 1));
            Tensor noiseOn = Tensor.placeholder("noise", Shape.of(1, 1));
            Tensor k = Tensor.keyInput("k");
            Tensor t = tt.broadcastTo(Shape.of(n, 1));
            // corrector: Langevin steps at time t
            Tensor yc = y;
            for (int c = 0; c < correctorSteps; c++) {
                Tensor s = score.apply(yc, t);
                Tensor z = k.fold(100 + c).normal(Shape.of(n, d));
                Tensor alpha = sde.correctorAlpha(t, dt).mean();
                Tensor ratio = z.norm(-1).mean().div(s.norm(-1).mean());
                Tensor eps = ratio.mul(snr).square().mul(2).mul(alpha);
                yc = yc.add(s.mul(eps)).add(z.mul(eps.mul(2).sqrt()));
            }
            // predictor: y(t − dt) = y − [f − g² s] dt + g √dt z
            Tensor drift = sde.reverseDrift(yc, t, score);
            Tensor mean = yc.sub(drift.mul(dt));
            Tensor next = mean.add(sde.diffusion(t).mul(Math.sqrt(dt)).mul(k.fold(0).normal(Shape.of(n, d))).mul(noiseOn));
            Plan plan = Plan.compile(List.of(next), backend);
            NdArray state = prior(sde, n, d, key, backend);
            for (int i = 0; i < steps; i++) {
                double time = sde.horizon() - i * dt;
                plan.set(y, state).set(tt, time).set(noiseOn, i == steps - 1 ? 0.0 : 1.0).set(k, key.fold(i + 1));
                state.copyFrom(plan.execute().get(next));
            }
            return state;
        };
    }

    /** The probability-flow velocity {@code f − ½ g² s} as a compiled function of (y, t). */
    static final class Velocity {
        final Tensor y;
        final Tensor t;
        final Tensor v;
        final Plan plan;

        Velocity(Sde sde, ScoreFunction score, int n, int d, Backend backend) {
            y = Tensor.placeholder("y", Shape.of(n, d));
            t = Tensor.placeholder("t", Shape.of(1, 1));
            v = sde.probabilityFlow(y, t.broadcastTo(Shape.of(n, 1)), score);
            plan = Plan.compile(List.of(v), backend);
        }

        /** Writes v(state, time) into {@code out}. */
        void eval(NdArray state, double time, double[] out) {
            NdArray r = plan.set(y, state).set(t, time).execute().get(v);
            for (int i = 0; i < out.length; i++) {
                out[i] = r.getFlat(i);
            }
        }
    }

    /** The probability-flow ODE from T to {@code tMin} with Heun's method in {@code steps} steps. */
    public static Sampler probabilityFlowHeun(Sde sde, ScoreFunction score, int steps, double tMin, Backend backend) {
        check(sde, score, steps, tMin);
        return (n, d, key) -> {
            checkRequest(sde, score, n, d);
            Velocity vel = new Velocity(sde, score, n, d, backend);
            NdArray y = prior(sde, n, d, key, backend);
            double h = (sde.horizon() - tMin) / steps;
            double[] k1 = new double[n * d];
            double[] k2 = new double[n * d];
            NdArray pred = NdArray.zeros(Shape.of(n, d), DType.F64);
            for (int i = 0; i < steps; i++) {
                double t = sde.horizon() - i * h;
                vel.eval(y, t, k1);
                for (int j = 0; j < k1.length; j++) {
                    pred.setFlat(j, y.getFlat(j) - h * k1[j]);
                }
                vel.eval(pred, t - h, k2);
                for (int j = 0; j < k1.length; j++) {
                    y.setFlat(j, y.getFlat(j) - 0.5 * h * (k1[j] + k2[j]));
                }
            }
            return y;
        };
    }

    /** The probability-flow ODE from T to {@code tMin}, adaptive Dormand–Prince 5(4) with tolerances rtol, atol. */
    public static Sampler probabilityFlowRk45(Sde sde, ScoreFunction score, double rtol, double atol, double tMin,
                                              Backend backend) {
        check(sde, score, 1, tMin);
        if (!(rtol > 0) || !(atol > 0)) {
            throw new IllegalArgumentException("probabilityFlowRk45: rtol = " + rtol + ", atol = " + atol + ", expected > 0");
        }
        return (n, d, key) -> {
            checkRequest(sde, score, n, d);
            Velocity vel = new Velocity(sde, score, n, d, backend);
            NdArray y = prior(sde, n, d, key, backend);
            double[] state = y.toDoubleArray();
            Ode.Result r = Ode.dormandPrince((t, s, out) -> vel.eval(NdArray.wrap(s, Shape.of(n, d)), t, out),
                    state, sde.horizon(), tMin, rtol, atol);
            return NdArray.wrap(r.state(), Shape.of(n, d));
        };
    }
}
