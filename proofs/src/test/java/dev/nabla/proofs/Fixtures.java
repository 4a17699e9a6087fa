package dev.nabla.proofs;

import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.dsl.exact.GaussHermite;
import dev.nabla.dsl.exact.GaussianMixture;
import dev.nabla.dsl.exact.QuadratureGrid;
import dev.nabla.dsl.sde.VarianceExploding;
import dev.nabla.dsl.sde.VariancePreserving;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Shared pieces of the properties: random data distributions and models from a seed, the perturbation
 * kernels of the dsl's SDEs, quadrature rules, and a few dense linear-algebra helpers on doubles (used only to
 * build reference values and grids, never for the quantities under test).
 */
final class Fixtures {
    private Fixtures() {
    }

    // ------------------------------------------------------------------ kernels

    /** A perturbation kernel {@code x_t = α x_0 + σ ε}, taken from a dsl SDE at a time t. */
    record Kernel(String name, double alpha, double sigma) {
        @Override
        public String toString() {
            return name + "(α=" + alpha + ", σ=" + sigma + ")";
        }
    }

    /** The VE SDE of σ ∈ [1e-3, 1e2]: at u ∈ [0, 1], t = 0.05 + 0.95u gives σ_t from 1.5e-3 to 1e2. */
    static final VarianceExploding VE = new VarianceExploding(1e-3, 1e2);
    /** The standard VP SDE (β ∈ [0.1, 20]): at u ∈ [0, 1], t = 1e-3 + u(1 − 1e-3) gives σ_t from 1e-2 to 1. */
    static final VariancePreserving VP = VariancePreserving.standard();

    static Kernel kernel(boolean variancePreserving, double u) {
        if (variancePreserving) {
            double t = 1e-3 + u * (1 - 1e-3);
            return new Kernel("VP", VP.meanScale(t), VP.std(t));
        }
        double t = 0.05 + 0.95 * u;
        return new Kernel("VE", VE.meanScale(t), VE.std(t));
    }

    // ------------------------------------------------------------------ random data

