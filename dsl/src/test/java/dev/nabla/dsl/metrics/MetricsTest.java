package dev.nabla.dsl.metrics;

import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MetricsTest {

    private static NdArray normal(int n, int d, long seed, double shift) {
        SplittableRandom rng = new SplittableRandom(seed);
        double[] x = new double[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = rng.nextGaussian() + (i % d == 0 ? shift : 0);
        }
        return NdArray.wrap(x, Shape.of(n, d));
    }

    @Test
    void identicalSetsGiveZeroVStatistics() {
        // V-statistics of a set against itself: the three means are the same sum, so the result is 0 up to the
        // rounding of sums of n² terms of size ~2 (≈ 1e-16 × √(n²)·2): 1e-12 absolute.
        NdArray x = normal(700, 3, 1, 0);
        assertEquals(0.0, Metrics.energyDistance(x, x), 1e-12);
        assertEquals(0.0, Metrics.mmd2(x, x, 1.0), 1e-12);
        assertEquals(0.0, Metrics.mmd2(x, x), 1e-12);
    }

    @Test
    void pointMassesHaveClosedForms() {
        // 1-D point masses at a and b: E|X − Y| = |a − b|, within-set distances 0, so D² = 2|a − b| for both
        // statistics; MMD² = 2 − 2 exp(−(a − b)²/(2h²)) (V) and the same for U. Sums of equal terms: 1e-12.
        double a = -0.7;
        double b = 1.8;
        NdArray x = NdArray.wrap(filled(50, a), Shape.of(50, 1));
        NdArray y = NdArray.wrap(filled(80, b), Shape.of(80, 1));
        assertEquals(2 * Math.abs(a - b), Metrics.energyDistance(x, y), 1e-12);
        assertEquals(2 * Math.abs(a - b), Metrics.energyDistanceUnbiased(x, y), 1e-12);
        double h = 1.3;
        double k = Math.exp(-(a - b) * (a - b) / (2 * h * h));
        assertEquals(2 - 2 * k, Metrics.mmd2(x, y, h), 1e-12);
        assertEquals(2 - 2 * k, Metrics.mmd2Unbiased(x, y, h), 1e-12);
    }

    private static double[] filled(int n, double v) {
        double[] d = new double[n];
        Arrays.fill(d, v);
        return d;
    }

    @Test
    void samplesOfOneDistributionAreNearZero() {
        // n = m = 1000 standard normal samples in 2-D. Under the null the U-statistics have mean 0 and standard
        // deviation ≈ 1.6e-3 (energy) and ≈ 7e-4 (MMD², h = 1), measured over 30 replications; the bounds are 5
        // standard deviations (failure probability ~6e-7 per check for random seeds; seeds here are fixed).
        // The V-statistic of the energy distance is biased upwards by ≈ (1/n + 1/m) E‖X − X'‖ = 0.0035.
        NdArray x = normal(1000, 2, 2, 0);
        NdArray y = normal(1000, 2, 3, 0);
        assertEquals(0.0, Metrics.energyDistanceUnbiased(x, y), 5 * 1.6e-3);
        assertEquals(0.0, Metrics.mmd2Unbiased(x, y, 1.0), 5 * 7e-4);
        double v = Metrics.energyDistance(x, y);
        assertTrue(v > 0 && v < 0.0035 + 5 * 1.6e-3, "V-statistic " + v);
    }

    @Test
    void shiftedDistributionsAreClearlyApart() {
        // N(0, I) vs N(e₁, I) in 2-D: MMD² (h = 1) = 2·3^{-1}(1 − e^{−1/6}) = 0.1022 in closed form
        // (E exp(−‖Z‖²/2) = 1/3 for Z ~ N(0, 2I)); the energy distance is ≈ 0.43. Both are > 20 null standard
        // deviations; the U-statistic of MMD² is checked against the closed form within 0.02 (≈ 4 sd under the
        // alternative at n = 1000).
        NdArray x = normal(1000, 2, 4, 0);
        NdArray y = normal(1000, 2, 5, 1);
        double e = Metrics.energyDistanceUnbiased(x, y);
        assertTrue(e > 0.3 && e < 0.6, "energy distance " + e);
        assertEquals(2.0 / 3 * (1 - Math.exp(-1.0 / 6)), Metrics.mmd2Unbiased(x, y, 1.0), 0.02);
        assertTrue(Metrics.mmd2(x, y) > 0.05);
    }

    @Test
    void statisticsAreSymmetric() {
        // Swapping x and y permutes the same sums: equal to rounding (1e-12 relative).
        NdArray x = normal(300, 2, 6, 0);
        NdArray y = normal(200, 2, 7, 0.5);
        assertEquals(Metrics.energyDistance(x, y), Metrics.energyDistance(y, x), 1e-12);
        assertEquals(Metrics.energyDistanceUnbiased(x, y), Metrics.energyDistanceUnbiased(y, x), 1e-12);
        assertEquals(Metrics.mmd2(x, y, 0.8), Metrics.mmd2(y, x, 0.8), 1e-12);
        assertEquals(Metrics.mmd2Unbiased(x, y, 0.8), Metrics.mmd2Unbiased(y, x, 0.8), 1e-12);
    }

    @Test
    void medianHeuristicIsTheMedianPairwiseDistance() {
        // Points 0, 1, 2 and 3 on a line: distances 1, 1, 1, 2, 2, 3, median 1.5 (exact).
        NdArray x = NdArray.of(new double[] {0, 1, 2}, 3, 1);
        NdArray y = NdArray.of(new double[] {3}, 1, 1);
        assertEquals(1.5, Metrics.medianHeuristic(x, y), 0.0);
        // Subsampling to 1000 points keeps it close for a large sample (2-D normal: median of ‖X − X'‖ is
        // √(2·2 ln 2) = 1.665). The sample median over the pairs of 1000 points has standard deviation 0.024
        // (measured over 40 replications); 5 sd = 0.12.
        NdArray big = normal(3000, 2, 8, 0);
        assertEquals(Math.sqrt(4 * Math.log(2)), Metrics.medianHeuristic(big, normal(2000, 2, 9, 0)), 0.12);
    }

    @Test
    void badInputsFailFast() {
        NdArray x = normal(10, 2, 1, 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.energyDistance(x, normal(10, 3, 1, 0)));
        assertTrue(e.getMessage().contains("same number of columns"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Metrics.energyDistance(x, NdArray.of(new double[] {1, Double.NaN}, 1, 2)));
        assertTrue(e.getMessage().contains("NaN"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Metrics.mmd2(x, x, 0));
        assertTrue(e.getMessage().contains("bandwidth = 0"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Metrics.energyDistance(NdArray.of(new double[] {1, 2}), x));
        assertThrows(IllegalArgumentException.class,
                () -> Metrics.energyDistanceUnbiased(NdArray.of(new double[] {1, 2}, 1, 2), x));
        assertThrows(IllegalArgumentException.class,
                () -> Metrics.medianHeuristic(NdArray.of(new double[4], 2, 2), NdArray.of(new double[2], 1, 2)));
    }
}
