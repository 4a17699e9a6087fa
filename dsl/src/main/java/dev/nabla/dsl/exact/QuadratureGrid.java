package dev.nabla.dsl.exact;

import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;

import java.util.Arrays;
import java.util.Objects;
import java.util.function.Function;
import java.util.function.ToDoubleFunction;

/**
 * A quadrature rule in {@code R^d}: points {@code x_j} ({@link #points()}, shape {@code [N, d]}) and weights
 * {@code w_j} ({@link #weights()}, shape {@code [N]}) with {@code E[f(X)] ≈ Σ_j w_j f(x_j)}. Built by
 * {@link GaussHermite#gaussianGrid} and {@link GaussHermite#mixtureGrid}, where the approximation is exact
 * for polynomials of low enough degree.
 *
 * <p>Graph functions are evaluated on all points at once: {@link #expectation(Function)} feeds
 * {@code Tensor.constant(points)} to f and sums the weighted rows, so a score model, a log-density or any
 * loss written with tensors gets a quadrature expectation without a loop over points — exact for polynomials of
 * the rule's degree, an approximation otherwise (e.g. mixture scores, where Gauss–Hermite converges slowly; see
 * {@link GaussianMixture#fisherTraceEstimate} for an integral computed to a stated tolerance).
 */
public final class QuadratureGrid {
    private final double[] points;
    private final double[] weights;
    private final int n;
    private final int d;

    /**
     * A grid from given points and weights (copied, converted to float64).
     *
     * @param points  {@code [N, d]}, finite
     * @param weights {@code [N]}, finite
     */
    public QuadratureGrid(NdArray points, NdArray weights) {
        Objects.requireNonNull(points, "QuadratureGrid: points");
        Objects.requireNonNull(weights, "QuadratureGrid: weights");
        if (points.shape().rank() != 2) {
            throw new IllegalArgumentException("QuadratureGrid: points has shape " + points.shape()
                    + ", expected [N, d]");
        }
        if (weights.shape().rank() != 1 || weights.size() != points.shape().dim(0)) {
            throw new IllegalArgumentException("QuadratureGrid: weights has shape " + weights.shape()
                    + ", expected [" + points.shape().dim(0) + "] to match points " + points.shape());
        }
        int bad = points.firstNonFinite();
        if (bad >= 0) {
            throw new IllegalArgumentException("QuadratureGrid: points has " + points.getFlat(bad) + " at flat index "
                    + bad + ", expected finite values");
        }
        bad = weights.firstNonFinite();
        if (bad >= 0) {
            throw new IllegalArgumentException("QuadratureGrid: weights[" + bad + "] = " + weights.getFlat(bad)
                    + ", expected finite values");
        }
        this.points = points.toDoubleArray();
        this.weights = weights.toDoubleArray();
        this.n = points.shape().dim(0);
        this.d = points.shape().dim(1);
    }

    /** Trusted constructor: takes the float64 arrays as they are. */
    QuadratureGrid(NdArray points, NdArray weights, boolean trusted) {
        this.points = points.f64();
        this.weights = weights.f64();
        this.n = points.shape().dim(0);
        this.d = points.shape().dim(1);
    }

    /** Number of points N. */
    public int size() {
        return n;
    }

    /** Dimension d of the points. */
    public int dimension() {
        return d;
    }

    /** The points, {@code [N, d]} float64 (a copy). */
    public NdArray points() {
        return NdArray.of(points, n, d);
    }

    /** The weights, {@code [N]} float64 (a copy). */
    public NdArray weights() {
        return NdArray.of(weights, n);
    }

    double[] pointsView() {
        return points;
    }

    double[] weightsView() {
        return weights;
    }

    /** {@code Σ_j w_j} (1 for a grid of a probability distribution, up to rounding). */
    public double totalWeight() {
        double s = 0;
        for (double w : weights) {
            s += w;
        }
        return s;
    }

    /** {@code Σ_j w_j f(x_j)} for a plain Java function of a point (the array passed is reused between calls). */
    public double pointwiseExpectation(ToDoubleFunction<double[]> f) {
        Objects.requireNonNull(f, "expectation: f");
        double[] x = new double[d];
        double s = 0;
        for (int j = 0; j < n; j++) {
            System.arraycopy(points, j * d, x, 0, d);
            s += weights[j] * f.applyAsDouble(x);
        }
        return s;
    }

    /**
     * {@code Σ_j w_j f(X)_j} for a graph function evaluated on all points at once: {@code f} receives the
     * float64 constant {@code X = points} ({@code [N, d]}) and must return a tensor {@code [N, ...]} without
     * placeholders; the result has shape {@code [...]} (a scalar array for {@code [N]}; read it with
     * {@link NdArray#item()}).
     */
    public NdArray expectation(Function<Tensor, Tensor> f) {
        Objects.requireNonNull(f, "expectation: f");
        Tensor x = Tensor.constant(NdArray.wrap(points, Shape.of(n, d)));
        Tensor v = f.apply(x);
        if (v == null || v.rank() < 1 || v.shape().dim(0) != n) {
            throw new IllegalArgumentException("expectation: f returned " + (v == null ? "null" : "shape " + v.shape())
                    + ", expected a tensor [" + n + ", ...] (one row per grid point)");
        }
        int[] wd = new int[v.rank()];
        Arrays.fill(wd, 1);
        wd[0] = n;
        Tensor w = Tensor.constant(NdArray.wrap(weights, Shape.of(n))).reshape(wd).cast(v.dtype());
        return v.mul(w).sum(0).eval();
    }

    /** {@code Σ_j w_j f(X)_j} as a double, for a graph function returning {@code [N]}. */
    public double expectationScalar(Function<Tensor, Tensor> f) {
        NdArray r = expectation(f);
        if (r.size() != 1) {
            throw new IllegalArgumentException("expectationScalar: f returned rows of shape " + r.shape()
                    + ", expected one value per point ([N])");
        }
        return r.getFlat(0);
    }
}
