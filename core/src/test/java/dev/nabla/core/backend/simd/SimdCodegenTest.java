package dev.nabla.core.backend.simd;

import dev.nabla.core.DType;
import dev.nabla.core.Op;
import dev.nabla.core.plan.Expr;
import dev.nabla.core.plan.Instr;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The bytecode kernels of {@link SimdCodegen} against the interpreter they replace.
 *
 * <p>Random expression trees over the correctly rounded ops (+, ×, max, &lt;, where, negation, √, 1/x) and every
 * kind of leaf (plain, scalar, a row repeated down the rows, a value repeated across a row, and a broadcast no
 * vector load can read, which sends the kernel back to the interpreter): the generated code performs the
 * interpreter's vector operations in the same order, and these ops round the same in every JIT state, so the
 * results must be bit-identical (NaNs compared as equal), with no tolerance.
 *
 * <p>Kernels with a transcendental op (exp, log, log1p, sin, cos, and tanh, expm1, σ built on exp) are not generated
 * (they run {@link VectorMath}'s array loops through the interpreter); checked one op per kernel.
 */
class SimdCodegenTest {
    static final Op[] UNARY = {Op.NEG, Op.SQRT, Op.RECIPROCAL};
    static final Op[] TRANSCENDENTAL = {Op.EXP, Op.EXPM1, Op.LOG, Op.LOG1P, Op.SIN, Op.COS, Op.TANH, Op.LOGISTIC};
    static final Op[] BINARY = {Op.ADD, Op.MUL, Op.MAX, Op.LESS};
    static final int ROW = 16;      // a multiple of 4 and 8 lanes
    static final int SLOTS = 7;     // 0-2 plain, 3 scalar, 4 row, 5 column, 6 odd broadcast; 7 the output

    static Expr leaf(Random r, int size, boolean odd) {
        int k = r.nextInt(odd ? 7 : 6);
        return switch (k) {
            case 0, 1, 2 -> new Expr.Leaf(k, 1, size);
            case 3 -> new Expr.Leaf(3, 1, 1);
            case 4 -> new Expr.Leaf(4, 1, ROW);
            case 5 -> new Expr.Leaf(5, ROW, size / ROW);
            default -> new Expr.Leaf(6, 3, 5);
        };
    }

    static Expr tree(Random r, int depth, int size, boolean odd) {
        if (depth == 0 || r.nextInt(4) == 0) {
            return r.nextInt(6) == 0 ? new Expr.Const(r.nextGaussian() * 2) : leaf(r, size, odd);
        }
        int kind = r.nextInt(10);
        if (kind < 5) {
            return new Expr.Apply(UNARY[r.nextInt(UNARY.length)], new Expr[] {tree(r, depth - 1, size, odd)});
        }
        if (kind < 9) {
            return new Expr.Apply(BINARY[r.nextInt(BINARY.length)],
                    new Expr[] {tree(r, depth - 1, size, odd), tree(r, depth - 1, size, odd)});
        }
        return new Expr.Apply(Op.WHERE, new Expr[] {tree(r, depth - 1, size, odd), tree(r, depth - 1, size, odd),
            tree(r, depth - 1, size, odd)});
    }

    static Object[] buffers(Random r, int size, DType dt) {
        int[] sizes = {size, size, size, 1, ROW, size / ROW, 5, size};
        Object[] buf = new Object[SLOTS + 1];
        for (int s = 0; s < buf.length; s++) {
            double[] d = new double[sizes[s]];
            for (int i = 0; i < d.length && s < SLOTS; i++) {
                int c = r.nextInt(8);
                d[i] = c == 0 ? 0 : c == 1 ? r.nextGaussian() * 0.3 : c == 2 ? r.nextGaussian() * 30 : r.nextGaussian() * 2;
            }
            if (dt == DType.F64) {
                buf[s] = d;
            } else {
                float[] f = new float[d.length];
                for (int i = 0; i < d.length; i++) {
                    f[i] = (float) d[i];
                }
                buf[s] = f;
            }
        }
        return buf;
    }

    static double at(Object b, int i) {
        return b instanceof double[] d ? d[i] : ((float[]) b)[i];
    }

    void compare(DType dt, int size, int threads, boolean odd, int trees, long seed) {
        Random r = new Random(seed);
        int compiled = 0;
        for (int t = 0; t < trees; t++) {
            Expr e = tree(r, 5, size, odd);
            if (!(e instanceof Expr.Apply)) {
                continue;
            }
            Instr.Elementwise in = new Instr.Elementwise(SLOTS, e, size, dt, "tree " + t);
            Object[] a = buffers(new Random(seed * 31 + t), size, dt);
            Object[] b = a.clone();
            b[SLOTS] = dt == DType.F64 ? new double[size] : new float[size];
            if (SimdCodegen.compile(e, SLOTS, size, dt) != null) {
                compiled++;
            }
            Runnable gen = dt == DType.F64 ? SimdF64.elementwise(in, a, threads) : SimdF32.elementwise(in, a, threads);
            Runnable ref = dt == DType.F64 ? SimdF64.interpreted(in, b, threads) : SimdF32.interpreted(in, b, threads);
            gen.run();
            ref.run();
            for (int i = 0; i < size; i++) {
                double x = at(a[SLOTS], i);
                double y = at(b[SLOTS], i);
                if (Double.compare(x, y) != 0 && !(Double.isNaN(x) && Double.isNaN(y))) {
                    assertEquals(y, x, "tree " + t + " (" + dt + ", size " + size + ") at " + i + ": " + e);
                }
            }
        }
        if (!odd && size % ROW == 0) {
            assertEquals(true, compiled > trees / 2, "only " + compiled + " of " + trees + " trees were compiled");
        }
    }

    @Test
    void float64MatchesTheInterpreterBitForBit() {
        compare(DType.F64, 4160, 1, false, 300, 1);
        compare(DType.F64, 4160, 1, true, 200, 2);
        compare(DType.F64, 4163, 1, false, 200, 3);  // a tail shorter than one vector
        compare(DType.F64, 40_000, 2, false, 20, 4); // split across threads
    }

    @Test
    void float32MatchesTheInterpreterBitForBit() {
        compare(DType.F32, 4160, 1, false, 300, 5);
        compare(DType.F32, 4160, 1, true, 200, 6);
        compare(DType.F32, 4165, 1, false, 200, 7);
        compare(DType.F32, 40_000, 2, false, 20, 8);
    }

    /**
     * One transcendental op per kernel, on every leaf kind: such kernels are not generated (SimdCodegen.TRANSCENDENTAL:
     * VectorMath's sequences run as its own array loops, which no generated loop can inline), so the backend's kernel
     * is the interpreter, and equal to it bit for bit. (Before VectorMath these kernels were generated and compared
     * within 6 ulps, the Vector API's exp, log and sin differing between JIT states.)
     */
    @Test
    void transcendentalOpsStayInterpreted() {
        for (DType dt : new DType[] {DType.F64, DType.F32}) {
            for (Op op : TRANSCENDENTAL) {
                for (int leaf = 0; leaf < 6; leaf++) {
                    int size = 4160;
                    Random r = new Random(op.ordinal() * 10L + leaf);
                    Expr e = new Expr.Apply(op, new Expr[] {switch (leaf) {
                        case 0, 1, 2 -> new Expr.Leaf(leaf, 1, size);
                        case 3 -> new Expr.Leaf(3, 1, 1);
                        case 4 -> new Expr.Leaf(4, 1, ROW);
                        default -> new Expr.Leaf(5, ROW, size / ROW);
                    }});
                    Instr.Elementwise in = new Instr.Elementwise(SLOTS, e, size, dt, op + " leaf " + leaf);
                    Object[] a = buffers(r, size, dt);
                    Object[] b = a.clone();
                    b[SLOTS] = dt == DType.F64 ? new double[size] : new float[size];
                    assertNull(SimdCodegen.compile(e, SLOTS, size, dt), op + " was compiled");
                    (dt == DType.F64 ? SimdF64.elementwise(in, a, 1) : SimdF32.elementwise(in, a, 1)).run();
                    (dt == DType.F64 ? SimdF64.interpreted(in, b, 1) : SimdF32.interpreted(in, b, 1)).run();
                    for (int i = 0; i < size; i++) {
                        double x = at(a[SLOTS], i);
                        double y = at(b[SLOTS], i);
                        assertTrue(Double.compare(x, y) == 0 || Double.isNaN(x) && Double.isNaN(y), op + " " + dt
                                + " leaf " + leaf + " at " + i + ": " + x + " vs interpreter " + y);
                    }
                }
            }
        }
    }

    @Test
    void unreadableBroadcastsAndShortKernelsStayInterpreted() {
        Expr plain = new Expr.Apply(Op.SQRT, new Expr[] {new Expr.Leaf(0, 1, 4160)});
        assertNotNull(SimdCodegen.compile(plain, 1, 4160, DType.F64));
        Expr odd = new Expr.Apply(Op.ADD, new Expr[] {new Expr.Leaf(0, 1, 4160), new Expr.Leaf(1, 3, 5)});
        assertNull(SimdCodegen.compile(odd, 2, 4160, DType.F64));
        assertNull(SimdCodegen.compile(new Expr.Apply(Op.SQRT, new Expr[] {new Expr.Leaf(0, 1, 640)}), 1, 640,
                DType.F64));
        List<Object> same = new ArrayList<>();
        same.add(SimdCodegen.compile(plain, 1, 4160, DType.F64).body());
        same.add(SimdCodegen.compile(new Expr.Apply(Op.SQRT, new Expr[] {new Expr.Leaf(5, 1, 8192)}), 9, 8192,
                DType.F64).body());
        assertEquals(same.get(0), same.get(1), "kernels of one structure share their class");
    }
}
