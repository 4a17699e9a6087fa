/**
 * The researcher's API — start here after {@code dev.nabla.core}. A {@link dev.nabla.dsl.ScoreFunction} maps rows
 * {@code y [B, D]} and times {@code t [B, 1]} to scores; an {@link dev.nabla.dsl.Objective} builds a scalar loss
 * graph from a score function, a minibatch and a PRNG key. The subpackages hold SDEs ({@code sde}), objectives and
 * weightings ({@code objectives}), score models ({@code nn}), optimisers ({@code optim}), the trainer
 * ({@code train}), samplers and likelihoods ({@code sample}), exact references ({@code exact}), data and metrics.
 * Writing an objective of your own: {@code docs/write-an-objective.md}.
 */
package dev.nabla.dsl;
