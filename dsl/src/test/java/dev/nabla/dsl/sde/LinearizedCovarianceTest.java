package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;
import dev.nabla.dsl.sde.LinearizedTransition.Jacobian;
import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The covariance of the linearised SDE with a time-varying g, {@code Σ = ∫_s^t e^{J(t−τ)} g(τ)² e^{Jᵀ(t−τ)} dτ}
 * (THEORY.md §4), for drifts that do not scale with g² ({@link CustomSde}), against closed forms and an RK4
 * integration of {@code dΣ/dτ = JΣ + ΣJᵀ + g(τ)² I}.
 */
class LinearizedCovarianceTest {
    private static final double LOG_RATIO = Math.log(10 / 0.01);
    /** VE schedule σ 0.01 → 10: {@code g² = a e^{bτ}}, a = 2 ln(1000)·1e-4, b = 2 ln(1000). */
    private static final double A = 2 * LOG_RATIO * 1e-4;
    private static final double B = 2 * LOG_RATIO;
    private static final double[] S = {0.3, 0.05};
    private static final double[] T = {0.4, 0.9};

    /** Linear drift {@code f(y) = diag(λ) y}, so J = diag(λ) at every y_s. */
    private static CustomSde diagonalLinear(double[] lambda, Diffusion g) {
        Tensor l = Tensor.of(lambda, 1, lambda.length);
        return CustomSde.of((y, t) -> y.mul(l), g, 1, Prior.gaussian(1));
    }

    private static double[] variance(Sde sde, int d, Jacobian mode) {
        Tensor ys = Tensor.of(new double[2 * d], 2, d).add(0.3);
        LinearizedTransition q = LinearizedTransition.of(sde, ys, Tensor.of(S, 2, 1), Tensor.of(T, 2, 1), mode);
        return q.variance().eval().toDoubleArray();
    }

    /** {@code ∫_s^t e^{c(t−τ)} a e^{bτ} dτ}: {@code a(e^{bt} − e^{ch + bs})/(b − c)}, or near c = b its series. */
    private static double exponentialReference(double c, double s, double t) {
        double h = t - s;
        double delta = (c - B) * h;
        if (Math.abs(delta) < 1e-3) {
            double series = 0;
            double term = 1;
            for (int k = 0; k < 8; k++) {               // Σ δ^k/(k+1)!, remainder < 1e-3^8/9! ≈ 0
                term = k == 0 ? 1 : term * delta / (k + 1);
                series += term;
            }
            return A * Math.exp(B * t) * h * series;
        }
        return A * (Math.exp(B * t) - Math.exp(c * h + B * s)) / (B - c);
    }

    /**
     * VE schedule ({@code g² = a e^{bτ}}), J = diag(−3, b/2, b/2·(1 + 1e-7)): the second and third rates sit at
     * and next to the removable singularity {@code 2j = b} of the closed form. Both paths against
     * {@link #exponentialReference}. Tolerance 1e-12 relative: exp/expm1 round-off (a few ulps) on the diagonal
     * path; on the full path Van Loan's block exponential of a matrix with norm ≤ (b + 3)·0.85 ≈ 15 (≤ 6
     * squarings, ~1e-14).
     */
    @Test
    void exponentialScheduleMatchesClosedForm() {
        double[] lambda = {-3, B / 2, B / 2 * (1 + 1e-7)};
        Sde sde = diagonalLinear(lambda, Diffusion.exponential(0.01, 10));
        for (Jacobian mode : Jacobian.values()) {
            double[] v = variance(sde, 3, mode);
            for (int r = 0; r < 2; r++) {
                for (int i = 0; i < 3; i++) {
                    double want = exponentialReference(2 * lambda[i], S[r], T[r]);
                    assertEquals(want, v[3 * r + i], 1e-12 * want, mode + " row " + r + " λ = " + lambda[i]);
                }
            }
        }
    }

