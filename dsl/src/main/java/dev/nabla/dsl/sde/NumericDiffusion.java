package dev.nabla.dsl.sde;

import dev.nabla.core.NdArray;
import dev.nabla.core.Tensor;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;

/**
 * A {@link Diffusion} given only as {@code g(t)}: {@code G(t) = ∫_0^t g²} tabulated by quadrature and
 * interpolated by cubic Hermite pieces, its inverse by root finding (numbers) or interpolation plus Newton
 * steps (tensors). See {@link Diffusion#numeric}.
 */
final class NumericDiffusion implements Diffusion {
    private static final String NAME = "Diffusion.numeric";
    /** 5-point Gauss–Legendre nodes and weights on [−1, 1]. */
    private static final double[] GL_X = {0, -0.5384693101056831, 0.5384693101056831, -0.9061798459386640,
            0.9061798459386640};
    private static final double[] GL_W = {0.5688888888888889, 0.4786286704993665, 0.4786286704993665,
            0.2369268850561891, 0.2369268850561891};
    /** The most Newton steps applied to the in-graph inverse after its interpolated start. */
    static final int MAX_GRAPH_NEWTON_STEPS = 8;

    private final DoubleUnaryOperator g;
    private final Function<Tensor, Tensor> gTensor;
    private final double horizon;
    private final int n;
    private final double[] t;   // nodes
    private final double[] big; // G(t_i)
    private final double[] m;   // g(t_i)² = G'(t_i)
    // Hermite cubic on cell i: G(t_i + d) ≈ big[i] + m[i] d + c2[i] d² + c3[i] d³
    private final double[] c2;
    private final double[] c3;
    // cubic Hermite of G⁻¹ on cell j of the table: t_j + ib[j] e + ic2[j] e² + ic3[j] e³, e = u − G_j
    private final double[] ib;
    private final double[] ic2;
    private final double[] ic3;
    private final int newtonSteps;

    NumericDiffusion(DoubleUnaryOperator g, Function<Tensor, Tensor> gTensor, double horizon, int gridPoints) {
        this.g = Objects.requireNonNull(g, "Diffusion.numeric: g");
        this.gTensor = Objects.requireNonNull(gTensor, "Diffusion.numeric: gTensor");
        if (!(horizon > 0) || !Double.isFinite(horizon)) {
            throw new IllegalArgumentException("Diffusion.numeric: horizon = " + horizon
                    + ", expected a finite number > 0");
        }
        if (gridPoints < 2) {
            throw new IllegalArgumentException("Diffusion.numeric: gridPoints = " + gridPoints + ", expected >= 2");
        }
        this.horizon = horizon;
        this.n = gridPoints;
        t = new double[n];
        for (int i = 0; i < n; i++) {
            t[i] = i == n - 1 ? horizon : horizon * i / (n - 1);
        }
        m = new double[n];
        for (int i = 0; i < n; i++) {
            m[i] = g2(t[i]);
        }
        big = new double[n];
        for (int i = 0; i + 1 < n; i++) {
            double a = t[i];
            double h = t[i + 1] - a;
            double s = 0;
            for (int k = 0; k < GL_X.length; k++) {
                s += GL_W[k] * g2(a + 0.5 * h * (GL_X[k] + 1));
            }
            big[i + 1] = big[i] + 0.5 * h * s;
        }
        if (!Double.isFinite(big[n - 1])) {
            throw new IllegalArgumentException("Diffusion.numeric: G(T) = ∫_0^T g² = " + big[n - 1]
                    + " for T = " + horizon + ", expected a finite number");
        }
        c2 = new double[n - 1];
        c3 = new double[n - 1];
        for (int i = 0; i + 1 < n; i++) {
            double h = t[i + 1] - t[i];
            double delta = (big[i + 1] - big[i]) / h;
            c2[i] = (3 * delta - 2 * m[i] - m[i + 1]) / h;
            c3[i] = (m[i] + m[i + 1] - 2 * delta) / (h * h);
            // Fritsch–Carlson: the cubic is monotone on the cell if α² + β² ≤ 9 (α = m_i/Δ, β = m_{i+1}/Δ)
            double al = m[i] / delta;
            double be = m[i + 1] / delta;
            if (!(al * al + be * be <= 9)) {
                throw new IllegalArgumentException("Diffusion.numeric: on the cell [" + t[i] + ", " + t[i + 1]
                        + "] the cubic interpolant of G is not monotone (g² = " + m[i] + ", " + m[i + 1]
                        + " at the ends, mean " + delta + "); g varies too fast for gridPoints = " + gridPoints
                        + ", use more grid points");
            }
        }
        ib = new double[n - 1];
        ic2 = new double[n - 1];
        ic3 = new double[n - 1];
        for (int j = 0; j + 1 < n; j++) {
            double du = big[j + 1] - big[j];
            double delta = (t[j + 1] - t[j]) / du;
            double p0 = 1 / m[j];
            double p1 = 1 / m[j + 1];
            ib[j] = p0;
            ic2[j] = (3 * delta - 2 * p0 - p1) / du;
            ic3[j] = (p0 + p1 - 2 * delta) / (du * du);
        }
        newtonSteps = chooseNewtonSteps();
        checkTensorVersion();
    }

