package dev.nabla.dsl.metrics;

import dev.nabla.core.NdArray;

import java.util.Arrays;
import java.util.Objects;
import java.util.stream.IntStream;

/**
 * Two-sample distances between sample sets {@code X} ({@code [n, d]}) and {@code Y} ({@code [m, d]}), used to
 * compare generated samples with data (2508.01597 reports the energy distance).
 *
 * <pre>
 *   energy distance (Székely and Rizzo 2013):  D² = 2 E‖X − Y‖ − E‖X − X'‖ − E‖Y − Y'‖  (≥ 0, = 0 iff same law)
 *   MMD² (Gretton et al., JMLR 2012):           E k(X, X') + E k(Y, Y') − 2 E k(X, Y),  k(a, b) = exp(−‖a − b‖²/(2h²))
 * </pre>
 *
 * <p>Each comes as a <b>V-statistic</b> (all pairs, including {@code i = j}: {@link #energyDistance},
 * {@link #mmd2}), which is ≥ 0, zero for identical sample sets and biased upwards by O(1/n), and as a
 * <b>U-statistic</b> (pairs {@code i ≠ j} within a set: {@link #energyDistanceUnbiased},
 * {@link #mmd2Unbiased}), which is unbiased and may be slightly negative. Computed exactly in plain Java in
 * {@code O((n + m)² d)} time and {@code O(n + m)} memory, rows in parallel; per-row sums are added in a fixed
 * order, so results do not depend on the thread count. n = m = 5000 in 2-D: ~0.4 s for the energy distance
 * and ~1 s for MMD² (exp-bound) on a loaded 2-core machine.
 */
public final class Metrics {
    /** At most this many points (taken at even strides from the pooled sample) enter the median heuristic. */
    public static final int MEDIAN_HEURISTIC_POINTS = 1000;

    private Metrics() {
    }

    private record Rows(double[] data, int n, int d) {
    }

    private static Rows rows(String what, String name, NdArray a) {
        Objects.requireNonNull(a, what + ": " + name);
        if (a.shape().rank() != 2 || a.shape().dim(0) < 1 || a.shape().dim(1) < 1) {
            throw new IllegalArgumentException(what + ": " + name + " has shape " + a.shape()
                    + ", expected [n, d] with n >= 1 and d >= 1");
        }
        int bad = a.firstNonFinite();
        if (bad >= 0) {
            throw new IllegalArgumentException(what + ": " + name + " has " + a.getFlat(bad) + " at flat index " + bad
                    + ", expected finite values");
        }
        return new Rows(a.toDoubleArray(), a.shape().dim(0), a.shape().dim(1));
    }

    private static Rows[] pair(String what, NdArray x, NdArray y) {
        Rows a = rows(what, "x", x);
        Rows b = rows(what, "y", y);
        if (a.d != b.d) {
            throw new IllegalArgumentException(what + ": x has shape " + x.shape() + " and y has shape " + y.shape()
                    + ", expected the same number of columns");
        }
        return new Rows[] {a, b};
    }

    @FunctionalInterface
    private interface Kernel {
        double of(double squaredDistance);
    }

    /**
     * {@code Σ_{i, j} k(a_i, b_j)} over all pairs, or over pairs {@code i ≠ j} when {@code skipDiagonal}
     * (a = b), as a sum of per-row sums in a fixed order.
     */
    private static double pairSum(Rows a, Rows b, Kernel k, boolean skipDiagonal) {
        int d = a.d;
        double[] ad = a.data;
        double[] bd = b.data;
        double[] rowSums = new double[a.n];
        IntStream.range(0, a.n).parallel().forEach(i -> {
            double s = 0;
            int io = i * d;
            for (int j = 0; j < b.n; j++) {
                if (skipDiagonal && j == i) {
                    continue;
                }
                int jo = j * d;
                double q = 0;
                for (int c = 0; c < d; c++) {
                    double t = ad[io + c] - bd[jo + c];
                    q += t * t;
                }
                s += k.of(q);
            }
            rowSums[i] = s;
        });
        double total = 0;
        for (double v : rowSums) {
            total += v;
        }
        return total;
    }

    private static double energy(String what, NdArray x, NdArray y, boolean unbiased) {
        Rows[] p = pair(what, x, y);
        Rows a = p[0];
        Rows b = p[1];
        if (unbiased && (a.n < 2 || b.n < 2)) {
            throw new IllegalArgumentException(what + ": x has " + a.n + " rows and y has " + b.n
                    + ", expected at least 2 each for the U-statistic");
        }
        Kernel dist = Math::sqrt;
        double xy = pairSum(a, b, dist, false) / ((double) a.n * b.n);
        double xx = pairSum(a, a, dist, unbiased) / (unbiased ? (double) a.n * (a.n - 1) : (double) a.n * a.n);
        double yy = pairSum(b, b, dist, unbiased) / (unbiased ? (double) b.n * (b.n - 1) : (double) b.n * b.n);
        return 2 * xy - xx - yy;
    }

