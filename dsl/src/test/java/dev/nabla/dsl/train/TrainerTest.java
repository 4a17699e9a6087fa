package dev.nabla.dsl.train;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.Objective;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.nn.Activation;
import dev.nabla.dsl.nn.Mlp;
import dev.nabla.dsl.optim.Adam;
import dev.nabla.dsl.optim.Sgd;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training loops of small score models, with objectives written inline (no dependency on dsl.objectives). */
class TrainerTest {
    static final double S = 0.5;

    /**
     * Denoising score matching at noise levels σ ~ U(0.2, 1): {@code E ‖σ s(x + σz, σ) + z‖²}, minimised by the
     * score of the perturbed data.
     */
    static Objective dsm() {
        return (score, batch, key) -> {
            int b = batch.shape().dim(0);
            int d = batch.shape().dim(1);
            // in the batch's dtype: a float64 σ or z would make a float32 model's loss a mixed-dtype error
            Tensor sigma = key.fold(0).uniform(Shape.of(b, 1), 0.2, 1.0, batch.dtype());
            Tensor z = key.fold(1).normal(Shape.of(b, d), batch.dtype());
            Tensor y = batch.add(sigma.mul(z));
            return score.apply(y, sigma).mul(sigma).add(z).square().sum(-1).mean();
        };
    }

    /** n rows of N(0, S² I₂), seeded. */
    static NdArray gaussianData(int n) {
        Random r = new Random(7);
        double[] d = new double[2 * n];
        for (int i = 0; i < d.length; i++) {
            d[i] = S * r.nextGaussian();
        }
        return NdArray.wrap(d, Shape.of(n, 2));
    }

    static Mlp smallMlp(long seed) {
        return Mlp.builder(2).hidden(32, 32).activation(Activation.SILU).timeInput(dev.nabla.dsl.nn.TimeInput.LOG)
                .key(Key.of(seed)).build();
    }

    @Test
    void dsmLossFallsOnGaussianData() {
        Mlp model = smallMlp(0);
        List<long[]> calls = new ArrayList<>();
        FitResult<Mlp> fit = Trainer.of(model, dsm()).optimizer(new Adam(3e-3)).batch(128).steps(400).logEvery(20)
                .progress(false).callback((s, l) -> calls.add(new long[] {s, Double.doubleToLongBits(l)}))
                .fit(gaussianData(2000), Key.of(1));
        // at the true score E‖σ s + z‖² = 2 E[S²/(S²+σ²)] = (atan 2 − atan 0.4)/0.8 ≈ 0.908; the untrained
        // net is near 2, and the standard error of a logged mean (20 steps × 128 rows) is about 0.02
        assertTrue(fit.initialLoss() > 1.3, fit.toString());
        assertTrue(fit.finalLoss() < 1.0, fit.toString());
        assertEquals(20, fit.losses().length);
        assertEquals(19, fit.lossSteps()[0]);
        assertEquals(399, fit.lossSteps()[19]);
        assertEquals(20, calls.size());
        assertEquals(399, calls.getLast()[0]);
        assertEquals(fit.finalLoss(), Double.longBitsToDouble(calls.getLast()[1]));
        assertEquals(400, fit.optimizer().steps());
        assertTrue(fit.stepsPerSecond() > 0 && fit.wallTime().toNanos() > 0);
        assertTrue(fit.model() == model && fit.score() == model);
    }

    @Test
    void inGraphSamplerAndEma() {
        Mlp model = smallMlp(3);
        BatchSampler sampler = (key, n) -> key.normal(Shape.of(n, 2)).mul(S);
        Trainer<Mlp> trainer = Trainer.of(model, dsm()).adam(3e-3).batch(128).steps(300).ema(0.9).progress(false);
        FitResult<Mlp> fit = trainer.fit(sampler, Key.of(2));
        assertTrue(fit.finalLoss() < 1.0 && fit.initialLoss() > 1.3, fit.toString());
        assertTrue(fit.ema().isPresent());
        // the average lags the parameters but is close to them after 300 steps with δ = 0.9
        NdArray avg = fit.ema().get().value(model.parameters().getFirst());
        NdArray now = model.parameters().getFirst().value();
        double diff = 0;
        for (int i = 0; i < avg.size(); i++) {
            diff = Math.max(diff, Math.abs(avg.getFlat(i) - now.getFlat(i)));
        }
        assertTrue(diff > 0 && diff < 0.05, "ema vs params: " + diff);
        var e = assertThrows(IllegalArgumentException.class,
                () -> Trainer.of(smallMlp(0), dsm()).batch(16).steps(1).progress(false)
                        .fit((key, n) -> key.normal(Shape.of(n + 1, 2)), Key.of(0)));
        assertTrue(e.getMessage().contains("sampler"), e.getMessage());
    }