    /**
     * Linear-β schedule ({@code g² = β₀ + dτ}, β 0.1 → 20), J = diag(−3, 1.7, 1e-9): against
     * {@code ∫_s^t e^{c(t−τ)}(β₀ + dτ) dτ = β₀(e^{ch} − 1)/c + d[(s e^{ch} − t)/c + (e^{ch} − 1)/c²]}
     * (by parts; for c = 2e-9, to first order in c, {@code ∫(1 + c(t − τ))(β₀ + dτ) dτ}, the O(c²) rest ~ 1e-18). Tolerance 1e-11 relative: the reference's
     * own cancellation is ≤ 10 ulps at these rates; the full path goes through the 3 × 3-block Van Loan
     * exponential (norm ≤ 12, ~1e-14).
     */
    @Test
    void linearBetaScheduleMatchesClosedForm() {
        double[] lambda = {-3, 1.7, 1e-9};
        double b0 = 0.1;
        double d = 19.9;
        Sde sde = diagonalLinear(lambda, Diffusion.linearBeta(b0, 20));
        for (Jacobian mode : Jacobian.values()) {
            double[] v = variance(sde, 3, mode);
            for (int r = 0; r < 2; r++) {
                double s = S[r];
                double t = T[r];
                double h = t - s;
                for (int i = 0; i < 3; i++) {
                    double c = 2 * lambda[i];
                    double want = Math.abs(c) < 1e-6
                            ? b0 * h + d * (t * t - s * s) / 2
                                    + c * (b0 * h * h / 2 + d * (t * (t * t - s * s) / 2 - (t * t * t - s * s * s) / 3))
                            : b0 * Math.expm1(c * h) / c + d * ((s * Math.exp(c * h) - t) / c + Math.expm1(c * h) / (c * c));
                    assertEquals(want, v[3 * r + i], 1e-11 * want, mode + " row " + r + " λ = " + lambda[i]);
                }
            }
        }
    }

    /**
     * Full path with a non-normal, non-diagonal Jacobian (J = 1.5·[[−1, 2], [−2, −1]] + [[0, 1], [0, 0]]) under
     * both closed-form schedules, against RK4 on the Lyapunov ODE with 20 000 steps (error ~ (Δτ ‖J‖)⁴ ≈ 1e-14
     * relative). Tolerance 1e-10 relative to the largest entry of Σ.
     */
    @Test
    void fullPathMatchesLyapunovOde() {
        double[][] jm = {{-1.5, 4}, {-3, -1.5}};
        Tensor jt = Tensor.of(new double[][] {{jm[0][0], jm[1][0]}, {jm[0][1], jm[1][1]}}); // y·Jᵀ row-wise
        ExpectedFull[] cases = {
            new ExpectedFull(Diffusion.exponential(0.01, 10), tau -> A * Math.exp(B * tau)),
            new ExpectedFull(Diffusion.linearBeta(0.1, 20), tau -> 0.1 + 19.9 * tau),
        };
        for (ExpectedFull c : cases) {
            Sde sde = CustomSde.of((y, t) -> y.matmul(jt), c.g, 1, Prior.gaussian(1));
            Tensor ys = Tensor.of(new double[] {0.3, -0.2, 1.0, 0.5}, 2, 2);
            double[] cov = LinearizedTransition.of(sde, ys, Tensor.of(S, 2, 1), Tensor.of(T, 2, 1), Jacobian.FULL)
                    .covariance().eval().toDoubleArray();
            for (int r = 0; r < 2; r++) {
                double[][] want = lyapunov(jm, c.g2, S[r], T[r], 20_000);
                double scale = Math.max(Math.abs(want[0][0]), Math.abs(want[1][1]));
                for (int i = 0; i < 2; i++) {
                    for (int j = 0; j < 2; j++) {
                        assertEquals(want[i][j], cov[4 * r + 2 * i + j], 1e-10 * scale, c.g + " row " + r + " Σ" + i + j);
                    }
                }
            }
        }
    }

    private record ExpectedFull(Diffusion g, DoubleUnaryOperator g2) {
    }

    /** RK4 for {@code dΣ/dτ = JΣ + ΣJᵀ + g(τ)² I}, Σ(s) = 0. */
    static double[][] lyapunov(double[][] j, DoubleUnaryOperator g2, double s, double t, int steps) {
        double[][] sig = new double[2][2];
        double h = (t - s) / steps;
        for (int k = 0; k < steps; k++) {
            double tau = s + k * h;
            double[][] k1 = rhs(j, sig, g2.applyAsDouble(tau));
            double[][] k2 = rhs(j, axpy(sig, h / 2, k1), g2.applyAsDouble(tau + h / 2));
            double[][] k3 = rhs(j, axpy(sig, h / 2, k2), g2.applyAsDouble(tau + h / 2));
            double[][] k4 = rhs(j, axpy(sig, h, k3), g2.applyAsDouble(tau + h));
            for (int a = 0; a < 2; a++) {
                for (int b = 0; b < 2; b++) {
                    sig[a][b] += h / 6 * (k1[a][b] + 2 * k2[a][b] + 2 * k3[a][b] + k4[a][b]);
                }
            }
        }
        return sig;
    }

