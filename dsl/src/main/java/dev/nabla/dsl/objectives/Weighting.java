package dev.nabla.dsl.objectives;

import dev.nabla.core.Tensor;
import dev.nabla.dsl.sde.LinearSde;
import dev.nabla.dsl.sde.Sde;

/**
 * A weighting {@code λ(t)} of a score-matching loss across noise levels. 2508.01597 explains why the
 * heuristic {@code λ = σ_t²} works: DSM's irreducible variance grows as {@code D/σ²} at small σ, and σ² is
 * the first-order term of the inverse-variance ("optimal") weighting {@code w*(σ) ∝ 1/(D/σ² − tr I(σ))}
 * (THEORY.md §3).
 */
@FunctionalInterface
public interface Weighting {
    /** {@code λ(t)} for a column of times {@code [B, 1]}. */
    Tensor at(Sde sde, Tensor t);

    /** {@code λ = 1}. */
    static Weighting uniform() {
        return (sde, t) -> t.onesLike();
    }

    /** {@code λ = σ_t²} (Song et al. 2021; "heuristic" in 2508.01597). */
    static Weighting heuristic() {
        return (sde, t) -> {
            if (!(sde instanceof LinearSde lin)) {
                throw new IllegalArgumentException("Weighting.heuristic: " + sde + " has no closed-form σ_t; "
                        + "use likelihood() or a tabulated weighting");
            }
            return lin.std(t).square();
        };
    }

    /** {@code λ = g(t)²}, under which the DSM loss bounds the negative log-likelihood (Song et al. 2021b). */
    static Weighting likelihood() {
        return (sde, t) -> sde.diffusion(t).square();
    }

    /**
     * A weighting given by values {@code w[i]} at increasing times {@code t[i]}, interpolated linearly in t
     * (constant outside) inside the graph: {@code w(t) = w₀ + Σ_i slope change_i · relu(t − t_i)}.
     * Use it for weightings computed outside the graph, e.g. the optimal weighting of 2508.01597 from an exact
     * {@code tr I(σ)}.
     */
    static Weighting tabulated(double[] t, double[] w) {
        if (t.length != w.length || t.length < 2) {
            throw new IllegalArgumentException("Weighting.tabulated: " + t.length + " times and " + w.length
                    + " values; expected equal lengths >= 2");
        }
        for (int i = 0; i < t.length; i++) {
            if (!Double.isFinite(w[i]) || !Double.isFinite(t[i]) || (i > 0 && !(t[i] > t[i - 1]))) {
                throw new IllegalArgumentException("Weighting.tabulated: entry " + i + " (t = " + t[i] + ", w = " + w[i]
                        + ") is not finite or times do not increase");
            }
        }
        double[] t0 = t.clone();
        double[] w0 = w.clone();
        return (sde, tt) -> {
            Tensor tc = tt.maximum(t0[0]).minimum(t0[t0.length - 1]);
            Tensor out = tc.mul(0).add(w0[0]);
            double prevSlope = 0;
            for (int i = 0; i + 1 < t0.length; i++) {
                double slope = (w0[i + 1] - w0[i]) / (t0[i + 1] - t0[i]);
                out = out.add(tc.sub(t0[i]).relu().mul(slope - prevSlope));
                prevSlope = slope;
            }
            return out;
        };
    }
}