    private double g2(double s) {
        double v = g.applyAsDouble(s);
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException("Diffusion.numeric: g(" + s + ") = " + v
                    + ", expected a finite number > 0 on [0, " + horizon + "] (G = ∫g² must be strictly increasing "
                    + "to be inverted)");
        }
        return v * v;
    }

    /** gTensor must agree with g on the grid: catches the two being given inconsistently. */
    private void checkTensorVersion() {
        int k = Math.min(n, 9);
        double[] ts = new double[k];
        for (int j = 0; j < k; j++) {
            ts[j] = t[(int) ((long) j * (n - 1) / Math.max(1, k - 1))];
        }
        Tensor out = gTensor.apply(Tensor.of(ts));
        if (out == null || out.size() != k) {
            throw new IllegalArgumentException("Diffusion.numeric: gTensor returned " + out + " for times of shape ["
                    + k + "], expected the same shape");
        }
        double[] v = out.eval().toDoubleArray();
        for (int j = 0; j < k; j++) {
            double expect = g.applyAsDouble(ts[j]);
            if (!(Math.abs(v[j] - expect) <= 1e-6 * Math.abs(expect) + 1e-12)) {
                throw new IllegalArgumentException("Diffusion.numeric: gTensor(" + ts[j] + ") = " + v[j]
                        + " but g(" + ts[j] + ") = " + expect + "; expected g and gTensor to be the same function");
            }
        }
    }

    int gridPoints() {
        return n;
    }

    /** Newton steps of the in-graph inverse (chosen at construction). */
    int newtonSteps() {
        return newtonSteps;
    }

    @Override
    public double at(double s) {
        return g.applyAsDouble(Times.check(NAME, "at", "t", s, horizon));
    }

    @Override
    public Tensor at(Tensor s) {
        return gTensor.apply(s);
    }

    /** Index of the cell holding {@code s ∈ [t_0, t_{n−1}]}, in 0..n−2. */
    private int cell(double s) {
        int i = (int) Math.min(n - 2, Math.max(0, Math.floor(s / horizon * (n - 1))));
        while (i > 0 && s < t[i]) {
            i--;
        }
        while (i < n - 2 && s >= t[i + 1]) {
            i++;
        }
        return i;
    }

    private double hermite(int i, double d) {
        return big[i] + d * (m[i] + d * (c2[i] + d * c3[i]));
    }

    private double hermiteSlope(int i, double d) {
        return m[i] + d * (2 * c2[i] + 3 * d * c3[i]);
    }

    @Override
    public double integral(double time) {
        double s = Times.check(NAME, "integral", "t", time, horizon);
        if (s == horizon) {
            return big[n - 1];
        }
        int i = cell(s);
        return hermite(i, s - t[i]);
    }

    @Override
    public double inverseIntegral(double uArg) {
        double u = Times.check(NAME, "inverseIntegral", "u", uArg, big[n - 1], "[0, G(T) = " + big[n - 1] + "]");
        if (u == big[n - 1]) {
            return horizon;
        }
        int i = tableCell(u);
        if (u == big[i]) {
            return t[i];
        }
        // safeguarded Newton on the (monotone) cubic of cell i
        double a = 0;
        double b = t[i + 1] - t[i];
        double d = b * (u - big[i]) / (big[i + 1] - big[i]);
        for (int it = 0; it < 100; it++) {
            double f = hermite(i, d) - u;
            if (f > 0) {
                b = d;
            } else {
                a = d;
            }
            double slope = hermiteSlope(i, d);
            double next = d - f / slope;
            if (!(next > a && next < b) || !(slope > 0)) {
                next = 0.5 * (a + b);
            }
            if (Math.abs(next - d) <= 1e-15 * (t[i] + Math.abs(d)) || b - a <= 1e-15 * (t[i] + b)) {
                d = next;
                break;
            }
            d = next;
        }
        return t[i] + d;
    }

    @Override
    public Tensor integral(Tensor s) {
        return hermite(s.maximum(0).minimum(horizon));
    }

    /** The Hermite interpolant in the graph, on times already clamped to [0, T]. */
    private Tensor hermite(Tensor s) {
        double[] upper = upperBounds(t);
        return piecewise(s, t, upper, big, m, c2, c3);
    }

    private Tensor hermiteSlope(Tensor s) {
        double[] two = new double[n - 1];
        double[] three = new double[n - 1];
        double[] zero = new double[n - 1];
        for (int i = 0; i < n - 1; i++) {
            two[i] = 2 * c2[i];
            three[i] = 3 * c3[i];
        }
        return piecewise(s, t, upperBounds(t), m, two, three, zero);
    }

    @Override
    public Tensor inverseIntegral(Tensor u) {
        Tensor uc = u.maximum(0).minimum(big[n - 1]);
        // start: cubic Hermite interpolation of G⁻¹ on the (G_i, t_i) table with slopes 1/g(t_i)²
        Tensor s = piecewise(uc, big, upperBounds(big), t, ib, ic2, ic3);
        // then Newton on the Hermite interpolant of G: s ← s − (H(s) − u)/H'(s)
        for (int k = 0; k < newtonSteps; k++) {
            s = s.sub(hermite(s).sub(uc).div(hermiteSlope(s))).maximum(0).minimum(horizon);
        }
        return s;
    }

    /** The in-graph inverse's algorithm on a number, with {@code steps} Newton steps (to choose their count). */
    private double graphInverse(double u, int steps) {
        int j = tableCell(u);
        double e = u - big[j];
        double s = t[j] + e * (ib[j] + e * (ic2[j] + e * ic3[j]));
        for (int k = 0; k < steps; k++) {
            int i = s >= horizon ? n - 2 : cell(Math.max(0, s));
            double d = s - t[i];
            s = Math.min(horizon, Math.max(0, s - (hermite(i, d) - u) / hermiteSlope(i, d)));
        }
        return s;
    }

    /** The cell j with {@code G_j ≤ u < G_{j+1}} (the last cell for u = G(T)). */
    private int tableCell(double u) {
        int lo = 0;
        int hi = n - 1;
        while (hi - lo > 1) {
            int mid = (lo + hi) >>> 1;
            if (big[mid] <= u) {
                lo = mid;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    /**
     * The number of Newton steps the in-graph inverse needs to agree with {@link #inverseIntegral(double)} to
     * 1e-13·T at 7 points per cell (at most {@link #MAX_GRAPH_NEWTON_STEPS}).
     */
    private int chooseNewtonSteps() {
        for (int k = 0; k < MAX_GRAPH_NEWTON_STEPS; k++) {
            boolean ok = true;
            for (int j = 0; j + 1 < n && ok; j++) {
                for (int q = 1; q <= 7 && ok; q++) {
                    double u = big[j] + (big[j + 1] - big[j]) * q / 8.0;
                    ok = Math.abs(graphInverse(u, k) - inverseIntegral(u)) <= 1e-13 * horizon;
                }
            }
            if (ok) {
                return k;
            }
        }
        return MAX_GRAPH_NEWTON_STEPS;
    }

    private static double[] upperBounds(double[] knots) {
        double[] up = new double[knots.length - 1];
        for (int i = 0; i < up.length; i++) {
            up[i] = knots[i + 1];
        }
        up[up.length - 1] = Double.POSITIVE_INFINITY;
        return up;
    }

    /**
     * {@code Σ_i 1[lo_i ≤ x < up_i] · (a_i + b_i d + c_i d² + e_i d³)}, {@code d = x − lo_i}, elementwise over x's
     * shape (via a trailing axis of cells, summed away). The indicator has no derivative; the polynomial's
     * derivative in x flows.
     */
    private static Tensor piecewise(Tensor x, double[] lo, double[] up, double[] a, double[] b, double[] c, double[] e) {
        int cells = lo.length - 1;
        int[] dims = x.shape().dims();
        int[] withCell = Arrays.copyOf(dims, dims.length + 1);
        withCell[dims.length] = 1;
        Tensor xc = x.reshape(withCell);
        Tensor lower = vec(Arrays.copyOf(lo, cells), x);
        Tensor d = xc.sub(lower);
        Tensor mask = xc.ge(lower).mul(xc.lt(vec(up, x)));
        Tensor poly = vec(Arrays.copyOf(e, cells), x).mul(d).add(vec(Arrays.copyOf(c, cells), x))
                .mul(d).add(vec(Arrays.copyOf(b, cells), x)).mul(d).add(vec(Arrays.copyOf(a, cells), x));
        return poly.mul(mask).sum(-1);
    }

    private static Tensor vec(double[] v, Tensor like) {
        return Tensor.constant(NdArray.of(v, v.length)).cast(like.dtype());
    }

    @Override
    public String toString() {
        return "numeric g on [0, " + horizon + "], " + n + " grid points";
    }
}
