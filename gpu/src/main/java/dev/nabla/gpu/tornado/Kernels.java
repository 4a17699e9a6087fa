package dev.nabla.gpu.tornado;

import dev.nabla.core.random.Philox;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.annotations.Parallel;
import uk.ac.manchester.tornado.api.math.TornadoMath;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.LongArray;

/**
 * The device kernels of the TornadoVM backend, one Java method per kernel kind and dtype; TornadoVM compiles
 * them to OpenCL C or PTX on first use. This class must be compiled with {@code -g} (Maven's default):
 * TornadoVM reads the local-variable table to find {@code @Parallel} loops.
 *
 * <p><b>Fused elementwise kernels</b> ({@link #fusedF64}) run a small register program per element, the
 * body of one {@link dev.nabla.core.plan.Instr.Elementwise} compiled by {@link FusedCode}: every thread
 * evaluates the whole expression tree in private registers, so a chain of elementwise ops is one kernel
 * launch with one read of each input and one write, as on the CPU backends. The program is the same for
 * every thread, so the interpreter's branches never diverge.
 *
 * <p>Semantics follow {@link dev.nabla.core.backend.ScalarOps}; {@code expm1} and {@code log1p}, which
 * TornadoVM does not map, use Kahan's compensated forms, accurate to a few ulps.
 */
final class Kernels {
    /** Instruction width in the fused-kernel code: op, destination register, three operands. */
    static final int WIDTH = 5;
    /** Registers per thread in a fused kernel. */
    static final int REGISTERS = 16;
    /** Input buffers a fused kernel can read. */
    static final int INPUTS = 8;
    /** Side of the square matmul tile held in local memory. */
    static final int TILE = 16;
    /** Work-group size of the reduction kernels (a power of two). */
    static final int REDUCE_GROUP = 64;

    static final int LOAD = 0;
    static final int CONST = 1;
    static final int NEG = 2;
    static final int EXP = 3;
    static final int LOG = 4;
    static final int SIN = 5;
    static final int SQRT = 6;
    static final int RECIPROCAL = 7;
    static final int EXPM1 = 8;
    static final int LOG1P = 9;
    static final int TANH = 10;
    static final int MOVE = 11;
    static final int ADD = 12;
    static final int MUL = 13;
    static final int MAX = 14;
    static final int LESS = 15;
    static final int WHERE = 16;
    static final int LOGISTIC = 17;
    static final int COS = 18;

    private Kernels() {
    }

    private static double loadF64(int buffer, int index, DoubleArray in0, DoubleArray in1, DoubleArray in2, DoubleArray in3, DoubleArray in4, DoubleArray in5, DoubleArray in6, DoubleArray in7) {
        return switch (buffer) {
            case 0 -> in0.get(index);
            case 1 -> in1.get(index);
            case 2 -> in2.get(index);
            case 3 -> in3.get(index);
            case 4 -> in4.get(index);
            case 5 -> in5.get(index);
            case 6 -> in6.get(index);
            case 7 -> in7.get(index);
            default -> in7.get(index);
        };
    }

    private static double expm1F64(double x) {
        double u = TornadoMath.exp(x);
        if (u == 1.0) {
            return x;
        }
        double um1 = u - 1.0;
        if (um1 == -1.0) {
            return -1.0;
        }
        return um1 * x / TornadoMath.log(u);
    }

    /** {@code 1/(1 + e^{−x})} as in {@code ScalarOps.logistic}: no overflow. */
    private static double logisticF64(double x) {
        double e = TornadoMath.exp(x < 0.0 ? x : -x);
        double q = 1.0 / (1.0 + e);
        return x < 0.0 ? e * q : q;
    }

    private static double log1pF64(double x) {
        double u = 1.0 + x;
        if (u == 1.0) {
            return x;
        }
        return TornadoMath.log(u) * x / (u - 1.0);
    }

