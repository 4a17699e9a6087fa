package dev.nabla.dsl.objectives;

import dev.nabla.core.Tensor;
import dev.nabla.dsl.exact.GaussHermite;
import dev.nabla.dsl.exact.GaussianMixture;
import dev.nabla.dsl.sde.GaussianKernel;
import dev.nabla.dsl.sde.LinearSde;
import dev.nabla.dsl.sde.Sde;

import java.util.List;
import java.util.Objects;

/**
 * A weighting {@code λ(t)} of a score-matching loss across noise levels. 2508.01597 explains why the
 * heuristic {@code λ = σ_t²} works: DSM's irreducible variance grows as {@code D/σ²} at small σ, and σ² is
 * the first-order term of the inverse-variance ("optimal") weighting {@code w*(σ) ∝ 1/(D/σ² − tr I(σ))}
 * (THEORY.md §3).
 */
@FunctionalInterface
public interface Weighting {
    /** {@code λ(t)} for a column of times {@code [B, 1]}. */
    Tensor at(Sde sde, Tensor t);

    /** {@code λ = 1}. */
    static Weighting uniform() {
        return (sde, t) -> t.onesLike();
    }

    /**
     * {@code λ = σ_t²} (Song et al. 2021; "heuristic" in 2508.01597), σ_t the std of the SDE's
     * {@link Sde#gaussianKernel() Gaussian kernel}; an SDE without one is rejected when the weighting is applied.
     */
    static Weighting heuristic() {
        return (sde, t) -> {
            GaussianKernel kernel = sde.gaussianKernel().orElseThrow(() -> new IllegalArgumentException(
                    "Weighting.heuristic: " + sde + " has no closed-form σ_t (no Gaussian kernel); "
                            + "use likelihood() or a tabulated weighting"));
            return kernel.std(t).square();
        };
    }

    /** {@code λ = g(t)²}, under which the DSM loss bounds the negative log-likelihood (Song et al. 2021b). */
    static Weighting likelihood() {
        return (sde, t) -> sde.diffusion(t).square();
    }

    /**
     * A weighting given by values {@code w[i]} at increasing times {@code t[i]}, interpolated linearly in t
     * (constant outside) inside the graph: {@code w(t) = w₀ + Σ_i slope change_i · relu(t − t_i)}.
     * Use it for weightings computed outside the graph, e.g. the optimal weighting of 2508.01597 from an exact
     * {@code tr I(σ)}.
     */
    static Weighting tabulated(double[] t, double[] w) {
        if (t.length != w.length || t.length < 2) {
            throw new IllegalArgumentException("Weighting.tabulated: " + t.length + " times and " + w.length
                    + " values; expected equal lengths >= 2");
        }
        for (int i = 0; i < t.length; i++) {
            if (!Double.isFinite(w[i]) || !Double.isFinite(t[i]) || (i > 0 && !(t[i] > t[i - 1]))) {
                throw new IllegalArgumentException("Weighting.tabulated: entry " + i + " (t = " + t[i] + ", w = " + w[i]
                        + ") is not finite or times do not increase");
            }
        }
        double[] t0 = t.clone();
        double[] w0 = w.clone();
        return (sde, tt) -> {
            Tensor tc = tt.maximum(t0[0]).minimum(t0[t0.length - 1]);
            Tensor out = tc.mul(0).add(w0[0]);
            double prevSlope = 0;
            for (int i = 0; i + 1 < t0.length; i++) {
                double slope = (w0[i + 1] - w0[i]) / (t0[i + 1] - t0[i]);
                out = out.add(tc.sub(t0[i]).relu().mul(slope - prevSlope));
                prevSlope = slope;
            }
            return out;
        };
    }

