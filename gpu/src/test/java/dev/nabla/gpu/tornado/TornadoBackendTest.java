package dev.nabla.gpu.tornado;

import dev.nabla.core.Autodiff;
import dev.nabla.core.BackendEquivalenceProperties;
import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.RandomGraphs;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.backend.Executable;
import dev.nabla.core.plan.Instr;
import dev.nabla.core.plan.Program;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.data.Datasets;
import dev.nabla.dsl.nn.Activation;
import dev.nabla.dsl.nn.Mlp;
import dev.nabla.dsl.nn.TimeInput;
import dev.nabla.dsl.objectives.Objectives;
import dev.nabla.dsl.sde.VarianceExploding;
import dev.nabla.dsl.train.FitResult;
import dev.nabla.dsl.train.Trainer;
import dev.nabla.gpu.Gpu;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The TornadoVM backend against the reference backend, on whatever device TornadoVM picks by default (in this
 * project's CI-less check, PoCL's OpenCL CPU device). Runs only in builds with TornadoVM installed (the
 * {@code tornadovm} profile), with its argfile and {@code -Dtornado.recover.bailout=False}, so a kernel that
 * TornadoVM cannot compile fails instead of silently running as Java.
 *
 * <p>Tolerances of the random graphs: those of {@link BackendEquivalenceProperties}. float64: the OpenCL 1.2 spec
 * (§7.4) bounds the device's exp, log, sin, tanh at 3–5 ulp against Java's 1 ulp, and matmul and reductions sum in
 * another order; the bound is 10⁻¹⁰ of the output's scale plus the graph's measured sensitivity to a 2⁻³⁶ relative
 * input perturbation, rescaled to max(64, 2n) ulps. float32: the device computes in float (the reference in double,
 * rounded once), as SIMD does, so 2·10⁻³ of the scale plus 64 times the float32 reference's own deviation from
 * float64.
 */
class TornadoBackendTest {
    static Backend tornado;

    @BeforeAll
    static void device() {
        assertTrue(Gpu.tornadoInstalled(), "the tornadovm profile runs these tests with TornadoVM's argfile");
        tornado = Backend.named("tornado");
    }

    @Test
    void randomGraphsAndTheirGradientsMatchTheReference() {
        Random seeds = new Random(20261122);
        int[][] sizes = {{3, 5}, {1, 129}, {4, 17}, {2, 40}, {3, 1}, {2, 33}};
        for (int trial = 0; trial < 12; trial++) {
            long seed = seeds.nextLong();
            int a = sizes[trial % sizes.length][0];
            int b = sizes[trial % sizes.length][1];
            boolean f32 = trial % 3 == 2;
            boolean smooth = trial % 2 == 0;
            int depth = 6 + trial % 5;
            BackendEquivalenceProperties.assertMatchesReference(List.of(tornado), seed, depth, a, b, f32, smooth);
        }
    }

    /** An MLP regression step with Adam whose minibatch is drawn inside the plan (Philox normals). */
    record Step(Plan plan, Tensor loss, List<Tensor> params, Tensor key) {
        static Step build(Backend backend, DType dt) {
            Tensor k = Tensor.keyInput("key");
            Tensor w1 = Tensor.parameter("w1", NdArray.of(new double[] {0.1, -0.2, 0.3, 0.05, 0.2, -0.1}, 2, 3)
                    .astype(dt));
            Tensor w2 = Tensor.parameter("w2", NdArray.of(new double[] {0.3, -0.1, 0.2}, 3, 1).astype(dt));
            Tensor xb = k.normal(Shape.of(64, 2), dt);
            Tensor yb = xb.sum(1).unsqueeze(1).sin();
            Tensor loss = xb.matmul(w1).tanh().matmul(w2).sub(yb).square().mean();
            List<Tensor> params = List.of(w1, w2);
            List<Tensor> grads = Autodiff.grad(loss, params);
            Plan.Builder b = Plan.builder().output(loss).backend(backend);
            List<Tensor> all = new ArrayList<>(params);
            for (int i = 0; i < 2; i++) {
                Tensor p = params.get(i);
                Tensor m = Tensor.parameter("m" + i, NdArray.zeros(p.shape(), dt));
                Tensor v = Tensor.parameter("v" + i, NdArray.zeros(p.shape(), dt));
                Tensor mNew = m.mul(0.9).add(grads.get(i).mul(0.1));
                Tensor vNew = v.mul(0.999).add(grads.get(i).square().mul(0.001));
                b.update(m, mNew).update(v, vNew).update(p, p.sub(mNew.div(vNew.sqrt().add(1e-8)).mul(2e-2)));
                all.add(m);
                all.add(v);
            }
            return new Step(b.build(), loss, all, k);
        }

