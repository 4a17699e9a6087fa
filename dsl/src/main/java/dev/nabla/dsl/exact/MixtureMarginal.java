package dev.nabla.dsl.exact;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.sde.LinearSde;

import java.util.Objects;
import java.util.function.BiFunction;

/**
 * The exact marginal of a Gaussian mixture {@code p = Σ_k π_k N(μ_k, Σ_k)} pushed through a linear SDE
 * ({@link LinearSde}: {@code q(y_t | y_0) = N(α_t y_0, σ_t² I)}), as graph functions of {@code (y, t)} with a
 * time per row:
 *
 * <pre>
 *   q_t(y)       = Σ_k π_k N(y; α_t μ_k, S_k(t)),   S_k(t) = α_t² Σ_k + σ_t² I
 *   ∇ log q_t(y) = −Σ_k r_k(y, t) S_k(t)^{-1} (y − α_t μ_k),   r_k = π_k N(y; α_t μ_k, S_k) / q_t(y)
 * </pre>
 *
 * (THEORY.md §3: the perturbed mixture keeps its weights; this is {@link GaussianMixture#perturbed} with
 * {@code α_t, σ_t} taken per row.) It is the "explicit score matching" target for Gaussian-mixture data
 * (Hyvärinen 2005; Vincent 2011): {@code Objectives.esm(sde, mixture.marginalScore(sde), weighting)}. It
 * implements both {@link ScoreFunction} and {@code BiFunction<Tensor, Tensor, Tensor>} with the same
 * {@link #apply}, so it can be passed wherever either is expected (and sampled from as a model).
 *
 * <p>Per-row inverses of {@code S_k(t)} are closed forms: elementwise when every {@code Σ_k} is diagonal (any D;
 * this includes the isotropic case), otherwise the adjugate formula for D = 2 or 3. Full covariances with
 * D &gt; 3 are rejected at construction. Rows must have {@code α_t ≠ 0} or {@code σ_t > 0} (else {@code S_k}
 * may be singular). Immutable; the graph it builds is differentiable in y (its Jacobian is the Hessian of
 * {@code log q_t}) and in t through {@code α_t, σ_t}.
 */
public final class MixtureMarginal implements ScoreFunction, BiFunction<Tensor, Tensor, Tensor> {
    /** Largest dimension for which non-diagonal covariances are supported (closed-form inverses). */
    public static final int MAX_FULL_DIMENSION = 3;

    private final GaussianMixture mixture;
    private final LinearSde sde;
    private final int d;
    private final int[] active;
    private final boolean diagonal;

    MixtureMarginal(GaussianMixture mixture, LinearSde sde) {
        this.mixture = Objects.requireNonNull(mixture, "marginalScore: mixture");
        this.sde = Objects.requireNonNull(sde, "marginalScore: sde");
        this.d = mixture.dimension();
        int n = 0;
        for (int c = 0; c < mixture.components(); c++) {
            if (mixture.weight(c) > 0) {
                n++;
            }
        }
        active = new int[n];
        boolean diag = true;
        for (int c = 0, a = 0; c < mixture.components(); c++) {
            if (mixture.weight(c) > 0) {
                active[a++] = c;
                double[][] s = mixture.covariance(c);
                for (int i = 0; i < d; i++) {
                    for (int j = 0; j < d; j++) {
                        if (i != j && s[i][j] != 0) {
                            diag = false;
                        }
                    }
                }
            }
        }
        diagonal = diag;
        if (!diagonal && d > MAX_FULL_DIMENSION) {
            throw new IllegalArgumentException("marginalScore: mixture has dimension D = " + d
                    + " with non-diagonal covariances, expected D <= " + MAX_FULL_DIMENSION
                    + " or diagonal covariances");
        }
    }

    /** The data mixture. */
    public GaussianMixture mixture() {
        return mixture;
    }

    /** The forward SDE. */
    public LinearSde sde() {
        return sde;
    }

    /** The score {@code ∇_y log q_t(y)}, shape {@code [B, D]}; same as {@link #score}. */
    @Override
    public Tensor apply(Tensor y, Tensor t) {
        return score(y, t);
    }

    /**
     * {@code ∇_y log q_t(y)} per row, {@code [B, D]}.
     *
     * @param y rows {@code [B, D]}, float
     * @param t times {@code [B, 1]} (or {@code [1, 1]}, shared by all rows)
     */
    public Tensor score(Tensor y, Tensor t) {
        Tensor[] terms = terms("score", y, t);
        Tensor r = terms[0].sub(terms[0].logsumexp(-1).unsqueeze(-1)).exp();   // [B, Ka]
        return r.unsqueeze(-1).mul(terms[1]).sum(-2).neg();
    }

    /**
     * {@code log q_t(y)} per row, {@code [B]}.
     *
     * @param y rows {@code [B, D]}, float
     * @param t times {@code [B, 1]} (or {@code [1, 1]})
     */
    public Tensor logDensity(Tensor y, Tensor t) {
        return terms("logDensity", y, t)[0].logsumexp(-1);
    }

