package dev.nabla.dsl.sde;

import dev.nabla.core.Autodiff;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Diffusion#numeric} against the closed-form schedules, and the time-pair scheduler built on it. */
class NumericDiffusionTest {
    private static Diffusion numericOf(Diffusion exact, int n) {
        return Diffusion.numeric(exact::at, exact::at, 1, n);
    }

    private static double[] times(int k) {
        double[] ts = new double[k];
        for (int i = 0; i < k; i++) {
            ts[i] = (i + 0.37 * Math.sin(i)) / (k - 1) * 0.999 + 1e-4; // off-grid points in (0, 1)
        }
        ts[0] = 0;
        ts[k - 1] = 1;
        return ts;
    }

    private static double[] evalTensor(Tensor out) {
        return out.eval().toDoubleArray();
    }

    /** G is quadratic for constant g and linear β, so cubic Hermite + Gauss–Legendre is exact (round-off only). */
    @Test
    void exactForConstantAndLinearBeta() {
        for (Diffusion exact : List.of(Diffusion.constant(0.7), Diffusion.linearBeta(0.1, 20))) {
            Diffusion num = numericOf(exact, 11);
            double[] ts = times(57);
            double scale = exact.integral(1.0);
            double[] gt = evalTensor(num.integral(Tensor.of(ts)));
            for (int i = 0; i < ts.length; i++) {
                double want = exact.integral(ts[i]);
                assertEquals(want, num.integral(ts[i]), 1e-13 * scale, exact + " G(" + ts[i] + ")");
                assertEquals(want, gt[i], 1e-13 * scale, exact + " tensor G(" + ts[i] + ")");
                assertEquals(ts[i], num.inverseIntegral(want), 1e-12, exact + " G⁻¹");
            }
            double[] us = new double[ts.length];
            for (int i = 0; i < ts.length; i++) {
                us[i] = exact.integral(ts[i]);
            }
            double[] inv = evalTensor(num.inverseIntegral(Tensor.of(us)));
            for (int i = 0; i < ts.length; i++) {
                assertEquals(ts[i], inv[i], 1e-11, exact + " tensor G⁻¹(" + us[i] + ")");
            }
        }
    }

    /**
     * VE schedule σ_min = 0.01, σ_max = 10: G = σ_min²(e^{2Lt} − 1), L = ln 1000, so G'''' = σ_min²(2L)⁴e^{2Lt}
     * and with n = 201 (h = 0.005) the Hermite bound h⁴/384·G''''(t_{i+1}) is at most 5.9e-6 (G(1) ≈ 100).
     */
    @Test
    void exponentialWithinHermiteBound() {
        Diffusion exact = Diffusion.exponential(0.01, 10);
        int n = 201;
        double h = 1.0 / (n - 1);
        double twoL = 2 * Math.log(1000);
        Diffusion num = numericOf(exact, n);
        double[] ts = times(301);
        double[] gt = evalTensor(num.integral(Tensor.of(ts)));
        double[] us = new double[ts.length];
        for (int i = 0; i < ts.length; i++) {
            us[i] = exact.integral(ts[i]);
        }
        double[] inv = evalTensor(num.inverseIntegral(Tensor.of(us)));
        double worstRatio = 0;
        for (int i = 0; i < ts.length; i++) {
            double tEnd = Math.min(1, (Math.floor(ts[i] / h) + 1) * h);
            double bound = Math.pow(h, 4) / 384 * 1e-4 * Math.pow(twoL, 4) * Math.exp(twoL * tEnd) + 1e-12 * us[i] + 1e-15;
            double err = Math.abs(num.integral(ts[i]) - us[i]);
            assertTrue(err <= bound, "G(" + ts[i] + "): error " + err + " > bound " + bound);
            assertTrue(Math.abs(gt[i] - us[i]) <= bound, "tensor G(" + ts[i] + "): " + gt[i] + " vs " + us[i]);
            worstRatio = Math.max(worstRatio, err / bound);
            // |s − s*| ≤ |H − G| / min g² on the cell
            double g2 = exact.at(Math.max(0, tEnd - h)) * exact.at(Math.max(0, tEnd - h));
            double sBound = bound / g2 + 1e-13;
            assertEquals(ts[i], num.inverseIntegral(us[i]), sBound, "G⁻¹(" + us[i] + ")");
            assertEquals(ts[i], inv[i], sBound, "tensor G⁻¹(" + us[i] + ")");
        }
        assertTrue(worstRatio > 1e-3, "the bound is far from sharp: worst error/bound = " + worstRatio);
        // exact at the nodes (up to quadrature + round-off)
        for (int i = 0; i < n; i += 20) {
            double ti = i * h;
            assertEquals(exact.integral(ti), num.integral(ti), 1e-12 * exact.integral(1.0), "node " + ti);
        }
    }