    private static double[][] rhs(double[][] j, double[][] s, double g2) {
        double[][] o = new double[2][2];
        for (int a = 0; a < 2; a++) {
            for (int b = 0; b < 2; b++) {
                double v = a == b ? g2 : 0;
                for (int k = 0; k < 2; k++) {
                    v += j[a][k] * s[k][b] + s[a][k] * j[b][k];
                }
                o[a][b] = v;
            }
        }
        return o;
    }

    private static double[][] axpy(double[][] s, double h, double[][] k) {
        return new double[][] {{s[0][0] + h * k[0][0], s[0][1] + h * k[0][1]}, {s[1][0] + h * k[1][0], s[1][1] + h * k[1][1]}};
    }

    /**
     * A schedule without a closed form ({@link Diffusion#numeric} with the VE g) takes the 32-point Gauss–Legendre
     * path; it must agree with the closed form of the same g. Tolerance 1e-12 relative: GL's error on
     * {@code e^{zx}} is ≤ 2e-14 for |z| ≤ 80, here |z| ≤ (b + 6)·0.85 ≈ 17 (diagonal) and ≈ 30 (full).
     */
    @Test
    void quadraturePathAgreesWithClosedForm() {
        Diffusion numeric = Diffusion.numeric(t -> 0.01 * Math.exp(t * LOG_RATIO) * Math.sqrt(2 * LOG_RATIO),
                t -> t.mul(LOG_RATIO).exp().mul(0.01 * Math.sqrt(2 * LOG_RATIO)), 1, 400);
        double[] lambda = {-3, B / 2, 2.0};
        for (Jacobian mode : Jacobian.values()) {
            double[] v = variance(diagonalLinear(lambda, numeric), 3, mode);
            for (int r = 0; r < 2; r++) {
                for (int i = 0; i < 3; i++) {
                    double want = exponentialReference(2 * lambda[i], S[r], T[r]);
                    assertEquals(want, v[3 * r + i], 1e-12 * want, "numeric schedule, " + mode + " row " + r + " λ = " + lambda[i]);
                }
            }
        }
    }

    /**
     * The case of the issue: double well {@code f = −4y(y² − 1)} under the VE g (σ 0.01 → 10), pairs with
     * {@code ∫_s^t g² = 0.05}, t = 0.4, y_s = 0 (so J = 4, f = 0): the linearised SDE's variance is
     * {@code ∫_s^t e^{8(t−τ)} g(τ)² dτ = 0.0538}, not the 0.184 that the mean of g² gave. Reference by
     * composite Simpson with 20 000 panels (error ~ h⁴·(8 + b)⁴/180 ≈ 1e-16 relative). Tolerance 1e-12 relative
     * (exp/expm1 round-off).
     */
    @Test
    void doubleWellUnderVeMatchesTheLinearisedSde() {
        Diffusion g = Diffusion.exponential(0.01, 10);
        Sde sde = CustomSde.of((y, t) -> y.mul(4).mul(y.square().rsub(1)), g, 1, Prior.gaussian(1));
        double t = 0.4;
        double s = TimePairs.integral(g, 0.05).start(Tensor.of(new double[] {t}, 1, 1)).eval().item();
        int m = 20_000;
        double hh = (t - s) / m;
        double want = 0;
        for (int k = 0; k <= m; k++) {
            double tau = s + k * hh;
            want += Math.exp(8 * (t - tau)) * A * Math.exp(B * tau) * (k == 0 || k == m ? 1 : k % 2 == 1 ? 4 : 2);
        }
        want *= hh / 3;
        assertEquals(0.0538, want, 5e-5, "reference");
        for (Jacobian mode : Jacobian.values()) {
            double v = LinearizedTransition.of(sde, Tensor.zeros(1, 1), Tensor.of(new double[] {s}, 1, 1),
                    Tensor.of(new double[] {t}, 1, 1), mode).variance().eval().item();
            assertEquals(want, v, 1e-12 * want, mode.toString());
        }
    }
}