    /**
     * The inverse-variance ("optimal") weighting of 2508.01597 (THEORY.md §3) for Gaussian-mixture data under a
     * linear SDE, tabulated on {@code gridPoints} equally spaced times on {@code [0, T]} and interpolated by
     * {@link #tabulated}. With {@code x_t = α_t x_0 + σ_t ε}, the DSM target {@code ∇ log q(x_t|x_0) =
     * −(x_t − α_t x_0)/σ_t²} has, by second-order Tweedie {@code Cov(x_0|x_t) = (σ_t⁴/α_t²)(I/σ_t² + ∇² log q_t)},
     *
     * <pre>
     *   Var_{x_0|x_t}[∇ log q(x_t|x_0)] = α_t² Cov(x_0|x_t)/σ_t⁴ = I/σ_t² + ∇² log q_t(x_t)
     *   E tr Var = D/σ_t² − tr I_t,   I_t = E_{q_t}[∇ log q_t ∇ log q_tᵀ]
     * </pre>
     *
     * so α_t enters only through the Fisher information of the marginal {@code q_t}
     * ({@link GaussianMixture#fisherTrace(double, double)}, to 1e-10 relative). Normalised as
     *
     * <pre>
     *   w*(t) = D / (D/σ_t² − tr I_t) = σ_t² / (1 − σ_t² tr I_t / D) = σ_t² (1 + σ_t² tr I_t/D + …),
     * </pre>
     *
     * it equals the heuristic {@code σ_t²} to first order (small σ) and grows like {@code σ_t⁴/Var} at large σ;
     * for {@code p = N(0, s² I)}: {@code w* = σ_t² (α_t² s² + σ_t²)/(α_t² s²)}. {@code w*(0) = 0} where
     * {@code σ_0 = 0}. Each table value is {@link #optimalWeight}; the table is computed once, here, for
     * {@code sde}; like every {@link #tabulated} weighting it ignores the SDE later passed to {@link #at}.
     *
     * @param data       the data distribution
     * @param sde        a linear SDE with {@code α_t ≠ 0} on {@code [0, T]}
     * @param gridPoints number of times, ≥ 2
     * @throws IllegalArgumentException on a null argument or {@code gridPoints < 2}
     * @throws IllegalStateException    where {@code 1 − σ_t² tr I_t/D} is not positive (α_t = 0: x_t carries no
     *                                  information on x_0, the target has no variance and w* is infinite), naming t
     * @throws ArithmeticException      where tr I_t cannot be computed to its tolerance within the point budget
     *                                  ({@link GaussianMixture#fisherTraceEstimate}; high dimension)
     */
    static Weighting optimal(GaussianMixture data, LinearSde sde, int gridPoints) {
        Objects.requireNonNull(data, "Weighting.optimal: data");
        Objects.requireNonNull(sde, "Weighting.optimal: sde");
        if (gridPoints < 2) {
            throw new IllegalArgumentException("Weighting.optimal: gridPoints = " + gridPoints + ", expected >= 2");
        }
        double horizon = sde.horizon();
        double[] t = new double[gridPoints];
        double[] w = new double[gridPoints];
        for (int i = 0; i < gridPoints; i++) {
            t[i] = i == gridPoints - 1 ? horizon : horizon * i / (gridPoints - 1);
            w[i] = optimalWeight(data, sde.meanScale(t[i]), sde.std(t[i]), t[i]);
        }
        return tabulated(t, w);
    }

    /**
     * The optimal weight at one noise level (2508.01597; THEORY.md §3): the inverse of the expected variance of
     * the DSM target, normalised by D,
     *
     * <pre>
     *   w*(σ) = D / E tr Var_{x_0|x_t}[∇ log q(x_t|x_0)] = D / (D/σ² − tr I(σ)) = σ² / (1 − σ² tr I(σ)/D),
     *   I(σ) = E_{q}[∇ log q ∇ log qᵀ],   q the law of x_t = α x_0 + σ ε,
     * </pre>
     *
     * with {@code tr I(σ)} from {@link GaussianMixture#fisherTrace(double, double)} (relative error ≤ 1e-10, which
     * reaches w* amplified by {@code σ² tr I/(D − σ² tr I)}); 0 at σ = 0.
     *
     * @param data  the data distribution
     * @param alpha the mean scale α (1 for VE), finite
     * @param sigma the noise level σ, finite, ≥ 0
     * @throws IllegalStateException where {@code 1 − σ² tr I/D ≤ 0} (α = 0: the target has no variance)
     * @throws ArithmeticException   where tr I cannot be computed to its tolerance (high dimension)
     */
    static double optimalWeight(GaussianMixture data, double alpha, double sigma) {
        Objects.requireNonNull(data, "Weighting.optimalWeight: data");
        if (!Double.isFinite(alpha) || !Double.isFinite(sigma) || !(sigma >= 0)) {
            throw new IllegalArgumentException("Weighting.optimalWeight: alpha = " + alpha + ", sigma = " + sigma
                    + ", expected finite numbers with sigma >= 0");
        }
        return optimalWeight(data, alpha, sigma, Double.NaN);
    }