    /** The scheduler s(t) = G⁻¹(G(t) − λ) on a numeric schedule: ∫_s^t g² = λ within twice the Hermite bound. */
    @Test
    void timePairsWithNumericSchedule() {
        Diffusion exact = Diffusion.exponential(0.01, 10);
        int n = 201;
        double h = 1.0 / (n - 1);
        double twoL = 2 * Math.log(1000);
        Diffusion num = numericOf(exact, n);
        double lambda = 0.05;
        double[] ts = times(101);
        double[] s = evalTensor(TimePairs.integral(num, lambda).start(Tensor.of(ts).reshape(ts.length, 1)));
        double maxBound = Math.pow(h, 4) / 384 * 1e-4 * Math.pow(twoL, 4) * Math.exp(twoL) + 1e-12 * exact.integral(1.0);
        for (int i = 0; i < ts.length; i++) {
            double gt = exact.integral(ts[i]);
            if (gt <= lambda) {
                assertEquals(0, s[i], 1e-12, "clipped at 0 for t = " + ts[i]);
                continue;
            }
            double bound = 2 * Math.pow(h, 4) / 384 * 1e-4 * Math.pow(twoL, 4) * Math.exp(twoL * Math.min(1, ts[i] + h))
                    + 1e-12 * gt;
            assertEquals(lambda, gt - exact.integral(s[i]), bound, "∫_s^t g² at t = " + ts[i]);
            assertTrue(bound <= 2 * maxBound);
        }
    }

    /** dG/dt = g² and dG⁻¹/du = 1/g(G⁻¹(u))² through the graph (Hermite slope: O(h³) error). */
    @Test
    void derivativesInTheGraph() {
        Diffusion exact = Diffusion.linearBeta(0.1, 20);
        Diffusion num = Diffusion.numeric(exact::at, exact::at, 1, 101);
        Tensor x = Tensor.placeholder("x", Shape.of(3));
        Tensor gG = Autodiff.grad(num.integral(x).sum(), x);
        Tensor gInv = Autodiff.grad(num.inverseIntegral(x).sum(), x);
        Plan p = Plan.compile(List.of(gG, gInv));
        double[] xs = {0.013, 0.5, 0.871};
        p.set(x, xs).execute();
        double[] d1 = p.get(gG).toDoubleArray();
        double[] d2 = p.get(gInv).toDoubleArray();
        for (int i = 0; i < 3; i++) {
            double g2 = 0.1 + 19.9 * xs[i];
            assertEquals(g2, d1[i], 1e-9 * g2, "dG/dt at " + xs[i]);
            double s = exact.inverseIntegral(xs[i]);
            double g2s = 0.1 + 19.9 * s;
            assertEquals(1 / g2s, d2[i], 1e-6 / g2s, "dG⁻¹/du at " + xs[i]);
        }
    }

    @Test
    void badArgumentsFailFast() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Diffusion.numeric(t -> t - 0.5, t -> t.sub(0.5), 1, 11));
        assertTrue(e.getMessage().contains("g(0.0) = -0.5") && e.getMessage().contains("> 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Diffusion.numeric(t -> t, t -> t, 1, 11));
        assertTrue(e.getMessage().contains("g(0.0) = 0.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Diffusion.numeric(t -> t > 0.73 ? Double.NaN : 1, t -> t.onesLike(), 1, 11));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Diffusion.numeric(t -> 1, t -> t.onesLike(), 0, 11));
        assertTrue(e.getMessage().contains("horizon = 0.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Diffusion.numeric(t -> 1, t -> t.onesLike(), Double.NaN, 11));
        assertTrue(e.getMessage().contains("horizon = NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Diffusion.numeric(t -> 1, t -> t.onesLike(), 1, 1));
        assertTrue(e.getMessage().contains("gridPoints = 1"), e.getMessage());
        assertThrows(NullPointerException.class, () -> Diffusion.numeric(null, t -> t.onesLike(), 1, 11));
        assertThrows(NullPointerException.class, () -> Diffusion.numeric(t -> 1, null, 1, 11));
        e = assertThrows(IllegalArgumentException.class, () -> Diffusion.numeric(t -> 1, t -> t.mul(0).add(2), 1, 11));
        assertTrue(e.getMessage().contains("gTensor(0.0) = 2.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Diffusion.numeric(t -> Math.exp(20 * t), t -> t.mul(20).exp(), 1, 3));
        assertTrue(e.getMessage().contains("not monotone") && e.getMessage().contains("gridPoints = 3"), e.getMessage());
        Diffusion ok = Diffusion.numeric(t -> 1, t -> t.onesLike(), 2, 5);
        e = assertThrows(IllegalArgumentException.class, () -> ok.integral(2.5));
        assertTrue(e.getMessage().contains("t = 2.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ok.inverseIntegral(-1.0));
        assertTrue(e.getMessage().contains("u = -1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ok.inverseIntegral(2.5));
        assertTrue(e.getMessage().contains("G(T) = 2.0"), e.getMessage());
    }
}