        double run(long key) {
            return plan.set(this.key, Key.of(key)).execute().get(loss).item();
        }
    }

    /**
     * Parameters and optimizer state stay on the device between runs and come back when the host reads them;
     * host writes reach the next run; a CPU plan over the same parameters sees the device's updates.
     * float64: the device's normals differ from the CPU's by a few ulps (its log and cos) and its sums are ordered
     * differently; after 40 Adam steps the loss and state differed by at most 1.2·10⁻¹⁵ relative on PoCL
     * (2026-11-22), and the bound, 10⁻¹², leaves a factor 10³ for other devices' math libraries.
     */
    @Test
    void aTrainingStepKeepsItsStateOnTheDeviceAndInSync() {
        Step gpu = Step.build(tornado, DType.F64);
        Step cpu = Step.build(Backend.reference(), DType.F64);
        for (int i = 0; i < 40; i++) {
            double lg = gpu.run(i);
            double lc = cpu.run(i);
            assertEquals(lc, lg, 1e-12 * Math.abs(lc), "loss at step " + i);
        }
        assertSameValues(cpu.params(), gpu.params(), 1e-12, "after 40 steps");
        // host writes (a checkpoint load, say) reach the device before its next run
        for (int i = 0; i < gpu.params().size(); i++) {
            gpu.params().get(i).value().copyFrom(cpu.params().get(i).value());
        }
        for (int i = 40; i < 45; i++) {
            double lc = cpu.run(i);
            assertEquals(lc, gpu.run(i), 1e-12 * Math.abs(lc), "loss at step " + i + " after the host wrote the state");
        }
        // a CPU plan over the device's parameters reads their newest values
        Tensor w1 = gpu.params().get(0);
        Tensor norm = w1.square().sum();
        Plan read = Plan.compile(List.of(norm), Backend.simd(1));
        double onCpu = read.execute().get(norm).item();
        double expected = 0;
        for (double v : cpu.params().get(0).value().toDoubleArray()) {
            expected += v * v;
        }
        assertEquals(expected, onCpu, 1e-12 * expected);
    }

    /**
     * A program longer than one TornadoVM task graph holds runs as a chain of graphs; here every graph holds two
     * kernels, so buffers, parameters and the optimizer state pass through many graphs, across runs and after a
     * host write. Same bound as above.
     */
    @Test
    void aStepSplitIntoAChainOfTaskGraphsMatchesToo() {
        int saved = TornadoExecutable.MAX_TASKS_PER_GRAPH;
        TornadoExecutable.MAX_TASKS_PER_GRAPH = 2;
        try {
            Step gpu = Step.build(tornado, DType.F64);
            Step cpu = Step.build(Backend.reference(), DType.F64);
            for (int i = 0; i < 12; i++) {
                double lc = cpu.run(i);
                assertEquals(lc, gpu.run(i), 1e-12 * Math.abs(lc), "loss at step " + i);
                if (i == 5) { // the host rewrites the state mid-way
                    for (int j = 0; j < gpu.params().size(); j++) {
                        gpu.params().get(j).value().copyFrom(cpu.params().get(j).value());
                    }
                }
            }
            assertSameValues(cpu.params(), gpu.params(), 1e-12, "after 12 chained steps");
        } finally {
            TornadoExecutable.MAX_TASKS_PER_GRAPH = saved;
        }
    }

    @Test
    void float32TrainingFollowsTheReference() {
        Step gpu = Step.build(tornado, DType.F32);
        Step cpu = Step.build(Backend.reference(), DType.F32);
        for (int i = 0; i < 20; i++) {
            double lg = gpu.run(i);
            double lc = cpu.run(i);
            // the device computes float32 ops in float (the reference in double, rounded once): measured 3.9e-7
            // relative after 20 steps on PoCL; the bound is 1e-5, about 80 float32 ulps
            assertEquals(lc, lg, 1e-5 * Math.abs(lc), "loss at step " + i);
        }
    }

