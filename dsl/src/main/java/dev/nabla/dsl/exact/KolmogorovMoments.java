package dev.nabla.dsl.exact;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.DoubleUnaryOperator;

/**
 * Reference moments of the exact transition of a one-dimensional, time-homogeneous diffusion
 * {@code dy = F(y) du + √2 dW_u} — the form every {@link dev.nabla.dsl.sde.SeparableDrift} SDE takes in its
 * clock (for the Langevin processes of 2407.07998 §4, {@code F = ∇log π} and {@code u = ½∫g²}) — from the
 * backward Kolmogorov equation {@code ∂_u φ = F φ' + φ''} started at {@code φ(y) = y} (giving
 * {@code E[y_u | y_0 = y]}) and at {@code φ(y) = y²} (the second moment).
 *
 * <p>Method of lines on an equispaced grid: the drift term {@code F φ'} by central differences where the cell
 * Péclet number is at most one ({@code |F_i| Δy ≤ 2}) and by upwind differences where the drift dominates
 * ({@code |F_i| Δy > 2}, e.g. the steep walls of a double well at the ends of the domain); {@code φ''} by
 * central differences; at the two ends, where F must point inwards, one-sided differences of the drift term
 * and {@code φ'' = 0}. With that choice (and F pointing inwards at the ends) the generator matrix A has
 * nonnegative off-diagonal entries and zero row sums. Time: classical RK4 with {@code Δu = min(0.4 Δy², 1/max_i |A_ii|)}; its stability polynomial is
 * absolutely monotonic on [−1, 0], so with {@code Δu |A_ii| ≤ 1} each step is a convex combination of the
 * nodes' values (a discrete maximum principle): the moments stay within the range of their initial values,
 * whatever the size of F. (The step {@code 0.4 Δy²} alone, sized for the diffusion, made RK4 unstable — NaN —
 * once {@code |F| Δu/Δy > 2.8} at an end, e.g. the double well on [−4.5, 4.5] with {@code Δy ≥ 0.025}.) The grid
 * must extend several widths of the stationary law beyond the points of interest. Accuracy: second order in
 * Δy where the central differences are used (first order in the upwind cells, which the process started
 * at the points of interest must rarely reach); on an Ornstein–Uhlenbeck field it reproduces the exact moments
 * to about 1e-6 at {@code Δy = 0.01} (tested). Used to draw the linearisation error of Figure 2 of 2407.07998 and to check it in {@code proofs}.
 */
public final class KolmogorovMoments {
    private final double[] grid;
    private final double[] field;
    private final double dy;
    /** Whether node i's drift term is upwinded ({@code |F_i| Δy > 2}). */
    private final boolean[] upwind;
    /** {@code max_i |A_ii|} of the generator. */
    private final double maxDiagonal;

    private KolmogorovMoments(double[] grid, double[] field) {
        this.grid = grid;
        this.field = field;
        this.dy = grid[1] - grid[0];
        int n = grid.length;
        this.upwind = new boolean[n];
        double diag = Math.max(Math.abs(field[0]), Math.abs(field[n - 1])) / dy;
        for (int i = 1; i < n - 1; i++) {
            upwind[i] = Math.abs(field[i]) * dy > 2;
            diag = Math.max(diag, 2 / (dy * dy) + (upwind[i] ? Math.abs(field[i]) / dy : 0));
        }
        this.maxDiagonal = diag;
    }

    /**
     * A solver on the grid {@code lo, lo + dy, …, hi} for the field {@code F}.
     *
     * @throws IllegalArgumentException if {@code lo ≥ hi}, {@code dy ≤ 0} or fewer than 3 nodes fit
     */
    public static KolmogorovMoments on(double lo, double hi, double dy, DoubleUnaryOperator field) {
        Objects.requireNonNull(field, "KolmogorovMoments: field");
        if (!(lo < hi) || !(dy > 0) || !Double.isFinite(lo) || !Double.isFinite(hi)) {
            throw new IllegalArgumentException("KolmogorovMoments: grid [" + lo + ", " + hi + "] step " + dy
                    + ", expected finite lo < hi and dy > 0");
        }
        int n = (int) Math.round((hi - lo) / dy) + 1;
        if (n < 3) {
            throw new IllegalArgumentException("KolmogorovMoments: " + n + " grid nodes, expected >= 3 (dy = " + dy + ")");
        }
        double[] grid = new double[n];
        double[] f = new double[n];
        for (int i = 0; i < n; i++) {
            grid[i] = lo + i * dy;
            f[i] = field.applyAsDouble(grid[i]);
            if (!Double.isFinite(f[i])) {
                throw new IllegalArgumentException("KolmogorovMoments: field(" + grid[i] + ") = " + f[i] + ", expected finite");
            }
        }
        return new KolmogorovMoments(grid, f);
    }

