package dev.nabla.dsl.exact;

import dev.nabla.core.Tensor;

/**
 * The log-density and score of a Gaussian mixture with diagonal covariances whose parameters are tensors, so
 * that they are differentiable in the weights, means and standard deviations — e.g. to optimise a data
 * distribution {@code p_φ} as in 2511.11727 (Corollary 1; THEORY.md §2), where {@link GaussianMixture} (plain
 * doubles) gives no derivatives:
 *
 * <pre>
 *   p(y) = Σ_k π_k N(y; μ_k, diag(s_k²)),   π_k = w_k / Σ_j w_j,
 *   log p(y) = logsumexp_k [ log π_k − ½ Σ_i ((y_i − μ_ki)²/s_ki² + log(2π s_ki²)) ],
 *   ∇_y log p(y) = −Σ_k r_k(y) (y − μ_k)/s_k²,   r_k = softmax_k of the bracket (the responsibilities).
 * </pre>
 *
 * Shapes: rows {@code y [B, D]}, positive weights {@code w [K]} (normalised here, so softmax outputs or any
 * positive values work), means {@code [K, D]}, standard deviations {@code s [K, D]} or {@code [K, 1]}
 * (isotropic components). The perturbed law of {@code x_t = α x_0 + σ ε} is the same form with means
 * {@code α μ} and standard deviations {@code √(α² s² + σ²)} ({@link #perturbedStd}). Every function is built of
 * differentiable graph ops, to any order.
 */
public final class DiagonalMixture {
    private DiagonalMixture() {
    }

    /** {@code log p(y)}, shape {@code [B]}. */
    public static Tensor logDensity(Tensor y, Tensor weights, Tensor means, Tensor stds) {
        return terms(y, weights, means, stds).logsumexp(1);
    }

    /** {@code ∇_y log p(y) = −Σ_k r_k (y − μ_k)/s_k²}, shape {@code [B, D]}. */
    public static Tensor score(Tensor y, Tensor weights, Tensor means, Tensor stds) {
        Tensor r = terms(y, weights, means, stds).softmax().unsqueeze(-1);      // [B, K, 1]
        Tensor pull = y.unsqueeze(1).sub(means).div(stds.square());             // [B, K, D]
        return r.mul(pull).sum(1).neg();
    }

    /** {@code √(α² s² + σ²)}: the standard deviations of the law of {@code α x_0 + σ ε}. */
    public static Tensor perturbedStd(Tensor stds, double alpha, double sigma) {
        return stds.square().mul(alpha * alpha).add(sigma * sigma).sqrt();
    }

    /** {@code log π_k + log N(y; μ_k, diag(s_k²))}, shape {@code [B, K]}. */
    private static Tensor terms(Tensor y, Tensor weights, Tensor means, Tensor stds) {
        check(y, weights, means, stds);
        int d = y.shape().dim(1);
        Tensor logPi = weights.log().sub(weights.sum().log());                  // [K]
        Tensor var = stds.square();                                              // [K, D] or [K, 1]
        Tensor quad = y.unsqueeze(1).sub(means).square().div(var).sum(-1);       // [B, K]
        Tensor logDet = var.log().sum(-1);                                       // [K]
        if (stds.shape().dim(1) == 1 && d > 1) {
            logDet = logDet.mul(d);
        }
        return logPi.sub(quad.add(logDet).add(d * Math.log(2 * Math.PI)).mul(0.5));
    }

    private static void check(Tensor y, Tensor weights, Tensor means, Tensor stds) {
        if (y.rank() != 2) {
            throw new IllegalArgumentException("DiagonalMixture: y has shape " + y.shape() + ", expected [B, D]");
        }
        int d = y.shape().dim(1);
        if (means.rank() != 2 || means.shape().dim(1) != d) {
            throw new IllegalArgumentException("DiagonalMixture: means have shape " + means.shape() + ", expected [K, "
                    + d + "] for y of shape " + y.shape());
        }
        int k = means.shape().dim(0);
        if (weights.rank() != 1 || weights.shape().dim(0) != k) {
            throw new IllegalArgumentException("DiagonalMixture: weights have shape " + weights.shape() + ", expected ["
                    + k + "] (one per component of means " + means.shape() + ")");
        }
        if (stds.rank() != 2 || stds.shape().dim(0) != k || (stds.shape().dim(1) != d && stds.shape().dim(1) != 1)) {
            throw new IllegalArgumentException("DiagonalMixture: stds have shape " + stds.shape() + ", expected [" + k
                    + ", " + d + "] or [" + k + ", 1]");
        }
    }
}