    private void check(String what, Tensor y, Tensor t) {
        Objects.requireNonNull(y, what + ": y");
        Objects.requireNonNull(t, what + ": t");
        if (y.dtype() == DType.KEY || y.rank() != 2 || y.shape().dim(1) != d) {
            throw new IllegalArgumentException(what + ": y is " + y + ", expected float rows [B, " + d + "]");
        }
        int b = y.shape().dim(0);
        if (t.dtype() == DType.KEY || t.rank() != 2 || t.shape().dim(1) != 1
                || (t.shape().dim(0) != b && t.shape().dim(0) != 1)) {
            throw new IllegalArgumentException(what + ": t is " + t + ", expected float times [" + b + ", 1] or [1, 1]");
        }
    }

    private static Tensor as(Tensor x, DType dt) {
        return x.dtype() == dt ? x : x.cast(dt);
    }

    private Tensor constant(double[] v, DType dt, int... dims) {
        return Tensor.constant(NdArray.wrap(v, Shape.of(dims)).astype(dt));
    }

    /** {@code [logits [B, Ka], S_k^{-1}(y − α μ_k) [B, Ka, D]]}. */
    private Tensor[] terms(String what, Tensor y, Tensor t) {
        check(what, y, t);
        DType dt = y.dtype();
        int ka = active.length;
        double[] mu = new double[ka * d];
        double[] logw = new double[ka];
        for (int a = 0; a < ka; a++) {
            System.arraycopy(mixture.mean(active[a]), 0, mu, a * d, d);
            logw[a] = Math.log(mixture.weight(active[a])) - 0.5 * d * Math.log(2 * Math.PI);
        }
        Tensor alpha = as(sde.meanScale(t), dt);                            // [B, 1]
        Tensor sigma = as(sde.std(t), dt);
        Tensor a2 = alpha.square();                                        // [B, 1]
        Tensor s2 = sigma.square();
        Tensor diff = y.unsqueeze(-2).sub(alpha.unsqueeze(-1).mul(constant(mu, dt, ka, d)));   // [B, Ka, D]
        Tensor pdiff;
        Tensor logDet;                                                     // [B, Ka]
        if (diagonal) {
            double[] var = new double[ka * d];
            for (int a = 0; a < ka; a++) {
                double[][] s = mixture.covariance(active[a]);
                for (int i = 0; i < d; i++) {
                    var[a * d + i] = s[i][i];
                }
            }
            Tensor v = a2.unsqueeze(-1).mul(constant(var, dt, ka, d)).add(s2.unsqueeze(-1));   // [B, Ka, D]
            pdiff = diff.div(v);
            logDet = v.log().sum(-1);
        } else {
            // S_ij [B, Ka] = α² Σ_k,ij + σ² δ_ij; inverse by the adjugate (D = 2, 3).
            Tensor[][] s = new Tensor[d][d];
            for (int i = 0; i < d; i++) {
                for (int j = 0; j < d; j++) {
                    double[] e = new double[ka];
                    for (int a = 0; a < ka; a++) {
                        e[a] = mixture.covariance(active[a])[i][j];
                    }
                    Tensor sij = a2.mul(constant(e, dt, ka));
                    s[i][j] = i == j ? sij.add(s2) : sij;
                }
            }
            Tensor[][] adj = new Tensor[d][d];
            Tensor det;
            if (d == 1) {
                adj[0][0] = s[0][0].onesLike();
                det = s[0][0];
            } else if (d == 2) {
                adj[0][0] = s[1][1];
                adj[1][1] = s[0][0];
                adj[0][1] = s[0][1].neg();
                adj[1][0] = s[1][0].neg();
                det = s[0][0].mul(s[1][1]).sub(s[0][1].mul(s[1][0]));
            } else {
                for (int i = 0; i < 3; i++) {
                    for (int j = 0; j < 3; j++) {
                        // adj[i][j] = cofactor C_ji
                        int r0 = (j + 1) % 3;
                        int r1 = (j + 2) % 3;
                        int c0 = (i + 1) % 3;
                        int c1 = (i + 2) % 3;
                        adj[i][j] = s[r0][c0].mul(s[r1][c1]).sub(s[r0][c1].mul(s[r1][c0]));
                    }
                }
                det = s[0][0].mul(adj[0][0]).add(s[0][1].mul(adj[1][0])).add(s[0][2].mul(adj[2][0]));
            }
            Tensor[] diffs = new Tensor[d];
            for (int j = 0; j < d; j++) {
                diffs[j] = diff.index(-1, j);                                   // [B, Ka]
            }
            Tensor[] comps = new Tensor[d];
            for (int i = 0; i < d; i++) {
                Tensor acc = adj[i][0].mul(diffs[0]);
                for (int j = 1; j < d; j++) {
                    acc = acc.add(adj[i][j].mul(diffs[j]));
                }
                comps[i] = acc.div(det);
            }
            pdiff = Tensor.stack(-1, comps);
            logDet = det.log();
        }
        Tensor logits = diff.mul(pdiff).sum(-1).add(logDet).mul(-0.5).add(constant(logw, dt, ka));
        return new Tensor[] {logits, pdiff};
    }

    @Override
    public String toString() {
        return "MixtureMarginal(" + mixture + ", " + sde + ")";
    }
}