    /**
     * A solver on an equispaced {@code grid} (ascending, at least 3 nodes) with the field tabulated at its nodes.
     *
     * @throws IllegalArgumentException if the grid is not equispaced and ascending or a value is not finite
     */
    public static KolmogorovMoments of(double[] grid, double[] field) {
        Objects.requireNonNull(grid, "KolmogorovMoments: grid");
        Objects.requireNonNull(field, "KolmogorovMoments: field");
        if (grid.length < 3 || field.length != grid.length) {
            throw new IllegalArgumentException("KolmogorovMoments: grid of " + grid.length + " nodes and field of "
                    + field.length + ", expected the same length >= 3");
        }
        double dy = grid[1] - grid[0];
        for (int i = 0; i < grid.length; i++) {
            if (!Double.isFinite(grid[i]) || !Double.isFinite(field[i])) {
                throw new IllegalArgumentException("KolmogorovMoments: node " + i + " (y = " + grid[i] + ", F = " + field[i]
                        + "), expected finite values");
            }
            if (i > 0 && !(Math.abs(grid[i] - grid[i - 1] - dy) <= 1e-9 * Math.max(1, Math.abs(grid[i])) && dy > 0)) {
                throw new IllegalArgumentException("KolmogorovMoments: grid step " + (grid[i] - grid[i - 1]) + " at node " + i
                        + ", expected an ascending equispaced grid with step " + dy);
            }
        }
        return new KolmogorovMoments(grid.clone(), field.clone());
    }

    /** The grid nodes (a copy). */
    public double[] grid() {
        return grid.clone();
    }

    /** The RK4 step {@code Δu = min(0.4 Δy², 1/max_i |A_ii|)} (see the class comment). */
    public double step() {
        return Math.min(0.4 * dy * dy, 1 / maxDiagonal);
    }

    /**
     * For each clock time {@code us[k] ≥ 0}, {@code {mean[], secondMoment[]}} of {@code y_u} given
     * {@code y_0 = grid[i]}, at every grid node i. The times need not be sorted.
     *
     * @throws ArithmeticException if a moment is not finite (it cannot be, by the maximum principle, unless the
     *                             grid's values overflow), naming the node and the time
     */
    public double[][][] moments(double... us) {
        Integer[] order = new Integer[us.length];
        for (int k = 0; k < us.length; k++) {
            if (!(us[k] >= 0) || !Double.isFinite(us[k])) {
                throw new IllegalArgumentException("KolmogorovMoments: us[" + k + "] = " + us[k] + ", expected finite u >= 0");
            }
            order[k] = k;
        }
        Arrays.sort(order, (a, b) -> Double.compare(us[a], us[b]));
        int n = grid.length;
        double[] m = grid.clone();
        double[] m2 = new double[n];
        for (int i = 0; i < n; i++) {
            m2[i] = grid[i] * grid[i];
        }
        double[][][] out = new double[us.length][][];
        double u = 0;
        double duMax = step();
        for (int idx : order) {
            double target = us[idx];
            while (u < target) {
                double du = Math.min(duMax, target - u);
                m = rk4(m, du);
                m2 = rk4(m2, du);
                u += du;
                if (target - u < 1e-15) {
                    u = target;
                }
            }
            for (int i = 0; i < n; i++) {
                if (!Double.isFinite(m[i]) || !Double.isFinite(m2[i])) {
                    throw new ArithmeticException("KolmogorovMoments: moment at y0 = " + grid[i] + ", u = " + target
                            + " is not finite (mean " + m[i] + ", second moment " + m2[i] + "); step Δu = " + duMax
                            + ", max |A_ii| = " + maxDiagonal);
                }
            }
            out[idx] = new double[][] {m.clone(), m2.clone()};
        }
        return out;
    }

    private double[] generator(double[] p) {
        int n = p.length;
        double[] o = new double[n];
        for (int i = 1; i < n - 1; i++) {
            double drift;
            if (!upwind[i]) {
                drift = field[i] * (p[i + 1] - p[i - 1]) / (2 * dy);
            } else if (field[i] > 0) {
                drift = field[i] * (p[i + 1] - p[i]) / dy;
            } else {
                drift = field[i] * (p[i] - p[i - 1]) / dy;
            }
            o[i] = drift + (p[i + 1] - 2 * p[i] + p[i - 1]) / (dy * dy);
        }
        o[0] = field[0] * (p[1] - p[0]) / dy;
        o[n - 1] = field[n - 1] * (p[n - 1] - p[n - 2]) / dy;
        return o;
    }

    private double[] rk4(double[] p, double du) {
        double[] k1 = generator(p);
        double[] k2 = generator(axpy(p, k1, du / 2));
        double[] k3 = generator(axpy(p, k2, du / 2));
        double[] k4 = generator(axpy(p, k3, du));
        double[] o = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            o[i] = p[i] + du / 6 * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
        }
        return o;
    }

    private static double[] axpy(double[] p, double[] k, double a) {
        double[] o = new double[p.length];
        for (int i = 0; i < p.length; i++) {
            o[i] = p[i] + a * k[i];
        }
        return o;
    }
}
