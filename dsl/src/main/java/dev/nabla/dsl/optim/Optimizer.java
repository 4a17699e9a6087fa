package dev.nabla.dsl.optim;

import dev.nabla.core.Plan;
import dev.nabla.core.Tensor;

import java.util.List;
import java.util.Map;

/**
 * A first-order optimizer written as graph code: given parameters {@code θ} and their gradient tensors
 * {@code g = ∇_θ L}, it returns the tensors of the parameters' new values (and of its own state's), which a
 * {@link Plan} computes and writes in place after each run — one optimizer step per run, compiled once.
 *
 * <p>An optimizer owns its state as {@link Tensor#parameter parameters} (moment estimates, momentum buffers
 * and a step counter {@code s}, the number of updates done), created on first use for one list of parameters
 * and kept across plans, so training can stop, be checkpointed ({@link #state()}), and go on. Learning-rate
 * {@link Schedule schedules} are evaluated inside the plan from {@code s}, so nothing is recompiled as the
 * rate changes.
 */
public interface Optimizer {
    /**
     * The new-value tensors of one step: an entry for each of {@code params} and for each state parameter
     * of this optimizer, in a fixed order, each computed from the values before the step. Creates the state
     * for {@code params} on first use ({@link #init}).
     *
     * @param params parameters ({@link Tensor#parameter}) with unique names
     * @param grads  the gradient of the loss with respect to each parameter, same shapes, same order
     */
    Map<Tensor, Tensor> updates(List<Tensor> params, List<Tensor> grads);

    /** Registers every entry of {@link #updates} on {@code plan} ({@link Plan.Builder#update}). */
    default void apply(Plan.Builder plan, List<Tensor> params, List<Tensor> grads) {
        for (Map.Entry<Tensor, Tensor> e : updates(params, grads).entrySet()) {
            plan.update(e.getKey(), e.getValue());
        }
    }

    /**
     * Creates this optimizer's state for {@code params} (zeros, step counter 0) if it has none yet; an
     * optimizer serves one list of parameters, so a call with a different list fails with
     * {@link IllegalStateException}. Needed before {@link #state()} is loaded from a checkpoint.
     */
    void init(List<Tensor> params);

    /** The state parameters (step counter first), with unique stable names; empty before {@link #init}. */
    List<Tensor> state();

    /** The number of steps taken so far (the value of the step counter; 0 before {@link #init}). */
    long steps();
}
