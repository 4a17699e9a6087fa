package dev.nabla.dsl.exact;

import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;

import java.util.Arrays;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleUnaryOperator;

/**
 * The {@code n}-point Gauss–Hermite quadrature rule, exact for polynomials of degree ≤ {@code 2n − 1}
 * (Abramowitz and Stegun 25.4.46; Golub and Welsch, Math. Comp. 23, 1969):
 *
 * <pre>
 *   physicists':   ∫ e^{−x²} f(x) dx ≈ Σ_i w_i f(x_i),   x_i the roots of H_n,  Σ w_i = √π
 *   probabilists': E_{z~N(0,1)}[f(z)] ≈ Σ_i w_i f(z_i),   z_i = √2 x_i,  w_i ← w_i/√π,  Σ w_i = 1
 * </pre>
 *
 * <p>Nodes start as the eigenvalues of the Jacobi matrix of the Hermite recurrence (Golub–Welsch; symmetric
 * tridiagonal QL) and are polished by Newton's method on the orthonormal Hermite polynomials
 * {@code h_{j+1}(x) = x √(2/(j+1)) h_j(x) − √(j/(j+1)) h_{j−1}(x)}, {@code h_0 = π^{−1/4}} (Press et al.,
 * <i>Numerical Recipes</i>, 3rd ed., §4.6); the weight of a node is {@code w = 2 / h_n'(x)²} with
 * {@code h_n' = √(2n) h_{n−1}}. Nodes are accurate to a few ulp and weights to ~1e-14 relative (also the tiny
 * outer ones) for every supported {@code n} (1 to {@value #MAX_POINTS}; beyond that {@code h_n} overflows double
 * at the outermost nodes). The computation is {@code O(n²)} and each rule is cached.
 *
 * <p>Multivariate Gaussians are integrated by tensor-product grids mapped through the Cholesky factor
 * ({@link #gaussianGrid}: {@code x = μ + L z}, {@code Σ = L Lᵀ}, {@code z} on the probabilists' grid), which
 * is exact for polynomials of degree ≤ {@code 2n − 1} in each coordinate of z; Gaussian mixtures by the
 * union of their components' grids with weights {@code π_k w_i} ({@link #mixtureGrid}). Grids have
 * {@code n^d} points: meant for {@code d ≤ 3}. For integrands that are not polynomial in z — e.g. functions of a
 * mixture's score, whose responsibilities switch over a narrow width where components meet — a rule of fixed n
 * is an approximation of unchecked accuracy, converging only slowly in n (1e-3 relative at n = 32 for a 2-D
 * mixture's Fisher trace); {@link GaussianMixture#fisherTraceEstimate} refines until a stated tolerance is met.
 */
public final class GaussHermite {
    /** The largest supported number of points. */
    public static final int MAX_POINTS = 300;
    /** The largest number of points a Gaussian grid may have ({@code n^d}). */
    public static final int MAX_GRID_POINTS = 1 << 24;

    private static final double PI_M4 = Math.pow(Math.PI, -0.25);
    private static final ConcurrentHashMap<Integer, double[][]> CACHE = new ConcurrentHashMap<>();

    private final double[] nodes;
    private final double[] weights;
    private final boolean probabilists;

    private GaussHermite(double[] nodes, double[] weights, boolean probabilists) {
        this.nodes = nodes;
        this.weights = weights;
        this.probabilists = probabilists;
    }

    /**
     * The rule for the weight {@code e^{−x²}}: {@code ∫ e^{−x²} f(x) dx ≈ Σ w_i f(x_i)}.
     *
     * @param n number of points, 1 to {@value #MAX_POINTS}
     */
    public static GaussHermite physicists(int n) {
        double[][] r = rule(n);
        return new GaussHermite(r[0].clone(), r[1].clone(), false);
    }

    /**
     * The rule for the standard normal density: {@code E_{N(0,1)}[f] ≈ Σ w_i f(z_i)}, {@code z_i = √2 x_i},
     * weights summing to 1.
     *
     * @param n number of points, 1 to {@value #MAX_POINTS}
     */
    public static GaussHermite probabilists(int n) {
        double[][] r = rule(n);
        double[] z = new double[n];
        double[] w = new double[n];
        double s = Math.sqrt(2);
        double c = 1 / Math.sqrt(Math.PI);
        for (int i = 0; i < n; i++) {
            z[i] = s * r[0][i];
            w[i] = c * r[1][i];
        }
        return new GaussHermite(z, w, true);
    }

    /** Number of points. */
    public int size() {
        return nodes.length;
    }

