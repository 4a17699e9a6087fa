package dev.nabla.dsl.train;

import dev.nabla.core.Autodiff;
import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.random.Key;
import dev.nabla.core.random.Philox;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.objectives.Objectives;
import dev.nabla.dsl.objectives.Weighting;
import dev.nabla.dsl.sde.LinearSde;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * Per-noise-level diagnostics of a score model under DSM (the heteroskedasticity of 2508.01597, THEORY.md §3):
 * at each of the fixed times {@code t_1..t_m}, on {@code B = K·b} examples {@code (x_0, ε)} (rows of the data
 * drawn uniformly with replacement, noise from the key), split into {@code K} groups of {@code b},
 *
 * <ul>
 *   <li>{@code dsmLoss}: {@code L(t) = E λ(t)‖s_θ(α_t x_0 + σ_t ε, t) + ε/σ_t‖²}, the loss of
 *       {@link Objectives#dsm} at that one time (same conventions: no ½, weighting λ), averaged over the B
 *       examples; {@code dsmLossStdErr} the standard error {@code sd_k(L_k)/√K} from the K group means;</li>
 *   <li>{@code meanScoreNorm}: {@code E‖s_θ(x_t, t)‖²} over the same B examples;</li>
 *   <li>{@code gradVariance}: the trace of the covariance of the per-example parameter gradient,
 *       {@code tr Σ = E‖∇_θ ℓ_i − E∇_θ ℓ‖²} with {@code ℓ_i = λ‖s_θ + ε_i/σ‖²} (summed over all parameter entries),
 *       estimated from the K group gradients {@code g_k = ∇_θ L_k} (each the mean of b per-example gradients, so
 *       {@code Cov g_k = Σ/b}) as {@code b · Σ_k ‖g_k − ḡ‖²/(K − 1)}, {@code ḡ = (1/K)Σ_k g_k}. This is
 *       <b>unbiased</b> for tr Σ (examples are i.i.d. under the data's empirical distribution); its relative
 *       standard deviation is about {@code √(2/(K−1))} for Gaussian-like gradients (more for heavy tails), so
 *       average several calls or use more groups for a stable number. {@code b = 1} gives exact per-example
 *       gradients (K backward passes). The variance of a training minibatch gradient of B' rows is {@code tr Σ/B'};</li>
 *   <li>{@code gradMeanNormSq}: {@code ‖E∇_θ ℓ‖²} estimated without bias as {@code ‖ḡ‖² − trΣ̂/(K b)} (may be
 *       slightly negative by chance).</li>
 * </ul>
 *
 * <p>Each level is one {@link Plan} compiled on the first {@link #measure} (for the data's column count and
 * dtype) with a placeholder for the {@code [B, D]} rows and a key input, then reused. Level j uses the key
 * {@code k_j = key.fold(j)}: rows {@code ⌊N·u_r⌋}, {@code u_r = Philox.uniformAt(k_j.fold(2), r)}, and noise
 * {@code k_j.fold(1).normal([B, D])} in the graph (as in {@link Objectives.Dsm#loss}).
 */
public final class NoiseLevelMonitor {
    /** The statistics at one time (see the class comment). */
    public record Level(double t, double alpha, double sigma, double weight, double dsmLoss, double dsmLossStdErr,
                        double meanScoreNorm, double gradVariance, double gradMeanNormSq) {
    }

    private final ScoreFunction score;
    private final List<Tensor> params;
    private final LinearSde sde;
    private final Weighting weighting;
    private final double[] times;
    private final int groups;
    private final int groupSize;
    private Compiled compiled;

    private record Compiled(int dim, DType dtype, Tensor batch, Tensor key, List<Plan> plans, List<Tensor[]> outputs) {
    }

    private NoiseLevelMonitor(ScoreFunction score, List<Tensor> params, LinearSde sde, Weighting weighting,
                              double[] times, int groups, int groupSize) {
        this.score = Objects.requireNonNull(score, "NoiseLevelMonitor: score");
        Objects.requireNonNull(params, "NoiseLevelMonitor: params");
        if (params.isEmpty()) {
            throw new IllegalArgumentException("NoiseLevelMonitor: params is empty, expected at least one parameter");
        }
        this.params = List.copyOf(params);
        this.sde = Objects.requireNonNull(sde, "NoiseLevelMonitor: sde");
        this.weighting = Objects.requireNonNull(weighting, "NoiseLevelMonitor: weighting");
        Objects.requireNonNull(times, "NoiseLevelMonitor: times");
        if (times.length == 0) {
            throw new IllegalArgumentException("NoiseLevelMonitor: times is empty, expected at least one time");
        }
        for (int i = 0; i < times.length; i++) {
            double t = times[i];
            if (!(t > 0 && t <= sde.horizon())) {
                throw new IllegalArgumentException("NoiseLevelMonitor: times[" + i + "] = " + t + ", expected 0 < t <= T = "
                        + sde.horizon());
            }
            double sigma = sde.std(t);
            if (!(sigma > 0) || !Double.isFinite(sigma)) {
                throw new IllegalArgumentException("NoiseLevelMonitor: times[" + i + "] = " + t + " has σ_t = " + sigma
                        + ", expected a finite σ_t > 0 (the DSM target −ε/σ_t)");
            }
        }
        if (groups < 2) {
            throw new IllegalArgumentException("NoiseLevelMonitor: groups = " + groups
                    + ", expected >= 2 (the variance estimate needs two group gradients)");
        }
        if (groupSize < 1) {
            throw new IllegalArgumentException("NoiseLevelMonitor: groupSize = " + groupSize + ", expected >= 1");
        }
        this.times = times.clone();
        this.groups = groups;
        this.groupSize = groupSize;
    }

    /**
     * A monitor of {@code score} (with parameters {@code params}) under {@code sde} at {@code times} (each in
     * {@code (0, T]} with {@code σ_t > 0}), with the heuristic weighting σ², 8 groups of 16 examples.
     */
    public static NoiseLevelMonitor of(ScoreFunction score, List<Tensor> params, LinearSde sde, double... times) {
        return new NoiseLevelMonitor(score, params, sde, Weighting.heuristic(), times, 8, 16);
    }

    /** The same monitor with weighting λ. */
    public NoiseLevelMonitor weighting(Weighting w) {
        return new NoiseLevelMonitor(score, params, sde, w, times, groups, groupSize);
    }

    /** The same monitor with {@code groups ≥ 2} groups of {@code groupSize ≥ 1} examples per level. */
    public NoiseLevelMonitor groups(int groups, int groupSize) {
        return new NoiseLevelMonitor(score, params, sde, weighting, times, groups, groupSize);
    }

    /** Examples per level, {@code K·b}. */
    public int examples() {
        return groups * groupSize;
    }

    private Compiled compile(int dim, DType dtype) {
        int rows = groups * groupSize;
        Tensor batch = Tensor.placeholder("x0", Shape.of(rows, dim), dtype);
        Tensor key = Tensor.keyInput("key");
        Tensor eps = key.fold(1).normal(batch.shape(), dtype);
        Objectives.Dsm dsm = Objectives.dsm(sde).weighting(weighting);
        List<Plan> plans = new ArrayList<>();
        List<Tensor[]> outs = new ArrayList<>();
        for (double t : times) {
            Tensor tg = Tensor.full(Shape.of(groupSize, 1), t, dtype);
            Tensor[] losses = new Tensor[groups];
            List<List<Tensor>> grads = new ArrayList<>();
            for (int k = 0; k < groups; k++) {
                Tensor xk = batch.slice(0, k * groupSize, (k + 1) * groupSize);
                Tensor ek = eps.slice(0, k * groupSize, (k + 1) * groupSize);
                losses[k] = dsm.lossAt(score, xk, tg, ek);
                grads.add(Autodiff.grad(losses[k], params));
            }
            Tensor spread = Tensor.scalar(0, dtype);
            Tensor meanSq = Tensor.scalar(0, dtype);
            for (int p = 0; p < params.size(); p++) {
                Tensor mean = grads.get(0).get(p);
                for (int k = 1; k < groups; k++) {
                    mean = mean.add(grads.get(k).get(p));
                }
                mean = mean.div(groups);
                meanSq = meanSq.add(mean.square().sum());
                for (int k = 0; k < groups; k++) {
                    spread = spread.add(grads.get(k).get(p).sub(mean).square().sum());
                }
            }
            Tensor gradVar = spread.mul((double) groupSize / (groups - 1));
            Tensor tAll = Tensor.full(Shape.of(rows, 1), t, dtype);
            Tensor s = score.apply(sde.perturb(batch, tAll, eps), tAll);
            Tensor norm = s.square().sum(-1).mean();
            Tensor lossVec = Tensor.stack(0, losses);
            plans.add(Plan.compile(List.of(lossVec, norm, gradVar, meanSq)));
            outs.add(new Tensor[] {lossVec, norm, gradVar, meanSq});
        }
        return new Compiled(dim, dtype, batch, key, plans, outs);
    }

    /**
     * The statistics at each time, in order, on rows of {@code data} ({@code [N, D]}, finite) with randomness from
     * {@code key}.
     */
    public List<Level> measure(NdArray data, Key key) {
        Objects.requireNonNull(data, "NoiseLevelMonitor.measure: data");
        Objects.requireNonNull(key, "NoiseLevelMonitor.measure: key");
        if (data.shape().rank() != 2 || data.shape().dim(0) < 1 || data.shape().dim(1) < 1) {
            throw new IllegalArgumentException("NoiseLevelMonitor.measure: data has shape " + data.shape()
                    + ", expected [N, D] with N >= 1 and D >= 1");
        }
        int bad = data.firstNonFinite();
        if (bad >= 0) {
            int d = data.shape().dim(1);
            throw new IllegalArgumentException("NoiseLevelMonitor.measure: data[" + bad / d + ", " + bad % d + "] = "
                    + data.getFlat(bad) + ", expected finite values");
        }
        int n = data.shape().dim(0);
        int dim = data.shape().dim(1);
        if (compiled == null || compiled.dim != dim || compiled.dtype != data.dtype()) {
            compiled = compile(dim, data.dtype());
        }
        int rows = groups * groupSize;
        NdArray rowsNd = NdArray.zeros(Shape.of(rows, dim), data.dtype());
        List<Level> out = new ArrayList<>();
        for (int j = 0; j < times.length; j++) {
            Key kj = key.fold(j);
            long kr = Key.fold(kj.value(), 2);
            for (int r = 0; r < rows; r++) {
                int row = (int) (Philox.uniformAt(kr, r) * n);
                for (int c = 0; c < dim; c++) {
                    rowsNd.setFlat(r * dim + c, data.getFlat(row * dim + c));
                }
            }
            Plan plan = compiled.plans.get(j);
            Tensor[] o = compiled.outputs.get(j);
            plan.set(compiled.batch, rowsNd).set(compiled.key, kj).execute();
            double[] losses = plan.get(o[0]).toDoubleArray();
            double norm = plan.get(o[1]).getFlat(0);
            double gradVar = plan.get(o[2]).getFlat(0);
            double meanSq = plan.get(o[3]).getFlat(0);
            double mean = 0;
            for (double l : losses) {
                mean += l;
            }
            mean /= groups;
            double ss = 0;
            for (double l : losses) {
                ss += (l - mean) * (l - mean);
            }
            double stdErr = Math.sqrt(ss / (groups - 1) / groups);
            double t = times[j];
            double w = weighting.at(sde, Tensor.full(Shape.of(1, 1), t, DType.F64)).eval().getFlat(0);
            out.add(new Level(t, sde.meanScale(t), sde.std(t), w, mean, stdErr, norm, gradVar,
                    meanSq - gradVar / rows));
        }
        return out;
    }

    /**
     * A {@link Trainer} callback that measures every {@code everyLogs}-th log (on {@code data}, with key
     * {@code key.fold(step)}) and hands the step and the levels to {@code sink}.
     */
    public Callback callback(NdArray data, Key key, int everyLogs, BiConsumer<Long, List<Level>> sink) {
        Objects.requireNonNull(sink, "NoiseLevelMonitor.callback: sink");
        if (everyLogs < 1) {
            throw new IllegalArgumentException("NoiseLevelMonitor.callback: everyLogs = " + everyLogs + ", expected >= 1");
        }
        int[] count = {0};
        return (step, loss) -> {
            if (count[0]++ % everyLogs == 0) {
                sink.accept(step, measure(data, key.fold(step)));
            }
        };
    }
}
