package dev.nabla.dsl.train;

import dev.nabla.core.Tensor;

/**
 * Data drawn inside the compiled training step instead of read from an array: a graph of {@code batch} rows
 * {@code [batch, D]} from a PRNG key tensor (a fresh key each step), e.g. {@code mixture::sample} for an
 * {@code GaussianMixture}. Because the batch is a graph, its distribution's parameters can
 * themselves be differentiated.
 */
@FunctionalInterface
public interface BatchSampler {
    Tensor sample(Tensor key, int batch);
}
