package dev.nabla.dsl.exact;

import org.junit.jupiter.api.Test;

import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link KolmogorovMoments} against the exact Ornstein–Uhlenbeck transition. */
class KolmogorovMomentsTest {

    /**
     * {@code F = −y/s²}: {@code E[y_u|y_0] = e^{−u/s²} y_0}, {@code Var = s²(1 − e^{−2u/s²})}. Tolerance 1e-6
     * on |y_0| ≤ 3 (grid [−7, 7], Δy = 0.01): the scheme is second order in Δy with a constant of order one
     * for this smooth field (measured error ≈ 1e-7); unsorted times are returned in the order asked.
     */
    @Test
    void reproducesOrnsteinUhlenbeckMoments() {
        double s = 0.6;
        KolmogorovMoments k = KolmogorovMoments.on(-7, 7, 0.01, y -> -y / (s * s));
        double[] grid = k.grid();
        double[] us = {0.3, 0.05};
        double[][][] m = k.moments(us);
        for (int a = 0; a < us.length; a++) {
            double decay = Math.exp(-us[a] / (s * s));
            double var = s * s * -Math.expm1(-2 * us[a] / (s * s));
            for (int i = 0; i < grid.length; i++) {
                if (Math.abs(grid[i]) <= 3) {
                    assertEquals(decay * grid[i], m[a][0][i], 1e-6, "mean at u=" + us[a] + ", y0=" + grid[i]);
                    assertEquals(var, m[a][1][i] - m[a][0][i] * m[a][0][i], 1e-6, "variance at u=" + us[a] + ", y0=" + grid[i]);
                }
            }
        }
    }

    /**
     * The double well {@code F = −V'}, {@code V = (y² − 1)²}, on [−4.5, 4.5] with Δy = 0.025: |F| reaches 346 at
     * the ends, where the old diffusion-sized step (0.4 Δy²) made RK4 unstable and every moment NaN. Now the
     * moments are finite, within the range of their initial values (maximum principle), and agree with a grid
     * five times finer at |y0| ≤ 1.5, with second-order convergence: the difference to the fine grid is
     * C(Δy² − Δy_fine²), so halving Δy must shrink it by (6.25 − 0.25)/(1.5625 − 0.25) = 4.6 (asserted ≥ 3).
     * Tolerance 3e-4: measured 8.3e-5 at Δy = 0.025 (C ≈ 0.14), 1.8e-5 at Δy = 0.0125.
     */
    @Test
    void doubleWellWithSteepWallsStaysFinite() {
        DoubleUnaryOperator f = y -> -4 * y * (y * y - 1);
        double u = 0.5;
        KolmogorovMoments coarse = KolmogorovMoments.on(-4.5, 4.5, 0.025, f);
        KolmogorovMoments mid = KolmogorovMoments.on(-4.5, 4.5, 0.0125, f);
        KolmogorovMoments fine = KolmogorovMoments.on(-4.5, 4.5, 0.005, f);
        double[][] c = coarse.moments(u)[0];
        double[][] md = mid.moments(u)[0];
        double[][] r = fine.moments(u)[0];
        double[] grid = coarse.grid();
        double worst = 0;
        double worstMid = 0;
        for (int i = 0; i < grid.length; i++) {
            assertTrue(Math.abs(c[0][i]) <= 4.5 + 1e-12 && c[1][i] >= -1e-12 && c[1][i] <= 4.5 * 4.5 + 1e-12,
                    "moments at y0 = " + grid[i] + ": " + c[0][i] + ", " + c[1][i]);
            if (Math.abs(grid[i]) <= 1.5 + 1e-9) {
                int j = (int) Math.round(i * 5.0);
                int k = (int) Math.round(i * 2.0);
                assertEquals(grid[i], fine.grid()[j], 1e-12);
                worst = Math.max(worst, Math.max(Math.abs(c[0][i] - r[0][j]), Math.abs(c[1][i] - r[1][j])));
                worstMid = Math.max(worstMid, Math.max(Math.abs(md[0][k] - r[0][j]), Math.abs(md[1][k] - r[1][j])));
            }
        }
        assertTrue(worst <= 3e-4, "coarse grid differs from the fine one by " + worst);
        assertTrue(worstMid * 3 <= worst, "not second order: " + worst + " at Δy = 0.025, " + worstMid + " at 0.0125");
    }

    @Test
    void rejectsBadInput() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KolmogorovMoments.on(1, -1, 0.1, y -> -y));
        assertTrue(e.getMessage().contains("lo < hi"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> KolmogorovMoments.on(-1, 1, 0.1, y -> Double.NaN));
        assertTrue(e.getMessage().contains("expected finite"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> KolmogorovMoments.of(new double[] {0, 1, 3}, new double[] {0, 0, 0}));
        assertTrue(e.getMessage().contains("equispaced"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> KolmogorovMoments.on(-1, 1, 0.1, y -> -y).moments(-0.5));
        assertTrue(e.getMessage().contains("us[0] = -0.5"), e.getMessage());
    }
}
