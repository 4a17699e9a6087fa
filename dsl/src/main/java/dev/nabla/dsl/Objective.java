package dev.nabla.dsl;

import dev.nabla.core.Tensor;

/**
 * A training objective: a scalar loss graph built from a score function, a minibatch of data rows
 * {@code [B, D]} and a PRNG key tensor (for noise levels, times and perturbations drawn inside the compiled
 * step). Because everything is a graph, the trainer differentiates it with respect to whatever it optimizes —
 * a model's parameters, a condition, or a data distribution's parameters.
 */
@FunctionalInterface
public interface Objective {
    Tensor loss(ScoreFunction score, Tensor batch, Tensor key);
}
