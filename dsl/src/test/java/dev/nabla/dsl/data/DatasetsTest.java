package dev.nabla.dsl.data;

import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.exact.GaussianMixture;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Frequencies are checked against 5 binomial standard deviations: for a random key one such check fails with
 * probability ≈ 5.7e-7 (normal approximation); the keys are fixed, so the tests are deterministic.
 */
class DatasetsTest {

    private static void checkFrequency(int count, int n, double p, String what) {
        double sd = Math.sqrt(n * p * (1 - p));
        assertEquals(n * p, count, 5 * sd, what);
    }

    @Test
    void ringMatchesItsMixtureAndIsReproducible() {
        GaussianMixture m = Datasets.gaussianRingMixture(8, 4.0, 0.1);
        assertEquals(8, m.components());
        for (int k = 0; k < 8; k++) {
            double[] mu = m.mean(k);
            // Means are radius·(cos, sin): 1e-15 relative is rounding.
            assertEquals(4.0, Math.hypot(mu[0], mu[1]), 1e-14);
            assertEquals(0.01, m.covariance(k)[0][0], 1e-17);
            assertEquals(0.125, m.weight(k), 1e-16);
        }
        int n = 8000;
        NdArray x = Datasets.gaussianRing(n, 8, 4.0, 0.1, Key.of(3));
        assertEquals(Shape.of(n, 2), x.shape());
        int[] counts = new int[8];
        for (int i = 0; i < n; i++) {
            double px = x.getFlat(2 * i);
            double py = x.getFlat(2 * i + 1);
            int k = (int) Math.floorMod(Math.round(Math.atan2(py, px) / (2 * Math.PI / 8)), 8);
            double[] mu = m.mean(k);
            // Distance to the nearest mode: a 2-D Gaussian radius exceeds 7 std with probability e^{-24.5}
            // = 2e-11 per point (< 1e-7 for all 8000).
            assertTrue(Math.hypot(px - mu[0], py - mu[1]) < 0.7, "row " + i + " near its mode");
            counts[k]++;
        }
        for (int k = 0; k < 8; k++) {
            checkFrequency(counts[k], n, 1.0 / 8, "mode " + k);
        }
        // Same key: same data (1e-13: the vector transcendental functions may differ by an ulp between
        // interpreted and compiled code). Another key: other data.
        assertArrayEquals(x.f64(), Datasets.gaussianRing(n, 8, 4.0, 0.1, Key.of(3)).f64(), 1e-13);
        assertTrue(Math.abs(x.getFlat(0) - Datasets.gaussianRing(n, 8, 4.0, 0.1, Key.of(4)).getFlat(0)) > 1e-9);
    }

    @Test
    void gridIsCenteredAndCoversEveryMode() {
        GaussianMixture m = Datasets.gaussianGridMixture(3, 2.0, 0.05);
        assertEquals(9, m.components());
        assertArrayEquals(new double[] {-2, -2}, m.mean(0), 0.0);
        assertArrayEquals(new double[] {0, 0}, m.mean(4), 0.0);
        int n = 4500;
        NdArray x = Datasets.gaussianGrid(n, 3, 2.0, 0.05, Key.of(5));
        int[] counts = new int[9];
        for (int i = 0; i < n; i++) {
            int a = (int) Math.round(x.getFlat(2 * i) / 2.0) + 1;
            int b = (int) Math.round(x.getFlat(2 * i + 1) / 2.0) + 1;
            assertTrue(a >= 0 && a < 3 && b >= 0 && b < 3, "row " + i + " in the grid");
            // 7 std from the mode: as for the ring, < 1e-7 for all points.
            assertTrue(Math.hypot(x.getFlat(2 * i) - 2 * (a - 1), x.getFlat(2 * i + 1) - 2 * (b - 1)) < 0.35);
            counts[a * 3 + b]++;
        }
        for (int k = 0; k < 9; k++) {
            checkFrequency(counts[k], n, 1.0 / 9, "mode " + k);
        }
    }

