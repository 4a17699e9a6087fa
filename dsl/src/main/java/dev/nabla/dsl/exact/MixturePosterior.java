package dev.nabla.dsl.exact;

import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;

import java.util.Objects;

/**
 * The posteriors {@code p(x_0 | x_t^{(b)}) = Σ_k r_{bk} N(x_0; m_{bk}, C_k)} of a Gaussian mixture prior under
 * the kernel {@code x_t = α x_0 + σ ε}, one per row b of {@code x_t} ({@link GaussianMixture#posterior}).
 * The component covariances {@code C_k} do not depend on {@code x_t}. From them, by the law of total
 * covariance,
 *
 * <pre>
 *   E[x_0 | x_t]   = Σ_k r_k m_k
 *   Cov(x_0 | x_t) = Σ_k r_k (C_k + m_k m_kᵀ) − E[x_0|x_t] E[x_0|x_t]ᵀ
 * </pre>
 *
 * and the variance of the conditional score {@code ∇ log q(x_t|x_0) = −(x_t − α x_0)/σ²} is
 * {@code Var_{x_0|x_t} = α² Cov(x_0|x_t)/σ⁴} (THEORY.md §3, which by Tweedie's second-order formula equals
 * {@code I/σ² + ∇² log p_t(x_t)} when α = 1).
 *
 * @param responsibilities {@code r_{bk}}, {@code [B, K]}, rows summing to 1
 * @param means            {@code m_{bk}}, {@code [B, K, D]}
 * @param covariances      {@code C_k}, {@code [K, D, D]}, the same for every row
 */
public record MixturePosterior(NdArray responsibilities, NdArray means, NdArray covariances) {

    public MixturePosterior {
        Objects.requireNonNull(responsibilities, "MixturePosterior: responsibilities");
        Objects.requireNonNull(means, "MixturePosterior: means");
        Objects.requireNonNull(covariances, "MixturePosterior: covariances");
        Shape r = responsibilities.shape();
        Shape m = means.shape();
        Shape c = covariances.shape();
        if (r.rank() != 2 || m.rank() != 3 || c.rank() != 3 || m.dim(0) != r.dim(0) || m.dim(1) != r.dim(1)
                || c.dim(0) != r.dim(1) || c.dim(1) != m.dim(2) || c.dim(2) != m.dim(2)) {
            throw new IllegalArgumentException("MixturePosterior: shapes responsibilities " + r + ", means " + m
                    + ", covariances " + c + " do not fit; expected [B, K], [B, K, D], [K, D, D]");
        }
    }

    /** Number of rows B. */
    public int rows() {
        return responsibilities.shape().dim(0);
    }

    /** Number of components K. */
    public int components() {
        return responsibilities.shape().dim(1);
    }

    /** Dimension D. */
    public int dimension() {
        return means.shape().dim(2);
    }

    /** {@code E[x_0 | x_t]} per row, {@code [B, D]}. */
    public NdArray mean() {
        int b = rows();
        int k = components();
        int d = dimension();
        double[] out = new double[b * d];
        for (int r = 0; r < b; r++) {
            for (int c = 0; c < k; c++) {
                double w = responsibilities.getFlat(r * k + c);
                for (int i = 0; i < d; i++) {
                    out[r * d + i] += w * means.getFlat((r * k + c) * d + i);
                }
            }
        }
        return NdArray.wrap(out, Shape.of(b, d));
    }

    /** {@code Cov(x_0 | x_t)} per row, {@code [B, D, D]} (law of total covariance, centred per component). */
    public NdArray covariance() {
        int b = rows();
        int k = components();
        int d = dimension();
        double[] mu = mean().f64();
        double[] out = new double[b * d * d];
        for (int r = 0; r < b; r++) {
            for (int c = 0; c < k; c++) {
                double w = responsibilities.getFlat(r * k + c);
                if (w == 0) {
                    continue;
                }
                for (int i = 0; i < d; i++) {
                    double di = means.getFlat((r * k + c) * d + i) - mu[r * d + i];
                    for (int j = 0; j < d; j++) {
                        double dj = means.getFlat((r * k + c) * d + j) - mu[r * d + j];
                        out[(r * d + i) * d + j] += w * (covariances.getFlat((c * d + i) * d + j) + di * dj);
                    }
                }
            }
        }
        return NdArray.wrap(out, Shape.of(b, d, d));
    }

    /** {@code tr Cov(x_0 | x_t)} per row, {@code [B]}. */
    public NdArray traceCovariance() {
        int b = rows();
        int d = dimension();
        double[] cov = covariance().f64();
        double[] out = new double[b];
        for (int r = 0; r < b; r++) {
            for (int i = 0; i < d; i++) {
                out[r] += cov[(r * d + i) * d + i];
            }
        }
        return NdArray.wrap(out, Shape.of(b));
    }

    /** The posterior of row {@code b} as a {@link GaussianMixture} (for quadrature or sampling). */
    public GaussianMixture row(int b) {
        if (b < 0 || b >= rows()) {
            throw new IllegalArgumentException("row: b = " + b + ", expected 0 <= b < " + rows());
        }
        int k = components();
        int d = dimension();
        double[] w = new double[k];
        double[][] m = new double[k][d];
        double[][][] c = new double[k][d][d];
        for (int j = 0; j < k; j++) {
            w[j] = responsibilities.getFlat(b * k + j);
            for (int i = 0; i < d; i++) {
                m[j][i] = means.getFlat((b * k + j) * d + i);
                for (int l = 0; l < d; l++) {
                    c[j][i][l] = covariances.getFlat((j * d + i) * d + l);
                }
            }
        }
        return new GaussianMixture(w, m, c);
    }
}