    /**
     * {@code out[i] = expr(i)} for {@code i < n}, {@code expr} the register program {@code code} (see
     * {@link FusedCode}) of {@code length} instructions at {@code code[codeAt …]}, literals at {@code consts[constAt …]};
     * the result is register 0.
     */
    static void fusedF64(DoubleArray out, DoubleArray in0, DoubleArray in1, DoubleArray in2, DoubleArray in3, DoubleArray in4, DoubleArray in5, DoubleArray in6, DoubleArray in7, IntArray code, DoubleArray consts, int n, int length,
                         int codeAt, int constAt) {
        for (@Parallel int i = 0; i < n; i++) {
            double[] r = new double[REGISTERS];
            for (int pc = 0; pc < length; pc++) {
                int base = codeAt + pc * WIDTH;
                int op = code.get(base);
                int d = code.get(base + 1);
                int x = code.get(base + 2);
                int y = code.get(base + 3);
                int z = code.get(base + 4);
                double v;
                if (op == LOAD) {
                    v = loadF64(x, (i / y) % z, in0, in1, in2, in3, in4, in5, in6, in7);
                } else if (op == CONST) {
                    v = consts.get(constAt + x);
                } else if (op == NEG) {
                    v = -r[x];
                } else if (op == EXP) {
                    v = TornadoMath.exp(r[x]);
                } else if (op == LOG) {
                    v = TornadoMath.log(r[x]);
                } else if (op == SIN) {
                    v = TornadoMath.sin(r[x]);
                } else if (op == COS) {
                    v = TornadoMath.cos(r[x]);
                } else if (op == SQRT) {
                    v = TornadoMath.sqrt(r[x]);
                } else if (op == RECIPROCAL) {
                    v = 1.0 / r[x];
                } else if (op == EXPM1) {
                    v = expm1F64(r[x]);
                } else if (op == LOG1P) {
                    v = log1pF64(r[x]);
                } else if (op == TANH) {
                    v = TornadoMath.tanh(r[x]);
                } else if (op == LOGISTIC) {
                    v = logisticF64(r[x]);
                } else if (op == ADD) {
                    v = r[x] + r[y];
                } else if (op == MUL) {
                    v = r[x] * r[y];
                } else if (op == MAX) {
                    v = TornadoMath.max(r[x], r[y]);
                } else if (op == LESS) {
                    v = r[x] < r[y] ? 1.0 : 0.0;
                } else if (op == WHERE) {
                    v = r[x] != 0.0 ? r[y] : r[z];
                } else {
                    v = r[x];
                }
                r[d] = v;
            }
            out.set(i, r[0]);
        }
    }

