package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

import java.util.Objects;

/**
 * Chooses the earlier time {@code s(t)} of local-DSM's pairs (2407.07998, §3). {@link #integral} keeps the
 * noise injected between s and t constant, {@code ∫_s^t g² = λ} (clipped at s = 0), which keeps the
 * linearisation error constant across t for drifts that scale with g²; {@link #fixedGap} is the naive
 * {@code s = t − ℓ} the paper compares against (its Figure 2).
 */
@FunctionalInterface
public interface TimePairs {
    /** {@code s(t)} for a column of times. */
    Tensor start(Tensor t);

    /** {@code s(t) = G⁻¹(G(t) − λ)} (clipped at 0) for the SDE's schedule g; closed form for built-in schedules. */
    static TimePairs integral(Diffusion g, double lambda) {
        if (!(lambda > 0) || !Double.isFinite(lambda)) {
            throw new IllegalArgumentException("TimePairs.integral: lambda = " + lambda + ", expected a finite number > 0");
        }
        Objects.requireNonNull(g, "TimePairs.integral: g");
        return t -> g.inverseIntegral(g.integral(t).sub(lambda).maximum(0)).maximum(0).minimum(t);
    }

    /** {@code s = max(t − ℓ, 0)}. */
    static TimePairs fixedGap(double gap) {
        if (!(gap > 0) || !Double.isFinite(gap)) {
            throw new IllegalArgumentException("TimePairs.fixedGap: gap = " + gap + ", expected a finite number > 0");
        }
        return t -> t.sub(gap).maximum(0);
    }
}
