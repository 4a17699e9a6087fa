package dev.nabla.core;

import dev.nabla.core.backend.Backend;
import dev.nabla.core.plan.Instr;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random chains of permutes, slices, broadcasts, reshapes, pads and concatenations, read by a reduction, a maximum,
 * an elementwise kernel or a matrix product: the result is bit for bit the result of the same consumer given the
 * chain's value copied out first (as a plan input), on each backend, in float64 and float32. Reading a view in
 * place must change where the data come from, never the arithmetic. The last axis of the input is up to 40 long,
 * so that rows reach past one vector (8 float64 lanes with AVX-512) and the lane order of row sums is exercised:
 * summing strided rows from 0 instead of in lanes fails this test (seed 130).
 */
class ViewChainsTest {
    private static final int CHAINS = 300;

    private record Chain(Tensor out, String ops) {
    }

    private static Chain chain(Random r, Tensor x) {
        Tensor t = x;
        StringBuilder ops = new StringBuilder();
        int n = 1 + r.nextInt(5);
        for (int step = 0; step < n; step++) {
            int rank = t.rank();
            switch (r.nextInt(7)) {
                case 0 -> {
                    List<Integer> p = new ArrayList<>();
                    for (int a = 0; a < rank; a++) {
                        p.add(a);
                    }
                    Collections.shuffle(p, r);
                    t = t.permute(p.stream().mapToInt(Integer::intValue).toArray());
                    ops.append(" permute").append(p);
                }
                case 1 -> {
                    int a = r.nextInt(rank);
                    int d = t.shape().dim(a);
                    int s = r.nextInt(d);
                    int e = s + 1 + r.nextInt(d - s);
                    t = t.slice(a, s, e);
                    ops.append(" slice(").append(a).append(", ").append(s).append(", ").append(e).append(')');
                }
                case 2 -> {
                    int a = r.nextInt(rank + 1);
                    int[] d = t.unsqueeze(a).shape().dims();
                    d[a] = 2 + r.nextInt(3);
                    t = t.unsqueeze(a).broadcastTo(Shape.of(d));
                    ops.append(" broadcast(").append(a).append(", ").append(d[a]).append(')');
                }
                case 3 -> {
                    if (rank >= 2) { // merge two neighbouring axes
                        int a = r.nextInt(rank - 1);
                        List<Integer> d = new ArrayList<>();
                        for (int k = 0; k < rank; k++) {
                            d.add(t.shape().dim(k));
                        }
                        d.set(a, d.get(a) * d.remove(a + 1));
                        t = t.reshape(d.stream().mapToInt(Integer::intValue).toArray());
                        ops.append(" merge(").append(a).append(')');
                    }
                }
                case 4 -> { // split an axis with an even extent
                    int a = r.nextInt(rank);
                    int d = t.shape().dim(a);
                    if (d % 2 == 0 && rank < 5) {
                        int[] nd = new int[rank + 1];
                        for (int k = 0, m = 0; k < rank; k++) {
                            if (k == a) {
                                nd[m++] = 2;
                                nd[m++] = d / 2;
                            } else {
                                nd[m++] = t.shape().dim(k);
                            }
                        }
                        t = t.reshape(nd);
                        ops.append(" split(").append(a).append(')');
                    }
                }
                case 5 -> {
                    int a = r.nextInt(rank);
                    t = t.pad(a, r.nextInt(2), r.nextInt(3));
                    ops.append(" pad(").append(a).append(')');
                }
                default -> {
                    int a = r.nextInt(rank);
                    t = Tensor.concat(a, t, t.slice(a, 0, 1).mul(-2));
                    ops.append(" concat(").append(a).append(')');
                }
            }
            if (t.size() > 4000) {
                t = t.slice(0, 0, 1);
            }
        }
        return new Chain(t, ops.toString());
    }

    private static Tensor consumer(Random r, Tensor t, int kind) {
        int rank = t.rank();
        return switch (kind) {
            case 0, 1 -> {
                List<Integer> axes = new ArrayList<>();
                for (int a = 0; a < rank; a++) {
                    if (r.nextBoolean()) {
                        axes.add(a);
                    }
                }
                if (axes.isEmpty()) {
                    axes.add(rank - 1);
                }
                int[] ax = axes.stream().mapToInt(Integer::intValue).toArray();
                yield kind == 0 ? t.sumKeep(ax) : t.max(ax);
            }
            case 2 -> t.mul(1.5).sin().add(t);
            default -> {
                int k = t.shape().dim(-1);
                double[] w = new double[k * 3];
                for (int i = 0; i < w.length; i++) {
                    w[i] = r.nextDouble() - 0.5;
                }
                Tensor wt = Tensor.of(w, k, 3).cast(t.dtype());
                yield r.nextBoolean() || rank < 2 ? t.matmul(wt) : t.transpose().matmul(t);
            }
        };
    }

