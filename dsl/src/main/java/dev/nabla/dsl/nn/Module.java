package dev.nabla.dsl.nn;

import dev.nabla.core.Tensor;

import java.util.List;
import java.util.OptionalInt;

/** Something with trainable parameters ({@link Tensor#parameter} nodes), in a fixed order with unique names. */
public interface Module {
    List<Tensor> parameters();

    /**
     * State that is part of the model but not trained (e.g. the fixed random frequencies of a
     * {@link FourierEmbedding}), as {@link Tensor#parameter} nodes with unique names distinct from the
     * parameters'. Checkpoints save and load it with the parameters, so a loaded model computes the same
     * function whatever key it was built with. None by default.
     */
    default List<Tensor> buffers() {
        return List.of();
    }

    /**
     * The width D of the data rows the model takes, when it is fixed (an {@link Mlp}'s {@code dataDim}); empty
     * when unknown. Trainers, samplers and likelihoods check it against the data and the SDE before building
     * anything.
     */
    default OptionalInt inputDimension() {
        return OptionalInt.empty();
    }

    /** {@link #inputDimension()} of {@code model} when it is a module; empty for any other score function. */
    static OptionalInt inputDimensionOf(Object model) {
        return model instanceof Module m ? m.inputDimension() : OptionalInt.empty();
    }
}
