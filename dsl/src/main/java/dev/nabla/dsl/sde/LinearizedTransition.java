package dev.nabla.dsl.sde;

import dev.nabla.core.Autodiff;
import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.dsl.linalg.SmallMatrices;

import java.util.Optional;

/**
 * The Gaussian transition {@code q(y_t | y_s) ≈ N(m, Σ)} of an SDE linearised around {@code y_s}
 * (2407.07998, §3; THEORY.md §4): the drift is replaced by {@code f(y_s) + J (y − y_s)} with the Jacobian
 * {@code J = ∂f/∂y(y_s)} obtained by automatic differentiation, and then
 *
 * <pre>
 *   m = y_s + ∫_0^h e^{J r} dr · f(y_s),      Σ = ∫_0^h e^{J r} q e^{Jᵀ r} dr
 * </pre>
 *
 * For an SDE with a {@link Sde#separableDrift() separable drift} ({@code f = c(τ) F(y)}, {@code g² = κ c}) this is done in the clock
 * {@code u = ∫c}, where the process is time-homogeneous: {@code h = U = (1/κ)∫_s^t g²}, {@code f → F},
 * {@code q = κ}; the result is exact when F is affine (VP, OU) and depends on (s, t) only through
 * {@code ∫_s^t g²}. For any other SDE the drift is frozen at time s and {@code q = (1/h)∫_s^t g²} (the mean
 * of g² over the step), exact for time-independent affine drifts and constant g.
 *
 * <p>Two paths: {@link Jacobian#DIAGONAL} for factorised drifts ({@code F_i} depends on {@code y_i} only),
 * elementwise {@code m = y_s + h φ₁(jh) f}, {@code Σ = q h φ₁(2jh)} with {@code φ₁(z) = (eᶻ − 1)/z}; and
 * {@link Jacobian#FULL}, with the full Jacobian, Van Loan's block exponentials (Van Loan 1978) and a Cholesky
 * factor of Σ. The target score of local-DSM is {@code ∇ log q(y_t | y_s) = −Σ⁻¹(y_t − m)}, which for
 * {@code y_t = m + L ε} is {@code −L⁻ᵀ ε}.
 */
public final class LinearizedTransition {
    /** How the drift's Jacobian is taken. */
    public enum Jacobian {
        /** Only the diagonal {@code ∂F_i/∂y_i} (one reverse pass); exact for factorised drifts. */
        DIAGONAL,
        /** The whole matrix (D reverse passes), matrix exponentials and a Cholesky factor. */
        FULL
    }

    private final Tensor mean;
    private final Tensor variance; // diagonal path: [B, D]
    private final Tensor cholesky; // full path: [B, D, D]

    private LinearizedTransition(Tensor mean, Tensor variance, Tensor cholesky) {
        this.mean = mean;
        this.variance = variance;
        this.cholesky = cholesky;
    }

    /** The mean {@code m}, {@code [B, D]}. */
    public Tensor mean() {
        return mean;
    }

    /** The covariance {@code Σ}: {@code [B, D, D]} (a diagonal one is expanded). */
    public Tensor covariance() {
        if (cholesky != null) {
            return cholesky.matmul(cholesky.transpose());
        }
        int d = variance.shape().dim(-1);
        return variance.unsqueeze(-1).mul(SmallMatrices.eye(d, variance.dtype()));
    }

    /** The diagonal of Σ, {@code [B, D]}. */
    public Tensor variance() {
        if (cholesky != null) {
            return cholesky.square().sum(-1);
        }
        return variance;
    }

    /** {@code y_t = m + L ε} for standard normal rows {@code ε}. */
    public Tensor sample(Tensor eps) {
        return cholesky != null ? mean.add(SmallMatrices.lowerTimes(cholesky, eps)) : mean.add(eps.mul(variance.sqrt()));
    }

    /** {@code ∇_{y_t} log q(y_t | y_s) = −Σ⁻¹(y_t − m)}. */
    public Tensor score(Tensor yt) {
        Tensor r = yt.sub(mean);
        if (cholesky == null) {
            return r.div(variance).neg();
        }
        return SmallMatrices.solveLowerTransposed(cholesky, SmallMatrices.solveLower(cholesky, r)).neg();
    }

    /** The score at {@code y_t = m + L ε}, computed without the forward solve: {@code −L⁻ᵀ ε}. */
    public Tensor scoreOfNoise(Tensor eps) {
        return cholesky != null ? SmallMatrices.solveLowerTransposed(cholesky, eps).neg() : eps.div(variance.sqrt()).neg();
    }