    @Test
    void trainingIsDeterministicAndResumesTheSameSequence() {
        NdArray data = gaussianData(500);
        Mlp a = smallMlp(5);
        Trainer.of(a, dsm()).adam(1e-3).batch(32).steps(60).progress(false).fit(data, Key.of(9));
        Mlp b = smallMlp(5);
        Trainer<Mlp> tb = Trainer.of(b, dsm()).adam(1e-3).batch(32).steps(30).progress(false);
        tb.fit(data, Key.of(9));
        tb.fit(data, Key.of(9)); // continues at global step 30
        for (int i = 0; i < a.parameters().size(); i++) {
            assertEquals(a.parameters().get(i).value(), b.parameters().get(i).value(), "parameter " + i);
        }
    }

    @Test
    void float32DataAndModel() {
        NdArray d64 = gaussianData(300);
        NdArray data = d64.astype(DType.F32);
        Mlp model = Mlp.builder(2).hidden(16).timeInput(dev.nabla.dsl.nn.TimeInput.LOG).dtype(DType.F32).build();
        FitResult<Mlp> fit = Trainer.of(model, dsm()).adam(3e-3).batch(64).steps(200).progress(false)
                .fit(data, Key.of(0));
        assertTrue(fit.finalLoss() < fit.initialLoss(), fit.toString());
    }

    /** Without a terminal and without progress(...), training reports plain lines periodically and at the end. */
    @Test
    void progressLinesWhenTheOutputIsNotATerminal() {
        List<String> lines = new ArrayList<>();
        Mlp model = smallMlp(3);
        Trainer<Mlp> t = Trainer.of(model, dsm()).adam(1e-3).batch(32).steps(200).progressLines(lines::add, 0);
        org.junit.jupiter.api.Assumptions.assumeFalse(ProgressDisplay.isTerminal(), "the tests' stdout is a terminal");
        t.fit(gaussianData(100), Key.of(0));
        // an interval of 0: a line after every step, and one at the end
        assertEquals(201, lines.size(), lines.subList(0, Math.min(3, lines.size())).toString());
        String last = lines.get(lines.size() - 1);
        assertTrue(last.startsWith("train: step 200/200 (100 %), loss ") && last.contains("steps/s")
                && last.contains("ETA 0 s"), last);
        assertTrue(lines.get(0).startsWith("train: step 1/200"), lines.get(0));
        List<String> none = new ArrayList<>();
        Trainer.of(smallMlp(3), dsm()).adam(1e-3).batch(32).steps(20).progress(false).progressLines(none::add, 0)
                .fit(gaussianData(100), Key.of(0));
        assertTrue(none.isEmpty(), "progress(false) prints nothing: " + none);
    }

