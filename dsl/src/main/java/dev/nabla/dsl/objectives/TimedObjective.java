package dev.nabla.dsl.objectives;

import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.dsl.Objective;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.sde.Sde;

/**
 * A score-matching objective that is an average over noise levels,
 * {@code L = E_{t ~ U(t_min, T)} L(t)}, which can also be evaluated at given times. {@link #lossAtTimes} is the
 * per-level objective {@code L(t)}: the same loss graph with the per-row times {@code t [B, 1]} supplied
 * instead of drawn, and the key's other folds (1, 2, … — noise, simulation, probes) used as in {@link #loss}.
 * Hence, bit for bit,
 *
 * <pre>
 *   loss(s, batch, key) = lossAtTimes(s, batch, Objectives.times(sde(), batch, key, tMin()), key)
 * </pre>
 *
 * and, over the key, {@code E lossAtTimes(s, batch, t, key) = L(t)} for each row's t while
 * {@code E loss = (1/(T − t_min)) ∫_{t_min}^T L(t) dt}. {@link #lossAt} puts every row at one noise level — to
 * measure an objective per level, compare objectives at a level (THEORY.md §1–§3), or plot a loss against σ_t.
 */
public interface TimedObjective extends Objective {
    /** The SDE whose noise levels the objective averages over. */
    Sde sde();

    /** The smallest time drawn by {@link #loss}. */
    double tMin();

    /**
     * The objective with the times given: {@code t} has shape {@code [B, 1]} for a batch {@code [B, D]}; the key
     * supplies the rest of the randomness exactly as in {@link #loss}.
     *
     * @throws IllegalArgumentException when batch is not {@code [B, D]} or t not {@code [B, 1]}, naming both shapes
     */
    Tensor lossAtTimes(ScoreFunction score, Tensor batch, Tensor t, Tensor key);

    /**
     * The objective with every row at the one time {@code t} ({@code 0 < t ≤ T}): the per-level objective
     * {@code L(t)} estimated on the batch.
     *
     * @throws IllegalArgumentException when t is not in {@code (0, T]} or batch is not {@code [B, D]}
     */
    default Tensor lossAt(ScoreFunction score, Tensor batch, double t, Tensor key) {
        if (!(t > 0 && t <= sde().horizon())) {
            throw new IllegalArgumentException(this + ": lossAt t = " + t + ", expected 0 < t <= T = " + sde().horizon());
        }
        if (batch.rank() != 2) {
            throw new IllegalArgumentException(this + ": batch has shape " + batch.shape() + ", expected [B, D]");
        }
        return lossAtTimes(score, batch, Tensor.full(Shape.of(batch.shape().dim(0), 1), t, batch.dtype()), key);
    }

    /** {@link #lossAtTimes} at times {@code t ~ U(t_min, T)} per row from key fold 0 ({@link Objectives#times}). */
    @Override
    default Tensor loss(ScoreFunction score, Tensor batch, Tensor key) {
        if (batch.rank() != 2) {
            throw new IllegalArgumentException(this + ": batch has shape " + batch.shape() + ", expected [B, D]");
        }
        return lossAtTimes(score, batch, Objectives.times(sde(), batch, key, tMin()), key);
    }
}
