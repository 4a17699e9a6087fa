package dev.nabla.dsl.train;

/**
 * Called by {@link Trainer} every {@code logEvery} steps (and after the last step) with the global step
 * number {@code s} of the last step done (0-based) and the mean loss over the steps since the previous call.
 * It runs on the training thread, between compiled steps; throwing stops training (the exception propagates
 * out of {@code fit}).
 */
@FunctionalInterface
public interface Callback {
    void onLog(long step, double loss);
}
