package dev.nabla.dsl.train;

/**
 * Training produced a NaN or infinite loss. The message names the step and suggests
 * {@link Trainer#debug(boolean) debug mode}, which stops at the first op that produces a non-finite value and
 * names it. The parameters were updated by that step and may hold non-finite values: reload a checkpoint.
 */
public final class NonFiniteLossException extends ArithmeticException {
    private final long step;
    private final double loss;

    NonFiniteLossException(long step, long localStep, double loss) {
        super("Trainer: the loss is " + loss + " at step " + step + " (step " + localStep + " of this fit); "
                + "the parameters were updated with it and may now be non-finite. Rerun with .debug(true) "
                + "(and Tensor.recordCreationSites(true)) to find the op that first produces a non-finite value, "
                + "or lower the learning rate / clip gradients (Clip.byGlobalNorm)");
        this.step = step;
        this.loss = loss;
    }

    /** The global step (the optimizer's step count before it) at which the loss was not finite. */
    public long step() {
        return step;
    }

    /** The non-finite loss (NaN or ±∞). */
    public double loss() {
        return loss;
    }
}