    /** Whether this is the probabilists' (standard normal) rule rather than the {@code e^{−x²}} one. */
    public boolean isProbabilists() {
        return probabilists;
    }

    /** The nodes in increasing order (a copy). */
    public double[] nodes() {
        return nodes.clone();
    }

    /** The weights, in the order of {@link #nodes()} (a copy). */
    public double[] weights() {
        return weights.clone();
    }

    /**
     * {@code Σ_i w_i f(x_i)}: the rule applied as it is — {@code ∫ e^{−x²} f} for the physicists' rule,
     * {@code E_{N(0,1)}[f]} for the probabilists'.
     */
    public double apply(DoubleUnaryOperator f) {
        Objects.requireNonNull(f, "apply: f");
        double s = 0;
        for (int i = 0; i < nodes.length; i++) {
            s += weights[i] * f.applyAsDouble(nodes[i]);
        }
        return s;
    }

    /** {@code E_{z~N(0,1)}[f(z)]} with this rule (whichever kind it is). */
    public double expectation(DoubleUnaryOperator f) {
        return expectation(0, 1, f);
    }

    /**
     * {@code E_{x~N(mean, std²)}[f(x)] ≈ Σ w_i f(mean + std·z_i)} with this rule (whichever kind it is).
     *
     * @param mean finite
     * @param std  finite, ≥ 0
     */
    public double expectation(double mean, double std, DoubleUnaryOperator f) {
        Objects.requireNonNull(f, "expectation: f");
        if (!Double.isFinite(mean)) {
            throw new IllegalArgumentException("expectation: mean = " + mean + ", expected a finite number");
        }
        if (!(std >= 0) || !Double.isFinite(std)) {
            throw new IllegalArgumentException("expectation: std = " + std + ", expected a finite number >= 0");
        }
        double scale = probabilists ? 1 : Math.sqrt(2);
        double wscale = probabilists ? 1 : 1 / Math.sqrt(Math.PI);
        double s = 0;
        for (int i = 0; i < nodes.length; i++) {
            s += weights[i] * wscale * f.applyAsDouble(mean + std * scale * nodes[i]);
        }
        return s;
    }

    /**
     * The tensor-product grid for {@code E_{x~N(mean, covariance)}[f(x)] ≈ Σ_j w_j f(x_j)}: points
     * {@code x_j = mean + L z_j} ({@code covariance = L Lᵀ}, Cholesky) where {@code z_j} runs over all
     * {@code n^d} tuples of probabilists' nodes (last coordinate varying fastest) and {@code w_j} is the product
     * of their weights. Exact for polynomials of degree ≤ {@code 2n − 1} in each coordinate of z.
     *
     * @param mean       length d ≥ 1, finite
     * @param covariance d × d symmetric positive definite
     * @param n          points per axis, 1 to {@value #MAX_POINTS}, with {@code n^d ≤ MAX_GRID_POINTS}
     */
    public static QuadratureGrid gaussianGrid(double[] mean, double[][] covariance, int n) {
        if (mean == null || mean.length == 0) {
            throw new IllegalArgumentException("gaussianGrid: mean = " + (mean == null ? "null" : "[]")
                    + ", expected a vector of length >= 1");
        }
        int d = mean.length;
        for (int i = 0; i < d; i++) {
            if (!Double.isFinite(mean[i])) {
                throw new IllegalArgumentException("gaussianGrid: mean[" + i + "] = " + mean[i]
                        + ", expected a finite number");
            }
        }
        double[][] l = Cholesky.factor(covariance, d, "gaussianGrid: covariance");
        return grid(mean, l, n, 1.0);
    }