    private static double optimalWeight(GaussianMixture data, double alpha, double sigma, double t) {
        if (sigma == 0) {
            return 0;
        }
        double s2 = sigma * sigma;
        double denom = 1 - s2 * data.fisherTrace(alpha, sigma) / data.dimension();
        if (!(denom > 0) || !Double.isFinite(s2 / denom)) {
            throw new IllegalStateException("Weighting.optimal: at " + (Double.isNaN(t) ? "" : "t = " + t + " ") + "(α = "
                    + alpha + ", σ = " + sigma + ") 1 − σ² tr I/D = " + denom + ", expected > 0: the DSM target has "
                    + "(numerically) no variance there; use a horizon with α_t > 0");
        }
        return s2 / denom;
    }

    /**
     * {@link #optimal(GaussianMixture, LinearSde, int)} with {@code tr I_t} from fixed-order Gauss–Hermite
     * quadrature, {@code quadraturePoints} per axis ({@link GaussianMixture#fisherTrace(double, double, int)},
     * {@code K · n^D} score evaluations per grid time) — an approximation whose accuracy is not checked (for a
     * 3-component 2-D mixture at σ ≤ 0.3, 32 points are off by up to 5e-3 relative in tr I), for dimensions where
     * the adaptive rule exceeds its budget; with a single Gaussian it is exact.
     *
     * @param quadraturePoints 1 to {@link GaussHermite#MAX_POINTS}
     */
    static Weighting optimal(GaussianMixture data, LinearSde sde, int gridPoints, int quadraturePoints) {
        Objects.requireNonNull(data, "Weighting.optimal: data");
        Objects.requireNonNull(sde, "Weighting.optimal: sde");
        if (gridPoints < 2) {
            throw new IllegalArgumentException("Weighting.optimal: gridPoints = " + gridPoints + ", expected >= 2");
        }
        if (quadraturePoints < 1 || quadraturePoints > GaussHermite.MAX_POINTS) {
            throw new IllegalArgumentException("Weighting.optimal: quadraturePoints = " + quadraturePoints
                    + ", expected 1 to " + GaussHermite.MAX_POINTS);
        }
        int dim = data.dimension();
        double horizon = sde.horizon();
        double[] t = new double[gridPoints];
        double[] w = new double[gridPoints];
        for (int i = 0; i < gridPoints; i++) {
            t[i] = i == gridPoints - 1 ? horizon : horizon * i / (gridPoints - 1);
            double alpha = sde.meanScale(t[i]);
            double sigma = sde.std(t[i]);
            if (sigma == 0) {
                w[i] = 0;
                continue;
            }
            double s2 = sigma * sigma;
            double denom = 1 - s2 * data.fisherTrace(alpha, sigma, quadraturePoints) / dim;
            if (!(denom > 0) || !Double.isFinite(s2 / denom)) {
                throw new IllegalStateException("Weighting.optimal: at t = " + t[i] + " (α = " + alpha + ", σ = "
                        + sigma + ") 1 − σ² tr I/D = " + denom + ", expected > 0: the DSM target has (numerically) "
                        + "no variance there; use a horizon with α_t > 0 or more quadrature points");
            }
            w[i] = s2 / denom;
        }
        return tabulated(t, w);
    }
    /**
     * The inverse-variance weighting of {@link #optimal(GaussianMixture, LinearSde, int)} with {@code tr I_t}
     * estimated by Monte Carlo from a score model, for data whose density is not known in closed form
     * (2508.01597; THEORY.md §3): {@code tr I_t = E_{q_t}‖∇ log q_t‖² ≈ (1/n) Σ_i ‖s(x_t^i, t)‖²} with
     * {@code x_t^i = α_t x_0^i + σ_t ε^i}, the rows {@code x_0^i} of {@code data} and fresh normals from
     * {@code key.fold(k)} at the k-th grid time; then {@code w*(t) = σ_t² / (1 − σ_t² tr I_t / D)}, tabulated on
     * {@code gridPoints} equally spaced times of {@code [0, T]} and interpolated by {@link #tabulated}.
     *
     * <p>The estimate inherits the model's error where its score is off — trained with DSM, it is best where
     * the heuristic weighting put its weight — and a Monte Carlo error of relative size about
     * {@code sd(‖s‖²)/(mean(‖s‖²)√n)} in {@code tr I_t}, amplified in w* by {@code σ_t² tr I_t/(D − σ_t² tr I_t)},
     * the factor that grows at high noise. With the exact mixture score it reproduces the quadrature version
     * within that error (tested).
     *
     * @param score      a score model (or an exact score) of the data under {@code sde}
     * @param sde        a linear SDE
     * @param data       rows {@code [n, D]}, finite
     * @param gridPoints number of times, ≥ 2
     * @param key        the noise key
     * @param backend    where the score is evaluated
     * @throws IllegalStateException where the estimate gives {@code 1 − σ_t² tr I_t/D ≤ 0}, naming t
     */
    static Weighting optimal(dev.nabla.dsl.ScoreFunction score, LinearSde sde, dev.nabla.core.NdArray data, int gridPoints,
                             dev.nabla.core.random.Key key, dev.nabla.core.backend.Backend backend) {
        Objects.requireNonNull(score, "Weighting.optimal: score");
        Objects.requireNonNull(sde, "Weighting.optimal: sde");
        Objects.requireNonNull(data, "Weighting.optimal: data");
        Objects.requireNonNull(key, "Weighting.optimal: key");
        if (gridPoints < 2) {
            throw new IllegalArgumentException("Weighting.optimal: gridPoints = " + gridPoints + ", expected >= 2");
        }
        if (data.shape().rank() != 2 || data.shape().dim(0) < 2) {
            throw new IllegalArgumentException("Weighting.optimal: data has shape " + data.shape()
                    + ", expected [n, D] with n >= 2 rows");
        }
        int bad = data.firstNonFinite();
        if (bad >= 0) {
            throw new IllegalArgumentException("Weighting.optimal: data holds " + data.getFlat(bad) + " at flat index "
                    + bad + ", expected finite values");
        }
        int n = data.shape().dim(0);
        int dim = data.shape().dim(1);
        sde.checkDimension("Weighting.optimal: data", dim);
        Tensor x0 = Tensor.constant(data);
        Tensor tIn = Tensor.placeholder("t", dev.nabla.core.Shape.of(1, 1), data.dtype());
        Tensor k = Tensor.keyInput("k");
        Tensor t = tIn.broadcastTo(dev.nabla.core.Shape.of(n, 1));
        Tensor xt = sde.perturb(x0, t, k.normal(data.shape(), data.dtype()));
        Tensor trace = score.apply(xt, t).square().sum(-1).mean();
        dev.nabla.core.Plan plan = dev.nabla.core.Plan.compile(List.of(trace), backend);
        double horizon = sde.horizon();
        double[] ts = new double[gridPoints];
        double[] w = new double[gridPoints];
        for (int i = 0; i < gridPoints; i++) {
            ts[i] = i == gridPoints - 1 ? horizon : horizon * i / (gridPoints - 1);
            double sigma = sde.std(ts[i]);
            if (sigma == 0) {
                w[i] = 0;
                continue;
            }
            double tr = plan.set(tIn, ts[i]).set(k, key.fold(i)).execute().get(trace).getFlat(0);
            double s2 = sigma * sigma;
            double denom = 1 - s2 * tr / dim;
            if (!(denom > 0) || !Double.isFinite(s2 / denom)) {
                throw new IllegalStateException("Weighting.optimal: at t = " + ts[i] + " (σ = " + sigma + ") the estimated "
                        + "tr I = " + tr + " gives 1 − σ² tr I/D = " + denom + ", expected > 0: the score model's norm "
                        + "exceeds what any density allows there (√(D)/σ); train it longer or use more data rows");
            }
            w[i] = s2 / denom;
        }
        return tabulated(ts, w);
    }
}
