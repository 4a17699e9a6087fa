package dev.nabla.dsl.sde;

import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.random.Key;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.Scale;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SdeTest {
    /**
     * Euler–Maruyama simulation of each linear SDE from y0 = 1 (n = 40 000 paths, 400 steps) against its
     * closed-form marginal N(α_t, σ_t²). Tolerances: Monte Carlo 5 standard errors of the mean (σ_t/√n) and of
     * the variance (σ_t²√(2/n)), failure probability < 6e-7 each for a fixed key, plus the O(Δt) bias of
     * Euler–Maruyama, bounded by 0.02·(1 + σ_t²) for Δt = 1/400 on these schedules.
     */
    @Test
    void marginalsMatchSimulation() {
        for (LinearSde sde : List.of(new VarianceExploding(0.01, 5), VariancePreserving.standard(),
                new SubVariancePreserving(0.1, 20), new OrnsteinUhlenbeck(2, 1.5, 1))) {
            int n = 40_000;
            int steps = 400;
            double t = 0.8 * sde.horizon();
            Tensor k = Tensor.keyInput("k");
            Tensor y = Tensor.ones(n, 1);
            double dt = t / steps;
            for (int i = 0; i < steps; i++) {
                Tensor ti = Tensor.full(Shape.of(n, 1), i * dt);
                y = y.add(sde.drift(y, ti).mul(dt)).add(sde.diffusion(ti).mul(Math.sqrt(dt)).mul(k.fold(i).normal(Shape.of(n, 1))));
            }
            Tensor mean = y.mean();
            Tensor var = y.sub(mean).square().mean();
            Plan p = Plan.compile(List.of(mean, var)).set(k, Key.of(3)).execute();
            double a = sde.meanScale(t);
            double s = sde.std(t);
            double bias = 0.02 * (1 + s * s);
            assertEquals(a, p.get(mean).item(), 5 * s / Math.sqrt(n) + bias, sde + " mean");
            assertEquals(s * s, p.get(var).item(), 5 * s * s * Math.sqrt(2.0 / n) + bias, sde + " variance");
            assertEquals(sde.integratedG2(0, t), integrate(sde, 0, t), 1e-9 * (1 + sde.integratedG2(0, t)), sde + " ∫g²");
        }
    }

    /** Composite Simpson's rule with 2000 panels: error ~ h⁴ g⁽⁴⁾ ≪ 1e-9 for these smooth schedules. */
    static double integrate(Sde sde, double s, double t) {
        int m = 2000;
        double h = (t - s) / m;
        double sum = 0;
        for (int i = 0; i <= m; i++) {
            double g = sde.diffusion(s + i * h);
            sum += g * g * (i == 0 || i == m ? 1 : i % 2 == 1 ? 4 : 2);
        }
        return sum * h / 3;
    }

    /** For affine drifts the linearised transition is the exact one: VP and OU, both Jacobian paths, to round-off. */
    @Property(tries = 30)
    void linearizationIsExactForAffineDrifts(@ForAll @DoubleRange(min = 0.01, max = 0.9) double s,
                                             @ForAll @DoubleRange(min = 0.001, max = 0.1) @Scale(5) double gap) {
        double t = s + gap;
        for (LinearSde sde : List.of(VariancePreserving.standard(), new OrnsteinUhlenbeck(1.3, 0.7, 1))) {
            for (LinearizedTransition.Jacobian mode : LinearizedTransition.Jacobian.values()) {
                Tensor ys = Tensor.of(new double[] {0.3, -1.2, 2.0, 0.5}, 2, 2);
                Tensor sc = Tensor.full(Shape.of(2, 1), s);
                Tensor tc = Tensor.full(Shape.of(2, 1), t);
                LinearizedTransition q = LinearizedTransition.of(sde, ys, sc, tc, mode);
                double ratio = sde.meanScale(t) / sde.meanScale(s);
                // exact: y_t | y_s ~ N(ratio·y_s, σ_t² − ratio² σ_s²)
                double var = sde.std(t) * sde.std(t) - ratio * ratio * sde.std(s) * sde.std(s);
                double[] m = q.mean().eval().toDoubleArray();
                double[] v = q.variance().eval().toDoubleArray();
                double[] y = {0.3, -1.2, 2.0, 0.5};
                for (int i = 0; i < 4; i++) {
                    // float64 round-off through expm1, a degree-12 Taylor polynomial and its squarings: ≤ 1e-12 relative
                    assertEquals(ratio * y[i], m[i], 1e-12 * (1 + Math.abs(y[i])), sde + " " + mode + " mean");
                    assertEquals(var, v[i], 1e-11 * var + 1e-15, sde + " " + mode + " variance");
                }
            }
        }
    }

    /** The integral scheduler's pairs satisfy ∫_s^t g² = λ wherever s is not clipped at 0. */
    @Property(tries = 50)
    void schedulerKeepsTheIntegralConstant(@ForAll @DoubleRange(min = 0.0, max = 1.0) double t,
                                           @ForAll @DoubleRange(min = 1e-4, max = 1.0) @Scale(6) double lambda) {
        for (Diffusion g : List.of(Diffusion.exponential(0.01, 10), Diffusion.linearBeta(0.1, 20), Diffusion.constant(0.7))) {
            double s = TimePairs.integral(g, lambda).start(Tensor.scalar(t)).eval().item();
            double got = g.integral(t) - g.integral(s);
            if (s > 0) {
                // G is evaluated through exp/log (or a quadratic root): relative round-off ~1e-15·G(t)/λ
                assertEquals(lambda, got, 1e-10 * (1 + g.integral(t)), g + " at t=" + t);
            } else {
                assertTrue(got <= lambda + 1e-12, "clipped pair has ∫g² = " + got + " ≤ λ = " + lambda);
            }
            assertTrue(s <= t && s >= 0);
        }
    }

    /**
     * Full-Jacobian path on a non-factorised drift (a rotation plus contraction, F(y) = A y + b with
     * A = [[−1, 2], [−2, −1]]): mean and covariance equal a fine RK4 integration of the moment ODEs
     * dm/du = F(m), dΣ/du = AΣ + ΣAᵀ + κI (4000 steps: RK4 error ~1e-14).
     */
    @Test
    void fullJacobianMatchesMomentOdes() {
        double[][] a = {{-1, 2}, {-2, -1}};
        double[] bvec = {0.5, -0.25};
        Sde sde = new LangevinSde(Diffusion.constant(1.0), 1, Prior.of(
                y -> y.matmul(Tensor.of(new double[][] {{-1, -2}, {2, -1}}).mul(0.5)).mul(y).sum(-1)
                        .add(y.matmul(Tensor.of(bvec).unsqueeze(1)).sum(-1)),
                (key, n, d) -> key.normal(Shape.of(n, d))));
        // ∇ of ½ yᵀ A' y + bᵀy with A' symmetric part = sym(A)... use the field directly instead:
        Sde linear = new SeparableTestSde(a, bvec);
        double[] ys = {0.4, -0.7};
        double u = 0.3;
        LinearizedTransition q = LinearizedTransition.of(linear, Tensor.of(ys, 1, 2), Tensor.full(Shape.of(1, 1), 0.1),
                Tensor.full(Shape.of(1, 1), 0.1 + 2 * u), LinearizedTransition.Jacobian.FULL);
        double[] m = ys.clone();
        double[][] s = new double[2][2];
        int steps = 4000;
        double h = u / steps;
        for (int i = 0; i < steps; i++) {
            double[] k1 = field(a, bvec, m);
            double[] k2 = field(a, bvec, axpy(m, h / 2, k1));
            double[] k3 = field(a, bvec, axpy(m, h / 2, k2));
            double[] k4 = field(a, bvec, axpy(m, h, k3));
            for (int j = 0; j < 2; j++) {
                m[j] += h / 6 * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j]);
            }
            double[][] c1 = lyap(a, s);
            double[][] c2 = lyap(a, add(s, h / 2, c1));
            double[][] c3 = lyap(a, add(s, h / 2, c2));
            double[][] c4 = lyap(a, add(s, h, c3));
            for (int j = 0; j < 2; j++) {
                for (int l = 0; l < 2; l++) {
                    s[j][l] += h / 6 * (c1[j][l] + 2 * c2[j][l] + 2 * c3[j][l] + c4[j][l]);
                }
            }
        }
        double[] gm = q.mean().eval().toDoubleArray();
        double[] gc = q.covariance().eval().toDoubleArray();
        for (int j = 0; j < 2; j++) {
            assertEquals(m[j], gm[j], 1e-12, "mean " + j);
            for (int l = 0; l < 2; l++) {
                assertEquals(s[j][l], gc[j * 2 + l], 1e-12, "cov " + j + l);
            }
        }
        // the score at y_t = m + Lε is −L⁻ᵀε, and equals −Σ⁻¹(y_t − m)
        Tensor eps = Tensor.of(new double[] {0.3, -1.1}, 1, 2);
        double[] s1 = q.scoreOfNoise(eps).eval().toDoubleArray();
        double[] s2 = q.score(q.sample(eps)).eval().toDoubleArray();
        assertEquals(s1[0], s2[0], 1e-10);
        assertEquals(s1[1], s2[1], 1e-10);
        assertTrue(sde.toString().startsWith("Langevin"));
    }

    /** dy = c(τ)(A y + b) dτ + g dW with g² = 2c: a separable drift with a non-symmetric, non-diagonal Jacobian. */
    private static final class SeparableTestSde implements SeparableDrift {
        final Tensor a;
        final Tensor b;

        SeparableTestSde(double[][] a, double[] b) {
            this.a = Tensor.of(a);
            this.b = Tensor.of(b);
        }

        public Tensor field(Tensor y) {
            return y.matmul(a.transpose()).add(b);
        }

        public double kappa() {
            return 2;
        }

        public double horizon() {
            return 1;
        }

        public Tensor diffusion(Tensor t) {
            return t.mul(0).add(1);
        }

        public double diffusion(double t) {
            return 1;
        }

        public double integratedG2(double s, double t) {
            return t - s;
        }

        public Tensor integratedG2(Tensor s, Tensor t) {
            return t.sub(s);
        }

        public Prior prior() {
            return Prior.gaussian(1);
        }
    }

    private static double[] field(double[][] a, double[] b, double[] m) {
        return new double[] {a[0][0] * m[0] + a[0][1] * m[1] + b[0], a[1][0] * m[0] + a[1][1] * m[1] + b[1]};
    }

    private static double[] axpy(double[] x, double t, double[] d) {
        return new double[] {x[0] + t * d[0], x[1] + t * d[1]};
    }

    private static double[][] lyap(double[][] a, double[][] s) {
        double[][] r = new double[2][2];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                double v = i == j ? 2 : 0; // κ I
                for (int k = 0; k < 2; k++) {
                    v += a[i][k] * s[k][j] + s[i][k] * a[j][k];
                }
                r[i][j] = v;
            }
        }
        return r;
    }

    private static double[][] add(double[][] s, double t, double[][] d) {
        double[][] r = new double[2][2];
        for (int i = 0; i < 2; i++) {
            for (int j = 0; j < 2; j++) {
                r[i][j] = s[i][j] + t * d[i][j];
            }
        }
        return r;
    }

    /**
     * Rows of a batch are linearised independently: with a time-varying g (so q = ∫g²/h differs per row) and
     * B ≠ D, the batched full-Jacobian transition equals the row-by-row one (regression: q was once multiplied
     * into the D×D identity across rows).
     */
    @Test
    void batchedRowsAreIndependent() {
        Sde sde = CustomSde.of((y, t) -> y.neg().add(y.square().mul(0.1)), Diffusion.exponential(0.1, 3), 1, Prior.gaussian(1));
        double[] ys = {0.1, -0.4, 0.7, 0.2, -1.0, 0.5, 0.3, 0.0};
        double[] ts = {0.1, 0.5, 0.8, 0.3};
        Tensor s = Tensor.zeros(4, 1);
        LinearizedTransition all = LinearizedTransition.of(sde, Tensor.of(ys, 4, 2), s, Tensor.of(ts, 4, 1),
                LinearizedTransition.Jacobian.FULL);
        double[] cov = all.covariance().eval().toDoubleArray();
        double[] mean = all.mean().eval().toDoubleArray();
        for (int r = 0; r < 4; r++) {
            LinearizedTransition one = LinearizedTransition.of(sde, Tensor.of(new double[] {ys[2 * r], ys[2 * r + 1]}, 1, 2),
                    Tensor.zeros(1, 1), Tensor.of(new double[] {ts[r]}, 1, 1), LinearizedTransition.Jacobian.FULL);
            double[] c1 = one.covariance().eval().toDoubleArray();
            double[] m1 = one.mean().eval().toDoubleArray();
            for (int i = 0; i < 4; i++) {
                assertEquals(c1[i], cov[4 * r + i], 1e-15 * (1 + Math.abs(c1[i])), "row " + r + " covariance " + i);
            }
            assertEquals(m1[0], mean[2 * r], 1e-15);
            assertEquals(m1[1], mean[2 * r + 1], 1e-15);
        }
    }

    @Test
    void invalidParametersFailAtConstruction() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new VarianceExploding(0, 10));
        assertTrue(e.getMessage().contains("sigmaMin") && e.getMessage().contains("0.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new VarianceExploding(5, 1));
        assertTrue(e.getMessage().contains("sigmaMax = 1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> VariancePreserving.standard().std(1.5));
        assertTrue(e.getMessage().contains("t = 1.5") && e.getMessage().contains("horizon"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TimePairs.fixedGap(-1));
        assertTrue(e.getMessage().contains("gap = -1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> TimePairs.integral(Diffusion.constant(1), 0));
        assertTrue(e.getMessage().contains("lambda = 0.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new OrnsteinUhlenbeck(1, Double.NaN, 1));
        assertTrue(e.getMessage().contains("sigma = NaN"), e.getMessage());
    }
}
