package dev.nabla.dsl.exact;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.dsl.sde.LinearSde;
import dev.nabla.dsl.sde.Prior;

import java.util.Arrays;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A Gaussian mixture in {@code R^D}, {@code p(x) = Σ_k π_k N(x; μ_k, Σ_k)}, with everything the theory checks
 * of THEORY.md §1–§3 need in closed form:
 *
 * <pre>
 *   log p(y)   = logsumexp_k [ log π_k − ½ log det(2πΣ_k) − ½ (y − μ_k)ᵀ Σ_k^{-1} (y − μ_k) ]
 *   ∇ log p(y) = Σ_k r_k(y) (−Σ_k^{-1} (y − μ_k)),   r_k(y) = π_k N(y; μ_k, Σ_k) / p(y)
 * </pre>
 *
 * <p>The perturbed marginal of {@code x_t = α x_0 + σ ε}, {@code ε ~ N(0, I)}, is again a mixture with the same
 * weights, means {@code α μ_k} and covariances {@code α² Σ_k + σ² I} ({@link #perturbed}; THEORY.md §3 and
 * the Gaussian closed form of §2), so its score is exact; the posterior {@code p(x_0 | x_t)} is a mixture too
 * ({@link #posterior}), which gives {@code Cov(x_0 | x_t)} and hence {@code Var_{x_0|x_t}[∇ log q(x_t|x_0)]}
 * exactly; {@link #fisherTrace(double, double)} is {@code tr I(σ) = E‖∇ log p_σ‖²} by adaptive quadrature to a
 * stated relative tolerance ({@link #FISHER_TOLERANCE}), with an error estimate ({@link #fisherTraceEstimate}),
 * and an error if the tolerance cannot be met.
 *
 * <p>Graph versions ({@link #logDensity(Tensor)}, {@link #score(Tensor)}, {@link #sample}) use the precomputed
 * inverses and Cholesky factors as constants; the score is the closed form above (not autodiff), and is itself
 * differentiable (its Jacobian is the Hessian of {@code log p}). Plain-double versions serve tests and plots.
 * The parameters here are numbers; for a mixture whose weights, means and standard deviations are tensors (to
 * differentiate in them), see {@link DiagonalMixture}.
 *
 * <p>Weights must be ≥ 0 and sum to 1 within 1e-9 (they are then renormalized exactly); components of weight 0
 * are kept in the accessors but take no part in densities, scores or samples. Immutable.
 */
public final class GaussianMixture {
    /** How far from 1 the given weights may sum. */
    public static final double WEIGHT_SUM_TOLERANCE = 1e-9;
    /** Relative tolerance of {@link #fisherTrace(double, double)} and {@link #expectedTraceVariance}. */
    public static final double FISHER_TOLERANCE = 1e-10;
    /** Most score evaluations one refinement level of {@link #fisherTraceEstimate} may use. */
    public static final long FISHER_POINT_BUDGET = 1L << 24;
    /** Half-width, in standard deviations, of each component's box in {@link #fisherTraceEstimate}. */
    static final int FISHER_Z_MAX = 9;

    private final int k;
    private final int d;
    private final double[] weights;
    private final double[][] means;
    private final double[][][] covariances;
    private final double[][][] chol;
    private final double[][][] precisions;
    private final double[] logNorm; // −½ log det(2πΣ_k)
    private final int[] active;     // components with π_k > 0

    /**
     * A mixture from its parameters (copied).
     *
     * @param weights     {@code π_k}, K ≥ 1 finite numbers ≥ 0 summing to 1 within {@value #WEIGHT_SUM_TOLERANCE}
     * @param means       {@code μ_k}, K rows of equal length D ≥ 1, finite
     * @param covariances {@code Σ_k}, K symmetric positive definite D × D matrices
     * @throws IllegalArgumentException naming the first bad argument, its value and what was expected
     */
    public GaussianMixture(double[] weights, double[][] means, double[][][] covariances) {
        if (weights == null || weights.length == 0) {
            throw new IllegalArgumentException("GaussianMixture: weights = " + Arrays.toString(weights)
                    + ", expected at least one weight");
        }
        k = weights.length;
        double sum = 0;
        for (int c = 0; c < k; c++) {
            if (!(weights[c] >= 0) || !Double.isFinite(weights[c])) {
                throw new IllegalArgumentException("GaussianMixture: weights[" + c + "] = " + weights[c]
                        + ", expected a finite number >= 0");
            }
            sum += weights[c];
        }
        if (!(Math.abs(sum - 1) <= WEIGHT_SUM_TOLERANCE)) {
            throw new IllegalArgumentException("GaussianMixture: weights sum to " + sum + ", expected 1 (within "
                    + WEIGHT_SUM_TOLERANCE + ")");
        }
        if (means == null || means.length != k) {
            throw new IllegalArgumentException("GaussianMixture: means has " + (means == null ? "no" : means.length)
                    + " rows, expected " + k + " (one per weight)");
        }
        if (means[0] == null || means[0].length == 0) {
            throw new IllegalArgumentException("GaussianMixture: means[0] = " + Arrays.toString(means[0])
                    + ", expected a vector of length D >= 1");
        }
        d = means[0].length;
        if (covariances == null || covariances.length != k) {
            throw new IllegalArgumentException("GaussianMixture: covariances has "
                    + (covariances == null ? "no" : covariances.length) + " matrices, expected " + k + " (one per weight)");
        }
        this.weights = new double[k];
        this.means = new double[k][];
        this.covariances = new double[k][][];
        this.chol = new double[k][][];
        this.precisions = new double[k][][];
        this.logNorm = new double[k];
        int nActive = 0;
        for (int c = 0; c < k; c++) {
            this.weights[c] = weights[c] / sum;
            if (means[c] == null || means[c].length != d) {
                throw new IllegalArgumentException("GaussianMixture: means[" + c + "] has length "
                        + (means[c] == null ? "null" : means[c].length) + ", expected D = " + d + " like means[0]");
            }
            for (int i = 0; i < d; i++) {
                if (!Double.isFinite(means[c][i])) {
                    throw new IllegalArgumentException("GaussianMixture: means[" + c + "][" + i + "] = " + means[c][i]
                            + ", expected a finite number");
                }
            }
            this.means[c] = means[c].clone();
            chol[c] = Cholesky.factor(covariances[c], d, "GaussianMixture: covariances[" + c + "]");
            this.covariances[c] = new double[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    this.covariances[c][i][j] = 0.5 * (covariances[c][i][j] + covariances[c][j][i]);
                }
            }
            precisions[c] = Cholesky.inverse(chol[c]);
            logNorm[c] = -0.5 * (d * Math.log(2 * Math.PI) + Cholesky.logDet(chol[c]));
            if (this.weights[c] > 0) {
                nActive++;
            }
        }
        active = new int[nActive];
        for (int c = 0, a = 0; c < k; c++) {
            if (this.weights[c] > 0) {
                active[a++] = c;
            }
        }
    }

    /**
     * The mixture {@code Σ_k π_k N(μ_k, std² I)}.
     *
     * @param std finite, &gt; 0
     */
    public static GaussianMixture isotropic(double[] weights, double[][] means, double std) {
        if (!(std > 0) || !Double.isFinite(std)) {
            throw new IllegalArgumentException("GaussianMixture.isotropic: std = " + std + ", expected a finite number > 0");
        }
        if (means == null || means.length == 0 || means[0] == null) {
            throw new IllegalArgumentException("GaussianMixture.isotropic: means = " + Arrays.deepToString(means)
                    + ", expected K rows of length D >= 1");
        }
        int dim = means[0].length;
        double[][][] cov = new double[means.length][dim][dim];
        for (double[][] s : cov) {
            for (int i = 0; i < dim; i++) {
                s[i][i] = std * std;
            }
        }
        return new GaussianMixture(weights, means, cov);
    }

    /** A single Gaussian {@code N(mean, covariance)}. */
    public static GaussianMixture gaussian(double[] mean, double[][] covariance) {
        return new GaussianMixture(new double[] {1}, new double[][] {mean}, new double[][][] {covariance});
    }

    // ------------------------------------------------------------------ accessors

    /** Number of components K (including any of weight 0). */
    public int components() {
        return k;
    }

    /** Dimension D. */
    public int dimension() {
        return d;
    }

    /** {@code π_c} (renormalized to sum exactly to 1). */
    public double weight(int c) {
        return weights[checkComponent(c)];
    }

    /** All weights (a copy). */
    public double[] weights() {
        return weights.clone();
    }

    /** {@code μ_c} (a copy). */
    public double[] mean(int c) {
        return means[checkComponent(c)].clone();
    }

    /** {@code Σ_c} (a copy). */
    public double[][] covariance(int c) {
        return deepCopy(covariances[checkComponent(c)]);
    }

    /** The means as {@code [K, D]}. */
    public NdArray means() {
        return NdArray.of(means);
    }

    /** The covariances as {@code [K, D, D]}. */
    public NdArray covariances() {
        double[] out = new double[k * d * d];
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < d; i++) {
                System.arraycopy(covariances[c][i], 0, out, (c * d + i) * d, d);
            }
        }
        return NdArray.wrap(out, Shape.of(k, d, d));
    }

    /** The lower Cholesky factor of {@code Σ_c}; internal array, not to be modified. */
    double[][] choleskyFactor(int c) {
        return chol[c];
    }

    /** The mixture's mean {@code Σ_k π_k μ_k}. */
    public double[] mixtureMean() {
        double[] m = new double[d];
        for (int c : active) {
            for (int i = 0; i < d; i++) {
                m[i] += weights[c] * means[c][i];
            }
        }
        return m;
    }

    /** The mixture's covariance {@code Σ_k π_k (Σ_k + μ_k μ_kᵀ) − m mᵀ} (law of total covariance). */
    public double[][] mixtureCovariance() {
        double[] m = mixtureMean();
        double[][] s = new double[d][d];
        for (int c : active) {
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    s[i][j] += weights[c] * (covariances[c][i][j] + (means[c][i] - m[i]) * (means[c][j] - m[j]));
                }
            }
        }
        return s;
    }

    private int checkComponent(int c) {
        if (c < 0 || c >= k) {
            throw new IndexOutOfBoundsException("GaussianMixture: component " + c + " of " + k);
        }
        return c;
    }

    // ------------------------------------------------------------------ graph functions

    private void checkRows(String what, Tensor y) {
        Objects.requireNonNull(y, what + ": y");
        if (y.dtype() == DType.KEY || y.rank() < 1 || y.shape().dim(-1) != d) {
            throw new IllegalArgumentException(what + ": y is " + y + ", expected float rows [..., " + d + "]");
        }
    }

    /** Constants for the active components: {@code [Ka, D]} means, {@code [Ka, D, D]} precisions, {@code [Ka]} offsets. */
    private Tensor[] constants(DType dt) {
        int ka = active.length;
        double[] mu = new double[ka * d];
        double[] p = new double[ka * d * d];
        double[] off = new double[ka];
        for (int a = 0; a < ka; a++) {
            int c = active[a];
            System.arraycopy(means[c], 0, mu, a * d, d);
            for (int i = 0; i < d; i++) {
                System.arraycopy(precisions[c][i], 0, p, (a * d + i) * d, d);
            }
            off[a] = Math.log(weights[c]) + logNorm[c];
        }
        return new Tensor[] {
                Tensor.constant(NdArray.wrap(mu, Shape.of(ka, d)).astype(dt)),
                Tensor.constant(NdArray.wrap(p, Shape.of(ka, d, d)).astype(dt)),
                Tensor.constant(NdArray.wrap(off, Shape.of(ka)).astype(dt))};
    }

    /** {@code [logits [..., Ka], Σ_k^{-1}(y − μ_k) [..., Ka, D]]}. */
    private Tensor[] terms(Tensor y) {
        Tensor[] c = constants(y.dtype());
        Tensor diff = y.unsqueeze(-2).sub(c[0]);                 // [..., Ka, D]
        Tensor pdiff = diff.unsqueeze(-2).mul(c[1]).sum(-1);     // [..., Ka, D]
        Tensor logits = diff.mul(pdiff).sum(-1).mul(-0.5).add(c[2]);
        return new Tensor[] {logits, pdiff};
    }

    /**
     * {@code log p(y)} per row as a graph: {@code y} is {@code [..., D]} (usually {@code [B, D]}), the result
     * {@code [...]} (usually {@code [B]}), in y's dtype.
     */
    public Tensor logDensity(Tensor y) {
        checkRows("logDensity", y);
        return terms(y)[0].logsumexp(-1);
    }

    /**
     * The exact score {@code ∇ log p(y) = −Σ_k r_k(y) Σ_k^{-1}(y − μ_k)} per row as a graph, shape of y, with
     * the responsibilities {@code r_k = softmax_k(logits)} computed stably ({@code exp(logit − logsumexp)}).
     */
    public Tensor score(Tensor y) {
        checkRows("score", y);
        Tensor[] t = terms(y);
        Tensor logp = t[0].logsumexp(-1).unsqueeze(-1);
        Tensor r = t[0].sub(logp).exp();                          // [..., Ka]
        return r.unsqueeze(-1).mul(t[1]).sum(-2).neg();
    }

    /**
     * {@code n} samples {@code [n, D]} (float64) as a graph of {@code key}: the component is drawn by inverting
     * the weights' distribution function, one-hot {@code [u < c_k] − [u < c_{k−1}]} with {@code c_k = π_1 + … + π_k}
     * and one {@code u = key.fold(0).uniform([n, 1])} per sample (a Gumbel-max draw, {@link Tensor#categorical},
     * would take K uniforms and two logarithms each), then {@code x = μ_k + L_k z} with
     * {@code z = key.fold(1).normal([n, D])} and {@code Σ_k = L_k L_kᵀ} (with one covariance shared by all
     * components, {@code x = μ_k + L z}: no per-sample factor; with {@code L = sI}, {@code x = μ_k + s z}).
     *
     * @param key a PRNG key tensor ({@link Tensor#key} or {@link Tensor#keyInput})
     * @param n   number of samples, ≥ 1
     */
    public Tensor sample(Tensor key, int n) {
        Objects.requireNonNull(key, "sample: key");
        if (key.dtype() != DType.KEY) {
            throw new IllegalArgumentException("sample: key is " + key + ", expected a PRNG key tensor");
        }
        if (n < 1) {
            throw new IllegalArgumentException("sample: n = " + n + ", expected n >= 1");
        }
        int ka = active.length;
        double[] mu = new double[ka * d];
        double[] l = new double[ka * d * d];
        double[] lo = new double[ka]; // c_{k−1}, the first −1 and the last c_K 2 so that every u ∈ [0, 1) has one k
        double[] hi = new double[ka]; // c_k
        double cum = 0;
        for (int a = 0; a < ka; a++) {
            int c = active[a];
            System.arraycopy(means[c], 0, mu, a * d, d);
            for (int i = 0; i < d; i++) {
                System.arraycopy(chol[c][i], 0, l, (a * d + i) * d, d);
            }
            lo[a] = a == 0 ? -1 : cum;
            cum += weights[c];
            hi[a] = a == ka - 1 ? 2 : cum;
        }
        Tensor z = key.fold(1).normal(Shape.of(n, d));
        Tensor mean;
        Tensor oneHot = null;
        if (ka == 1) {
            mean = Tensor.of(mu, 1, d);
        } else {
            Tensor u = key.fold(0).uniform(Shape.of(n, 1));
            oneHot = u.lt(Tensor.of(hi, 1, ka)).sub(u.lt(Tensor.of(lo, 1, ka)));   // [n, K]
            mean = oneHot.matmul(Tensor.of(mu, ka, d));                             // [n, D]
        }
        double[] shared = sharedFactor(l, ka);
        if (shared != null) {
            // one covariance for all components (an isotropic ring, say): x = μ_k + L z with L the same for every k
            double s = shared[0];
            boolean scaledIdentity = true;
            for (int i = 0; i < d * d; i++) {
                scaledIdentity &= shared[i] == (i % (d + 1) == 0 ? s : 0);
            }
            return mean.add(scaledIdentity ? z.mul(s) : z.matmul(Tensor.of(shared, d, d).transpose()));
        }
        Tensor factor = ka == 1 ? Tensor.of(l, 1, d, d)
                : oneHot.matmul(Tensor.of(l, ka, d * d)).reshape(n, d, d);         // [n, D, D]
        return mean.add(factor.mul(z.unsqueeze(1)).sum(-1));
    }

    /** The Cholesky factor {@code L} (D·D, row-major) that all {@code ka} components in {@code l} share, or null. */
    private double[] sharedFactor(double[] l, int ka) {
        int dd = d * d;
        for (int a = 1; a < ka; a++) {
            if (!Arrays.equals(l, a * dd, (a + 1) * dd, l, 0, dd)) {
                return null;
            }
        }
        return Arrays.copyOf(l, dd);
    }

    /**
     * This mixture as a {@link Prior} {@code π = Σ_k π_k N(μ_k, Σ_k)}: {@link Prior#sample} is {@link #sample},
     * {@link Prior#logDensity} is {@link #logDensity(Tensor)} and {@link Prior#score} the closed-form
     * {@link #score(Tensor)} {@code ∇ log π(y) = −Σ_k r_k(y) Σ_k^{-1}(y − μ_k)} (not autodiff; its Jacobian, which
     * local-DSM's linearisation needs, is the Hessian of {@code log π}). With it,
     * {@code new LangevinSde(Diffusion.exponential(σmin, σmax), 1, mixture.asPrior())} is the forward process
     * {@code dy = ½ g² ∇log π(y) dt + g dW} with a mixture-of-Gaussians prior of 2407.07998 (§4; THEORY.md §4),
     * whose stationary law is π.
     *
     * <p>{@code sample(key, n, d)} requires {@code d} equal to this mixture's dimension and fails fast otherwise.
     */
    public Prior asPrior() {
        GaussianMixture self = this;
        return new Prior() {
            @Override
            public Tensor sample(Tensor key, int n, int dim) {
                if (dim != d) {
                    throw new IllegalArgumentException("GaussianMixture.asPrior().sample: d = " + dim
                            + ", expected the mixture's dimension D = " + d);
                }
                return self.sample(key, n);
            }

            @Override
            public Tensor logDensity(Tensor y) {
                return self.logDensity(y);
            }

            @Override
            public OptionalInt dimension() {
                return OptionalInt.of(d);
            }

            @Override
            public Tensor score(Tensor y) {
                return self.score(y);
            }

            @Override
            public String toString() {
                return self.toString();
            }
        };
    }

    /**
     * The exact marginal score of this mixture under a linear SDE ({@code q(y_t|y_0) = N(α_t y_0, σ_t² I)}) as a
     * graph function of {@code (y [B, D], t [B, 1])} with a time per row:
     * {@code q_t = Σ_k π_k N(α_t μ_k, α_t² Σ_k + σ_t² I)} (THEORY.md §3), {@code ∇ log q_t} in closed form
     * (see {@link MixtureMarginal}, which also offers {@code log q_t}). It is both a
     * {@link dev.nabla.dsl.ScoreFunction} and a {@code BiFunction<Tensor, Tensor, Tensor>}, so
     * {@code Objectives.esm(sde, mixture.marginalScore(sde), weighting)} is explicit score matching against the
     * true score.
     *
     * @param sde a linear SDE, not null
     * @throws IllegalArgumentException if the covariances are not all diagonal and D &gt;
     *                                  {@link MixtureMarginal#MAX_FULL_DIMENSION}
     */
    public MixtureMarginal marginalScore(LinearSde sde) {
        return new MixtureMarginal(this, sde);
    }

    // ------------------------------------------------------------------ plain doubles

    private void checkPoint(String what, double[] y) {
        if (y == null || y.length != d) {
            throw new IllegalArgumentException(what + ": y has length " + (y == null ? "null" : y.length)
                    + ", expected D = " + d);
        }
    }

    /** Log-densities of the active components' terms {@code log π_k + log N(y; μ_k, Σ_k)}, and whitened residuals. */
    private double[] componentLogits(double[] y, double[][] whitened) {
        double[] lg = new double[active.length];
        double[] diff = new double[d];
        for (int a = 0; a < active.length; a++) {
            int c = active[a];
            for (int i = 0; i < d; i++) {
                diff[i] = y[i] - means[c][i];
            }
            double[] z = Cholesky.solveLower(chol[c], diff);
            double q = 0;
            for (double zi : z) {
                q += zi * zi;
            }
            lg[a] = Math.log(weights[c]) + logNorm[c] - 0.5 * q;
            if (whitened != null) {
                whitened[a] = z;
            }
        }
        return lg;
    }

    private static double logSumExp(double[] v) {
        double m = Double.NEGATIVE_INFINITY;
        for (double x : v) {
            m = Math.max(m, x);
        }
        if (m == Double.NEGATIVE_INFINITY) {
            return m;
        }
        double s = 0;
        for (double x : v) {
            s += Math.exp(x - m);
        }
        return m + Math.log(s);
    }

    /** {@code log p(y)} for one point. */
    public double logDensity(double[] y) {
        checkPoint("logDensity", y);
        return logSumExp(componentLogits(y, null));
    }

    /** {@code p(y)} for one point. */
    public double density(double[] y) {
        return Math.exp(logDensity(y));
    }

    /** {@code ∇ log p(y)} for one point: {@code −Σ_k r_k L_k^{-T} L_k^{-1}(y − μ_k)}. */
    public double[] score(double[] y) {
        checkPoint("score", y);
        double[][] z = new double[active.length][];
        double[] lg = componentLogits(y, z);
        double lse = logSumExp(lg);
        double[] s = new double[d];
        for (int a = 0; a < active.length; a++) {
            double r = Math.exp(lg[a] - lse);
            double[] g = Cholesky.solveUpperTransposed(chol[active[a]], z[a]);
            for (int i = 0; i < d; i++) {
                s[i] -= r * g[i];
            }
        }
        return s;
    }

    // ------------------------------------------------------------------ perturbation, posterior, Fisher

    private static void checkAlphaSigma(String what, double alpha, double sigma, boolean sigmaPositive) {
        if (!Double.isFinite(alpha)) {
            throw new IllegalArgumentException(what + ": alpha = " + alpha + ", expected a finite number");
        }
        if (!Double.isFinite(sigma) || !(sigmaPositive ? sigma > 0 : sigma >= 0)) {
            throw new IllegalArgumentException(what + ": sigma = " + sigma + ", expected a finite number "
                    + (sigmaPositive ? "> 0" : ">= 0"));
        }
    }

    /**
     * The law of {@code x_t = α x_0 + σ ε}, {@code x_0 ~ this}, {@code ε ~ N(0, I)}: the mixture with the same
     * weights, means {@code α μ_k} and covariances {@code α² Σ_k + σ² I} (THEORY.md §3).
     *
     * @param alpha finite (VE: 1; VP: {@code α_t})
     * @param sigma finite, ≥ 0; {@code alpha} and {@code sigma} not both 0
     */
    public GaussianMixture perturbed(double alpha, double sigma) {
        checkAlphaSigma("perturbed", alpha, sigma, false);
        if (alpha == 0 && sigma == 0) {
            throw new IllegalArgumentException("perturbed: alpha = 0 and sigma = 0 give a point mass at 0, "
                    + "expected alpha != 0 or sigma > 0");
        }
        double[][] mu = new double[k][d];
        double[][][] cov = new double[k][d][d];
        for (int c = 0; c < k; c++) {
            for (int i = 0; i < d; i++) {
                mu[c][i] = alpha * means[c][i];
                for (int j = 0; j < d; j++) {
                    cov[c][i][j] = alpha * alpha * covariances[c][i][j] + (i == j ? sigma * sigma : 0);
                }
            }
        }
        return new GaussianMixture(weights, mu, cov);
    }

    /**
     * The posterior {@code p(x_0 | x_t)} for {@code x_t = α x_0 + σ ε}, row by row: again a Gaussian mixture,
     *
     * <pre>
     *   p(x_0 | x_t) = Σ_k r_k(x_t) N(x_0; m_k(x_t), C_k),
     *   r_k ∝ π_k N(x_t; α μ_k, S_k),  S_k = α² Σ_k + σ² I,  G_k = α Σ_k S_k^{-1},
     *   m_k = μ_k + G_k (x_t − α μ_k),  C_k = Σ_k − α G_k Σ_k  (= (Σ_k^{-1} + α²/σ² I)^{-1}).
     * </pre>
     *
     * @param xt    {@code [B, D]} points, finite
     * @param alpha finite
     * @param sigma finite, &gt; 0
     */
    public MixturePosterior posterior(NdArray xt, double alpha, double sigma) {
        Objects.requireNonNull(xt, "posterior: xt");
        checkAlphaSigma("posterior", alpha, sigma, true);
        if (xt.shape().rank() != 2 || xt.shape().dim(1) != d) {
            throw new IllegalArgumentException("posterior: xt has shape " + xt.shape() + ", expected [B, " + d + "]");
        }
        int bad = xt.firstNonFinite();
        if (bad >= 0) {
            throw new IllegalArgumentException("posterior: xt has " + xt.getFlat(bad) + " at flat index " + bad
                    + ", expected finite values");
        }
        int b = xt.shape().dim(0);
        GaussianMixture marginal = perturbed(alpha, sigma);
        double[][][] gain = new double[k][][];
        double[] cov = new double[k * d * d];
        for (int c = 0; c < k; c++) {
            double[][] sInv = marginal.precisions[c];
            double[][] g = new double[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double s = 0;
                    for (int l = 0; l < d; l++) {
                        s += covariances[c][i][l] * sInv[l][j];
                    }
                    g[i][j] = alpha * s;
                }
            }
            gain[c] = g;
            double[][] ck = new double[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double s = 0;
                    for (int l = 0; l < d; l++) {
                        s += g[i][l] * covariances[c][l][j];
                    }
                    ck[i][j] = covariances[c][i][j] - alpha * s;
                }
            }
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    cov[(c * d + i) * d + j] = 0.5 * (ck[i][j] + ck[j][i]);
                }
            }
        }
        double[] resp = new double[b * k];
        double[] mean = new double[b * k * d];
        double[] row = new double[d];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < d; i++) {
                row[i] = xt.getFlat(r * d + i);
            }
            double[] lg = marginal.componentLogits(row, null);
            double lse = logSumExp(lg);
            for (int a = 0; a < active.length; a++) {
                resp[r * k + active[a]] = Math.exp(lg[a] - lse);
            }
            for (int c = 0; c < k; c++) {
                for (int i = 0; i < d; i++) {
                    double s = means[c][i];
                    for (int j = 0; j < d; j++) {
                        s += gain[c][i][j] * (row[j] - alpha * means[c][j]);
                    }
                    mean[(r * k + c) * d + i] = s;
                }
            }
        }
        return new MixturePosterior(NdArray.wrap(resp, Shape.of(b, k)), NdArray.wrap(mean, Shape.of(b, k, d)),
                NdArray.wrap(cov, Shape.of(k, d, d)));
    }

    /** A quadrature value with its estimated absolute error and the points per axis of the rule that gave it. */
    public record Estimate(double value, double error, int pointsPerAxis) {
    }

    /**
     * {@code tr I(σ) = E_{x_t}‖∇ log p_t(x_t)‖²} for {@code x_t = α x_0 + σ ε} (THEORY.md §3) to relative error
     * {@link #FISHER_TOLERANCE} = 1e-10 ({@link #fisherTraceEstimate}); exact (closed form
     * {@code tr (α² Σ + σ² I)^{-1}}) for a single Gaussian.
     *
     * @throws ArithmeticException if the tolerance cannot be met within {@link #FISHER_POINT_BUDGET} points per
     *                             level (high dimension), with the last estimates
     */
    public double fisherTrace(double alpha, double sigma) {
        return fisherTraceEstimate(alpha, sigma, FISHER_TOLERANCE).value();
    }

    /**
     * {@code E tr Var_{x_0|x_t}[∇ log q(x_t|x_0)] = D/σ² − tr I(σ)} (THEORY.md §3; with α: the variance of the DSM
     * target at noise level (α, σ)), from {@link #fisherTrace(double, double)}. Its absolute error is that of
     * tr I (≤ 1e-10 tr I); relative to the result it is larger by {@code σ² tr I/(D − σ² tr I)} where the two
     * terms nearly cancel (large σ).
     *
     * @param sigma finite, > 0
     */
    public double expectedTraceVariance(double alpha, double sigma) {
        checkAlphaSigma("expectedTraceVariance", alpha, sigma, true);
        return d / (sigma * sigma) - fisherTrace(alpha, sigma);
    }

    /**
     * {@code tr I(σ)} with an error estimate, refined until the estimate is below {@code tolerance·|tr I|}.
     *
     * <p>Method: {@code E‖s‖² = Σ_k π_k E_{z~N(0, I)} ‖s(α μ_k + L_k z)‖²} with {@code L_k} the Cholesky factor
     * of the perturbed component's covariance {@code α²Σ_k + σ²I}, each expectation by the tensor-product
     * trapezoidal rule with step h on {@code z ∈ [−9, 9]^D} (weights {@code h^D Π φ(z_a)}), for
     * {@code h = 1, 1/2, 1/4, …}. The integrand is analytic and decays like a Gaussian, so the rule converges
     * geometrically, its error falling like {@code e^{−2πδ/h}} (δ: the distance from the real axis of the
     * integrand's nearest complex singularity, in z units — the log-density's poles where the components'
     * terms cancel); each halving of h thus roughly squares the relative error. The truncation to |z_a| ≤ 9
     * costs ≤ {@code 2D Φ(−9) ≈ 2e-19·D} relative (times a polynomial factor). Gauss–Hermite, used before with
     * a fixed 32 points per axis in 2-D, converges only like {@code e^{−cδ√n}} here: 8e-4 relative error for a
     * 3-component 2-D mixture at σ ≤ 0.3.
     *
     * <p>Stopping rule: the difference between two successive levels is at most {@code tolerance·|value|} and no
     * larger than the previous difference (so the rule is in its converging regime); the finer value is returned
     * with that difference as its error estimate — pessimistic, since its actual error is about the square of
     * the coarser one's. The sums are compensated (Neumaier), so rounding stays near 1e-15 relative even with
     * millions of points; tolerances near that floor may exhaust the budget (an error, not a value).
     *
     * <p>Measured on the 3-component 2-D mixture of the weighting tests (full covariances): 289 points per axis
     * per component reach the 1e-10 tolerance at σ = 0.01, 0.1 and 0.3 (0.1–0.3 s), agreeing with a 1e-13
     * run to 2e-16; Gauss–Hermite with 32 points per axis is off by 4.4e-4, 6.2e-4 and 2.2e-4 there, with 300
     * points by 2e-8, 3e-8 and 5e-10.
     *
     * @param tolerance relative tolerance, in [1e-14, 1)
     * @return the value, the error estimate and the points per axis of the last level
     * @throws ArithmeticException if a level would need more than {@link #FISHER_POINT_BUDGET} score evaluations
     *                             before the tolerance is met, naming the last two estimates
     */
    public Estimate fisherTraceEstimate(double alpha, double sigma, double tolerance) {
        if (!(tolerance >= 1e-14 && tolerance < 1)) {
            throw new IllegalArgumentException("fisherTraceEstimate: tolerance = " + tolerance + ", expected a number in [1e-14, 1)");
        }
        GaussianMixture p = perturbed(alpha, sigma);
        if (p.active.length == 1) {
            double tr = 0;
            double[][] l = p.chol[p.active[0]];
            for (int i = 0; i < d; i++) {          // tr Σ⁻¹ = ‖L⁻¹‖_F²
                double[] e = new double[d];
                e[i] = 1;
                for (double v : Cholesky.solveLower(l, e)) {
                    tr += v * v;
                }
            }
            return new Estimate(tr, 0, 0);
        }
        double prev = Double.NaN;
        double prevDiff = Double.POSITIVE_INFINITY;
        for (int level = 0; ; level++) {
            int perAxis = 2 * FISHER_Z_MAX * (1 << level) + 1;
            double points = Math.pow(perAxis, d) * p.active.length;
            if (points > FISHER_POINT_BUDGET) {
                throw new ArithmeticException("fisherTrace: relative tolerance " + tolerance + " not met within "
                        + FISHER_POINT_BUDGET + " score evaluations (D = " + d + ", K = " + p.active.length + ", α = "
                        + alpha + ", σ = " + sigma + "); the last estimate was " + prev + " at " + (perAxis / 2 + 1)
                        + " points per axis, " + (level >= 2 ? prevDiff + " from the one before" : "with none before"));
            }
            double v = p.trapezoidalFisher(1.0 / (1 << level), perAxis);
            if (level > 0) {
                double diff = Math.abs(v - prev);
                if (diff <= tolerance * Math.abs(v) && diff <= prevDiff) {
                    return new Estimate(v, diff, perAxis);
                }
                prevDiff = diff;
            }
            prev = v;
        }
    }

    /** {@code Σ_k π_k h^D Σ_z Π φ(z_a) ‖s(μ_k + L_k z)‖²} over the grid {@code z_a = −9 + i h}, i < perAxis. */
    private double trapezoidalFisher(double h, int perAxis) {
        double[] w1 = new double[perAxis];
        double[] z1 = new double[perAxis];
        for (int i = 0; i < perAxis; i++) {
            z1[i] = -FISHER_Z_MAX + i * h;
            w1[i] = h * Math.exp(-0.5 * z1[i] * z1[i]) / Math.sqrt(2 * Math.PI);
        }
        double total = 0;
        int[] idx = new int[d];
        double[] z = new double[d];
        double[] x = new double[d];
        for (int c : active) {
            double[][] l = chol[c];
            Arrays.fill(idx, 0);
            double sum = 0;
            double comp = 0;
            while (true) {
                double w = 1;
                for (int a = 0; a < d; a++) {
                    z[a] = z1[idx[a]];
                    w *= w1[idx[a]];
                }
                for (int i = 0; i < d; i++) {
                    double v = means[c][i];
                    for (int j = 0; j <= i; j++) {
                        v += l[i][j] * z[j];
                    }
                    x[i] = v;
                }
                double[] sc = score(x);
                double n2 = 0;
                for (double v : sc) {
                    n2 += v * v;
                }
                double term = w * n2;                  // Neumaier-compensated sum: rounding ~u, not N·u
                double next = sum + term;
                comp += Math.abs(sum) >= Math.abs(term) ? (sum - next) + term : (term - next) + sum;
                sum = next;
                int a = d - 1;
                while (a >= 0 && ++idx[a] == perAxis) {
                    idx[a] = 0;
                    a--;
                }
                if (a < 0) {
                    break;
                }
            }
            total += weights[c] * (sum + comp);
        }
        return total;
    }

    /**
     * {@code tr I(σ)} by Gauss–Hermite quadrature with a fixed {@code quadraturePoints} per axis on each
     * component of the perturbed mixture ({@code K·n^D} score evaluations) — an approximation whose accuracy
     * this method does not check; {@link #fisherTrace(double, double)} meets a stated tolerance. Exact (up to
     * rounding) for a single Gaussian, where it is
     * {@code tr (α² Σ + σ² I)^{-1}}. For a mixture the integrand is not a polynomial: where components of
     * different widths meet, the responsibilities switch over a width ~ {@code s²/distance}, and Gauss–Hermite
     * converges only slowly in n once that width is small against the components' own widths (small σ).
     * Measured on the 1-D mixture of the tests (π = .2/.5/.3, μ = −2/.5/2, s = .4/.7/1) against a
     * trapezoidal reference: relative error 2e-9 (σ = 1) and 2.5e-5 (σ = 0.3) at n = 80; 5e-13, 2e-6 and 3e-5
     * (σ = 0.01) at n = 150.
     *
     * @param alpha            finite
     * @param sigma            finite, ≥ 0 (alpha and sigma not both 0)
     * @param quadraturePoints points per axis, 1 to {@link GaussHermite#MAX_POINTS}
     */
    public double fisherTrace(double alpha, double sigma, int quadraturePoints) {
        GaussianMixture p = perturbed(alpha, sigma);
        QuadratureGrid grid = GaussHermite.mixtureGrid(p, quadraturePoints);
        return grid.pointwiseExpectation(x -> {
            double[] s = p.score(x);
            double n2 = 0;
            for (double v : s) {
                n2 += v * v;
            }
            return n2;
        });
    }

    /** The quadrature grid for expectations under this mixture ({@link GaussHermite#mixtureGrid}). */
    public QuadratureGrid quadratureGrid(int pointsPerAxis) {
        return GaussHermite.mixtureGrid(this, pointsPerAxis);
    }

    private static double[][] deepCopy(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    @Override
    public String toString() {
        return "GaussianMixture(K=" + k + ", D=" + d + ", weights=" + Arrays.toString(weights) + ")";
    }
}
