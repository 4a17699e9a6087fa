package dev.nabla.dsl;

import dev.nabla.core.Tensor;

/**
 * A (possibly learned) score {@code s(y, t) ≈ ∇_y log p_t(y)}: rows of {@code y} ({@code [B, D]}) at times
 * {@code t} ({@code [B, 1]}) to scores {@code [B, D]}. Built as a graph, so objectives can differentiate
 * through it with respect to its parameters, its input, or anything upstream (a condition, a data
 * distribution's parameters).
 */
@FunctionalInterface
public interface ScoreFunction {
    Tensor apply(Tensor y, Tensor t);
}
