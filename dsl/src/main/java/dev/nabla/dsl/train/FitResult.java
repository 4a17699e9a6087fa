package dev.nabla.dsl.train;

import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.optim.Ema;
import dev.nabla.dsl.optim.Optimizer;

import java.time.Duration;
import java.util.Arrays;
import java.util.Optional;

/**
 * The outcome of {@link Trainer#fit}: the trained model (its parameters were updated in place), the loss
 * history — at each logged step {@code s_k} (global step numbers), the mean loss over the steps since the
 * previous log — and the wall time and throughput of the training loop (compilation excluded).
 *
 * @param <M> the model's type
 */
public final class FitResult<M extends ScoreFunction> {
    private final M model;
    private final Optimizer optimizer;
    private final Ema ema;
    private final long[] logSteps;
    private final double[] logLosses;
    private final long steps;
    private final Duration wallTime;
    private final Duration compileTime;

    FitResult(M model, Optimizer optimizer, Ema ema, long[] logSteps, double[] logLosses, long steps,
              Duration wallTime, Duration compileTime) {
        this.model = model;
        this.optimizer = optimizer;
        this.ema = ema;
        this.logSteps = logSteps;
        this.logLosses = logLosses;
        this.steps = steps;
        this.wallTime = wallTime;
        this.compileTime = compileTime;
    }

    /** The trained model. */
    public M model() {
        return model;
    }

    /** The trained model as a score function (the same object as {@link #model()}). */
    public ScoreFunction score() {
        return model;
    }

    /** The optimizer, whose state holds on for a further fit or a checkpoint. */
    public Optimizer optimizer() {
        return optimizer;
    }

    /** The exponential moving average of the parameters, if {@link Trainer#ema} was set. */
    public Optional<Ema> ema() {
        return Optional.ofNullable(ema);
    }

    /** The global step numbers at which the loss was logged (a copy). */
    public long[] lossSteps() {
        return logSteps.clone();
    }

    /** The logged mean losses (a copy), one per entry of {@link #lossSteps()}. */
    public double[] losses() {
        return logLosses.clone();
    }

    /** The first logged loss (NaN if none). */
    public double initialLoss() {
        return logLosses.length == 0 ? Double.NaN : logLosses[0];
    }

    /** The last logged loss (NaN if none). */
    public double finalLoss() {
        return logLosses.length == 0 ? Double.NaN : logLosses[logLosses.length - 1];
    }

    /** Steps run by this fit. */
    public long steps() {
        return steps;
    }

    /** Wall time of the training loop (after compilation). */
    public Duration wallTime() {
        return wallTime;
    }

    /** Time spent building and compiling the training step. */
    public Duration compileTime() {
        return compileTime;
    }

    /** Training steps per second of wall time. */
    public double stepsPerSecond() {
        double s = wallTime.toNanos() / 1e9;
        return s > 0 ? steps / s : Double.POSITIVE_INFINITY;
    }

    @Override
    public String toString() {
        return String.format("FitResult(%d steps, loss %.6g -> %.6g, %.1f steps/s, %s)", steps, initialLoss(),
                finalLoss(), stepsPerSecond(), wallTime) + (logLosses.length > 6 ? ""
                : " losses=" + Arrays.toString(logLosses));
    }
}
