package dev.nabla.dsl.train;

/**
 * Training produced a NaN or infinite loss. The message names the step and suggests
 * {@link Trainer#debug(boolean) debug mode}, which stops at the first op that produces a non-finite value and
 * names it.
 *
 * <p>Before this is thrown the trainer rolls the parameters, the optimizer's state and the average back to
 * their values after the last step that left them finite — {@link #parametersAfterStep()} steps in all — so
 * training can go on from there (with a lower learning rate, or clipped gradients); see {@link #rolledBack()}
 * for the one case where it cannot. The loss history of the
 * fit up to the diverging step, which a {@link FitResult} would have carried, is kept here:
 * {@link #lossSteps()} and {@link #losses()}, the logged means plus the mean of the finite steps since the last
 * log.
 */
public final class NonFiniteLossException extends ArithmeticException {
    private final long step;
    private final double loss;
    private final long[] lossSteps;
    private final double[] losses;
    private final long parametersAfterStep;
    private final String nonFiniteParameter;

    private final boolean rolledBack;

    NonFiniteLossException(long step, long localStep, double loss, long[] lossSteps, double[] losses,
                           boolean rolledBack, long parametersAfterStep, String nonFiniteParameter) {
        super("Trainer: the loss is " + loss + " at step " + step + " (step " + localStep + " of this fit); "
                + (!rolledBack
                ? "the parameters were updated by this step and could not be rolled back (the backend keeps them "
                + "on the accelerator, where the trainer keeps no copy); they may be non-finite: reload a "
                + "checkpoint. "
                : nonFiniteParameter == null
                ? "the parameters and optimizer state were rolled back to their values after " + parametersAfterStep
                + " steps, the last finite ones. "
                : "the parameters could not be rolled back to finite values ('" + nonFiniteParameter
                + "' was already non-finite " + (step - parametersAfterStep) + " steps before): reload a "
                + "checkpoint. ")
                + "Rerun with .debug(true) (and Tensor.recordCreationSites(true)) to find the op that first produces "
                + "a non-finite value, or lower the learning rate / clip gradients (Clip.byGlobalNorm)");
        this.step = step;
        this.loss = loss;
        this.lossSteps = lossSteps.clone();
        this.losses = losses.clone();
        this.parametersAfterStep = parametersAfterStep;
        this.nonFiniteParameter = nonFiniteParameter;
        this.rolledBack = rolledBack;
    }

    /**
     * Whether the parameters were rolled back: false only when a device backend keeps them on the accelerator
     * between steps, where the trainer keeps no copy (they then hold the diverging step's update).
     */
    public boolean rolledBack() {
        return rolledBack;
    }

    /** The global step (the optimizer's step count before it) at which the loss was not finite. */
    public long step() {
        return step;
    }

    /** The non-finite loss (NaN or ±∞). */
    public double loss() {
        return loss;
    }

    /**
     * The global step numbers of the loss history (a copy): those logged before the failure, and the last
     * finite step if any ran since the last log.
     */
    public long[] lossSteps() {
        return lossSteps.clone();
    }

    /** The mean losses (a copy), one per entry of {@link #lossSteps()}, as {@link FitResult#losses()}. */
    public double[] losses() {
        return losses.clone();
    }

    /**
     * The optimizer's step count after the rollback: the parameters (and optimizer state, and average) are
     * those after this many steps — {@link #step()} when the diverging step was undone, one fewer when the step
     * before it had already made them non-finite (its loss was finite but its update overflowed).
     */
    public long parametersAfterStep() {
        return parametersAfterStep;
    }

    /**
     * The name of a tensor still non-finite after the rollback (the parameters were non-finite before the
     * steps the trainer keeps copies of), or null when the rollback restored finite values or did not happen.
     */
    public String nonFiniteParameter() {
        return nonFiniteParameter;
    }
}