    /** {@code out[i] = in[i]}. */
    static void copyF64(DoubleArray out, DoubleArray in, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            out.set(i, in.get(i));
        }
    }

    /** {@code out[i] = map[i] < 0 ? 0 : in[map[i]]}: permutes, slices, pads and broadcasts. */
    static void gatherF64(DoubleArray out, DoubleArray in, IntArray map, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            int j = map.get(i);
            double v = 0.0;
            if (j >= 0) {
                v = in.get(j);
            }
            out.set(i, v);
        }
    }

    /** {@code out[to[i]] = in[from[i]]}: one part of a concatenation written into its slice of {@code out}. */
    static void scatterF64(DoubleArray out, IntArray to, DoubleArray in, IntArray from, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            out.set(to.get(i), in.get(from.get(i)));
        }
    }

    /**
     * Batched {@code C[b] = op(A[b]) · op(B[b])}, op(A) m×k read at {@code b·aB + i·aR + p·aC}, op(B) k×n at
     * {@code b·bB + p·bR + j·bC} (transposes and shared operands are strides), C row-major. Each work-group
     * computes a {@value #TILE}×{@value #TILE} tile of C, staging {@value #TILE}-wide panels of A and B in
     * local memory; grid (n, m, batch) rounded up to tiles.
     */
    static void matmulF64(KernelContext ctx, DoubleArray c, DoubleArray a, DoubleArray b, int m, int n, int k,
                         int aB, int aR, int aC, int bB, int bR, int bC) {
        int col = ctx.globalIdx;
        int row = ctx.globalIdy;
        int batch = ctx.globalIdz;
        int lc = ctx.localIdx;
        int lr = ctx.localIdy;
        double[] as = ctx.allocateDoubleLocalArray(TILE * TILE);
        double[] bs = ctx.allocateDoubleLocalArray(TILE * TILE);
        double acc = 0.0;
        for (int t = 0; t < k; t += TILE) {
            int ak = t + lc;
            double av = 0.0;
            if (row < m && ak < k) {
                av = a.get(batch * aB + row * aR + ak * aC);
            }
            as[lr * TILE + lc] = av;
            int bk = t + lr;
            double bv = 0.0;
            if (bk < k && col < n) {
                bv = b.get(batch * bB + bk * bR + col * bC);
            }
            bs[lr * TILE + lc] = bv;
            ctx.localBarrier();
            for (int p = 0; p < TILE; p++) {
                acc += as[lr * TILE + p] * bs[p * TILE + lc];
            }
            ctx.localBarrier();
        }
        if (row < m && col < n) {
            c.set(batch * m * n + row * n + col, acc);
        }
    }

    /**
     * Sum ({@code max == 0}) or maximum of {@code in} viewed as [outer, r, inner] over the middle axis: one
     * work-group of {@value #REDUCE_GROUP} threads per output element, each thread striding over r, then a
     * tree reduction in local memory.
     */
    static void reduceF64(KernelContext ctx, DoubleArray out, DoubleArray in, int r, int inner, int max) {
        int o = ctx.groupIdx;
        int lid = ctx.localIdx;
        double[] part = ctx.allocateDoubleLocalArray(REDUCE_GROUP);
        int base = (o / inner) * r * inner + o % inner;
        double acc = 0.0;
        if (max != 0) {
            acc = Double.NEGATIVE_INFINITY;
        }
        for (int q = lid; q < r; q += REDUCE_GROUP) {
            double v = in.get(base + q * inner);
            if (max != 0) {
                acc = TornadoMath.max(acc, v);
            } else {
                acc += v;
            }
        }
        part[lid] = acc;
        ctx.localBarrier();
        for (int s = REDUCE_GROUP / 2; s > 0; s = s / 2) {
            if (lid < s) {
                if (max != 0) {
                    part[lid] = TornadoMath.max(part[lid], part[lid + s]);
                } else {
                    part[lid] = part[lid] + part[lid + s];
                }
            }
            ctx.localBarrier();
        }
        if (lid == 0) {
            out.set(o, part[0]);
        }
    }

    /** Keeps {@code a} on the device between task graphs (a task must name every persisted buffer). */
    static void keepF64(DoubleArray a) {
        if (a.getSize() < 0) {
            a.set(0, 0.0);
        }
    }

    private static float loadF32(int buffer, int index, FloatArray in0, FloatArray in1, FloatArray in2, FloatArray in3, FloatArray in4, FloatArray in5, FloatArray in6, FloatArray in7) {
        return switch (buffer) {
            case 0 -> in0.get(index);
            case 1 -> in1.get(index);
            case 2 -> in2.get(index);
            case 3 -> in3.get(index);
            case 4 -> in4.get(index);
            case 5 -> in5.get(index);
            case 6 -> in6.get(index);
            case 7 -> in7.get(index);
            default -> in7.get(index);
        };
    }

    private static float expm1F32(float x) {
        float u = TornadoMath.exp(x);
        if (u == 1.0f) {
            return x;
        }
        float um1 = u - 1.0f;
        if (um1 == -1.0f) {
            return -1.0f;
        }
        return um1 * x / TornadoMath.log(u);
    }

    /** {@code 1/(1 + e^{−x})} as in {@code ScalarOps.logistic}: no overflow. */
    private static float logisticF32(float x) {
        float e = TornadoMath.exp(x < 0.0f ? x : -x);
        float q = 1.0f / (1.0f + e);
        return x < 0.0f ? e * q : q;
    }

    private static float log1pF32(float x) {
        float u = 1.0f + x;
        if (u == 1.0f) {
            return x;
        }
        return TornadoMath.log(u) * x / (u - 1.0f);
    }

    /**
     * {@code out[i] = expr(i)} for {@code i < n}, {@code expr} the register program {@code code} (see
     * {@link FusedCode}) of {@code length} instructions at {@code code[codeAt …]}, literals at {@code consts[constAt …]};
     * the result is register 0.
     */
    static void fusedF32(FloatArray out, FloatArray in0, FloatArray in1, FloatArray in2, FloatArray in3, FloatArray in4, FloatArray in5, FloatArray in6, FloatArray in7, IntArray code, FloatArray consts, int n, int length,
                         int codeAt, int constAt) {
        for (@Parallel int i = 0; i < n; i++) {
            float[] r = new float[REGISTERS];
            for (int pc = 0; pc < length; pc++) {
                int base = codeAt + pc * WIDTH;
                int op = code.get(base);
                int d = code.get(base + 1);
                int x = code.get(base + 2);
                int y = code.get(base + 3);
                int z = code.get(base + 4);
                float v;
                if (op == LOAD) {
                    v = loadF32(x, (i / y) % z, in0, in1, in2, in3, in4, in5, in6, in7);
                } else if (op == CONST) {
                    v = consts.get(constAt + x);
                } else if (op == NEG) {
                    v = -r[x];
                } else if (op == EXP) {
                    v = TornadoMath.exp(r[x]);
                } else if (op == LOG) {
                    v = TornadoMath.log(r[x]);
                } else if (op == SIN) {
                    v = TornadoMath.sin(r[x]);
                } else if (op == COS) {
                    v = TornadoMath.cos(r[x]);
                } else if (op == SQRT) {
                    v = TornadoMath.sqrt(r[x]);
                } else if (op == RECIPROCAL) {
                    v = 1.0f / r[x];
                } else if (op == EXPM1) {
                    v = expm1F32(r[x]);
                } else if (op == LOG1P) {
                    v = log1pF32(r[x]);
                } else if (op == TANH) {
                    v = TornadoMath.tanh(r[x]);
                } else if (op == LOGISTIC) {
                    v = logisticF32(r[x]);
                } else if (op == ADD) {
                    v = r[x] + r[y];
                } else if (op == MUL) {
                    v = r[x] * r[y];
                } else if (op == MAX) {
                    v = TornadoMath.max(r[x], r[y]);
                } else if (op == LESS) {
                    v = r[x] < r[y] ? 1.0f : 0.0f;
                } else if (op == WHERE) {
                    v = r[x] != 0.0f ? r[y] : r[z];
                } else {
                    v = r[x];
                }
                r[d] = v;
            }
            out.set(i, r[0]);
        }
    }

    /** {@code out[i] = in[i]}. */
    static void copyF32(FloatArray out, FloatArray in, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            out.set(i, in.get(i));
        }
    }

    /** {@code out[i] = map[i] < 0 ? 0 : in[map[i]]}: permutes, slices, pads and broadcasts. */
    static void gatherF32(FloatArray out, FloatArray in, IntArray map, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            int j = map.get(i);
            float v = 0.0f;
            if (j >= 0) {
                v = in.get(j);
            }
            out.set(i, v);
        }
    }

    /** {@code out[to[i]] = in[from[i]]}: one part of a concatenation written into its slice of {@code out}. */
    static void scatterF32(FloatArray out, IntArray to, FloatArray in, IntArray from, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            out.set(to.get(i), in.get(from.get(i)));
        }
    }

    /**
     * Batched {@code C[b] = op(A[b]) · op(B[b])}, op(A) m×k read at {@code b·aB + i·aR + p·aC}, op(B) k×n at
     * {@code b·bB + p·bR + j·bC} (transposes and shared operands are strides), C row-major. Each work-group
     * computes a {@value #TILE}×{@value #TILE} tile of C, staging {@value #TILE}-wide panels of A and B in
     * local memory; grid (n, m, batch) rounded up to tiles.
     */
    static void matmulF32(KernelContext ctx, FloatArray c, FloatArray a, FloatArray b, int m, int n, int k,
                         int aB, int aR, int aC, int bB, int bR, int bC) {
        int col = ctx.globalIdx;
        int row = ctx.globalIdy;
        int batch = ctx.globalIdz;
        int lc = ctx.localIdx;
        int lr = ctx.localIdy;
        float[] as = ctx.allocateFloatLocalArray(TILE * TILE);
        float[] bs = ctx.allocateFloatLocalArray(TILE * TILE);
        float acc = 0.0f;
        for (int t = 0; t < k; t += TILE) {
            int ak = t + lc;
            float av = 0.0f;
            if (row < m && ak < k) {
                av = a.get(batch * aB + row * aR + ak * aC);
            }
            as[lr * TILE + lc] = av;
            int bk = t + lr;
            float bv = 0.0f;
            if (bk < k && col < n) {
                bv = b.get(batch * bB + bk * bR + col * bC);
            }
            bs[lr * TILE + lc] = bv;
            ctx.localBarrier();
            for (int p = 0; p < TILE; p++) {
                acc += as[lr * TILE + p] * bs[p * TILE + lc];
            }
            ctx.localBarrier();
        }
        if (row < m && col < n) {
            c.set(batch * m * n + row * n + col, acc);
        }
    }

    /**
     * Sum ({@code max == 0}) or maximum of {@code in} viewed as [outer, r, inner] over the middle axis: one
     * work-group of {@value #REDUCE_GROUP} threads per output element, each thread striding over r, then a
     * tree reduction in local memory.
     */
    static void reduceF32(KernelContext ctx, FloatArray out, FloatArray in, int r, int inner, int max) {
        int o = ctx.groupIdx;
        int lid = ctx.localIdx;
        float[] part = ctx.allocateFloatLocalArray(REDUCE_GROUP);
        int base = (o / inner) * r * inner + o % inner;
        float acc = 0.0f;
        if (max != 0) {
            acc = Float.NEGATIVE_INFINITY;
        }
        for (int q = lid; q < r; q += REDUCE_GROUP) {
            float v = in.get(base + q * inner);
            if (max != 0) {
                acc = TornadoMath.max(acc, v);
            } else {
                acc += v;
            }
        }
        part[lid] = acc;
        ctx.localBarrier();
        for (int s = REDUCE_GROUP / 2; s > 0; s = s / 2) {
            if (lid < s) {
                if (max != 0) {
                    part[lid] = TornadoMath.max(part[lid], part[lid + s]);
                } else {
                    part[lid] = part[lid] + part[lid + s];
                }
            }
            ctx.localBarrier();
        }
        if (lid == 0) {
            out.set(o, part[0]);
        }
    }

    /** Keeps {@code a} on the device between task graphs (a task must name every persisted buffer). */
    static void keepF32(FloatArray a) {
        if (a.getSize() < 0) {
            a.set(0, 0.0f);
        }
    }

    /**
     * {@code bits >>> 11}, written as a masked arithmetic shift: TornadoVM 5.2's OpenCL code generator emits
     * {@code >>>} on a long as a signed shift, which turned uniforms with the top bit set into negative numbers.
     */
    private static long top53(long bits) {
        return (bits >> 11) & 0x1F_FFFF_FFFF_FFFFL;
    }

    /** float64 → float32, rounding to nearest. */
    static void castF64F32(FloatArray out, DoubleArray in, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            out.set(i, (float) in.get(i));
        }
    }

    /** float32 → float64, exact. */
    static void castF32F64(DoubleArray out, FloatArray in, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            out.set(i, in.get(i));
        }
    }

    /**
     * Element i of the stream of {@code keys[slot]}, the same numbers as {@link Philox#uniform} (bit for bit:
     * {@code (bits64 >>> 11) · 2⁻⁵³}) or, with {@code normal}, {@link Philox#normalAt}'s Box–Muller transform,
     * whose log and cos are the device's (equal to the CPU's within a few ulps).
     */
    static void randomF64(DoubleArray out, LongArray keys, int slot, int normal, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            long key = keys.get(slot);
            double v;
            if (normal != 0) {
                long w0 = Philox.block64(key, i, 3L);
                long w1 = Philox.block64(key, i, 4L);
                double u1 = (top53(w0) + 1) * 0x1.0p-53;
                double u2 = top53(w1) * 0x1.0p-53;
                v = TornadoMath.sqrt(-2 * TornadoMath.log(u1)) * TornadoMath.cos(2 * Math.PI * u2);
            } else {
                v = top53(Philox.bits64(key, i)) * 0x1.0p-53;
            }
            out.set(i, v);
        }
    }

    /** float32 numbers of the same streams: uniforms from 32-bit words as {@link Philox#uniformFloatAt}. */
    static void randomF32(FloatArray out, LongArray keys, int slot, int normal, int n) {
        for (@Parallel int i = 0; i < n; i++) {
            long key = keys.get(slot);
            float v;
            if (normal != 0) {
                long w0 = Philox.block64(key, i, 3L);
                long w1 = Philox.block64(key, i, 4L);
                double u1 = (top53(w0) + 1) * 0x1.0p-53;
                double u2 = top53(w1) * 0x1.0p-53;
                v = (float) (TornadoMath.sqrt(-2 * TornadoMath.log(u1)) * TornadoMath.cos(2 * Math.PI * u2));
            } else {
                v = ((Philox.bits32(key, i) >> 8) & 0xFFFFFF) * 0x1.0p-24f;
            }
            out.set(i, v);
        }
    }

    /** Does nothing: the task of a program with no instructions (its outputs are inputs or constants). */
    static void noop(IntArray a) {
        if (a.getSize() < 0) {
            a.set(0, 0);
        }
    }
}
