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
import java.util.List;
import java.util.Random;

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
                .anyMatch(in -> in instanceof dev.nabla.core.plan.Instr.Elementwise e
                        && FusedCode.slots(e.expr()).size() > Kernels.INPUTS);
        assertTrue(wide, "the product is one fused instruction wider than a kernel");
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