    static double[][] randomSpd(SplittableRandom r, int d, double minEig, double maxEig) {
        // Q diag(λ) Qᵀ with Q from Gram–Schmidt of a random matrix
        double[][] q = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                q[i][j] = r.nextDouble() * 2 - 1;
            }
            for (int k = 0; k < i; k++) {
                double dot = 0;
                for (int j = 0; j < d; j++) {
                    dot += q[i][j] * q[k][j];
                }
                for (int j = 0; j < d; j++) {
                    q[i][j] -= dot * q[k][j];
                }
            }
            double n = 0;
            for (int j = 0; j < d; j++) {
                n += q[i][j] * q[i][j];
            }
            n = Math.sqrt(n);
            for (int j = 0; j < d; j++) {
                q[i][j] /= n;
            }
        }
        double[] lam = new double[d];
        for (int i = 0; i < d; i++) {
            lam[i] = minEig + (maxEig - minEig) * r.nextDouble();
        }
        double[][] s = new double[d][d];
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < d; j++) {
                for (int k = 0; k < d; k++) {
                    s[i][j] += q[k][i] * lam[k] * q[k][j];
                }
            }
        }
        return s;
    }

    /** A random mixture of K components in D dims: weights ≥ 0.1, means in [−2.5, 2.5], stds in [0.35, 1.2]. */
    static GaussianMixture randomMixture(SplittableRandom r, int d, int k) {
        double[] w = new double[k];
        double sum = 0;
        for (int c = 0; c < k; c++) {
            w[c] = 0.1 + r.nextDouble();
            sum += w[c];
        }
        double[][] mu = new double[k][d];
        double[][][] cov = new double[k][][];
        for (int c = 0; c < k; c++) {
            w[c] /= sum;
            for (int i = 0; i < d; i++) {
                mu[c][i] = 5 * r.nextDouble() - 2.5;
            }
            cov[c] = randomSpd(r, d, 0.35 * 0.35, 1.2 * 1.2);
        }
        double s = 0;
        for (int c = 0; c < k - 1; c++) {
            s += w[c];
        }
        w[k - 1] = 1 - s;
        return new GaussianMixture(w, mu, cov);
    }

    // ------------------------------------------------------------------ models (graph code)

    /**
     * A score model {@code s_θ(x)} written as graph code, with its parameters as leaf tensors so that
     * {@code Autodiff.grad(loss, params())} differentiates through it. The input is preconditioned,
     * {@code x̃ = (x − shift)/scale} and the output divided by scale (EDM's c_in/c_out), so that the model is
     * O(1) on the O(1) range of x̃ at every noise level and its weights keep their meaning across σ.
     */
    interface Model {
        Tensor apply(Tensor x);

        List<Tensor> params();

        String describe();
    }

    static Tensor randomMatrix(SplittableRandom r, int rows, int cols, double scale) {
        double[] a = new double[rows * cols];
        for (int i = 0; i < a.length; i++) {
            a[i] = scale * (2 * r.nextDouble() - 1);
        }
        return Tensor.of(a, rows, cols);
    }

    /** {@code s(x) = (x̃ A + b)/scale}. */
    static Model linear(SplittableRandom r, int d, double[] shift, double scale) {
        Tensor a = randomMatrix(r, d, d, 1.5);
        Tensor b = randomMatrix(r, 1, d, 1.0).reshape(d);
        Tensor sh = Tensor.of(shift);
        return new Model() {
            public Tensor apply(Tensor x) {
                return x.sub(sh).div(scale).matmul(a).add(b).div(scale);
            }

            public List<Tensor> params() {
                return List.of(a, b);
            }

            public String describe() {
                return "linear";
            }
        };
    }

    /** {@code s(x) = (tanh(x̃ W1 + b1) W2 + b2)/scale}, hidden width h. */
    static Model mlp(SplittableRandom r, int d, int h, double[] shift, double scale) {
        Tensor w1 = randomMatrix(r, d, h, 1.2);
        Tensor b1 = randomMatrix(r, 1, h, 0.5).reshape(h);
        Tensor w2 = randomMatrix(r, h, d, 1.2);
        Tensor b2 = randomMatrix(r, 1, d, 0.5).reshape(d);
        Tensor sh = Tensor.of(shift);
        return new Model() {
            public Tensor apply(Tensor x) {
                return x.sub(sh).div(scale).matmul(w1).add(b1).tanh().matmul(w2).add(b2).div(scale);
            }

            public List<Tensor> params() {
                return List.of(w1, b1, w2, b2);
            }

            public String describe() {
                return "mlp(" + h + ")";
            }
        };
    }

    static Model model(SplittableRandom r, boolean mlp, int d, double[] shift, double scale) {
        return mlp ? mlp(r, d, 8, shift, scale) : linear(r, d, shift, scale);
    }

    // ------------------------------------------------------------------ evaluation

    /** Evaluates several graphs in one plan; copies of the results. */
    static double[][] eval(List<Tensor> outs) {
        Plan p = Plan.compile(outs);
        p.execute();
        double[][] r = new double[outs.size()][];
        for (int i = 0; i < outs.size(); i++) {
            r[i] = p.get(outs.get(i)).toDoubleArray();
        }
        return r;
    }

    static double[] flatten(double[][] parts) {
        int n = 0;
        for (double[] p : parts) {
            n += p.length;
        }
        double[] out = new double[n];
        int at = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static double norm(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v * v;
        }
        return Math.sqrt(s);
    }

    static double maxAbsDiff(double[] a, double[] b) {
        double m = 0;
        for (int i = 0; i < a.length; i++) {
            m = Math.max(m, Math.abs(a[i] - b[i]));
        }
        return m;
    }

    static double maxAbs(double[] a) {
        double m = 0;
        for (double v : a) {
            m = Math.max(m, Math.abs(v));
        }
        return m;
    }

    // ------------------------------------------------------------------ quadrature

    /** Weighted points: {@code E f ≈ Σ w_j f(x_j)}; points {@code [N, d]}. */
    record Rule(double[] points, double[] weights, int d) {
        int size() {
            return weights.length;
        }

        Tensor x() {
            return Tensor.of(points, size(), d);
        }

        /** Weights as a column [N] constant. */
        Tensor w() {
            return Tensor.of(weights, size());
        }

        /** {@code Σ_j w_j v_j} for a graph {@code v [N]}. */
        Tensor expect(Tensor v) {
            return v.mul(w()).sum();
        }

        static Rule of(QuadratureGrid g) {
            return new Rule(g.points().toDoubleArray(), g.weights().toDoubleArray(), g.dimension());
        }
    }

    /**
     * The trapezoidal rule for {@code E_q f} with q a 1-D mixture: nodes every {@code h = w_min/40} over
     * {@code [min μ_k − 14 w_max, max μ_k + 14 w_max]} (w = component standard deviations), weights
     * {@code h q(x_j)}. For integrands analytic in a strip (mixture densities and scores are; the narrowest
     * transition of the responsibilities is ~w_min/3 wide) the error falls like {@code exp(−2π a/h)} with a the
     * strip's half width: below 1e-20 here, and the truncated tails carry less than e^{−98}.
     */
    static Rule trapezoid(GaussianMixture q) {
        if (q.dimension() != 1) {
            throw new IllegalArgumentException("trapezoid: 1-D mixtures only");
        }
        double lo = Double.POSITIVE_INFINITY;
        double hi = Double.NEGATIVE_INFINITY;
        double wMin = Double.POSITIVE_INFINITY;
        double wMax = 0;
        for (int c = 0; c < q.components(); c++) {
            double m = q.mean(c)[0];
            double w = Math.sqrt(q.covariance(c)[0][0]);
            wMin = Math.min(wMin, w);
            wMax = Math.max(wMax, w);
            lo = Math.min(lo, m);
            hi = Math.max(hi, m);
        }
        lo -= 14 * wMax;
        hi += 14 * wMax;
        double h = wMin / 40;
        int n = (int) Math.ceil((hi - lo) / h) + 1;
        double[] x = new double[n];
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + i * h;
            w[i] = h * q.density(new double[] {x[i]});
        }
        return new Rule(x, w, 1);
    }

    /**
     * The trapezoidal rule for {@code E_{N(mean, cov)} f} in whitened coordinates: {@code x = mean + L z},
     * z on a tensor grid of spacing h over {@code [−r, r]^d} with weights {@code h^d φ(z)}. For f analytic in a
     * strip of half-width a (in z units) the error is ~{@code exp(−2πa/h)}, plus the tails beyond r.
     */
    static Rule trapezoidGaussian(double[] mean, double[][] cov, double h, double r) {
        int d = mean.length;
        double[][] l = cholesky(cov);
        int m = (int) Math.round(2 * r / h) + 1;
        int n = (int) Math.pow(m, d);
        double[] pts = new double[n * d];
        double[] w = new double[n];
        double[] z = new double[d];
        for (int j = 0; j < n; j++) {
            int rem = j;
            double q = 0;
            for (int i = d - 1; i >= 0; i--) {
                z[i] = -r + (rem % m) * h;
                rem /= m;
                q += z[i] * z[i];
            }
            w[j] = Math.pow(h / Math.sqrt(2 * Math.PI), d) * Math.exp(-0.5 * q);
            for (int i = 0; i < d; i++) {
                double x = mean[i];
                for (int k = 0; k <= i; k++) {
                    x += l[i][k] * z[k];
                }
                pts[j * d + i] = x;
            }
        }
        return new Rule(pts, w, d);
    }

    /** Probabilists' Gauss–Hermite grid for N(0, I_d), n per axis. */
    static Rule standardNormal(int d, int n) {
        double[] mean = new double[d];
        double[][] eye = new double[d][d];
        for (int i = 0; i < d; i++) {
            eye[i][i] = 1;
        }
        return Rule.of(GaussHermite.gaussianGrid(mean, eye, n));
    }

    /** The product rule of a (d1-dim) and b (d2-dim): points [a | b] in d1 + d2 dims, weights multiplied. */
    static Rule product(Rule a, Rule b) {
        int n = a.size() * b.size();
        int d = a.d + b.d;
        double[] p = new double[n * d];
        double[] w = new double[n];
        for (int i = 0; i < a.size(); i++) {
            for (int j = 0; j < b.size(); j++) {
                int r = i * b.size() + j;
                System.arraycopy(a.points, i * a.d, p, r * d, a.d);
                System.arraycopy(b.points, j * b.d, p, r * d + a.d, b.d);
                w[r] = a.weights[i] * b.weights[j];
            }
        }
        return new Rule(p, w, d);
    }

    // ------------------------------------------------------------------ small dense linear algebra (doubles)

    static double[][] cholesky(double[][] a) {
        int n = a.length;
        double[][] l = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j <= i; j++) {
                double s = a[i][j];
                for (int k = 0; k < j; k++) {
                    s -= l[i][k] * l[j][k];
                }
                if (i == j) {
                    if (!(s > 0)) {
                        throw new IllegalArgumentException("cholesky: not positive definite");
                    }
                    l[i][i] = Math.sqrt(s);
                } else {
                    l[i][j] = s / l[j][j];
                }
            }
        }
        return l;
    }

    static double[][] inverse(double[][] a) {
        int n = a.length;
        double[][] m = new double[n][2 * n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(a[i], 0, m[i], 0, n);
            m[i][n + i] = 1;
        }
        for (int c = 0; c < n; c++) {
            int p = c;
            for (int r = c + 1; r < n; r++) {
                if (Math.abs(m[r][c]) > Math.abs(m[p][c])) {
                    p = r;
                }
            }
            double[] t = m[c];
            m[c] = m[p];
            m[p] = t;
            double piv = m[c][c];
            for (int j = 0; j < 2 * n; j++) {
                m[c][j] /= piv;
            }
            for (int r = 0; r < n; r++) {
                if (r != c) {
                    double f = m[r][c];
                    for (int j = 0; j < 2 * n; j++) {
                        m[r][j] -= f * m[c][j];
                    }
                }
            }
        }
        double[][] inv = new double[n][n];
        for (int i = 0; i < n; i++) {
            System.arraycopy(m[i], n, inv[i], 0, n);
        }
        return inv;
    }

    static double[][] matmul(double[][] a, double[][] b) {
        int n = a.length;
        int m = b[0].length;
        double[][] c = new double[n][m];
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < b.length; k++) {
                for (int j = 0; j < m; j++) {
                    c[i][j] += a[i][k] * b[k][j];
                }
            }
        }
        return c;
    }

    static double trace(double[][] a) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += a[i][i];
        }
        return s;
    }

    static double[][] scaledPlusIdentity(double[][] a, double scale, double diag) {
        int n = a.length;
        double[][] c = new double[n][n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < n; j++) {
                c[i][j] = scale * a[i][j] + (i == j ? diag : 0);
            }
        }
        return c;
    }

    static Tensor matrix(double[][] a) {
        return Tensor.of(a);
    }

    static NdArray rows(double[] flat, int d) {
        return NdArray.of(flat, flat.length / d, d);
    }

    static List<Tensor> concat(List<Tensor> a, List<Tensor> b) {
        List<Tensor> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    static Shape shape(int... d) {
        return Shape.of(d);
    }
}