    @Test
    void readingAViewInPlaceGivesTheBitsOfCopyingItFirst() {
        for (int seed = 0; seed < CHAINS; seed++) {
            Random r = new Random(seed);
            DType dt = seed % 2 == 0 ? DType.F64 : DType.F32;
            int rank = 1 + r.nextInt(3);
            int[] dims = new int[rank];
            for (int a = 0; a < rank; a++) {
                dims[a] = 1 + r.nextInt(a == rank - 1 ? 40 : 8);
            }
            Tensor x = Tensor.placeholder("x", Shape.of(dims), dt);
            double[] xs = new double[x.size()];
            for (int i = 0; i < xs.length; i++) {
                xs[i] = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(7) - 3);
            }
            Chain c = chain(r, x);
            int kind = r.nextInt(4);
            long consumerSeed = r.nextLong();
            Tensor y = consumer(new Random(consumerSeed), c.out(), kind);
            Tensor m = Tensor.placeholder("m", c.out().shape(), dt);
            Tensor ym = consumer(new Random(consumerSeed), m, kind);
            for (Backend b : List.of(Backend.reference(), Backend.simd(1))) {
                double[] copied = Plan.compile(List.of(c.out()), b).set(x, xs).execute().get(c.out()).toDoubleArray();
                double[] want = Plan.compile(List.of(ym), b).set(m, copied).execute().get(ym).toDoubleArray();
                double[] got = Plan.compile(List.of(y), b).set(x, xs).execute().get(y).toDoubleArray();
                assertEquals(want.length, got.length);
                for (int i = 0; i < want.length; i++) {
                    assertEquals(Double.doubleToRawLongBits(want[i]), Double.doubleToRawLongBits(got[i]),
                            "seed " + seed + " " + b.name() + " " + dt + " x" + x.shape() + c.ops() + " consumer " + kind
                                    + " output " + i + ": " + got[i] + ", copied out first " + want[i]);
                }
            }
        }
    }

    /**
     * Each kind of view an elementwise kernel reads in place (a permute, a slice at an offset, a middle and a last
     * column, a broadcast of axes that are not one block, a reshape of a permute, a broadcast of a permuted slice, a
     * column repeated along a new last axis), under a unary chain with a transcendental function, a chain of the ops
     * the SIMD backend compiles to bytecode (the copied-out plan then runs the compiled loop, the in-place one the
     * interpreter), and a select: bit for bit the plan given the view copied out first, on the reference backend and
     * on one and two SIMD threads, in float64 and float32. The input [12, 50, 61] has rows of odd length, so runs
     * of the innermost axis cross the interpreter's chunks, and views of its full size are split across threads.
     * The in-place plans contain no strided copy.
     */
    @Test
    void elementwiseKernelsReadEveryKindOfViewInPlaceBitForBit() {
        Shape s = Shape.of(12, 50, 61);
        Random r = new Random(7);
        double[] xs = new double[s.size()];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(7) - 3);
        }
        for (DType dt : List.of(DType.F64, DType.F32)) {
            Tensor x = Tensor.placeholder("x", s, dt);
            List<Tensor> views = List.of(
                    x.permute(2, 0, 1),
                    x.slice(2, 3, 40),
                    x.slice(1, 7, 8),
                    x.slice(2, 5, 6),
                    x.slice(1, 0, 1).broadcastTo(s),
                    x.permute(2, 0, 1).reshape(61, 600),
                    x.permute(1, 0, 2).slice(0, 10, 11).broadcastTo(Shape.of(4, 12, 61)),
                    x.slice(2, 0, 1).broadcastTo(Shape.of(12, 50, 7)));
            for (Tensor v : views) {
                for (int kind = 0; kind < 3; kind++) {
                    Tensor m = Tensor.placeholder("m", v.shape(), dt);
                    Tensor y = elementwise(v, kind);
                    Tensor ym = elementwise(m, kind);
                    for (Backend b : List.of(Backend.reference(), Backend.simd(1), Backend.simd(2))) {
                        double[] copied = Plan.compile(List.of(v), b).set(x, xs).execute().get(v).toDoubleArray();
                        double[] want = Plan.compile(List.of(ym), b).set(m, copied).execute().get(ym).toDoubleArray();
                        Plan p = Plan.compile(List.of(y), b);
                        assertTrue(p.program().instrs().stream().noneMatch(in -> in instanceof Instr.Strided),
                                b.name() + " " + v.shape() + ": " + p.program().instrs());
                        double[] got = p.set(x, xs).execute().get(y).toDoubleArray();
                        assertEquals(want.length, got.length);
                        for (int i = 0; i < want.length; i++) {
                            assertEquals(Double.doubleToRawLongBits(want[i]), Double.doubleToRawLongBits(got[i]),
                                    b.name() + " " + dt + " view " + views.indexOf(v) + " " + v.shape() + " consumer "
                                            + kind + " element " + i + ": " + got[i] + ", copied out first " + want[i]);
                        }
                    }
                }
            }
        }
    }

    private static Tensor elementwise(Tensor v, int kind) {
        return switch (kind) {
            case 0 -> v.mul(1.5).sin().add(v);
            case 1 -> v.mul(-0.75).add(0.5).mul(v);
            default -> {
                Tensor c = v.lt(0); // v is read twice, by lt and mul: in place (a third reader would copy it)
                yield Tensor.where(c, v.mul(2), c.mul(0.5));
            }
        };
    }
}