    /**
     * The energy distance as a V-statistic: {@code (2/nm) Σ_{i,j} ‖x_i − y_j‖ − (1/n²) Σ_{i,i'} ‖x_i − x_i'‖ −
     * (1/m²) Σ_{j,j'} ‖y_j − y_j'‖}. Non-negative (up to rounding); exactly 0 (up to rounding) when the two sets
     * are the same points. For point masses at a and b it is {@code 2‖a − b‖}.
     *
     * @param x {@code [n, d]}, finite
     * @param y {@code [m, d]}, finite
     */
    public static double energyDistance(NdArray x, NdArray y) {
        return energy("energyDistance", x, y, false);
    }

    /**
     * The energy distance as a U-statistic: as {@link #energyDistance} but the within-sample means run over pairs
     * {@code i ≠ i'} (divided by {@code n(n − 1)}); unbiased for {@code D²}, so it fluctuates around 0 for two
     * samples of one distribution. Needs n, m ≥ 2.
     */
    public static double energyDistanceUnbiased(NdArray x, NdArray y) {
        return energy("energyDistanceUnbiased", x, y, true);
    }

    private static double mmd(String what, NdArray x, NdArray y, double bandwidth, boolean unbiased) {
        if (!(bandwidth > 0) || !Double.isFinite(bandwidth)) {
            throw new IllegalArgumentException(what + ": bandwidth = " + bandwidth + ", expected a finite number > 0");
        }
        Rows[] p = pair(what, x, y);
        Rows a = p[0];
        Rows b = p[1];
        if (unbiased && (a.n < 2 || b.n < 2)) {
            throw new IllegalArgumentException(what + ": x has " + a.n + " rows and y has " + b.n
                    + ", expected at least 2 each for the U-statistic");
        }
        double c = -0.5 / (bandwidth * bandwidth);
        Kernel k = q -> Math.exp(c * q);
        double xy = pairSum(a, b, k, false) / ((double) a.n * b.n);
        double xx = pairSum(a, a, k, unbiased) / (unbiased ? (double) a.n * (a.n - 1) : (double) a.n * a.n);
        double yy = pairSum(b, b, k, unbiased) / (unbiased ? (double) b.n * (b.n - 1) : (double) b.n * b.n);
        return xx + yy - 2 * xy;
    }

    /**
     * MMD² with the RBF kernel {@code k(a, b) = exp(−‖a − b‖²/(2 h²))}, V-statistic (biased, ≥ 0, all pairs):
     * {@code (1/n²) Σ k(x_i, x_i') + (1/m²) Σ k(y_j, y_j') − (2/nm) Σ k(x_i, y_j)} (Gretton et al. 2012, eq. 5).
     *
     * @param bandwidth h, finite and &gt; 0
     */
    public static double mmd2(NdArray x, NdArray y, double bandwidth) {
        return mmd("mmd2", x, y, bandwidth, false);
    }

    /** {@link #mmd2(NdArray, NdArray, double)} with h from {@link #medianHeuristic}. */
    public static double mmd2(NdArray x, NdArray y) {
        return mmd2(x, y, medianHeuristic(x, y));
    }

    /**
     * MMD² with the RBF kernel as the unbiased U-statistic (Gretton et al. 2012, eq. 3): within-sample sums over
     * {@code i ≠ i'}, divided by {@code n(n − 1)} and {@code m(m − 1)}. Needs n, m ≥ 2.
     */
    public static double mmd2Unbiased(NdArray x, NdArray y, double bandwidth) {
        return mmd("mmd2Unbiased", x, y, bandwidth, true);
    }

    /**
     * The median heuristic bandwidth (Gretton et al. 2012, §8): the median Euclidean distance between distinct
     * points of the pooled sample {@code X ∪ Y}, using at most {@value #MEDIAN_HEURISTIC_POINTS} points taken at
     * even strides from the pooled rows (deterministic). Fails if all those points coincide.
     */
    public static double medianHeuristic(NdArray x, NdArray y) {
        Rows[] p = pair("medianHeuristic", x, y);
        int d = p[0].d;
        int total = p[0].n + p[1].n;
        int m = Math.min(total, MEDIAN_HEURISTIC_POINTS);
        double[] pts = new double[m * d];
        for (int i = 0; i < m; i++) {
            int src = (int) ((long) i * total / m);
            Rows r = src < p[0].n ? p[0] : p[1];
            int row = src < p[0].n ? src : src - p[0].n;
            System.arraycopy(r.data, row * d, pts, i * d, d);
        }
        if (m < 2) {
            throw new IllegalArgumentException("medianHeuristic: only " + m + " point, expected at least 2");
        }
        double[] dist = new double[m * (m - 1) / 2];
        int at = 0;
        for (int i = 0; i < m; i++) {
            for (int j = i + 1; j < m; j++) {
                double q = 0;
                for (int c = 0; c < d; c++) {
                    double t = pts[i * d + c] - pts[j * d + c];
                    q += t * t;
                }
                dist[at++] = Math.sqrt(q);
            }
        }
        Arrays.sort(dist);
        int n = dist.length;
        double med = n % 2 == 1 ? dist[n / 2] : 0.5 * (dist[n / 2 - 1] + dist[n / 2]);
        if (!(med > 0)) {
            throw new IllegalArgumentException("medianHeuristic: the median pairwise distance is " + med
                    + " (most points coincide), expected > 0; give a bandwidth instead");
        }
        return med;
    }
}