    /**
     * The grid for {@code E_{x~mixture}[f(x)] = Σ_k π_k E_{N(μ_k, Σ_k)}[f]}: the union of the components'
     * {@link #gaussianGrid}s with weights multiplied by the mixture weights {@code π_k} (components of weight
     * 0 are left out). {@code K·n^D} points.
     *
     * @param mixture the mixture
     * @param n       points per axis and component
     */
    public static QuadratureGrid mixtureGrid(GaussianMixture mixture, int n) {
        Objects.requireNonNull(mixture, "mixtureGrid: mixture");
        int d = mixture.dimension();
        checkPoints("mixtureGrid", n);
        long perComponent = gridSize("mixtureGrid", n, d);
        int k = 0;
        for (int c = 0; c < mixture.components(); c++) {
            if (mixture.weight(c) > 0) {
                k++;
            }
        }
        if (perComponent * k > MAX_GRID_POINTS) {
            throw new IllegalArgumentException("mixtureGrid: " + k + " components × n^d = " + n + "^" + d
                    + " points is more than " + MAX_GRID_POINTS + "; use fewer points per axis");
        }
        int m = (int) perComponent;
        double[] pts = new double[m * k * d];
        double[] w = new double[m * k];
        int at = 0;
        for (int c = 0; c < mixture.components(); c++) {
            double pi = mixture.weight(c);
            if (pi == 0) {
                continue;
            }
            QuadratureGrid g = grid(mixture.mean(c), mixture.choleskyFactor(c), n, pi);
            System.arraycopy(g.pointsView(), 0, pts, at * m * d, m * d);
            System.arraycopy(g.weightsView(), 0, w, at * m, m);
            at++;
        }
        return new QuadratureGrid(NdArray.wrap(pts, Shape.of(m * k, d)), NdArray.wrap(w, Shape.of(m * k)), false);
    }

    static QuadratureGrid grid(double[] mean, double[][] l, int n, double weightScale) {
        checkPoints("gaussianGrid", n);
        int d = mean.length;
        int m = (int) gridSize("gaussianGrid", n, d);
        GaussHermite rule = probabilists(n);
        double[] pts = new double[m * d];
        double[] w = new double[m];
        int[] idx = new int[d];
        double[] z = new double[d];
        for (int j = 0; j < m; j++) {
            double wj = weightScale;
            for (int a = 0; a < d; a++) {
                z[a] = rule.nodes[idx[a]];
                wj *= rule.weights[idx[a]];
            }
            double[] x = Cholesky.lowerTimes(l, z);
            for (int a = 0; a < d; a++) {
                pts[j * d + a] = mean[a] + x[a];
            }
            w[j] = wj;
            for (int a = d - 1; a >= 0; a--) { // odometer, last axis fastest
                if (++idx[a] < n) {
                    break;
                }
                idx[a] = 0;
            }
        }
        return new QuadratureGrid(NdArray.wrap(pts, Shape.of(m, d)), NdArray.wrap(w, Shape.of(m)), false);
    }

    private static long gridSize(String what, int n, int d) {
        long m = 1;
        for (int a = 0; a < d; a++) {
            m *= n;
            if (m > MAX_GRID_POINTS) {
                throw new IllegalArgumentException(what + ": n^d = " + n + "^" + d + " points is more than "
                        + MAX_GRID_POINTS + "; tensor-product grids are meant for d <= 3");
            }
        }
        return m;
    }

    private static void checkPoints(String what, int n) {
        if (n < 1 || n > MAX_POINTS) {
            throw new IllegalArgumentException(what + ": n = " + n + ", expected 1 <= n <= " + MAX_POINTS);
        }
    }

    /** Physicists' nodes (increasing) and weights for n points, cached; callers must not modify them. */
    private static double[][] rule(int n) {
        checkPoints("GaussHermite", n);
        return CACHE.computeIfAbsent(n, GaussHermite::compute);
    }