    /** A float32 model is not trained on float64 data in float64 behind the user's back. */
    @Test
    void mixedDataAndModelDtypesAreRefused() {
        Mlp model = Mlp.builder(2).hidden(16).timeInput(dev.nabla.dsl.nn.TimeInput.LOG).dtype(DType.F32).build();
        Trainer<Mlp> t = Trainer.of(model, dsm()).adam(3e-3).batch(64).steps(2).progress(false);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> t.fit(gaussianData(100), Key.of(0)));
        assertTrue(e.getMessage().contains("F64") && e.getMessage().contains("F32") && e.getMessage().contains("astype"),
                e.getMessage());
    }

    /** A one-parameter "model" whose loss is w while w > 0 and NaN after: SGD(1) from 2.5 reaches −0.5 at step 3. */
    @Test
    void nanLossStopsNamingTheStep() {
        Tensor w = Tensor.parameter("w", NdArray.scalar(2.5));
        ScoreFunction score = (y, t) -> y;
        Objective obj = (s, batch, key) -> Tensor.where(w.gt(0), w, Tensor.scalar(Double.NaN));
        Trainer<ScoreFunction> t = Trainer.of(score, List.of(w), obj).optimizer(new Sgd(1.0)).batch(4).steps(10)
                .progress(false);
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> t.fit(gaussianData(10), Key.of(0)));
        assertEquals(3, e.step());
        assertTrue(Double.isNaN(e.loss()));
        assertTrue(e.getMessage().contains("at step 3") && e.getMessage().contains("debug(true)"), e.getMessage());

        Tensor w2 = Tensor.parameter("w", NdArray.scalar(2.5));
        Objective obj2 = (s, batch, key) -> w2.sqrt();
        // sqrt(w): gradient 1/(2√w) grows as w shrinks; with lr 4 w goes negative and sqrt gives NaN
        var d = assertThrows(ArithmeticException.class, () -> Trainer.of(score, List.of(w2), obj2)
                .optimizer(new Sgd(4.0)).batch(4).steps(10).progress(false).debug(true).fit(gaussianData(10), Key.of(0)));
        assertTrue(d.getMessage().contains("Trainer: at step"), d.getMessage());
    }

    /**
     * Plain SGD with a learning rate far too large diverges: with lr = 2 the loss of step 5 overflows, and the
     * trainer undoes step 5; with lr = 1 the loss stays finite (6.6e206) through step 9 but step 9's update
     * overflows the weights, so step 10's loss is NaN and both steps 10 and 9 are undone. Either way the
     * exception carries the loss history, and the model and optimizer are exactly (bit for bit) those of a
     * fresh run of as many steps (training is deterministic, see above).
     */
    @Test
    void divergingTrainingIsRolledBackToTheLastFiniteParametersAndKeepsTheHistory() {
        NdArray data = gaussianData(500);
        // lr, the diverging step, the steps the restored parameters reflect
        for (double[] c : new double[][] {{2, 5, 5}, {1, 10, 9}}) {
            double lr = c[0];
            Mlp m = smallMlp(0);
            Sgd sgd = new Sgd(lr);
            NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> Trainer.of(m, dsm())
                    .optimizer(sgd).batch(32).steps(200).logEvery(5).progress(false).fit(data, Key.of(1)));
            String what = "lr = " + lr + ": " + e.getMessage();
            assertEquals((long) c[1], e.step(), what);
            assertEquals((long) c[2], e.parametersAfterStep(), what);
            assertTrue(e.rolledBack(), what);
            assertEquals(null, e.nonFiniteParameter(), what);
            assertTrue(e.getMessage().contains("rolled back to their values after " + (long) c[2] + " steps"), what);
            assertEquals((long) c[2], sgd.steps(), what);
            for (Tensor p : m.parameters()) {
                assertTrue(p.value().firstNonFinite() < 0, "finite after the rollback: " + p.name());
            }
            Mlp ref = smallMlp(0);
            Sgd refSgd = new Sgd(lr);
            FitResult<Mlp> refFit = Trainer.of(ref, dsm()).optimizer(refSgd).batch(32).steps((long) c[2]).logEvery(5)
                    .progress(false).fit(data, Key.of(1));
            for (int i = 0; i < m.parameters().size(); i++) {
                assertEquals(ref.parameters().get(i).value(), m.parameters().get(i).value(), "parameter " + i);
            }
            for (int i = 0; i < sgd.state().size(); i++) {
                assertEquals(refSgd.state().get(i).value(), sgd.state().get(i).value(), "optimizer state " + i);
            }
            // the history: the logs before the failure (every 5 steps), then the mean of the finite steps since
            long[] steps = e.lossSteps();
            double[] losses = e.losses();
            long[] expectSteps = lr == 2 ? new long[] {4} : new long[] {4, 9};
            assertArrayEquals(expectSteps, steps, what);
            assertEquals(steps.length, losses.length);
            assertEquals(refFit.losses()[0], losses[0], 0.0, "the first log is that of the reference run");
            assertTrue(Double.isFinite(losses[losses.length - 1]) && losses[losses.length - 1] > 1e100,
                    "the diverging window's mean: " + losses[losses.length - 1]);
        }
    }

    /**
     * State a device backend keeps on the accelerator is not copied every step (that would move it to the host
     * and back each step), so such a step cannot be undone: the exception says so instead of claiming a
     * rollback. Simulated by marking the parameters device-resident from a callback at the log of step 4
     * (with lr = 2 the loss of step 5 overflows, as above).
     */
    @Test
    void deviceResidentStateIsNotCopiedAndTheExceptionSaysItWasNotRolledBack() {
        Mlp m = smallMlp(0);
        Callback markResident = (step, loss) -> {
            for (Tensor p : m.parameters()) {
                p.value().residesOn(() -> { });
            }
        };
        NonFiniteLossException e = assertThrows(NonFiniteLossException.class, () -> Trainer.of(m, dsm())
                .optimizer(new Sgd(2)).batch(32).steps(200).logEvery(5).callback(markResident).progress(false)
                .fit(gaussianData(500), Key.of(1)));
        assertEquals(5, e.step());
        assertTrue(!e.rolledBack(), e.getMessage());
        assertEquals(6, e.parametersAfterStep(), "the diverging step's update stays");
        assertTrue(e.getMessage().contains("could not be rolled back"), e.getMessage());
        assertArrayEquals(new long[] {4}, e.lossSteps(), "the history is kept all the same");
    }

    @Test
    void progressBarShowsLossAndSpeedWhenForced() {
        List<String> lines = new ArrayList<>();
        Trainer.of(smallMlp(0), dsm()).adam(1e-3).batch(16).steps(300).logEvery(10).progress(true)
                .progressSink(l -> {
                    synchronized (lines) {
                        lines.add(l);
                    }
                }).fit(gaussianData(100), Key.of(0));
        String last;
        synchronized (lines) {
            assertTrue(!lines.isEmpty());
            last = lines.getLast();
        }
        assertTrue(last.contains("300/300") && last.contains("steps/s") && last.contains("loss"), last);
    }

    @Test
    void badConfigurationFailsFast() {
        Trainer<Mlp> t = Trainer.of(smallMlp(0), dsm()).progress(false);
        var e = assertThrows(IllegalArgumentException.class, () -> t.batch(0));
        assertTrue(e.getMessage().contains("rows = 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.steps(0));
        assertTrue(e.getMessage().contains("n = 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.ema(1.5));
        assertTrue(e.getMessage().contains("decay = 1.5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> t.fit(NdArray.of(new double[] {1, 2}), Key.of(0)));
        assertTrue(e.getMessage().contains("[2]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> t.fit(NdArray.of(new double[] {1, Double.NaN, 3, 4}, 2, 2), Key.of(0)));
        assertTrue(e.getMessage().contains("data[0, 1] = NaN"), e.getMessage());
        Objective notScalar = (s, batch, key) -> batch.sum(0);
        e = assertThrows(IllegalArgumentException.class, () -> Trainer.of(smallMlp(0), notScalar).steps(1)
                .progress(false).fit(gaussianData(10), Key.of(0)));
        assertTrue(e.getMessage().contains("scalar loss"), e.getMessage());
    }

    /**
     * A compiled step allocates nothing, and the loop around it only a {@link Key} (16 bytes, usually
     * scalar-replaced). Measured with {@code ThreadMXBean} as the difference between a 2200-step and a 200-step
     * fit of the same trainer after warm-up (compilation is then a plan-cache hit in both, so their setup
     * costs, about 300 KB of graph building, cancel), divided by the 2000 extra steps. Budget: 64 bytes a step
     * — the key, plus setup-cost jitter (a few KB over 2000 steps).
     *
     * <p>The reference backend's scalar kernels allocate nothing in any JIT state, so its check isolates the
     * trainer's loop and the plan's runtime. The SIMD backend's Vector API kernels allocate vector boxes until C2
     * has compiled them (longer on a loaded machine), so its measurement is repeated up to 10 times and must
     * reach the same budget once the JIT has settled.
     */
    @Test
    void aTrainingStepAllocatesAlmostNothing() {
        NdArray data = gaussianData(1000);
        Mlp tiny = Mlp.builder(2).hidden(8).timeInput(dev.nabla.dsl.nn.TimeInput.LOG).build();
        Trainer<Mlp> ref = Trainer.of(tiny, dsm()).adam(1e-4).batch(8).logEvery(1000).progress(false)
                .backend(Backend.reference()).ema(0.99);
        ref.steps(500).fit(data, Key.of(0)); // warm-up: JIT and plan cache
        double[] perStep = new double[1];
        String report = measure(ref, data, 3, perStep);
        assertTrue(perStep[0] < 64, "reference:" + report);

        Trainer<Mlp> simd = Trainer.of(smallMlp(0), dsm()).adam(1e-4).batch(32).logEvery(1000).progress(false)
                .backend(Backend.simd()).ema(0.99);
        simd.steps(3000).fit(data, Key.of(0));
        report = measure(simd, data, 10, perStep);
        assertTrue(perStep[0] < 64, "simd:" + report);
    }

    private static String measure(Trainer<Mlp> t, NdArray data, int attempts, double[] perStep) {
        var mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        StringBuilder report = new StringBuilder();
        for (int attempt = 0; attempt < attempts; attempt++) {
            long a0 = mx.getThreadAllocatedBytes(tid);
            t.steps(200).fit(data, Key.of(0));
            long a1 = mx.getThreadAllocatedBytes(tid);
            t.steps(2200).fit(data, Key.of(0));
            long a2 = mx.getThreadAllocatedBytes(tid);
            perStep[0] = ((a2 - a1) - (a1 - a0)) / 2000.0;
            report.append(String.format(" attempt %d: %.1f bytes/step (fit of 200 steps: %d bytes, of 2200: %d);",
                    attempt, perStep[0], a1 - a0, a2 - a1));
            if (perStep[0] < 64) {
                break;
            }
        }
        return report.toString();
    }
}