    static void assertSameValues(List<Tensor> expected, List<Tensor> actual, double rel, String what) {
        for (int i = 0; i < expected.size(); i++) {
            double[] e = expected.get(i).value().toDoubleArray();
            double[] a = actual.get(i).value().toDoubleArray();
            for (int j = 0; j < e.length; j++) {
                assertEquals(e[j], a[j], rel * Math.max(1, Math.abs(e[j])), what + ": " + expected.get(i) + "[" + j + "]");
            }
        }
    }

    /**
     * Denoising score matching as the Quickstart trains it (smaller), on the device and on the reference backend:
     * losses and parameters after 30 steps differed by 1.6·10⁻¹⁵ and 3.4·10⁻¹⁶ relative on PoCL; bound 10⁻¹².
     */
    @Test
    void dsmTrainingMatchesTheCpuBackends() {
        NdArray data = Datasets.gaussianRing(2000, 8, 4.0, 0.1, Key.of(0));
        VarianceExploding sde = new VarianceExploding(0.01, 10);
        List<double[]> losses = new ArrayList<>();
        List<List<Tensor>> params = new ArrayList<>();
        for (Backend b : List.of(Backend.reference(), tornado)) {
            Mlp model = Mlp.builder(2).hidden(64, 64).activation(Activation.SILU).timeInput(TimeInput.LOG)
                    .key(Key.of(1)).build();
            FitResult<Mlp> fit = Trainer.of(model, Objectives.dsm(sde)).adam(2e-3).batch(256).steps(30)
                    .backend(b).logEvery(1).progress(false).fit(data, Key.of(2));
            losses.add(fit.losses());
            params.add(model.parameters());
        }
        double[] ref = losses.get(0);
        double[] dev = losses.get(1);
        assertEquals(ref.length, dev.length);
        for (int i = 0; i < ref.length; i++) {
            assertEquals(ref[i], dev[i], 1e-12 * Math.abs(ref[i]), "DSM loss at log point " + i);
        }
        assertSameValues(params.get(0), params.get(1), 1e-12, "DSM parameters after 30 steps");
    }

    /**
     * The device draws the CPU's random numbers for the same key: uniforms bit for bit (integer Philox and an exact
     * conversion), normals to within the device's log and cos (OpenCL: ≤ 4 ulp each, so 16 ulp of the result's
     * magnitude covers √(−2 ln u) cos(2πu) with room).
     */
    @Test
    void theDeviceDrawsTheCpusRandomNumbers() {
        for (DType dt : List.of(DType.F64, DType.F32)) {
            Tensor k = Tensor.keyInput("k");
            Tensor u = k.fold(1).uniform(Shape.of(4099), dt);
            Tensor z = k.fold(2).normal(Shape.of(4099), dt);
            double[][] got = new double[2][];
            double[][] ref = new double[2][];
            for (Backend b : List.of(tornado, Backend.reference())) {
                Plan p = Plan.compile(List.of(u, z), b);
                p.set(k, Key.of(77)).execute();
                double[][] into = b == tornado ? got : ref;
                into[0] = p.get(u).toDoubleArray();
                into[1] = p.get(z).toDoubleArray();
            }
            for (int i = 0; i < ref[0].length; i++) {
                assertEquals(ref[0][i], got[0][i], 0.0, dt + " uniform " + i);
                double ulp = dt == DType.F64 ? Math.ulp(Math.max(1, Math.abs(ref[1][i]))) : Math.ulp((float) Math.max(1, Math.abs(ref[1][i])));
                assertEquals(ref[1][i], got[1][i], 16 * ulp, dt + " normal " + i);
            }
        }
    }