    /**
     * Golub–Welsch for the starting values, Newton for the last bits: the eigenvalues of the symmetric
     * tridiagonal Jacobi matrix of the Hermite recurrence (zero diagonal, off-diagonal {@code √(j/2)}) are the
     * roots of {@code H_n} to ~{@code ε √(2n)} absolute; a few Newton steps on {@code h_n} polish each to a few ulp,
     * and the weight {@code 2 / h_n'(x)²} is evaluated at the polished root (relative accuracy, also for the
     * tiny outer weights, which eigenvector-based weights would only give to absolute accuracy).
     */
    private static double[][] compute(int n) {
        double[] diag = new double[n];
        double[] off = new double[n];
        for (int j = 1; j < n; j++) {
            off[j - 1] = Math.sqrt(j / 2.0);
        }
        double[] eig = symmetricTridiagonalEigenvalues(diag, off);
        Arrays.sort(eig);
        double[] nodes = new double[n];
        double[] weights = new double[n];
        double[] pd = new double[2];
        int half = (n + 1) / 2;
        for (int i = 0; i < half; i++) {
            int hi = n - 1 - i;
            double z = (n % 2 == 1 && i == half - 1) ? 0 : 0.5 * (eig[hi] - eig[i]); // symmetrize the pair
            boolean converged = false;
            double previous = Double.POSITIVE_INFINITY;
            for (int it = 0; it < 50; it++) {
                hermite(n, z, pd);
                double dz = pd[0] / pd[1];
                z -= dz;
                double step = Math.abs(dz);
                // Done when the step is at the level of rounding, or stops shrinking (rounding noise floor).
                if (step <= 1e-15 * Math.max(1, Math.abs(z)) || (it >= 3 && step >= previous)) {
                    converged = true;
                    break;
                }
                previous = step;
            }
            if (!converged) {
                throw new IllegalStateException("GaussHermite: Newton's method did not converge for root " + i
                        + " of H_" + n);
            }
            hermite(n, z, pd);
            // w(x) = 2/h_n'(x)² is very sensitive to the node (d ln w/dx = −4x at a root, from the Hermite ODE
            // h'' = 2x h' − 2n h): correct to first order for the residual δ = h_n/h_n' left by rounding the
            // root to a double, w(x − δ) ≈ w(x)(1 + 4xδ). At n = 100 this takes the outermost weight's relative
            // error from ~5e-14 to ~1e-14.
            double delta = pd[0] / pd[1];
            double w = 2 / (pd[1] * pd[1]) * (1 + 4 * z * delta);
            nodes[hi] = z;
            nodes[i] = -z;
            weights[hi] = w;
            weights[i] = w;
        }
        for (int i = 1; i < n; i++) {
            if (!(nodes[i] > nodes[i - 1])) {
                throw new IllegalStateException("GaussHermite: roots " + (i - 1) + " and " + i + " of H_" + n
                        + " are not distinct (" + nodes[i - 1] + ", " + nodes[i] + ")");
            }
        }
        return new double[][] {nodes, weights};
    }

    /**
     * Eigenvalues of the symmetric tridiagonal matrix with diagonal {@code d} and sub-diagonal {@code e[0..n−2]}
     * by the implicit QL algorithm with Wilkinson shifts (EISPACK tql1, as in JAMA's {@code tql2} without
     * eigenvectors). Unsorted.
     */
    private static double[] symmetricTridiagonalEigenvalues(double[] diag, double[] sub) {
        int n = diag.length;
        double[] d = diag.clone();
        double[] e = Arrays.copyOf(sub, n);
        e[n - 1] = 0;
        double f = 0;
        double tst1 = 0;
        double eps = Math.ulp(1.0);
        for (int l = 0; l < n; l++) {
            tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
            int m = l;
            while (m < n - 1 && Math.abs(e[m]) > eps * tst1) {
                m++;
            }
            if (m > l) {
                int iter = 0;
                do {
                    if (++iter > 100) {
                        throw new IllegalStateException("GaussHermite: QL iteration did not converge");
                    }
                    double g = d[l];
                    double p = (d[l + 1] - g) / (2 * e[l]);
                    double r = Math.hypot(p, 1);
                    if (p < 0) {
                        r = -r;
                    }
                    d[l] = e[l] / (p + r);
                    d[l + 1] = e[l] * (p + r);
                    double dl1 = d[l + 1];
                    double h = g - d[l];
                    for (int i = l + 2; i < n; i++) {
                        d[i] -= h;
                    }
                    f += h;
                    p = d[m];
                    double c = 1;
                    double c2 = c;
                    double c3 = c;
                    double el1 = e[l + 1];
                    double s = 0;
                    double s2 = 0;
                    for (int i = m - 1; i >= l; i--) {
                        c3 = c2;
                        c2 = c;
                        s2 = s;
                        g = c * e[i];
                        h = c * p;
                        r = Math.hypot(p, e[i]);
                        e[i + 1] = s * r;
                        s = e[i] / r;
                        c = p / r;
                        p = c * d[i] - s * g;
                        d[i + 1] = h + s * (c * g + s * d[i]);
                    }
                    p = -s * s2 * c3 * el1 * e[l] / dl1;
                    e[l] = s * p;
                    d[l] = c * p;
                } while (Math.abs(e[l]) > eps * tst1);
            }
            d[l] += f;
            e[l] = 0;
        }
        return d;
    }

    /** {@code out[0] = h_n(z)}, {@code out[1] = h_n'(z) = √(2n) h_{n−1}(z)} (orthonormal Hermite polynomials). */
    private static void hermite(int n, double z, double[] out) {
        double p1 = PI_M4;
        double p2 = 0;
        for (int j = 0; j < n; j++) {
            double p3 = p2;
            p2 = p1;
            p1 = z * Math.sqrt(2.0 / (j + 1)) * p2 - Math.sqrt((double) j / (j + 1)) * p3;
        }
        out[0] = p1;
        out[1] = Math.sqrt(2.0 * n) * p2;
    }
}
