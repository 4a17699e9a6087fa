package dev.nabla.dsl.train;

import dev.nabla.core.Autodiff;
import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import dev.nabla.core.random.Philox;
import dev.nabla.dsl.Objective;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.nn.Module;
import dev.nabla.dsl.optim.Adam;
import dev.nabla.dsl.optim.Ema;
import dev.nabla.dsl.optim.Optimizer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Minibatch training of a score model on an {@link Objective}, as one compiled step run many times:
 * <pre>{@code
 * FitResult<Mlp> fit = Trainer.of(model, objective).optimizer(new Adam(1e-3)).batch(512).steps(5_000)
 *                             .fit(data, Key.of(0));
 * }</pre>
 *
 * <p>The step is built and compiled once per {@code fit}: the objective's loss {@code L(θ; batch, key)} on a
 * batch placeholder (or an in-graph {@link BatchSampler}) and a key input, its gradient {@code ∇_θ L}
 * ({@link Autodiff#grad}), and the optimizer's (and optional {@link Ema}'s) in-place updates. Step {@code s}
 * (global: the optimizer's step count, so a resumed fit continues the same sequence) uses the key
 * {@code k_s = key.fold(s)}: the objective gets {@code k_s.fold(0)}, a sampler {@code k_s.fold(1)}, and the
 * {@code B} minibatch rows of a data array are drawn uniformly with replacement on the host,
 * {@code row_r = ⌊N · u_r⌋} with {@code u_r = Philox.uniformAt(k_s.fold(2), r)}, and copied into a
 * preallocated buffer. The loop allocates nothing per step except when it logs.
 *
 * <p>Every {@code logEvery} steps (and after the last) the mean loss since the previous log is recorded and
 * passed to the {@link Callback}s and the progress bar. A NaN or infinite loss stops training with a
 * {@link NonFiniteLossException} naming the step and carrying the loss history; the parameters, optimizer
 * state and average are first rolled back to their values after the last step that left them finite (the
 * step before the diverging one, or the one before that if its update overflowed), so training can go on
 * from there with a lower learning rate. The progress bar is shown when standard output is a terminal,
 * or always with {@code progress(true)}, never with {@code progress(false)}; when it is not a terminal and
 * nothing was set, a plain progress line is written to standard error every 5 s.
 *
 * @param <M> the model's type
 */
public final class Trainer<M extends ScoreFunction> {
    private final M model;
    private final List<Tensor> params;
    private final Objective objective;
    private Optimizer optimizer;
    private int batch = 256;
    private long steps = 1000;
    private Backend backend;
    private Boolean progress;
    private int logEvery;
    private final List<Callback> callbacks = new ArrayList<>();
    private double emaDecay = -1;
    private Ema ema;
    private boolean debug;
    private Consumer<String> progressSink;
    private Consumer<String> lineSink;
    private long lineInterval = ProgressLines.INTERVAL_NANOS;

    private Trainer(M model, List<Tensor> params, Objective objective) {
        this.model = model;
        this.params = params;
        this.objective = objective;
    }

    /** A trainer of {@code model}'s parameters on {@code objective}. */
    public static <M extends ScoreFunction & Module> Trainer<M> of(M model, Objective objective) {
        Objects.requireNonNull(model, "Trainer.of: model");
        return of(model, model.parameters(), objective);
    }

    /**
     * A trainer of {@code parameters} (of the score, or of anything else the objective reads, such as a data
     * distribution's parameters) on {@code objective} with score function {@code score}.
     */
    public static <M extends ScoreFunction> Trainer<M> of(M score, List<Tensor> parameters, Objective objective) {
        Objects.requireNonNull(score, "Trainer.of: score");
        Objects.requireNonNull(parameters, "Trainer.of: parameters");
        Objects.requireNonNull(objective, "Trainer.of: objective");
        if (parameters.isEmpty()) {
            throw new IllegalArgumentException("Trainer.of: parameters is empty, expected at least one parameter");
        }
        return new Trainer<>(score, List.copyOf(parameters), objective);
    }

    /** The optimizer (default {@code new Adam(1e-3)}); its state persists across fits. */
    public Trainer<M> optimizer(Optimizer optimizer) {
        this.optimizer = Objects.requireNonNull(optimizer, "optimizer");
        return this;
    }

    /** Shorthand for {@code optimizer(new Adam(lr))}. */
    public Trainer<M> adam(double lr) {
        return optimizer(new Adam(lr));
    }

    /** Rows per minibatch (default 256). */
    public Trainer<M> batch(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("batch: rows = " + rows + ", expected >= 1");
        }
        this.batch = rows;
        return this;
    }

    /** Steps per {@code fit} (default 1000). */
    public Trainer<M> steps(long n) {
        if (n < 1) {
            throw new IllegalArgumentException("steps: n = " + n + ", expected >= 1");
        }
        this.steps = n;
        return this;
    }

    /** The backend that runs the step (default {@link Plan#defaultBackend()}). */
    public Trainer<M> backend(Backend b) {
        this.backend = Objects.requireNonNull(b, "backend");
        return this;
    }

    /**
     * Forces the progress bar on (true) or all progress output off (false). By default the bar shows when stdout
     * is a terminal; elsewhere (a log file, CI, a notebook) a line goes to stderr every 5 s and at the end: step,
     * latest loss, steps/s, elapsed time and ETA.
     */
    public Trainer<M> progress(boolean on) {
        this.progress = on;
        return this;
    }

    /** Log (record the mean loss, call callbacks, update the bar's loss) every {@code n} steps (default steps/100). */
    public Trainer<M> logEvery(int n) {
        if (n < 1) {
            throw new IllegalArgumentException("logEvery: n = " + n + ", expected >= 1");
        }
        this.logEvery = n;
        return this;
    }

    /** Adds a callback, called at every log. */
    public Trainer<M> callback(Callback cb) {
        callbacks.add(Objects.requireNonNull(cb, "callback"));
        return this;
    }

    /** Keeps an exponential moving average of the parameters with decay {@code δ ∈ [0, 1)} ({@link Ema}). */
    public Trainer<M> ema(double decay) {
        if (!(decay >= 0 && decay < 1)) {
            throw new IllegalArgumentException("ema: decay = " + decay + ", expected 0 <= decay < 1");
        }
        if (ema != null && ema.decay() != decay) {
            throw new IllegalStateException("ema: this trainer already averages with decay " + ema.decay());
        }
        this.emaDecay = decay;
        return this;
    }

    /**
     * Debug mode: the step is compiled without fusion and every op's output is checked, so the first NaN or
     * infinity fails naming the op (with {@link Tensor#recordCreationSites}, the source line). Slow.
     */
    public Trainer<M> debug(boolean on) {
        this.debug = on;
        return this;
    }

    /** Sends the periodic progress lines (output not a terminal) to {@code sink}, every {@code nanos} (tests). */
    Trainer<M> progressLines(Consumer<String> sink, long nanos) {
        this.lineSink = sink;
        this.lineInterval = nanos;
        return this;
    }

    /** Sends progress-bar lines to {@code sink} instead of the console (tests). */
    Trainer<M> progressSink(Consumer<String> sink) {
        this.progressSink = sink;
        return this;
    }

    /** The optimizer, created with its default if none was set. */
    public Optimizer optimizer() {
        if (optimizer == null) {
            optimizer = new Adam(1e-3);
        }
        return optimizer;
    }

    /** The parameter average, created on first use if {@link #ema(double)} was set; else null. */
    public Ema ema() {
        if (ema == null && emaDecay >= 0) {
            ema = Ema.of(params, emaDecay);
        }
        return ema;
    }

    public M model() {
        return model;
    }

    /**
     * Trains on minibatches drawn with replacement from the rows of {@code data} ({@code [N, D]}, F64 or F32;
     * the batch has the data's dtype) for {@link #steps} steps.
     */
    public FitResult<M> fit(NdArray data, Key key) {
        Objects.requireNonNull(data, "fit: data");
        Objects.requireNonNull(key, "fit: key");
        if (data.shape().rank() != 2 || data.shape().dim(0) < 1 || data.shape().dim(1) < 1) {
            throw new IllegalArgumentException("fit: data has shape " + data.shape()
                    + ", expected [N, D] with N >= 1 rows and D >= 1 columns");
        }
        int bad = data.firstNonFinite();
        if (bad >= 0) {
            int d = data.shape().dim(1);
            throw new IllegalArgumentException("fit: data[" + bad / d + ", " + bad % d + "] = " + data.getFlat(bad)
                    + ", expected finite values");
        }
        OptionalInt width = Module.inputDimensionOf(model);
        if (width.isPresent() && width.getAsInt() != data.shape().dim(1)) {
            throw new IllegalArgumentException("fit: data has shape " + data.shape() + ", expected D = "
                    + width.getAsInt() + " columns, the model's input dimension");
        }
        for (Tensor p : params) {
            if (p.dtype() != data.dtype()) {
                throw new IllegalArgumentException("fit: the data are " + data.dtype() + " but parameter '" + p.name()
                        + "' is " + p.dtype() + "; nabla does not promote silently: convert the data (data.astype(DType."
                        + p.dtype() + ")) or build the model in " + data.dtype());
            }
        }
        Tensor ph = Tensor.placeholder("batch", Shape.of(batch, data.shape().dim(1)), data.dtype());
        return run(ph, data, null, key);
    }

    /** Trains on minibatches drawn inside the step by {@code sampler} for {@link #steps} steps. */
    public FitResult<M> fit(BatchSampler sampler, Key key) {
        Objects.requireNonNull(sampler, "fit: sampler");
        Objects.requireNonNull(key, "fit: key");
        return run(null, null, sampler, key);
    }

    private FitResult<M> run(Tensor batchPh, NdArray data, BatchSampler sampler, Key key) {
        long compileStart = System.nanoTime();
        Optimizer opt = optimizer();
        Ema avg = ema();
        Tensor keyIn = Tensor.keyInput("key");
        Tensor batchT = batchPh;
        if (batchT == null) {
            batchT = sampler.sample(keyIn.fold(1), batch);
            if (batchT == null || batchT.rank() != 2 || batchT.shape().dim(0) != batch || batchT.dtype() == DType.KEY) {
                throw new IllegalArgumentException("fit: the sampler returned " + batchT + ", expected a float tensor of shape ["
                        + batch + ", D]");
            }
        }
        Tensor loss = objective.loss(model, batchT, keyIn.fold(0));
        if (loss == null || loss.size() != 1 || loss.dtype() == DType.KEY) {
            throw new IllegalArgumentException("fit: the objective returned " + loss + ", expected a scalar loss");
        }
        List<Tensor> grads = Autodiff.grad(loss, params);
        Map<Tensor, Tensor> updates = opt.updates(params, grads);
        Plan.Builder pb = Plan.builder().output(loss).debug(debug).inputs(keyIn);
        if (batchPh != null) {
            pb.inputs(batchPh); // bound every step, even by an objective that ignores the data
        }
        if (backend != null) {
            pb.backend(backend);
        }
        List<Tensor> updated = new ArrayList<>();
        for (Map.Entry<Tensor, Tensor> e : updates.entrySet()) {
            pb.update(e.getKey(), e.getValue());
            updated.add(e.getKey());
        }
        if (avg != null) {
            for (Map.Entry<Tensor, Tensor> e : avg.updates(updates).entrySet()) {
                pb.update(e.getKey(), e.getValue());
                updated.add(e.getKey());
            }
        }
        Plan plan = pb.build();
        Snapshots snapshots = new Snapshots(updated);
        Duration compileTime = Duration.ofNanos(System.nanoTime() - compileStart);

        int every = logEvery > 0 ? logEvery : (int) Math.max(1, Math.min(Integer.MAX_VALUE, steps / 100));
        int logs = (int) Math.min(Integer.MAX_VALUE - 8, steps / every + 1);
        long[] logSteps = new long[logs];
        double[] logLosses = new double[logs];
        int logged = 0;

        // the minibatch buffer, filled in place each step
        int rows = data == null ? 0 : data.shape().dim(0);
        int cols = data == null ? 0 : data.shape().dim(1);
        NdArray batchNd = data == null ? null : NdArray.zeros(batchPh.shape(), data.dtype());
        double[] src64 = data != null && data.dtype() == DType.F64 ? data.f64() : null;
        float[] src32 = data != null && data.dtype() == DType.F32 ? data.f32() : null;
        double[] dst64 = src64 != null ? batchNd.f64() : null;
        float[] dst32 = src32 != null ? batchNd.f32() : null;

        boolean showBar = progress != null ? progress : ProgressDisplay.isTerminal();
        Progress bar = showBar ? new ProgressDisplay(steps, progressSink)
                : progress == null ? new ProgressLines(steps, lineSink != null ? lineSink : System.err::println,
                lineInterval) : null;
        long first = opt.steps();
        long keyBits = key.value();
        double window = 0;
        int inWindow = 0;
        long start = System.nanoTime();
        try {
            for (long i = 0; i < steps; i++) {
                long s = first + i;
                long ks = Key.fold(keyBits, s);
                if (data != null) {
                    long kb = Key.fold(ks, 2);
                    for (int r = 0; r < batch; r++) {
                        int row = (int) (Philox.uniformAt(kb, r) * rows);
                        if (src64 != null) {
                            System.arraycopy(src64, row * cols, dst64, r * cols, cols);
                        } else {
                            System.arraycopy(src32, row * cols, dst32, r * cols, cols);
                        }
                    }
                    plan.set(batchPh, batchNd);
                }
                plan.set(keyIn, new Key(ks));
                snapshots.take(i);
                if (debug) {
                    try {
                        plan.execute();
                    } catch (ArithmeticException e) {
                        snapshots.restore(i);
                        ArithmeticException named = new ArithmeticException("Trainer: at step " + s + " (step " + i
                                + " of this fit): " + e.getMessage());
                        named.initCause(e);
                        throw named;
                    }
                } else {
                    plan.execute();
                }
                double l = plan.get(loss).getFlat(0);
                if (!Double.isFinite(l)) {
                    // the history so far: the logged means, and the mean of the finite steps since the last log
                    int n = logged + (inWindow > 0 ? 1 : 0);
                    long[] hs = Arrays.copyOf(logSteps, n);
                    double[] hl = Arrays.copyOf(logLosses, n);
                    if (inWindow > 0) {
                        hs[n - 1] = s - 1;
                        hl[n - 1] = window / inWindow;
                    }
                    Snapshots.Restored r = snapshots.restore(i);
                    throw new NonFiniteLossException(s, i, l, hs, hl, r.rolledBack(), first + r.localSteps(),
                            r.badParameter());
                }
                window += l;
                inWindow++;
                if ((i + 1) % every == 0 || i == steps - 1) {
                    double mean = window / inWindow;
                    if (logged < logs) {
                        logSteps[logged] = s;
                        logLosses[logged] = mean;
                        logged++;
                    }
                    window = 0;
                    inWindow = 0;
                    for (int c = 0; c < callbacks.size(); c++) {
                        callbacks.get(c).onLog(s, mean);
                    }
                    if (bar != null) {
                        bar.loss(mean);
                    }
                }
                if (bar != null) {
                    bar.stepTo(i + 1);
                }
            }
        } finally {
            if (bar != null) {
                bar.close();
            }
        }
        Duration wall = Duration.ofNanos(System.nanoTime() - start);
        return new FitResult<>(model, opt, avg, Arrays.copyOf(logSteps, logged),
                Arrays.copyOf(logLosses, logged), steps, wall, compileTime);
    }

    /**
     * Copies of everything a step updates (parameters, optimizer state, average), taken before each step into
     * one of two alternating buffers, so that a diverging step can be undone exactly: before local step
     * {@code i} the state is copied into buffer {@code i mod 2}, which then holds the state before step
     * {@code i} while the other holds the state before step {@code i − 1}.
     *
     * <p>When step {@code i}'s loss is not finite, the state before it is restored; if that state already held
     * a NaN or infinity — step {@code i − 1} had a finite loss but its update overflowed (a huge learning rate
     * does this) — the state before step {@code i − 1} is restored instead. A plain copy costs one read and one
     * write of the state per step: for the benchmark MLP (3 × 128 SiLU, Adam, float64: 101,385 values,
     * 811 KB) about 30 µs, one or two percent of its one-thread step; checking finiteness on every copy would
     * cost 2–4 times as much, so the check is done only after a non-finite loss, on the restored copy.
     *
     * <p>State that a device backend keeps on the accelerator between runs ({@link NdArray#residence()}) is not
     * copied: reading it on the host every step would move all of it off the device and back each step. Such a
     * step cannot be rolled back, and the exception says so.
     */
    private static final class Snapshots {
        private final NdArray[] live;
        private final NdArray[][] copies;
        private final String[] names;
        private final boolean[] valid = new boolean[2];

        Snapshots(List<Tensor> updated) {
            int n = updated.size();
            live = new NdArray[n];
            names = new String[n];
            copies = new NdArray[2][n];
            for (int k = 0; k < n; k++) {
                live[k] = updated.get(k).value();
                names[k] = updated.get(k).name();
                copies[0][k] = live[k].copy();
                copies[1][k] = live[k].copy();
            }
        }

        private boolean onDevice() {
            for (NdArray a : live) {
                if (a.residence() != null) {
                    return true;
                }
            }
            return false;
        }

        /** Copies the state before local step {@code i} into buffer {@code i mod 2}. */
        void take(long i) {
            int b = (int) (i & 1);
            valid[b] = !onDevice();
            if (valid[b]) {
                copy(live, copies[b]);
            }
        }

        /**
         * The outcome of {@link #restore}: whether a copy was restored, the number of this fit's steps the state
         * now reflects, and the name of a tensor that is not finite (null if none or unknown).
         */
        record Restored(boolean rolledBack, long localSteps, String badParameter) {
        }

        /**
         * Restores the state before local step {@code i} (which failed), or before {@code i − 1} when the
         * former is not finite and {@code i > 0}. Returns the number of this fit's steps the
         * restored state reflects and, if even it is not finite, the name of a non-finite tensor (else null).
         */
        Restored restore(long i) {
            if (!valid[(int) (i & 1)]) {
                return new Restored(false, i + 1, null);
            }
            copy(copies[(int) (i & 1)], live);
            String bad = firstNonFinite();
            if (bad == null || i == 0 || !valid[(int) ((i - 1) & 1)]) {
                return new Restored(true, i, bad);
            }
            copy(copies[(int) ((i - 1) & 1)], live);
            return new Restored(true, i - 1, firstNonFinite());
        }

        private String firstNonFinite() {
            for (int k = 0; k < live.length; k++) {
                if (live[k].firstNonFinite() >= 0) {
                    return names[k];
                }
            }
            return null;
        }

        private static void copy(NdArray[] from, NdArray[] to) {
            for (int k = 0; k < from.length; k++) {
                if (from[k].dtype() == DType.F64) {
                    double[] a = from[k].f64();
                    System.arraycopy(a, 0, to[k].f64(), 0, a.length);
                } else {
                    float[] a = from[k].f32();
                    System.arraycopy(a, 0, to[k].f32(), 0, a.length);
                }
            }
        }
    }
}