    /**
     * A fused expression reading more buffers than a kernel has inputs (here 11 &gt; 8), or needing more registers
     * than it has, is split into several kernels; the values are those of the reference.
     */
    @Test
    void expressionsTooBigForOneKernelAreSplit() {
        Tensor x = Tensor.placeholder("x", Shape.of(3, 5));
        List<Tensor> ps = new ArrayList<>();
        Tensor product = x;
        for (int i = 0; i < 10; i++) {
            Tensor p = Tensor.placeholder("p" + i, Shape.of(3, 5));
            ps.add(p);
            product = product.mul(p.add(0.5 * i));
        }
        Tensor deep = x;
        for (int i = 0; i < 20; i++) {
            deep = x.mul(0.1 * i).add(deep.sin().mul(deep.add(1).tanh()));
        }
        for (Tensor f : List.of(product, deep)) {
            double[][] got = new double[2][];
            int at = 0;
            for (Backend b : List.of(tornado, Backend.reference())) {
                Plan p = Plan.compile(List.of(f), b);
                Random rr = new Random(9);
                p.set(x, RandomGraphs.weights(rr, 15));
                for (Tensor q : f == product ? ps : List.<Tensor>of()) { // deep reads x alone
                    p.set(q, RandomGraphs.weights(rr, 15));
                }
                got[at++] = p.execute().get(f).toDoubleArray();
            }
            for (int i = 0; i < 15; i++) {
                // device sin/tanh (≤ 4–5 ulp, OpenCL 1.2 §7.4) through 20 nested levels of contraction ≤ 1: 1e-13
                assertEquals(got[1][i], got[0][i], 1e-13 * Math.max(1, Math.abs(got[1][i])), f + "[" + i + "]");
            }
        }
        // the compiler fused the product into one elementwise instruction reading 11 buffers: the split ran
        boolean wide = Plan.compile(List.of(product), tornado).program().instrs().stream()
                .anyMatch(in -> in instanceof Instr.Elementwise e
                        && FusedCode.slots(e.expr()).size() > Kernels.INPUTS);
        assertTrue(wide, "the product is one fused instruction wider than a kernel");
    }

    /** A chain of movement ops over x [4, 6, 5] and y [5, 6], and what kernels, reductions and matmuls read of it. */
    record Views(Tensor x, Tensor y, List<Tensor> copies, List<Tensor> sums) {
        static Views build(DType dt) {
            Tensor x = Tensor.placeholder("x", Shape.of(4, 6, 5), dt);
            Tensor y = Tensor.placeholder("y", Shape.of(5, 6), dt);
            Tensor p = x.permute(2, 0, 1); // [5, 4, 6]
            Tensor s = p.slice(1, 1, 3); // [5, 2, 6] at an offset
            Tensor e = y.unsqueeze(1).broadcastTo(Shape.of(5, 2, 6)); // stride 0 on axis 1
            Tensor c = Tensor.concat(1, s.pad(2, 1, 2), e.pad(2, 0, 3)); // [5, 4, 9]: zero fills and two parts
            Tensor st = Tensor.stack(0, s, e); // [2, 5, 2, 6]
            List<Tensor> copies = List.of(
                    c.mul(2).add(st.sum(0).slice(2, 1, 5).pad(2, 3, 2).pad(1, 1, 1)), // elementwise over copies
                    p.max(0, 2), s.max(1), c.max(1), e.max(0)); // maxima of views and of a concatenation
            Tensor rows = x.reshape(24, 5).slice(0, 3, 10); // [7, 5] starting at element 15
            List<Tensor> sums = List.of(
                    s.sum(1), p.sum(0, 2), c.sum(0, 2), e.sum(1), st.sum(1, 3), // in place; axes not one block
                    x.slice(0, 1, 3).matmul(y), // batch of two at offset 30, y shared (batch stride 0)
                    x.slice(0, 1, 3).permute(0, 2, 1).matmul(y.slice(1, 0, 3).pad(0, 0, 1)), // A transposed at 30
                    rows.matmul(y), y.transpose().matmul(rows.transpose())); // a row block; B transposed at 15
            return new Views(x, y, copies, sums);
        }

