package dev.nabla.core;

import dev.nabla.core.backend.Backend;
import dev.nabla.core.plan.Instr;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Movement as strided views: permutes, slices and broadcasts are read in place by reductions and kernels, pads
 * and concatenations are written by one strided copy, and the results are those of the op-by-op reference backend
 * and, bit for bit, those of materialising the view first (the plans before views).
 */
class ViewsTest {
    private static final List<Backend> BACKENDS = List.of(Backend.reference(), Backend.simd(1));

    /** Values of very different magnitudes, so that a different summation order changes the rounded sums. */
    private static double[] spread(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(9) - 4);
        }
        return v;
    }

    /** Small integers: every product and sum below is exact in float64, so any order gives the same value. */
    private static double[] ints(Random r, int n) {
        double[] v = new double[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextInt(19) - 9;
        }
        return v;
    }

    private static double[] run(Backend b, Tensor out, Tensor x, double[] xs) {
        return Plan.compile(List.of(out), b).set(x, xs).execute().get(out).toDoubleArray();
    }

    /** Element (i0, …) of the row-major array {@code x} of shape {@code s}. */
    private static double at(double[] x, Shape s, int... idx) {
        int off = 0;
        for (int a = 0; a < idx.length; a++) {
            off = off * s.dim(a) + idx[a];
        }
        return x[off];
    }

    /**
     * A sum or maximum over the axes of a permuted tensor reads the permutation in place (one instruction), and
     * each output adds its inputs in the order the dense kernels use for the permuted tensor copied out: the bits
     * equal those of a plan that is given the permuted tensor as an input, for trailing reduced axes (vector lane
     * partial sums), leading ones (column sums), axes that are not one block, and maxima, in float64 and float32.
     * That the order is checked at all is shown by a plain left-to-right sum, which differs in some output.
     */
    @Test
    void aReductionOfAPermutationReadsItInPlaceInTheDenseSummationOrder() {
        Random r = new Random(11);
        Shape s = Shape.of(37, 6, 5);
        int[] perm = {1, 2, 0}; // [6, 5, 37]
        double[] xs = spread(r, s.size());
        boolean orderMatters = false;
        for (DType dt : List.of(DType.F64, DType.F32)) {
            Tensor x = Tensor.placeholder("x", s, dt);
            Tensor p = x.permute(perm);
            Tensor dense = Tensor.placeholder("p", p.shape(), dt);
            double[] ps = Plan.compile(List.of(p), Backend.reference()).set(x, xs).execute().get(p).toDoubleArray();
            for (int[] axes : new int[][] {{2}, {1, 2}, {0}, {0, 1}, {0, 2}, {1}}) {
                for (boolean max : new boolean[] {false, true}) {
                    Tensor y = max ? p.max(axes) : p.sumKeep(axes);
                    Tensor yd = max ? dense.max(axes) : dense.sumKeep(axes);
                    for (Backend b : BACKENDS) {
                        Plan plan = Plan.compile(List.of(y), b);
                        List<Instr> instrs = plan.program().instrs();
                        assertEquals(1, instrs.size(), "the reduction alone, no copy: " + instrs);
                        assertTrue(instrs.get(0) instanceof Instr.Reduce, instrs.toString());
                        double[] got = plan.set(x, xs).execute().get(y).toDoubleArray();
                        double[] want = Plan.compile(List.of(yd), b).set(dense, ps).execute().get(yd).toDoubleArray();
                        for (int i = 0; i < want.length; i++) {
                            assertEquals(Double.doubleToRawLongBits(want[i]), Double.doubleToRawLongBits(got[i]),
                                    b.name() + " " + dt + " axes " + java.util.Arrays.toString(axes) + " max " + max
                                            + " output " + i + ": " + got[i] + ", copied out first " + want[i]);
                        }
                        if (!max && axes.length == 1 && axes[0] == 2 && b != Backend.reference()) {
                            // sequential sums of the 37 elements of each row, in the dtype
                            for (int o = 0; o < 30; o++) {
                                double seq = 0;
                                for (int j = 0; j < 37; j++) {
                                    seq = dt == DType.F64 ? seq + ps[o * 37 + j] : (float) (seq + (float) ps[o * 37 + j]);
                                }
                                orderMatters |= seq != got[o];
                            }
                        }
                    }
                }
            }
        }
        assertTrue(orderMatters, "the data must tell summation orders apart for the test to mean anything");
    }

    /**
     * A reshape that splits a strided axis stays a view: the sums over a transposed matrix regrouped as
     * {@code [20, 6] → [4, 5, 6]} are one instruction and bit for bit the sums of the copied-out tensor.
     */
    @Test
    void aReshapeThatSplitsAStridedAxisIsReducedInPlace() {
        Random r = new Random(18);
        double[] xs = spread(r, 6 * 20);
        Tensor x = Tensor.placeholder("x", Shape.of(6, 20));
        Tensor v = x.transpose().reshape(4, 5, 6);
        Tensor dense = Tensor.placeholder("v", Shape.of(4, 5, 6));
        double[] vs = run(Backend.reference(), v, x, xs);
        for (int[] axes : new int[][] {{2}, {0}, {1}, {0, 2}}) {
            Tensor y = v.sumKeep(axes);
            Tensor yd = dense.sumKeep(axes);
            for (Backend b : BACKENDS) {
                Plan p = Plan.compile(List.of(y), b);
                assertEquals(1, p.program().instrs().size(), p.program().instrs().toString());
                double[] got = p.set(x, xs).execute().get(y).toDoubleArray();
                double[] want = run(b, yd, dense, vs);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(Double.doubleToRawLongBits(want[i]), Double.doubleToRawLongBits(got[i]), b.name());
                }
            }
        }
    }

    /** A reduction of a slice and of a broadcast: no copy, and the values of the reference backend. */
    @Test
    void reductionsOfSlicesAndBroadcastsNeedNoCopy() {
        Random r = new Random(12);
        Shape s = Shape.of(7, 9);
        double[] xs = ints(r, s.size());
        Tensor x = Tensor.placeholder("x", s);
        Tensor sliced = x.slice(1, 2, 7).slice(0, 1, 6).sumKeep(1);                 // [5, 1]
        Tensor broadcast = x.slice(1, 3, 4).broadcastTo(Shape.of(7, 4)).sumKeep(0); // [1, 4]
        for (Backend b : BACKENDS) {
            for (Tensor y : List.of(sliced, broadcast)) {
                Plan plan = Plan.compile(List.of(y), b);
                assertEquals(1, plan.program().instrs().size(), plan.program().instrs().toString());
            }
            double[] got = run(b, sliced, x, xs);
            for (int i = 0; i < 5; i++) {
                double want = 0;
                for (int j = 2; j < 7; j++) {
                    want += at(xs, s, i + 1, j);
                }
                assertEquals(want, got[i], b.name());
            }
            double[] gb = run(b, broadcast, x, xs);
            double col = 0;
            for (int i = 0; i < 7; i++) {
                col += at(xs, s, i, 3);
            }
            assertArrayEquals(new double[] {col, col, col, col}, gb, b.name());
        }
    }

    /** Products of slices (rows, columns, a transposed block) equal the products of the sliced values. */
    @Test
    void slicesAndPermutationsFeedMatrixProducts() {
        Random r = new Random(13);
        Shape s = Shape.of(2, 8, 6);
        double[] xs = ints(r, s.size());
        double[] ws = ints(r, 5 * 3);
        Tensor x = Tensor.placeholder("x", s);
        Tensor w = Tensor.of(ws, 5, 3);
        Tensor rows = x.slice(1, 2, 6).slice(2, 0, 5).matmul(w);             // [2, 4, 3]
        Tensor cols = x.slice(2, 1, 6).matmul(w);                              // [2, 8, 3]
        Tensor block = x.permute(1, 0, 2).slice(0, 3, 8).slice(2, 1, 6);      // [5, 2, 5]
        Tensor blockW = block.permute(1, 2, 0).matmul(Tensor.of(ints(r, 5 * 2), 5, 2)); // [2, 5, 2]
        for (Backend b : BACKENDS) {
            double[] gr = run(b, rows, x, xs);
            double[] gc = run(b, cols, x, xs);
            for (int bb = 0; bb < 2; bb++) {
                for (int i = 0; i < 8; i++) {
                    for (int j = 0; j < 3; j++) {
                        double c = 0;
                        double rr = 0;
                        for (int p = 0; p < 5; p++) {
                            c += at(xs, s, bb, i, p + 1) * ws[p * 3 + j];
                            rr += at(xs, s, bb, i, p) * ws[p * 3 + j];
                        }
                        assertEquals(c, gc[(bb * 8 + i) * 3 + j], b.name() + " columns");
                        if (i >= 2 && i < 6) {
                            assertEquals(rr, gr[(bb * 4 + i - 2) * 3 + j], b.name() + " rows");
                        }
                    }
                }
            }
        }
        assertArrayEquals(run(Backend.reference(), blockW, x, xs), run(Backend.simd(1), blockW, x, xs));
    }

    /**
     * A slice of whole matrices (a batch range) or of leading rows is multiplied in place, also transposed and
     * shared across a batch: the product is the only instruction, and its values are exact (small integers).
     */
    @Test
    void slicesOfWholeMatricesOrRowsAreMultipliedInPlace() {
        Random r = new Random(19);
        Shape s = Shape.of(4, 6, 5);
        double[] xs = ints(r, s.size());
        double[] ws = ints(r, 5 * 3);
        double[] vs = ints(r, 2 * 6 * 2);
        Tensor x = Tensor.placeholder("x", s);
        Tensor w = Tensor.placeholder("w", Shape.of(5, 3));
        Tensor v = Tensor.placeholder("v", Shape.of(2, 6, 2));
        Tensor batches = x.slice(0, 1, 3).matmul(w);                           // [2, 6, 3]
        Tensor rows = x.reshape(24, 5).slice(0, 7, 19).matmul(w);              // [12, 3]
        Tensor trans = x.slice(0, 2, 4).transpose().matmul(v);                 // [2, 5, 2]
        Tensor shared = v.matmul(x.slice(0, 3, 4).slice(1, 0, 2).reshape(2, 5)); // [2, 6, 5]: a row block, shared
        for (Backend b : BACKENDS) {
            for (Tensor y : List.of(batches, rows, trans, shared)) {
                Plan p = Plan.builder().output(y).inputs(x, w, v).backend(b).build();
                List<Instr> instrs = p.program().instrs();
                assertEquals(1, instrs.size(), "the product alone: " + instrs);
                double[] got = p.set(x, xs).set(w, ws).set(v, vs).execute().get(y).toDoubleArray();
                int[] d = y.shape().dims();
                int batch = y.rank() == 3 ? d[0] : 1;
                int m = d[y.rank() - 2];
                int n = d[y.rank() - 1];
                for (int bb = 0; bb < batch; bb++) {
                    for (int i = 0; i < m; i++) {
                        for (int j = 0; j < n; j++) {
                            double want = 0;
                            if (y == batches) {
                                for (int k = 0; k < 5; k++) {
                                    want += at(xs, s, bb + 1, i, k) * ws[k * 3 + j];
                                }
                            } else if (y == rows) {
                                for (int k = 0; k < 5; k++) {
                                    want += xs[(i + 7) * 5 + k] * ws[k * 3 + j];
                                }
                            } else if (y == trans) {
                                for (int k = 0; k < 6; k++) {
                                    want += at(xs, s, bb + 2, k, i) * vs[(bb * 6 + k) * 2 + j];
                                }
                            } else {
                                for (int k = 0; k < 2; k++) {
                                    want += vs[(bb * 6 + i) * 2 + k] * at(xs, s, 3, k, j);
                                }
                            }
                            assertEquals(want, got[(bb * m + i) * n + j], b.name() + " " + y.shape());
                        }
                    }
                }
            }
        }
    }

    /**
     * A broadcast of axes that are not one block (x: [3, 1, 4, 1] to [3, 5, 4, 2]), also of a permuted and of a
     * sliced tensor, read by an elementwise kernel.
     */
    @Test
    void broadcastsOfScatteredAxesAndOfViews() {
        Random r = new Random(14);
        Shape s = Shape.of(3, 1, 4, 1);
        double[] xs = ints(r, s.size());
        Tensor x = Tensor.placeholder("x", s);
        Shape to = Shape.of(3, 5, 4, 2);
        double[] cs = ints(r, to.size());
        Tensor e = x.broadcastTo(to).mul(Tensor.of(cs, to.dims()));
        Tensor ep = x.permute(2, 1, 0, 3).broadcastTo(Shape.of(4, 5, 3, 2)).add(1);    // permuted, then broadcast
        Tensor es = x.slice(2, 1, 3).broadcastTo(Shape.of(3, 2, 2, 7)).mul(3);       // sliced, then broadcast
        for (Backend b : BACKENDS) {
            double[] ge = run(b, e, x, xs);
            for (int i = 0; i < to.size(); i++) {
                int l = i % 2;
                int k = i / 2 % 4;
                int ii = i / 2 / 4 / 5;
                assertEquals(at(xs, s, ii, 0, k, 0) * cs[i], ge[i], b.name() + " element " + i + " (" + l + ")");
            }
            double[] gp = run(b, ep, x, xs);
            double[] gs = run(b, es, x, xs);
            double[] ref = run(Backend.reference(), e, x, xs);
            assertArrayEquals(ref, ge, b.name());
            for (int i = 0; i < 3; i++) {
                for (int k = 0; k < 4; k++) {
                    for (int j = 0; j < 5; j++) {
                        for (int l = 0; l < 2; l++) {
                            assertEquals(at(xs, s, i, 0, k, 0) + 1, gp[((k * 5 + j) * 3 + i) * 2 + l], b.name());
                        }
                    }
                }
                for (int k = 0; k < 2; k++) {
                    for (int j = 0; j < 2; j++) {
                        for (int l = 0; l < 7; l++) {
                            assertEquals(3 * at(xs, s, i, 0, k + 1, 0), gs[((i * 2 + j) * 2 + k) * 7 + l], b.name());
                        }
                    }
                }
            }
        }
    }

    /** Pads (of a plain and of a permuted tensor, on two axes): zeros around the values, one strided copy each. */
    @Test
    void padsWriteTheInteriorOfAZeroedBuffer() {
        Random r = new Random(15);
        Shape s = Shape.of(3, 4);
        double[] xs = ints(r, s.size());
        Tensor x = Tensor.placeholder("x", s);
        Tensor p = x.pad(1, 1, 2).pad(0, 2, 0);              // [5, 7]
        Tensor q = x.transpose().pad(0, 0, 1).pad(1, 3, 1);   // [5, 7]: the transpose read in place
        for (Backend b : BACKENDS) {
            double[] gp = run(b, p, x, xs);
            double[] gq = run(b, q, x, xs);
            for (int i = 0; i < 5; i++) {
                for (int j = 0; j < 7; j++) {
                    double wp = i >= 2 && j >= 1 && j < 5 ? at(xs, s, i - 2, j - 1) : 0;
                    double wq = i < 4 && j >= 3 && j < 6 ? at(xs, s, j - 3, i) : 0;
                    assertEquals(wp, gp[i * 7 + j], b.name() + " pad (" + i + ", " + j + ")");
                    assertEquals(wq, gq[i * 7 + j], b.name() + " pad of transpose (" + i + ", " + j + ")");
                }
            }
        }
        List<Instr> instrs = Plan.compile(List.of(q), Backend.simd(1)).program().instrs();
        assertEquals(2, instrs.size(), "two pads, the transpose read in place: " + instrs);
    }

    /**
     * The gradient of a concatenation is the slices of the cotangent: {@code f = Σ w ⊙ concat(a, sin b, c·c)} has
     * {@code ∂f/∂a = w[:, :2]}, {@code ∂f/∂b = w[:, 2:5] ⊙ cos b}, {@code ∂f/∂c = 2 w[:, 5:] ⊙ c}, on every backend,
     * and the same along a middle axis through stack.
     */
    @Test
    void theGradientOfAConcatenationIsTheSlicesOfTheCotangent() {
        Random r = new Random(16);
        Tensor a = Tensor.placeholder("a", Shape.of(3, 2));
        Tensor bt = Tensor.placeholder("b", Shape.of(3, 3));
        Tensor c = Tensor.placeholder("c", Shape.of(3, 1));
        double[] as = spread(r, 6);
        double[] bs = spread(r, 9);
        double[] cs = spread(r, 3);
        double[] ws = spread(r, 18);
        Tensor w = Tensor.of(ws, 3, 6);
        Tensor f = Tensor.concat(-1, a, bt.sin(), c.mul(c)).mul(w).sum();
        List<Tensor> g = Autodiff.grad(f, List.of(a, bt, c));
        // stack along a middle axis: f2 = Σ v ⊙ stack(1, a, a·a) with v: [3, 2, 2]
        double[] vs = spread(r, 12);
        Tensor f2 = Tensor.stack(1, a, a.mul(a)).mul(Tensor.of(vs, 3, 2, 2)).sum();
        Tensor g2 = Autodiff.grad(f2, List.of(a)).get(0);
        for (Backend be : BACKENDS) {
            Plan p = Plan.compile(List.of(g.get(0), g.get(1), g.get(2), g2), be);
            p.set(a, as).set(bt, bs).set(c, cs).execute();
            double[] ga = p.get(g.get(0)).toDoubleArray();
            double[] gb = p.get(g.get(1)).toDoubleArray();
            double[] gc = p.get(g.get(2)).toDoubleArray();
            double[] gs = p.get(g2).toDoubleArray();
            for (int i = 0; i < 3; i++) {
                for (int j = 0; j < 2; j++) {
                    assertEquals(ws[i * 6 + j], ga[i * 2 + j], be.name());
                    // d/da of v0·a + v1·a²: exact in float64 up to one rounding of 2·v1·a (products of doubles)
                    double want = vs[(i * 2) * 2 + j] + vs[(i * 2 + 1) * 2 + j] * (2 * as[i * 2 + j]);
                    assertEquals(want, gs[i * 2 + j], 1e-15 * (Math.abs(want) + 1),
                            be.name() + " (two float64 roundings apart at most)");
                }
                for (int j = 0; j < 3; j++) {
                    assertEquals(ws[i * 6 + 2 + j] * Math.cos(bs[i * 3 + j]), gb[i * 3 + j],
                            1e-15 * Math.abs(ws[i * 6 + 2 + j]), be.name() + " (cos to within an ulp of its value)");
                }
                assertEquals(2 * cs[i] * ws[i * 6 + 5], gc[i], 1e-15 * Math.abs(cs[i] * ws[i * 6 + 5]),
                        be.name() + " (one rounding of a product of three doubles)");
            }
        }
    }

    /**
     * A Jacobian built by stacking n rows costs O(n²), not O(n³): the stack is one instruction writing each row into
     * its slice (n copies of n elements), where pads and adds wrote n² elements n times each. With n = 256 the
     * instructions write about 2n² elements in all (the rows, then the stack); the bound 4n² leaves room for
     * anything the lowering adds and is 64 times below the n³ of pads and adds.
     */
    @Test
    void stackingNRowsWritesONSquaredElements() {
        int n = 256;
        Tensor x = Tensor.placeholder("x", Shape.of(n));
        Tensor[] rows = new Tensor[n];
        for (int i = 0; i < n; i++) {
            rows[i] = x.mul(i + 1).sin();
        }
        Tensor j = Tensor.stack(0, rows);
        Plan p = Plan.compile(List.of(j), Backend.simd(1));
        long written = 0;
        for (Instr in : p.program().instrs()) {
            written += switch (in) {
                case Instr.Elementwise e -> e.size();
                case Instr.Cast c -> c.size();
                case Instr.Copy c -> c.size();
                case Instr.Random rd -> rd.size();
                case Instr.Matmul m -> (long) m.batch() * m.m() * m.n();
                default -> (long) n * n; // one output of the stack's size at most
            };
        }
        assertTrue(written <= 4L * n * n, "elements written " + written + " for a stack of " + n + " rows of " + n);
        double[] xs = spread(new Random(17), n);
        double[] got = p.set(x, xs).execute().get(j).toDoubleArray();
        for (int i = 0; i < n; i++) {
            for (int k = 0; k < n; k++) {
                // sin of the float64 product (i+1)·x: the vector sin is within a few ulps of 1 (|sin| ≤ 1)
                assertEquals(Math.sin((i + 1) * xs[k]), got[i * n + k], 4 * Math.ulp(1.0), "row " + i + " column " + k);
            }
        }
    }

    /** A concatenation copies its parts: a negative zero stays negative (pads and adds made it +0). */
    @Test
    void concatenationCopiesSignedZeros() {
        Tensor a = Tensor.placeholder("a", Shape.of(2));
        Tensor y = Tensor.concat(0, a, a.neg());
        for (Backend b : BACKENDS) {
            double[] got = run(b, y, a, new double[] {-0.0, 1});
            assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits(got[0]), b.name());
            assertEquals(Double.doubleToRawLongBits(0.0), Double.doubleToRawLongBits(got[2]), b.name());
        }
    }

    /**
     * An elementwise kernel reads a column slice, a slice at an offset, a transpose and a broadcast of axes that are
     * not one block in place: the plan is the kernel alone, no strided copy ({@link Instr.Strided}) first. The values
     * (small integers times 3 plus 1, exact) are the view's elements.
     */
    @Test
    void anElementwiseKernelReadsAnyViewWithoutACopy() {
        Random r = new Random(18);
        Shape s = Shape.of(64, 5);
        double[] xs = ints(r, s.size());
        Tensor x = Tensor.placeholder("x", s);
        Tensor column = x.slice(1, 2, 3);                                          // x[:, 2], [64, 1]
        Tensor rows = x.slice(0, 3, 10).slice(1, 1, 5);                            // x[3:10, 1:5], offset 16
        Tensor transpose = x.transpose();                                          // [5, 64]
        Tensor scattered = x.unsqueeze(1).broadcastTo(Shape.of(64, 3, 5));         // x[i, k] at (i, j, k)
        for (Backend b : BACKENDS) {
            for (Tensor v : List.of(column, rows, transpose, scattered)) {
                Tensor y = v.mul(3).add(1);
                Plan p = Plan.compile(List.of(y), b);
                List<Instr> instrs = p.program().instrs();
                // one fused kernel on simd; the reference backend runs one kernel per op
                assertEquals(b.fusesElementwise() ? 1 : 2, instrs.size(), b.name() + " " + v.shape() + ": " + instrs);
                assertTrue(instrs.stream().allMatch(in -> in instanceof Instr.Elementwise),
                        b.name() + " " + v.shape() + ": " + instrs);
                double[] got = p.set(x, xs).execute().get(y).toDoubleArray();
                Shape vs = v.shape();
                for (int i = 0; i < got.length; i++) {
                    int[] idx = new int[vs.rank()];
                    for (int a = vs.rank() - 1, f = i; a >= 0; a--) {
                        idx[a] = f % vs.dim(a);
                        f /= vs.dim(a);
                    }
                    double want = v == column ? at(xs, s, idx[0], 2)
                            : v == rows ? at(xs, s, idx[0] + 3, idx[1] + 1)
                            : v == transpose ? at(xs, s, idx[1], idx[0])
                            : at(xs, s, idx[0], idx[2]);
                    assertEquals(3 * want + 1, got[i], b.name() + " " + vs + " element " + i);
                }
            }
        }
    }

    /**
     * A view that no direct read expresses is read in place by up to two kernels and copied once for more (then
     * each kernel streams the copy): three outputs of a transpose compile to one strided copy and three kernels, two
     * outputs to two kernels alone. Values are exact (small integers).
     */
    @Test
    void aViewReadByMoreThanTwoKernelsIsCopiedOnce() {
        Random r = new Random(19);
        Shape s = Shape.of(6, 7);
        double[] xs = ints(r, s.size());
        Tensor x = Tensor.placeholder("x", s);
        Tensor v = x.transpose();
        List<Tensor> three = List.of(v.mul(2), v.add(1), v.neg());
        for (Backend b : BACKENDS) {
            for (int k = 2; k <= 3; k++) {
                List<Tensor> outs = three.subList(0, k);
                Plan p = Plan.compile(outs, b);
                long copies = p.program().instrs().stream().filter(in -> in instanceof Instr.Strided).count();
                assertEquals(k == 3 ? 1 : 0, copies, b.name() + " " + k + " readers: " + p.program().instrs());
                p.set(x, xs).execute();
                for (int i = 0; i < 7; i++) {
                    for (int j = 0; j < 6; j++) {
                        double e = at(xs, s, j, i);
                        assertEquals(2 * e, p.get(outs.get(0)).toDoubleArray()[i * 6 + j], b.name());
                        assertEquals(e + 1, p.get(outs.get(1)).toDoubleArray()[i * 6 + j], b.name());
                        if (k == 3) {
                            assertEquals(-e, p.get(outs.get(2)).toDoubleArray()[i * 6 + j], b.name());
                        }
                    }
                }
            }
        }
    }
}