    @Test
    void twoMoonsLieOnTheirHalfCircles() {
        int n = 4000;
        NdArray x = Datasets.twoMoons(n, 0.0, Key.of(7));
        int upper = 0;
        for (int i = 0; i < n; i++) {
            double px = x.getFlat(2 * i);
            double py = x.getFlat(2 * i + 1);
            // Without noise each point is exactly on its moon: |p| = 1, y ≥ 0 or |p − (1, ½)| = 1, y ≤ ½
            // (1e-12: cos/sin and a subtraction).
            boolean onUpper = Math.abs(Math.hypot(px, py) - 1) < 1e-12 && py >= -1e-12;
            boolean onLower = Math.abs(Math.hypot(px - 1, py - 0.5) - 1) < 1e-12 && py <= 0.5 + 1e-12;
            assertTrue(onUpper || onLower, "row " + i + " = (" + px + ", " + py + ") on a moon");
            if (onUpper && !onLower) {
                upper++;
            }
        }
        // The two circles meet at only two points, which have probability 0: P(upper) = ½.
        checkFrequency(upper, n, 0.5, "upper moon");
        // With noise and the same key, each row moves from its noiseless position by noise·z, z ~ N(0, I₂):
        // E‖Δ‖²/noise² = 2, Var = 4, so the mean over n rows is within 5·2/√n of 2.
        NdArray noisy = Datasets.twoMoons(n, 0.1, Key.of(7));
        double ms = 0;
        for (int i = 0; i < 2 * n; i++) {
            double dlt = (noisy.getFlat(i) - x.getFlat(i)) / 0.1;
            ms += dlt * dlt;
        }
        assertEquals(2.0, ms / n, 5 * 2 / Math.sqrt(n));
    }

    @Test
    void checkerboardFillsTheBlackSquaresUniformly() {
        int n = 8000;
        NdArray x = Datasets.checkerboard(n, Key.of(11));
        int[] counts = new int[16];
        double[] meanInSquare = new double[2];
        for (int i = 0; i < n; i++) {
            double px = x.getFlat(2 * i);
            double py = x.getFlat(2 * i + 1);
            assertTrue(px >= -4 && px < 4 && py >= -4 && py < 4, "inside the board");
            int a = (int) Math.floor((px + 4) / 2);
            int b = (int) Math.floor((py + 4) / 2);
            assertEquals(0, (a + b) % 2, "row " + i + " on a black square");
            counts[a * 4 + b]++;
            meanInSquare[0] += (px + 4) - 2 * a;
            meanInSquare[1] += (py + 4) - 2 * b;
        }
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 4; b++) {
                if ((a + b) % 2 == 0) {
                    checkFrequency(counts[a * 4 + b], n, 1.0 / 8, "square " + a + "," + b);
                }
            }
        }
        // Position within the square is U[0, 2): mean 1, sd 2/√12; 5 standard errors.
        for (double s : meanInSquare) {
            assertEquals(1.0, s / n, 5 * (2 / Math.sqrt(12)) / Math.sqrt(n));
        }
    }

    @Test
    void swissRollWithoutNoiseIsTheSpiral() {
        int n = 2000;
        NdArray x = Datasets.swissRoll(n, 0.0, Key.of(13));
        for (int i = 0; i < n; i++) {
            double px = x.getFlat(2 * i);
            double py = x.getFlat(2 * i + 1);
            double t = Math.hypot(px, py);
            // t ∈ [1.5π, 4.5π) and the point is t(cos t, sin t): 1e-12 relative (a few roundings of values ≤ 15).
            assertTrue(t >= 1.5 * Math.PI - 1e-12 && t < 4.5 * Math.PI + 1e-12, "t = " + t);
            assertEquals(t * Math.cos(t), px, 1e-12 * 15);
            assertEquals(t * Math.sin(t), py, 1e-12 * 15);
        }
    }

    @Test
    void badArgumentsFailFast() {
        assertThrows(IllegalArgumentException.class, () -> Datasets.gaussianRing(0, 8, 4, 0.1, Key.of(0)));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Datasets.gaussianRing(10, 0, 4, 0.1, Key.of(0)));
        assertTrue(e.getMessage().contains("modes = 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Datasets.gaussianRingMixture(8, 4, Double.NaN));
        assertTrue(e.getMessage().contains("std = NaN"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Datasets.gaussianRingMixture(8, -1, 0.1));
        assertThrows(IllegalArgumentException.class, () -> Datasets.gaussianGrid(10, 0, 1, 0.1, Key.of(0)));
        assertThrows(IllegalArgumentException.class, () -> Datasets.gaussianGridMixture(3, 0, 0.1));
        e = assertThrows(IllegalArgumentException.class, () -> Datasets.twoMoons(10, -0.1, Key.of(0)));
        assertTrue(e.getMessage().contains("noise = -0.1"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Datasets.swissRoll(10, Double.POSITIVE_INFINITY, Key.of(0)));
        assertThrows(IllegalArgumentException.class, () -> Datasets.checkerboard(-1, Key.of(0)));
        assertThrows(NullPointerException.class, () -> Datasets.checkerboard(5, null));
    }
}
