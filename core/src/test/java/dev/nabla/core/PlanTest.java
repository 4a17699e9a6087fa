package dev.nabla.core;

import dev.nabla.core.backend.Backend;
import dev.nabla.core.plan.Instr;
import dev.nabla.core.random.Key;
import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PlanTest {
    @Test
    void elementwiseChainsFuseIntoOneKernel() {
        Tensor x = Tensor.placeholder("x", Shape.of(100));
        Tensor y = x.mul(2).add(1).tanh().exp().mul(x).sqrt().neg();
        Plan p = Plan.compile(List.of(y), Backend.simd(1));
        assertEquals(1, p.program().instrs().size(), "one fused kernel: " + p.program().instrs());
        // a value used twice (silu(z) = z·σ(z)) is computed once into a buffer, then read by the next kernel
        Plan twice = Plan.compile(List.of(x.mul(2).add(1).silu()), Backend.simd(1));
        assertEquals(2, twice.program().instrs().size(), twice.program().instrs().toString());
        Plan ref = Plan.compile(List.of(y), Backend.reference());
        assertTrue(ref.program().instrs().size() > 5, "the reference backend runs op by op");
    }

    @Test
    void aBiasAdditionIsRecomputedByItsFewConsumers() {
        java.util.Random rnd = new java.util.Random(3);
        double[] xs = new double[8 * 16];
        double[] ws = new double[16 * 32];
        double[] bs = new double[32];
        for (double[] v : List.of(xs, ws, bs)) {
            for (int i = 0; i < v.length; i++) {
                v[i] = rnd.nextGaussian();
            }
        }
        Tensor x = Tensor.placeholder("x", Shape.of(8, 16));
        Tensor w = Tensor.parameter("w", NdArray.of(ws, 16, 32));
        Tensor b = Tensor.parameter("b", NdArray.of(bs, 32));
        Tensor h = x.matmul(w).add(b); // used twice by silu(h) = h·σ(h)
        Tensor y = h.silu();
        Plan simd = Plan.compile(List.of(y), Backend.simd(1));
        List<Instr> instrs = simd.program().instrs();
        // the product, then one kernel for (xw + b)·σ(xw + b): no kernel writes h out
        assertEquals(2, instrs.size(), instrs.toString());
        assertEquals(1, instrs.stream().filter(i -> i instanceof Instr.Matmul).count(), instrs.toString());
        double[] got = simd.run(Map.of(x, xs)).get(y).toDoubleArray();
        double[] want = Plan.compile(List.of(y), Backend.reference()).run(Map.of(x, xs)).get(y).toDoubleArray();
        // the same operations in the same order per element, bar the exp of σ: ≤ a few ulps of |y| ≤ 10
        assertArrayEquals(want, got, 1e-13);
        // with more consumers than RECOMPUTE_USES the sum is written out once again
        Tensor many = h.sin().add(h.cos()).add(h.exp()).add(h.tanh()).add(h.square());
        List<Instr> wide = Plan.compile(List.of(many), Backend.simd(1)).program().instrs();
        assertEquals(3, wide.size(), "the product, h, the rest: " + wide);
    }

    /**
     * Transposes around products cost no gather: a transpose of a transpose (a weight read back in a second-order
     * gradient) is read as the weight itself, and a transpose of a product nothing else reads is computed as the
     * transposed product {@code (AB)ᵀ = BᵀAᵀ}, batched too. A product also read untransposed is computed once and
     * gathered.
     */
    @Test
    void transposesOfTransposesAndOfProductsAreFoldedIntoTheProducts() {
        java.util.Random rnd = new java.util.Random(5);
        Tensor a = Tensor.placeholder("a", Shape.of(2, 6, 5));
        Tensor w = Tensor.of(rnd.doubles(5 * 4).toArray(), 5, 4);
        Tensor v = Tensor.placeholder("v", Shape.of(2, 4, 3));
        Tensor twice = a.matmul(w.transpose().transpose());                 // [2, 6, 4]
        Tensor yt = twice.matmul(v).transpose();                             // [2, 3, 6]: (a·w·v)ᵀ
        Tensor z = w.transpose().matmul(a.transpose()).transpose();          // [2, 6, 4]: (wᵀ·aᵀ)ᵀ, w shared
        double[] as = rnd.doubles(2 * 6 * 5).toArray();
        double[] vs = rnd.doubles(2 * 4 * 3).toArray();
        double[] ws = w.eval().toDoubleArray();
        Map<Tensor, Object> in = Map.of(a, as, v, vs);
        Plan simd = Plan.compile(List.of(yt, z), Backend.simd(1));
        List<Instr> instrs = simd.program().instrs();
        assertEquals(0, instrs.stream().filter(i -> i instanceof Instr.Strided).count(), instrs.toString());
        // the expected values computed here (both backends share the lowering): aw[b] = a[b]·w, y = aw[b]·v[b]
        double[] wantZ = new double[2 * 6 * 4];
        double[] wantYt = new double[2 * 3 * 6];
        for (int b = 0; b < 2; b++) {
            for (int i = 0; i < 6; i++) {
                for (int j = 0; j < 4; j++) {
                    double sum = 0;
                    for (int p = 0; p < 5; p++) {
                        sum += as[(b * 6 + i) * 5 + p] * ws[p * 4 + j];
                    }
                    wantZ[(b * 6 + i) * 4 + j] = sum;
                }
                for (int j = 0; j < 3; j++) {
                    double sum = 0;
                    for (int p = 0; p < 4; p++) {
                        sum += wantZ[(b * 6 + i) * 4 + p] * vs[(b * 4 + p) * 3 + j];
                    }
                    wantYt[(b * 3 + j) * 6 + i] = sum;
                }
            }
        }
        // sums of ≤ 20 products of numbers in [0, 1) in another order: a few ulps of values below 20
        for (Backend be : List.of(Backend.reference(), Backend.simd(1))) {
            Plan.Results r = Plan.compile(List.of(yt, z), be).run(in);
            assertArrayEquals(wantYt, r.get(yt).toDoubleArray(), 1e-13, be.name());
            assertArrayEquals(wantZ, r.get(z).toDoubleArray(), 1e-13, be.name());
        }
        // a reshape that regroups a transpose's data stops the folding: (Aᵀ reshaped)ᵀ is not A. Both backends
        // share the lowering, so the expected product is computed here: m = [[a b c] [d e f]], mᵀ's data
        // a d b e c f regrouped as [[a d b] [e c f]] and transposed is [[a e] [d c] [b f]]
        Tensor m = Tensor.placeholder("m", Shape.of(2, 3));
        double[] ms = rnd.doubles(6).toArray();
        double[] bs = rnd.doubles(2 * 4).toArray();
        Tensor q = m.transpose().reshape(2, 3).transpose().matmul(Tensor.of(bs, 2, 4));   // [3, 2] · [2, 4]
        double[][] r = {{ms[0], ms[4]}, {ms[3], ms[2]}, {ms[1], ms[5]}};
        double[] want = new double[3 * 4];
        for (int i = 0; i < 3; i++) {
            for (int j = 0; j < 4; j++) {
                want[i * 4 + j] = r[i][0] * bs[j] + r[i][1] * bs[4 + j];
            }
        }
        for (Backend be : List.of(Backend.reference(), Backend.simd(1))) {
            assertArrayEquals(want, Plan.compile(List.of(q), be).run(Map.of(m, ms)).get(q).toDoubleArray(), 1e-15,
                    be.name());
        }
        // read both ways: one product, one gather
        Tensor p = a.matmul(w);
        Tensor both = p.sum().add(p.transpose().mul(2).sum());
        List<Instr> two = Plan.compile(List.of(both), Backend.simd(1)).program().instrs();
        assertEquals(1, two.stream().filter(i -> i instanceof Instr.Matmul).count(), two.toString());
    }

    @Test
    void commonSubexpressionsAndSymbolicZerosAreRemoved() {
        Tensor x = Tensor.placeholder("x", Shape.of(10));
        Tensor a = x.sin().mul(x.sin()).add(x.sin().mul(0)).add(Tensor.zeros(10).mul(x.exp()));
        Plan p = Plan.builder().output(a).backend(Backend.reference()).build();
        // sin(x) once, one multiply: the zero terms and the duplicate sin are gone
        assertEquals(2, p.program().instrs().size(), p.program().instrs().toString());
    }

    @Test
    void deadBuffersAreReused() {
        Tensor x = Tensor.placeholder("x", Shape.of(64, 64));
        Tensor h = x;
        for (int i = 0; i < 10; i++) {
            h = h.matmul(h).mul(1e-3).tanh();
        }
        Plan p = Plan.compile(List.of(h.sum()), Backend.simd(1));
        long computed = p.program().instrs().size();
        long slots = p.program().slots().size();
        assertTrue(slots < computed, slots + " slots for " + computed + " instructions");
    }

    @Test
    void retracingTheSameGraphHitsTheCache() {
        Plan.clearCache();
        Tensor w = Tensor.parameter("w", NdArray.of(new double[] {1, 2, 3}));
        Plan first = null;
        for (int i = 0; i < 3; i++) {
            Tensor x = Tensor.placeholder("x", Shape.of(3));
            Tensor loss = x.mul(w).sum().square();
            Plan p = Plan.compile(List.of(loss, Autodiff.grad(loss, w)), Backend.simd(1));
            if (first == null) {
                first = p;
            }
            assertSame(first.program(), p.program(), "a re-traced graph reuses the compiled program");
            p.set(x, 1, 1, 1).execute();
            assertEquals(36.0, p.get(loss).item(), 0);
        }
    }

    /** Two plans of equal structure share the compiled program but never each other's inputs or outputs. */
    @Test
    void equalPlansKeepTheirOwnInputsAndOutputs() {
        for (Backend backend : List.of(Backend.simd(1), Backend.reference())) {
            Tensor x = Tensor.placeholder("x", Shape.of(3));
            Tensor f = x.mul(x).sum();
            Tensor y = Tensor.placeholder("x", Shape.of(3));
            Tensor g = y.mul(y).sum();
            Plan p1 = Plan.compile(List.of(f), backend);
            Plan p2 = Plan.compile(List.of(g), backend);
            assertSame(p1.program(), p2.program(), "equal graphs share the compiled program");
            p1.set(x, 1, 2, 3);
            p2.set(y, 10, 20, 30);
            assertEquals(14.0, p1.execute().get(f).item(), 0, backend.name());
            NdArray out1 = p1.get(f);
            assertEquals(1400.0, p2.execute().get(g).item(), 0, backend.name());
            assertEquals(14.0, out1.item(), 0, "p2's run left p1's output alone");
            assertEquals(14.0, p1.execute().get(f).item(), 0, "p1 still has its own input");
        }
    }

    /** Two threads run two equal plans at once, each with its own inputs, many times. */
    @Test
    void equalPlansRunConcurrentlyOnTwoThreads() throws Exception {
        int n = 4096; // big enough for the kernels to be worth the worker threads
        Tensor[] xs = new Tensor[2];
        Tensor[] fs = new Tensor[2];
        Plan[] plans = new Plan[2];
        for (int t = 0; t < 2; t++) {
            xs[t] = Tensor.placeholder("x", Shape.of(n));
            fs[t] = xs[t].mul(xs[t]).exp().sum();
            plans[t] = Plan.compile(List.of(fs[t]), Backend.simd());
        }
        assertSame(plans[0].program(), plans[1].program());
        double[][] inputs = new double[2][n];
        double[] want = new double[2];
        for (int t = 0; t < 2; t++) {
            java.util.Arrays.fill(inputs[t], t == 0 ? 0.25 : 0.5);
            want[t] = Plan.compile(List.of(fs[t]), Backend.reference()).set(xs[t], inputs[t]).execute().get(fs[t]).item();
        }
        List<Throwable> failures = java.util.Collections.synchronizedList(new ArrayList<>());
        java.util.concurrent.CyclicBarrier start = new java.util.concurrent.CyclicBarrier(2);
        Thread[] threads = new Thread[2];
        for (int t = 0; t < 2; t++) {
            int me = t;
            threads[t] = new Thread(() -> {
                try {
                    start.await();
                    for (int i = 0; i < 2000; i++) {
                        double got = plans[me].set(xs[me], inputs[me]).execute().get(fs[me]).item();
                        // the sum of n equal terms in the SIMD order against the reference's: a few ulps of n e^{x²}
                        assertEquals(want[me], got, 1e-12 * want[me], "thread " + me + ", run " + i);
                    }
                } catch (Throwable e) {
                    failures.add(e);
                }
            });
            threads[t].start();
        }
        for (Thread th : threads) {
            th.join();
        }
        assertTrue(failures.isEmpty(), failures.toString());
    }

    @Test
    void aPlanThatWasDroppedHandsItsBuffersToTheNextEqualPlan() {
        Plan.clearCache();
        Tensor x = Tensor.placeholder("x", Shape.of(5));
        Tensor f = x.mul(x).sum().sqrt();
        Plan p = Plan.compile(List.of(f), Backend.simd(1));
        NdArray firstOutput = p.set(x, 1, 2, 3, 4, 5).execute().get(f);
        java.lang.ref.WeakReference<Plan> ref = new java.lang.ref.WeakReference<>(p);
        p = null;
        for (int i = 0; i < 50 && !ref.refersTo(null); i++) {
            System.gc();
        }
        org.junit.jupiter.api.Assumptions.assumeTrue(ref.refersTo(null), "the JVM did not collect the plan");
        Plan q = Plan.compile(List.of(f), Backend.simd(1));
        assertSame(firstOutput, q.get(f), "the output buffer of the dropped plan is reused");
        assertThrows(IllegalStateException.class, q::execute, "the new plan binds its inputs itself");
    }

    @Test
    void updatesParametersInPlace() {
        // gradient descent on f(w) = ½‖w − c‖², one step per run: w ← w − η (w − c)
        Tensor w = Tensor.parameter("w", NdArray.of(new double[] {0, 0}));
        Tensor c = Tensor.placeholder("c", Shape.of(2));
        Tensor loss = w.sub(c).square().sum().mul(0.5);
        Tensor g = Autodiff.grad(loss, w);
        Plan step = Plan.builder().output(loss).update(w, w.sub(g.mul(0.5))).backend(Backend.simd(1)).build();
        step.set(c, 2, -4);
        for (int i = 0; i < 60; i++) {
            step.execute();
        }
        assertArrayEquals(new double[] {2, -4}, w.value().toDoubleArray(), 1e-12);
        assertEquals(0, step.execute().get(loss).item(), 1e-20);
    }

    /**
     * A training step (MLP with Adam, random minibatches drawn inside the plan) allocates nothing once the JIT
     * has compiled it: it runs in windows of 20 000 steps until five consecutive windows — 10⁵ steps — each
     * allocate under 512 bytes (JIT/runtime noise, far below the ≥ 20 000 × 16 bytes that one allocation per step
     * would take), and must get there within 25 windows. (Before C2 compiles the Vector API loops they run as Java code that
     * allocates; how long that takes depends on the machine's load, hence windows rather than a fixed warm-up.)
     */
    @Test
    void aCompiledTrainingStepAllocatesNothing() {
        Tensor k = Tensor.keyInput("key");
        Tensor w1 = Tensor.parameter("w1", NdArray.of(new double[] {0.1, -0.2, 0.3, 0.05, 0.2, -0.1}, 2, 3));
        Tensor w2 = Tensor.parameter("w2", NdArray.of(new double[] {0.3, -0.1, 0.2}, 3, 1));
        Tensor xb = k.normal(Shape.of(16, 2));
        Tensor yb = xb.sum(1).unsqueeze(1).sin();
        Tensor loss = xb.matmul(w1).tanh().matmul(w2).sub(yb).square().mean();
        List<Tensor> grads = Autodiff.grad(loss, List.of(w1, w2));
        Plan.Builder b = Plan.builder().output(loss).backend(Backend.simd(1));
        List<Tensor> params = List.of(w1, w2);
        for (int i = 0; i < 2; i++) {
            Tensor p = params.get(i);
            Tensor m = Tensor.parameter("m" + i, NdArray.zeros(p.shape(), DType.F64));
            Tensor v = Tensor.parameter("v" + i, NdArray.zeros(p.shape(), DType.F64));
            Tensor mNew = m.mul(0.9).add(grads.get(i).mul(0.1));
            Tensor vNew = v.mul(0.999).add(grads.get(i).square().mul(0.001));
            b.update(m, mNew).update(v, vNew).update(p, p.sub(mNew.div(vNew.sqrt().add(1e-8)).mul(1e-2)));
        }
        Plan step = b.build();
        step.set(k, Key.of(1));
        double first = step.execute().get(loss).item();
        com.sun.management.ThreadMXBean mx = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        long tid = Thread.currentThread().threadId();
        int clean = 0;
        List<Long> windows = new ArrayList<>();
        for (int w = 0; w < 25 && clean < 5; w++) {
            long before = mx.getThreadAllocatedBytes(tid);
            for (int i = 0; i < 20_000; i++) {
                step.execute();
            }
            long allocated = mx.getThreadAllocatedBytes(tid) - before;
            windows.add(allocated);
            clean = allocated < 512 ? clean + 1 : 0;
        }
        assertEquals(5, clean, "bytes allocated per window of 20 000 steps: " + windows);
        double last = step.execute().get(loss).item();
        assertTrue(last < first, "the loss went down: " + first + " -> " + last);
    }

    @Test
    void debugModeNamesTheFirstOpThatMadeANaN() {
        Tensor.recordCreationSites(true);
        try {
            Tensor x = Tensor.placeholder("x", Shape.of(3));
            Tensor bad = x.log().named("log-of-x");
            Tensor y = bad.mul(2).exp().sum();
            Plan p = Plan.builder().output(y).debug(true).backend(Backend.simd(1)).build();
            p.set(x, 1, 2, 3).execute(); // fine
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> p.set(x, 1, -1, 3).execute());
            assertTrue(e.getMessage().contains("LOG 'log-of-x'") && e.getMessage().contains("PlanTest"), e.getMessage());
            assertTrue(e.getMessage().contains("index 1"), e.getMessage());
        } finally {
            Tensor.recordCreationSites(false);
        }
    }

    /** With creation sites on, a NaN is named by the user-level op, the user's line, and the pass it is in. */
    @Test
    void debugModeNamesTheUserLevelOpLineAndPass() {
        Tensor.recordCreationSites(true);
        try {
            Tensor a = Tensor.placeholder("a", Shape.of(2));
            Tensor b = Tensor.placeholder("b", Shape.of(2));
            Tensor q = a.div(b).sum();
            int line = Thread.currentThread().getStackTrace()[1].getLineNumber() - 1;
            Plan p = Plan.builder().output(q).debug(true).backend(Backend.simd(1)).build();
            ArithmeticException e = assertThrows(ArithmeticException.class, () -> p.set(a, 1, 2).set(b, 0, 1).execute());
            assertTrue(e.getMessage().contains("RECIPROCAL") && e.getMessage().contains(" in div")
                    && e.getMessage().contains("PlanTest.debugModeNamesTheUserLevelOpLineAndPass:" + line)
                    && e.getMessage().contains("forward pass"), e.getMessage());

            // a NaN in the gradient: √x at 0 is fine forward, its derivative 1/(2√x) is not
            Tensor x = Tensor.placeholder("x", Shape.of(2));
            Tensor f = x.sqrt().named("root").sum();
            int fLine = Thread.currentThread().getStackTrace()[1].getLineNumber() - 1;
            Tensor g = Autodiff.grad(f, x);
            Plan pg = Plan.builder().output(g).debug(true).backend(Backend.simd(1)).build();
            e = assertThrows(ArithmeticException.class, () -> pg.set(x, 0, 1).execute());
            assertTrue(e.getMessage().contains("backward pass: in the gradient of SQRT 'root'")
                    && e.getMessage().contains("PlanTest.debugModeNamesTheUserLevelOpLineAndPass:" + fLine),
                    e.getMessage());
            assertTrue(!e.getMessage().contains("Plan$Builder") && !e.getMessage().contains("Plan.java"), e.getMessage());

            // an equal graph with other names compiled after it reports its own names, not the cached graph's
            Tensor y = Tensor.placeholder("y", Shape.of(2));
            Tensor f2 = y.sqrt().named("other-root").sum();
            Plan pg2 = Plan.builder().output(Autodiff.grad(f2, y)).debug(true).backend(Backend.simd(1)).build();
            e = assertThrows(ArithmeticException.class, () -> pg2.set(y, 0, 1).execute());
            assertTrue(e.getMessage().contains("'other-root'") && !e.getMessage().contains("'root'"), e.getMessage());
        } finally {
            Tensor.recordCreationSites(false);
        }
    }

    @Test
    void comparisonsHaveZeroDerivative() {
        Tensor x = Tensor.placeholder("x", Shape.of(4));
        Tensor f = x.lt(0.5).mul(x.square()).sum(); // d/dx = 2x where x < 0.5, the step itself contributes 0
        Tensor g = Autodiff.grad(f, x);
        double[] got = Plan.compile(List.of(g)).set(x, 0, 1, -2, 0.25).execute().get(g).toDoubleArray();
        assertArrayEquals(new double[] {0, 0, -4, 0.5}, got, 0);
        Tensor k = Tensor.keyInput("k");
        Tensor noisy = x.add(k.normal(Shape.of(4))).sum();
        Tensor gnoisy = Autodiff.grad(noisy, x);
        // the gradient graph reads neither x nor k: they are bound only because it is declared an input of the plan
        double[] gn = Plan.builder().output(gnoisy).inputs(x, k).build().set(x, 0, 0, 0, 0).set(k, Key.of(0)).execute()
                .get(gnoisy).toDoubleArray();
        assertArrayEquals(new double[] {1, 1, 1, 1}, gn, 0);
    }

    @Test
    void clearErrors() {
        Tensor x = Tensor.placeholder("x", Shape.of(2, 2));
        Plan p = Plan.compile(List.of(x.sum()));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> p.set(x, 1, 2, 3));
        assertTrue(e.getMessage().contains("'x'") && e.getMessage().contains("4") && e.getMessage().contains("3"),
                e.getMessage());
        IllegalStateException s = assertThrows(IllegalStateException.class, p::execute);
        assertTrue(s.getMessage().contains("'x'") && s.getMessage().contains("no value"), s.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Autodiff.grad(x.mul(2), x));
        assertTrue(e.getMessage().contains("one element"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> p.set(x, NdArray.zeros(Shape.of(4), DType.F64)));
        assertTrue(e.getMessage().contains("[2, 2]") && e.getMessage().contains("[4]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> p.get(x.mul(3)));
        assertTrue(e.getMessage().contains("not an output"), e.getMessage());
        // a placeholder of another graph (a typo) is refused, naming it and this plan's inputs
        Tensor typo = Tensor.placeholder("xx", Shape.of(2, 2));
        e = assertThrows(IllegalArgumentException.class, () -> p.set(typo, 1, 2, 3, 4));
        assertTrue(e.getMessage().contains("'xx'") && e.getMessage().contains("does not occur")
                && e.getMessage().contains("'x' [2, 2]"), e.getMessage());
        Tensor k = Tensor.keyInput("k");
        e = assertThrows(IllegalArgumentException.class, () -> p.set(k, Key.of(1)));
        assertTrue(e.getMessage().contains("'k'"), e.getMessage());
        // a placeholder of the graph that simplification removed (x·0) may still be bound
        Tensor z = Tensor.placeholder("z", Shape.of(2, 2));
        Tensor sumX = x.sum().add(z.mul(0).sum());
        Plan q = Plan.compile(List.of(sumX));
        q.set(z, 1, 2, 3, 4).set(x, 1, 1, 1, 1);
        assertEquals(4.0, q.execute().get(sumX).item(), 0);
    }

    @Test
    void runWithAMapAndEval() {
        Tensor x = Tensor.placeholder("x", Shape.of(3));
        Tensor f = x.sin().mul(x).sum();
        Tensor g = Autodiff.grad(f, x);
        Tensor hv = Autodiff.hvp(f, x, Tensor.of(1, 0, 0));
        Plan plan = Plan.compile(List.of(f, g, hv));
        Plan.Results r = plan.run(Map.of(x, new double[] {0.1, 0.2, 0.3}));
        // f = Σ x sin x, g = sin x + x cos x, H = diag(2 cos x − x sin x)
        assertEquals(0.1 * Math.sin(0.1) + 0.2 * Math.sin(0.2) + 0.3 * Math.sin(0.3), r.get(f).item(), 1e-15);
        assertEquals(Math.sin(0.2) + 0.2 * Math.cos(0.2), r.get(g).getFlat(1), 1e-15);
        assertArrayEquals(new double[] {2 * Math.cos(0.1) - 0.1 * Math.sin(0.1), 0, 0}, r.get(hv).toDoubleArray(), 1e-15);
        assertEquals(6.0, Tensor.of(1, 2, 3).sum().eval().item(), 0);
        List<Double> seen = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            seen.add(Tensor.scalar(i).exp().eval().item()); // eval returns a copy, not a shared buffer
        }
        assertEquals(List.of(1.0, Math.E, Math.exp(2)), seen);
    }
}