    /**
     * Linearises {@code sde} at rows {@code ys [B, D]} between times {@code s ≤ t} ({@code [B, 1]}). The
     * result is a target: no derivative flows back into ys, s or t.
     */
    public static LinearizedTransition of(Sde sde, Tensor ys, Tensor s, Tensor t, Jacobian mode) {
        if (ys.rank() != 2) {
            throw new IllegalArgumentException("LinearizedTransition: ys has shape " + ys.shape() + ", expected [B, D]");
        }
        Tensor y0 = ys.stopGradient();
        Tensor s0 = s.stopGradient();
        Tensor t0 = t.stopGradient();
        Tensor h;
        Tensor q;
        Tensor f;
        Optional<SeparableDrift> separable = sde.separableDrift();
        if (separable.isPresent()) {
            SeparableDrift sep = separable.get();
            h = sde.integratedG2(s0, t0).div(sep.kappa());
            q = Tensor.scalar(sep.kappa(), ys.dtype());
            f = sep.field(y0);
        } else {
            h = t0.sub(s0);
            q = sde.integratedG2(s0, t0).div(safe(h));
            f = sde.drift(y0, s0);
        }
        return mode == Jacobian.DIAGONAL ? diagonal(y0, f, h, q) : full(y0, f, h, q);
    }

    private static Tensor safe(Tensor h) {
        return Tensor.where(h.gt(0), h, h.onesLike());
    }

    /** {@code φ₁(z) = (eᶻ − 1)/z}, with the removable singularity at 0 handled so derivatives stay finite. */
    static Tensor phi1(Tensor z) {
        Tensor small = z.abs().lt(1e-8);
        Tensor zs = Tensor.where(small, z.onesLike(), z);
        return Tensor.where(small, z.mul(0.5).add(1), zs.expm1().div(zs));
    }

    private static LinearizedTransition diagonal(Tensor y0, Tensor f, Tensor h, Tensor q) {
        Tensor j = Autodiff.vjp(f, y0, f.onesLike()); // diagonal of J for a factorised drift
        Tensor mean = y0.add(f.mul(h).mul(phi1(j.mul(h))));
        Tensor var = q.mul(h).mul(phi1(j.mul(h).mul(2)));
        return new LinearizedTransition(mean, var, null);
    }

    private static LinearizedTransition full(Tensor y0, Tensor f, Tensor h, Tensor q) {
        int b = y0.shape().dim(0);
        int d = y0.shape().dim(1);
        Tensor[] rows = new Tensor[d];
        for (int i = 0; i < d; i++) {
            NdArray e = NdArray.zeros(Shape.of(d), y0.dtype());
            e.setFlat(i, 1);
            rows[i] = Autodiff.vjp(f, y0, Tensor.constant(e).broadcastTo(y0.shape())); // row i: ∂F_i/∂y
        }
        Tensor jac = Tensor.stack(1, rows);                        // [B, D, D]
        Tensor h3 = h.unsqueeze(-1);                               // [B, 1, 1]
        Tensor ah = jac.mul(h3);
        // mean: exp([[A h, f h], [0, 0]]) has ∫_0^h e^{Ar} dr f in its last column
        Tensor top = Tensor.concat(-1, ah, f.mul(h).unsqueeze(-1));               // [B, D, D+1]
        Tensor aug = Tensor.concat(-2, top, Tensor.zeros(Shape.of(b, 1, d + 1), y0.dtype()));
        Tensor drift = SmallMatrices.expm(aug).slice(-1, d, d + 1).slice(-2, 0, d).reshape(b, d);
        Tensor mean = y0.add(drift);
        // covariance (Van Loan): exp([[−A, qI], [0, Aᵀ]] h) = [[·, G], [0, F]], Σ = Fᵀ G
        Tensor eye = SmallMatrices.eye(d, y0.dtype());
        Tensor q3 = q.rank() == 0 ? q : q.unsqueeze(-1);          // a scalar, or one value per row: [B, 1, 1]
        Tensor upper = Tensor.concat(-1, ah.neg(), eye.mul(q3).mul(h3).broadcastTo(ah.shape()));
        Tensor lower = Tensor.concat(-1, Tensor.zeros(Shape.of(b, d, d), y0.dtype()), ah.transpose());
        Tensor big = SmallMatrices.expm(Tensor.concat(-2, upper, lower));
        Tensor g = big.slice(-2, 0, d).slice(-1, d, 2 * d);
        Tensor fm = big.slice(-2, d, 2 * d).slice(-1, d, 2 * d);
        Tensor sigma = fm.transpose().matmul(g);
        Tensor sym = sigma.add(sigma.transpose()).mul(0.5);
        return new LinearizedTransition(mean, null, SmallMatrices.cholesky(sym));
    }
}
