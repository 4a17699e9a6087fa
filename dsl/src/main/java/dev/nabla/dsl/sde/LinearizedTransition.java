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
 * {@code ∫_s^t g²}.
 *
 * <p>For any other SDE the drift is frozen at time s ({@code f = f(y_s, s)}, {@code J = ∂f/∂y(y_s, s)},
 * {@code h = t − s}) and the covariance is that of the linearised SDE with its time-varying g (THEORY.md §4),
 *
 * <pre>
 *   Σ = ∫_s^t e^{J(t−τ)} g(τ)² e^{Jᵀ(t−τ)} dτ,
 * </pre>
 *
 * exact for time-independent affine drifts. When the schedule has the form {@code g² = p + qτ + a e^{bτ}}
 * ({@link Diffusion#expLinear}: constant, linear β, the VE exponential), in closed form: writing
 * {@code g(τ)² = (p + qs) + q(τ − s) + a e^{bt} e^{−b(t−τ)}},
 *
 * <pre>
 *   Σ = (p + qs) V₁(J) + q V₂(J) + a e^{bt} V₁(J − b/2 I),
 *   V₁(A) = ∫_0^h e^{Ar} e^{Aᵀr} dr,   V₂(A) = ∫_0^h (h − r) e^{Ar} e^{Aᵀr} dr,
 * </pre>
 *
 * elementwise on the diagonal path {@code Σ = (p + qs) h φ₁(2jh) + q h² φ₂(2jh) + a e^{bt} h φ₁((2j − b)h)} with
 * {@code φ₁(z) = (eᶻ − 1)/z}, {@code φ₂(z) = (eᶻ − 1 − z)/z²}, evaluated without cancellation at their removable
 * singularity (e.g. {@code 2j = b}). Every other schedule (or an {@link Sde} that is not a {@link ScheduledSde})
 * uses {@value #QUADRATURE_NODES}-point Gauss–Legendre quadrature in τ of the same integrand, with g from
 * {@link Sde#diffusion(Tensor)}: the integrand is analytic, and GL integrates {@code e^{zx}} on [0, 1] to
 * relative error ≤ 2e-14 for {@code |z| ≤ 80} (measured; the error then grows geometrically, 2e-11 with 24
 * nodes at |z| = 80), z being the integrand's total exponential rate over the step,
 * {@code ≈ (2‖J‖ + |d ln g²/dτ|) h}. (Before, g² was replaced by its mean over [s, t]: for the double well
 * {@code f = −4y(y² − 1)} under the VE schedule (σ 0.01 to 10) at t = 0.4, y_s = 0, pairs with ∫g² = 0.05,
 * that gave a variance of 0.184 instead of 0.0538.)
 *
 * <p>Two paths: {@link Jacobian#DIAGONAL} for factorised drifts ({@code F_i} depends on {@code y_i} only),
 * elementwise {@code m = y_s + h φ₁(jh) f} and Σ as above ({@code Σ = q h φ₁(2jh)} in the separable case);
 * and {@link Jacobian#FULL}, with the full Jacobian, Van Loan's block exponentials (Van Loan 1978) and a
 * Cholesky factor of Σ. The target score of local-DSM is {@code ∇ log q(y_t | y_s) = −Σ⁻¹(y_t − m)}, which for
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

    /** Gauss–Legendre nodes of the covariance quadrature for schedules without a closed form. */
    public static final int QUADRATURE_NODES = 32;

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
        Optional<SeparableDrift> separable = sde.separableDrift();
        if (separable.isPresent()) {
            SeparableDrift sep = separable.get();
            Tensor h = sde.integratedG2(s0, t0).div(sep.kappa());
            Noise noise = new Noise(null, s0, t0, Tensor.scalar(sep.kappa(), ys.dtype()));
            Tensor f = sep.field(y0);
            return mode == Jacobian.DIAGONAL ? diagonal(y0, f, h, noise) : full(y0, f, h, noise);
        }
        Tensor h = t0.sub(s0);
        Tensor f = sde.drift(y0, s0);
        Noise noise = new Noise(sde, s0, t0, null);
        return mode == Jacobian.DIAGONAL ? diagonal(y0, f, h, noise) : full(y0, f, h, noise);
    }

    /**
     * How the noise enters Σ: a constant rate {@code kappa} in the clock of a separable drift, or the time-varying
     * {@code g(τ)²} of {@code sde} over [s, t].
     */
    private record Noise(Sde sde, Tensor s, Tensor t, Tensor kappa) {
        Diffusion.ExpLinear form() {
            return sde.diffusionSchedule().flatMap(Diffusion::expLinear).orElse(null);
        }

        /** {@code g(τ)²} at the Gauss–Legendre node {@code τ = s + h x}. */
        Tensor g2(Tensor h, double x) {
            return sde.diffusion(s.add(h.mul(x))).square();
        }
    }

    /** {@code φ₁(z) = (eᶻ − 1)/z}, with the removable singularity at 0 handled so derivatives stay finite. */
    static Tensor phi1(Tensor z) {
        Tensor small = z.abs().lt(1e-8);
        Tensor zs = Tensor.where(small, z.onesLike(), z);
        return Tensor.where(small, z.mul(0.5).add(1), zs.expm1().div(zs));
    }

    /**
     * {@code φ₂(z) = (eᶻ − 1 − z)/z² = ∫_0^1 e^{z(1−θ)} θ dθ}: the Taylor series {@code Σ_{k≤6} z^k/(k+2)!} for
     * {@code |z| < 0.05} (remainder ≤ 2|z|⁷/9! < 5e-15 relative), the formula elsewhere (its cancellation costs
     * ≤ 2u/|z| ≤ 5e-15 relative).
     */
    static Tensor phi2(Tensor z) {
        Tensor small = z.abs().lt(0.05);
        Tensor zs = Tensor.where(small, z.onesLike(), z);
        Tensor series = z.onesLike().div(40320);              // 1/8!
        for (int k = 5; k >= 0; k--) {
            series = series.mul(z).add(1.0 / SmallMatrices.factorial(k + 2));
        }
        return Tensor.where(small, series, zs.expm1().sub(zs).div(zs.square()));
    }

    /** Elementwise {@code ∫_s^t e^{c(t−τ)} g(τ)² dτ} for rates {@code c = 2j} ({@code [B, D]}), h = t − s. */
    private static Tensor diagonalNoise(Tensor c, Tensor h, Noise noise) {
        Tensor z = c.mul(h);
        if (noise.kappa() != null) {
            return noise.kappa().mul(h).mul(phi1(z));
        }
        Diffusion.ExpLinear e = noise.form();
        if (e != null) {
            Tensor v = c.zerosLike();
            if (e.p() != 0 || e.q() != 0) {
                v = v.add(noise.s().mul(e.q()).add(e.p()).mul(h).mul(phi1(z)));
            }
            if (e.q() != 0) {
                v = v.add(h.square().mul(e.q()).mul(phi2(z)));
            }
            if (e.a() != 0) {
                v = v.add(noise.t().mul(e.b()).exp().mul(e.a()).mul(h).mul(phi1(z.sub(h.mul(e.b())))));
            }
            return v;
        }
        double[][] rule = gaussLegendre(QUADRATURE_NODES);
        Tensor v = c.zerosLike();
        for (int k = 0; k < QUADRATURE_NODES; k++) {
            double x = rule[0][k];
            v = v.add(noise.g2(h, x).mul(z.mul(1 - x).exp()).mul(rule[1][k]));
        }
        return v.mul(h);
    }

    /**
     * {@code V₁ = ∫_0^h e^{Ar} e^{Aᵀr} dr} and, if asked, {@code V₂ = ∫_0^h (h − r) e^{Ar} e^{Aᵀr} dr}, from
     * {@code ah = A h} ({@code [B, D, D]}) and h ({@code [B, 1, 1]}). Van Loan (1978, Theorem 1): for the block
     * upper-triangular {@code C = [[−A, I, 0], [0, −A, I], [0, 0, Aᵀ]]},
     * {@code e^{Ch}} has {@code e^{Aᵀh}} in block (3, 3), {@code ∫_0^h e^{−A(h−r)} e^{Aᵀr} dr} in block (2, 3) and
     * {@code ∫_0^h (h − r) e^{−A(h−r)} e^{Aᵀr} dr} in block (1, 3); premultiplying by {@code e^{Ah}} gives V₁ and
     * V₂. Without V₂ the 2 × 2-block version {@code [[−A, I], [0, Aᵀ]]} suffices.
     */
    private static Tensor[] vanLoan(Tensor ah, Tensor h3, boolean second) {
        int b = ah.shape().dim(0);
        int d = ah.shape().dim(-1);
        Tensor zero = Tensor.zeros(Shape.of(b, d, d), ah.dtype());
        Tensor hi = SmallMatrices.eye(d, ah.dtype()).mul(h3).broadcastTo(ah.shape());
        Tensor big;
        if (second) {
            big = SmallMatrices.expm(Tensor.concat(-2,
                    Tensor.concat(-1, ah.neg(), hi, zero),
                    Tensor.concat(-1, zero, ah.neg(), hi),
                    Tensor.concat(-1, zero, zero, ah.transpose())));
        } else {
            big = SmallMatrices.expm(Tensor.concat(-2,
                    Tensor.concat(-1, ah.neg(), hi),
                    Tensor.concat(-1, zero, ah.transpose())));
        }
        int last = second ? 2 : 1;
        Tensor fmT = big.slice(-2, last * d, (last + 1) * d).slice(-1, last * d, (last + 1) * d).transpose(); // e^{Ah}
        Tensor v1 = fmT.matmul(big.slice(-2, (last - 1) * d, last * d).slice(-1, last * d, (last + 1) * d));
        if (!second) {
            return new Tensor[] {v1};
        }
        return new Tensor[] {v1, fmT.matmul(big.slice(-2, 0, d).slice(-1, 2 * d, 3 * d))};
    }

    /** {@code ∫_s^t e^{J(t−τ)} g(τ)² e^{Jᵀ(t−τ)} dτ} for Jacobians {@code [B, D, D]}, h = t − s. */
    private static Tensor fullNoise(Tensor jac, Tensor h, Noise noise) {
        Tensor h3 = h.unsqueeze(-1);                               // [B, 1, 1]
        Tensor ah = jac.mul(h3);
        if (noise.kappa() != null) {
            return vanLoan(ah, h3, false)[0].mul(noise.kappa());
        }
        Diffusion.ExpLinear e = noise.form();
        if (e != null) {
            Tensor sigma = ah.zerosLike();
            if (e.p() != 0 || e.q() != 0) {
                Tensor[] v = vanLoan(ah, h3, e.q() != 0);
                sigma = sigma.add(v[0].mul(noise.s().mul(e.q()).add(e.p()).unsqueeze(-1)));
                if (e.q() != 0) {
                    sigma = sigma.add(v[1].mul(e.q()));
                }
            }
            if (e.a() != 0) {
                Tensor shifted = jac.sub(SmallMatrices.eye(jac.shape().dim(-1), jac.dtype()).mul(e.b() / 2)).mul(h3);
                sigma = sigma.add(vanLoan(shifted, h3, false)[0].mul(noise.t().mul(e.b()).exp().mul(e.a()).unsqueeze(-1)));
            }
            return sigma;
        }
        double[][] rule = gaussLegendre(QUADRATURE_NODES);
        Tensor sigma = ah.zerosLike();
        for (int k = 0; k < QUADRATURE_NODES; k++) {
            double x = rule[0][k];
            Tensor ek = SmallMatrices.expm(ah.mul(1 - x));          // e^{J(t − τ_k)}, τ_k = s + h x_k
            sigma = sigma.add(ek.matmul(ek.transpose()).mul(noise.g2(h, x).unsqueeze(-1).mul(rule[1][k])));
        }
        return sigma.mul(h3);
    }

    /**
     * The n-point Gauss–Legendre rule on [0, 1], {@code {nodes, weights}}: roots of the Legendre polynomial P_n
     * by Newton's method from Chebyshev guesses (converged to round-off), weights {@code 2/((1 − x²) P_n'(x)²)}
     * mapped from [−1, 1].
     */
    static double[][] gaussLegendre(int n) {
        double[] x = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            double r = Math.cos(Math.PI * (i + 0.75) / (n + 0.5));
            double dp = 0;
            for (int it = 0; it < 100; it++) {
                double p0 = 1;
                double p1 = r;
                for (int k = 2; k <= n; k++) {
                    double p2 = ((2 * k - 1) * r * p1 - (k - 1) * p0) / k;
                    p0 = p1;
                    p1 = p2;
                }
                dp = n * (r * p1 - p0) / (r * r - 1);
                double step = p1 / dp;
                r -= step;
                if (Math.abs(step) < 1e-16) {
                    break;
                }
            }
            x[i] = (1 - r) / 2;
            w[i] = 1 / ((1 - r * r) * dp * dp);
        }
        return new double[][] {x, w};
    }

    private static LinearizedTransition diagonal(Tensor y0, Tensor f, Tensor h, Noise noise) {
        Tensor j = Autodiff.vjp(f, y0, f.onesLike()); // diagonal of J for a factorised drift
        Tensor mean = y0.add(f.mul(h).mul(phi1(j.mul(h))));
        Tensor var = diagonalNoise(j.mul(2), h, noise);
        return new LinearizedTransition(mean, var, null);
    }

    private static LinearizedTransition full(Tensor y0, Tensor f, Tensor h, Noise noise) {
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
        Tensor sigma = fullNoise(jac, h, noise);
        Tensor sym = sigma.add(sigma.transpose()).mul(0.5);
        return new LinearizedTransition(mean, null, SmallMatrices.cholesky(sym));
    }
}