        /** Every output on {@code backend}, for each set of the 150 values of x and y in {@code inputs}. */
        List<List<double[]>> run(Backend backend, DType dt, double[]... inputs) {
            List<Tensor> all = new ArrayList<>(copies);
            all.addAll(sums);
            Plan plan = Plan.compile(all, backend);
            List<List<double[]>> results = new ArrayList<>();
            for (double[] values : inputs) {
                double[] xv = Arrays.copyOfRange(values, 0, 120);
                double[] yv = Arrays.copyOfRange(values, 120, 150);
                plan.set(x, NdArray.of(xv, 4, 6, 5).astype(dt)).set(y, NdArray.of(yv, 5, 6).astype(dt)).execute();
                List<double[]> out = new ArrayList<>();
                for (Tensor t : all) {
                    out.add(plan.get(t).toDoubleArray());
                }
                results.add(out);
            }
            return results;
        }
    }

    /**
     * Permutes, slices, broadcasts, pads, a concatenation and a stack, read by an elementwise kernel, sums, maxima
     * and matmuls (operands at an offset, transposed, shared across the batch), equal to the reference bit for bit.
     * With random inputs the copies, the elementwise kernel and the maxima are bit-equal (each output element is
     * one input element, a maximum, or 2c + (a + b), whose doubling is exact, so a contraction to fma changes
     * nothing); sums and matmuls add in another order on the device, so they are compared bit for bit on inputs
     * k/8 with |k| ≤ 64, whose sums (≤ 45 terms, 12 significant bits) and products (≤ 6 terms of k·k'/64,
     * ≤ 16 bits) are exact in float32 and float64 in any order. float32: the reference rounds its double result once, which is
     * the device's float result wherever that is exact.
     */
    @Test
    void movementChainsReadInPlaceMatchTheReferenceBitForBit() {
        for (DType dt : List.of(DType.F64, DType.F32)) {
            Views v = Views.build(dt);
            Random r = new Random(31);
            double[] random = new double[150];
            double[] dyadic = new double[150];
            for (int i = 0; i < random.length; i++) {
                random[i] = r.nextGaussian();
                dyadic[i] = (r.nextInt(129) - 64) / 8.0;
            }
            int copies = v.copies().size();
            List<List<double[]>> got = v.run(tornado, dt, random, dyadic);
            List<List<double[]>> ref = v.run(Backend.reference(), dt, random, dyadic);
            List<double[]> gotR = got.get(0);
            List<double[]> refR = ref.get(0);
            List<double[]> gotD = got.get(1);
            List<double[]> refD = ref.get(1);
            for (int o = 0; o < gotR.size(); o++) {
                if (o < copies) {
                    assertArrayEquals(refR.get(o), gotR.get(o), dt + " output " + o + " on random inputs");
                }
                assertArrayEquals(refD.get(o), gotD.get(o), dt + " output " + o + " on k/8 inputs");
            }
            // the paths under test ran: multi-part copies with zero fills, reductions and matmuls over views
            List<Tensor> all = new ArrayList<>(v.copies());
            all.addAll(v.sums());
            List<Instr> instrs = Plan.compile(all, tornado).program().instrs();
            assertTrue(instrs.stream().anyMatch(in -> in instanceof Instr.Strided st && st.in().length > 1),
                    "a concatenation");
            assertTrue(instrs.stream().anyMatch(in -> in instanceof Instr.Strided st && st.zero()), "a pad");
            assertTrue(instrs.stream().anyMatch(in -> in instanceof Instr.Reduce red && !red.view().isDense()),
                    "a reduction of a view");
            assertTrue(instrs.stream().anyMatch(in -> in instanceof Instr.Matmul m && m.offsetA() > 0),
                    "a matmul operand at an offset");
        }
    }

