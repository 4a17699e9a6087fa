package dev.nabla.dsl.nn;

import dev.nabla.core.Tensor;

/**
 * How an {@link Mlp} score model turns its time (or noise level) column {@code t} {@code [B, 1]} into a
 * feature before it is concatenated with the data (optionally through a {@link FourierEmbedding}).
 */
public enum TimeInput {
    /** The time itself: {@code τ(t) = t}. */
    IDENTITY,
    /** Its logarithm: {@code τ(t) = log t} (t > 0; e.g. the benchmark's input {@code (x, y, log σ)}). */
    LOG,
    /** No time input: an unconditional model {@code s(y)} (t is ignored). */
    NONE;

    /** {@code τ(t)}; null for {@link #NONE}. */
    Tensor transform(Tensor t) {
        return switch (this) {
            case IDENTITY -> t;
            case LOG -> t.log();
            case NONE -> null;
        };
    }
}