    /**
     * No device task reads an index map: the only int array is the program's (fused register code and the loop
     * nests of strided copies and reductions, a few words each), far smaller than any of the outputs here (which
     * the earlier gathers mapped element by element, an int per output element).
     */
    @Test
    void noTaskUploadsAnIndexMapAsLargeAsItsOutput() {
        Tensor x = Tensor.placeholder("x", Shape.of(64, 48));
        Tensor t = x.transpose(); // [48, 64]
        Tensor padded = t.slice(1, 4, 60).pad(1, 2, 6); // [48, 64]
        Tensor both = Tensor.concat(0, padded, t); // [96, 64]
        Tensor squares = both.mul(both); // elementwise over the copy
        Tensor colSums = t.slice(0, 8, 40).sum(0); // a sliced transpose reduced in place
        Tensor product = x.slice(0, 16, 64).matmul(t.slice(1, 0, 24)); // A at offset 16·48, B transposed
        TornadoExecutable[] loaded = new TornadoExecutable[1];
        Backend capture = new Backend() {
            @Override
            public String name() {
                return "capture";
            }

            @Override
            public boolean fusesElementwise() {
                return tornado.fusesElementwise();
            }

            @Override
            public Executable load(Program program, NdArray[] parameters, boolean debug) {
                loaded[0] = (TornadoExecutable) tornado.load(program, parameters, debug);
                return loaded[0];
            }
        };
        List<Tensor> outs = List.of(squares, colSums, product);
        NdArray xv = NdArray.of(RandomGraphs.weights(new Random(5), 64 * 48), 64, 48);
        Plan dev = Plan.compile(outs, capture).set(x, xv).execute();
        Plan ref = Plan.compile(outs, Backend.reference()).set(x, xv).execute();
        // the squares of copies are bit-equal. Sums of ≤ 48 terms (entries, products of entries, in [−1, 1]) in
        // another order: each order is within n·u·Σ|terms| ≤ 48 · 2⁻⁵³ · 48 of the exact value (Higham, Accuracy
        // and Stability, §3.1 and §4.2), so the two within twice that
        assertArrayEquals(ref.get(squares).toDoubleArray(), dev.get(squares).toDoubleArray(), "squares");
        for (Tensor o : List.of(colSums, product)) {
            double[] e = ref.get(o).toDoubleArray();
            double[] a = dev.get(o).toDoubleArray();
            for (int i = 0; i < e.length; i++) {
                assertEquals(e[i], a[i], 2 * 48 * 48 * 0x1p-53, o + "[" + i + "]");
            }
        }
        int words = loaded[0].intWords();
        assertTrue(words < 300, "int words uploaded: " + words + " (outputs of " + 96 * 64 + ", 64 and " + 48 * 24
                + " elements)");
    }

    @Test
    void anOpWithoutDeviceCodeIsRefusedByName() {
        Tensor x = Tensor.placeholder("x", Shape.of(8), DType.F64);
        Tensor y = x.erf().mul(2);
        Exception e = assertThrows(UnsupportedOperationException.class, () -> {
            Plan p = Plan.compile(List.of(y), tornado);
            p.set(x, NdArray.zeros(Shape.of(8), DType.F64)).execute();
        });
        assertTrue(e.getMessage().contains("erf") && e.getMessage().contains("simd"), e.getMessage());
    }

    @Test
    void badDeviceSpecsNameTheDevices() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.named("tornado:9:9"));
        assertTrue(e.getMessage().contains("names no device") && e.getMessage().contains("tornado:0:0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Backend.named("tornado:x"));
        assertTrue(e.getMessage().contains("expected tornado or tornado:B:D"), e.getMessage());
    }

    /**
     * A fused kernel reading views in place on the CPU backends (a column slice, a slice at an offset, a transpose,
     * a broadcast of axes that are not one block, one view read twice) gets them copied out first on the device:
     * the values are the reference's exactly (small integers, so every product and sum is exact), in float64 and
     * float32.
     */
    @Test
    void fusedKernelsReadStridedViews() {
        Random r = new Random(31);
        Shape s = Shape.of(37, 6);
        double[] xs = new double[s.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = r.nextInt(19) - 9;
        }
        for (DType dt : List.of(DType.F64, DType.F32)) {
            Tensor x = Tensor.placeholder("x", s, dt);
            List<Tensor> views = List.of(x.slice(1, 2, 3), x.slice(0, 3, 10).slice(1, 1, 5), x.transpose(),
                    x.unsqueeze(1).broadcastTo(Shape.of(37, 3, 6)));
            for (Tensor v : views) {
                Tensor y = v.mul(3).add(1).mul(v);
                double[][] got = new double[2][];
                List<Backend> backends = List.of(tornado, Backend.reference());
                for (int b = 0; b < 2; b++) {
                    got[b] = Plan.compile(List.of(y), backends.get(b)).set(x, xs).execute().get(y).toDoubleArray();
                }
                for (int i = 0; i < got[1].length; i++) {
                    assertEquals(got[1][i], got[0][i], 0.0, dt + " view " + v.shape() + " element " + i);
                }
            }
        }
    }
}
