package dev.nabla.core.backend;

import dev.nabla.core.DType;
import dev.nabla.core.Op;
import dev.nabla.core.plan.Expr;
import dev.nabla.core.plan.Instr;
import dev.nabla.core.plan.View;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.function.IntConsumer;

/**
 * The float32 kernels of the SIMD backend, on the preferred Vector API species (8 lanes with AVX2, 16 with AVX-512).
 * The float64 twin is {@code SimdF64}; this file is generated from it by replacing double with float (Java has no generics over primitives).
 *
 * <p>A fused elementwise kernel evaluates its expression tree over chunks of {@link #CHUNK} elements: each
 * inner node writes a chunk into a small per-thread scratch array that stays in L1, and the root writes the
 * output directly, so a chain of n ops reads and writes main memory once instead of n times. Kernels larger
 * than {@link #PARALLEL_MIN} elements are split across threads at chunk boundaries.
 */
final class SimdF32 {
    private SimdF32() {
    }

    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    static final int L = S.length();
    static final int CHUNK = 512;
    static final int PARALLEL_MIN = 1 << 15;

    // ------------------------------------------------------------------ vector math
    // The Vector API's TANH and EXPM1 fall back to scalar code on some JDK builds (~40 ns per element, against
    // ~2 ns for EXP), so both are built here from EXP and the rational approximations of Cephes (S. Moshier,
    // tanh.c and unity.c) near 0, where the EXP-based forms would cancel.

    static final float TANH_P0 = (float) -9.64399179425052238628E-1;
    static final float TANH_P1 = (float) -9.92877231001918586564E1;
    static final float TANH_P2 = (float) -1.61468768441708447952E3;
    static final float TANH_Q0 = (float) 1.12811678491632931402E2;
    static final float TANH_Q1 = (float) 2.23548839060100448583E3;
    static final float TANH_Q2 = (float) 4.84406305325125486048E3;

    /**
     * The least argument whose exp these kernels compute: e·MIN_NORMAL, so that no exp they take is subnormal.
     * The vector EXP takes a microcoded path for subnormal results, about 100 times slower (65536 float exps of
     * arguments in [−100, −88]: 2.8 ms against 28 µs; float in [−740, −709]: 3.2 ms against 0.09 ms), which a
     * network's large negative pre-activations reach. Below it tanh and expm1 are ±1 and −1 whatever exp gives,
     * and σ is below 3·MIN_NORMAL, returned as 0 (the reference backend returns the subnormal value).
     */
    static final float EXP_MIN = (float) (Math.log(Float.MIN_NORMAL) + 1);

    static final float EXPM1_P0 = (float) 1.2617719307481059087798E-4;
    static final float EXPM1_P1 = (float) 3.0299440770744196129956E-2;
    static final float EXPM1_P2 = (float) 9.9999999999999999991025E-1;
    static final float EXPM1_Q0 = (float) 3.0019850513866445504159E-6;
    static final float EXPM1_Q1 = (float) 2.5244834034968410419224E-3;
    static final float EXPM1_Q2 = (float) 2.2726554820815502876593E-1;
    static final float EXPM1_Q3 = (float) 2.0000000000000000000897E0;

    // ------------------------------------------------------------------ one loop per op
    // Each op's vector loop is a small static method reached through an interface call that C2 never inlines
    // into the generic kernel driver (the call site sees every op): each loop is then compiled on its own, so
    // its vectors stay in registers whatever other kernels the program has run. (One big switch, compiled with
    // all its arms hot, made C2 give up eliminating vector boxes: the step allocated.)

    /**
     * {@code out[oo + i] = op(x[xo + i], y[yo + i], z[zo + i])} for {@code i < bound}, a multiple of L and at most
     * {@link #CHUNK}; the unary EXPM1, TANH and LOGISTIC get a scratch array of CHUNK elements as y, where they
     * stage the arguments and values of their exp ({@link VectorMath} takes arrays, see there).
     */
    @FunctionalInterface
    interface Kernel {
        void run(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo, int bound);
    }

    static Kernel kernel(Op op) {
        return switch (op) {
            case NEG -> SimdF32::kNeg;
            case EXP -> SimdF32::kExp;
            case EXPM1 -> SimdF32::kExpm1;
            case LOG -> SimdF32::kLog;
            case LOG1P -> SimdF32::kLog1P;
            case SIN -> SimdF32::kSin;
            case COS -> SimdF32::kCos;
            case TANH -> SimdF32::kTanh;
            case LOGISTIC -> SimdF32::kLogistic;
            case SQRT -> SimdF32::kSqrt;
            case RECIPROCAL -> SimdF32::kReciprocal;
            case ADD -> SimdF32::kAdd;
            case MUL -> SimdF32::kMul;
            case MAX -> SimdF32::kMax;
            case LESS -> SimdF32::kLess;
            case WHERE -> SimdF32::kWhere;
            default -> throw new IllegalStateException("not a fusable op: " + op);
        };
    }

    private static void kNeg(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo,
                                int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).neg().intoArray(out, oo + i);
        }
    }

    private static void kExp(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo,
                                int bound) {
        VectorMath.exp(x, xo, out, oo, bound);
    }

    private static void kExpm1(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo,
                                int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).max(EXP_MIN).intoArray(y, i);
        }
        VectorMath.exp(y, 0, y, 0, bound);
        for (int i = 0; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector xx = v.mul(v);
            FloatVector r = v.mul(xx.fma(EXPM1_P0, EXPM1_P1).fma(xx, FloatVector.broadcast(S, EXPM1_P2)));
            FloatVector q = xx.fma(EXPM1_Q0, EXPM1_Q1).fma(xx, FloatVector.broadcast(S, EXPM1_Q2))
                    .fma(xx, FloatVector.broadcast(S, EXPM1_Q3));
            FloatVector small = r.div(q.sub(r));
            small = small.add(small);
            FloatVector big = FloatVector.fromArray(S, y, i).sub((float) 1);
            big.blend(small, v.abs().compare(VectorOperators.LE, (float) 0.5)).intoArray(out, oo + i);
        }
    }

    private static void kLog(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo,
                                int bound) {
        VectorMath.log(x, xo, out, oo, bound);
    }

    private static void kLog1P(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo,
                                int bound) {
        VectorMath.log1p(x, xo, out, oo, bound);
    }

    private static void kSin(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo,
                                int bound) {
        VectorMath.sin(x, xo, out, oo, bound);
    }

    private static void kCos(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo,
                                int bound) {
        VectorMath.cos(x, xo, out, oo, bound);
    }

    private static void kTanh(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo,
                                int bound) {
        for (int i = 0; i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).abs().mul((float) -2).max(EXP_MIN).intoArray(y, i);
        }
        VectorMath.exp(y, 0, y, 0, bound);
        for (int i = 0; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector z2 = v.mul(v);
            FloatVector p = z2.fma(TANH_P0, TANH_P1).fma(z2, FloatVector.broadcast(S, TANH_P2));
            FloatVector q = z2.add(TANH_Q0).fma(z2, FloatVector.broadcast(S, TANH_Q1))
                    .fma(z2, FloatVector.broadcast(S, TANH_Q2));
            FloatVector small = v.mul(z2).mul(p.div(q)).add(v);
            FloatVector a = v.abs();
            FloatVector e = FloatVector.fromArray(S, y, i);
            FloatVector big = e.neg().add((float) 1).div(e.add((float) 1));
            big = big.blend(big.neg(), v.compare(VectorOperators.LT, (float) 0));
            big.blend(small, a.compare(VectorOperators.LT, (float) 0.625)).intoArray(out, oo + i);
        }
    }

    private static void kLogistic(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo,
                                int bound) {
        FloatVector one = FloatVector.broadcast(S, (float) 1);
        for (int i = 0; i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).abs().neg().max(EXP_MIN).intoArray(y, i);
        }
        VectorMath.exp(y, 0, y, 0, bound);
        for (int i = 0; i < bound; i += L) {
            FloatVector v = FloatVector.fromArray(S, x, xo + i);
            FloatVector e = FloatVector.fromArray(S, y, i);
            FloatVector r = one.div(e.add((float) 1));
            r = r.blend(e.mul(r), v.compare(VectorOperators.LT, (float) 0));
            r.blend((float) 0, v.compare(VectorOperators.LT, EXP_MIN)).intoArray(out, oo + i);
        }
    }

    private static void kSqrt(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo,
                                int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).lanewise(VectorOperators.SQRT).intoArray(out, oo + i);
        }
    }

    private static void kReciprocal(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo,
                                int bound) {
        int i = 0;
        FloatVector one = FloatVector.broadcast(S, (float) 1);
        for (; i < bound; i += L) {
            one.div(FloatVector.fromArray(S, x, xo + i)).intoArray(out, oo + i);
        }
    }

    private static void kAdd(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo,
                                int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).add(FloatVector.fromArray(S, y, yo + i))
                    .intoArray(out, oo + i);
        }
    }

    private static void kMul(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo,
                                int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).mul(FloatVector.fromArray(S, y, yo + i))
                    .intoArray(out, oo + i);
        }
    }

    private static void kMax(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo,
                                int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            FloatVector.fromArray(S, x, xo + i).max(FloatVector.fromArray(S, y, yo + i))
                    .intoArray(out, oo + i);
        }
    }

    private static void kLess(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo,
                                int bound) {
        int i = 0;
        FloatVector zero = FloatVector.zero(S);
        FloatVector one = FloatVector.broadcast(S, (float) 1);
        for (; i < bound; i += L) {
            VectorMask<Float> m = FloatVector.fromArray(S, x, xo + i)
                    .compare(VectorOperators.LT, FloatVector.fromArray(S, y, yo + i));
            zero.blend(one, m).intoArray(out, oo + i);
        }
    }

    private static void kWhere(float[] x, int xo, float[] y, int yo, float[] z, int zo, float[] out, int oo,
                                int bound) {
        int i = 0;
        for (; i < bound; i += L) {
            VectorMask<Float> m = FloatVector.fromArray(S, x, xo + i).compare(VectorOperators.NE, 0);
            FloatVector.fromArray(S, z, zo + i).blend(FloatVector.fromArray(S, y, yo + i), m)
                    .intoArray(out, oo + i);
        }
    }

    // ------------------------------------------------------------------ fused elementwise

    /** A node of a fused kernel: after {@code eval(start, len, tid)}, its chunk is {@code array(tid)[offset(start) + i]}. */
    private abstract static class Node {
        abstract void eval(int start, int len, int tid);

        abstract float[] array(int tid);

        abstract int offset(int start);
    }

    /** A buffer read in place. */
    private static final class Direct extends Node {
        final Object[] buf;
        final int slot;

        Direct(Object[] buf, int slot) {
            this.buf = buf;
            this.slot = slot;
        }

        @Override
        void eval(int start, int len, int tid) {
        }

        @Override
        float[] array(int tid) {
            return (float[]) buf[slot];
        }

        @Override
        int offset(int start) {
            return start;
        }
    }

    /** A constant, filled once. */
    private static final class Constant extends Node {
        final float[] values = new float[CHUNK];

        Constant(float v) {
            java.util.Arrays.fill(values, (float) v);
        }

        @Override
        void eval(int start, int len, int tid) {
        }

        @Override
        float[] array(int tid) {
            return values;
        }

        @Override
        int offset(int start) {
            return 0;
        }
    }

    /** A broadcast read, {@code src[(i / div) % mod]}, gathered into scratch. */
    private static final class Broadcast extends Node {
        final Object[] buf;
        final int slot;
        final int div;
        final int mod;
        final float[][] scratch;

        Broadcast(Object[] buf, int slot, int div, int mod, int threads) {
            this.buf = buf;
            this.slot = slot;
            this.div = div;
            this.mod = mod;
            this.scratch = new float[threads][CHUNK];
        }

        @Override
        void eval(int start, int len, int tid) {
            float[] src = (float[]) buf[slot];
            float[] out = scratch[tid];
            if (mod == 1) {
                java.util.Arrays.fill(out, 0, len, src[0]);
                return;
            }
            int q = start / div;
            int r = start - q * div;
            int idx = q % mod;
            if (div == 1) {
                int i = 0;
                while (i < len) {
                    int n = Math.min(len - i, mod - idx);
                    System.arraycopy(src, idx, out, i, n);
                    i += n;
                    idx = 0;
                }
                return;
            }
            int i = 0;
            while (i < len) {
                int n = Math.min(len - i, div - r);
                java.util.Arrays.fill(out, i, i + n, src[idx]);
                i += n;
                r = 0;
                if (++idx == mod) {
                    idx = 0;
                }
            }
        }

        @Override
        float[] array(int tid) {
            return scratch[tid];
        }

        @Override
        int offset(int start) {
            return 0;
        }
    }

    /** An elementwise primitive; the root writes into the output buffer. */
    private static final class Apply extends Node {
        final Op op;
        final Node a;
        final Node b;
        final Node c;
        final float[][] scratch;
        final Object[] buf;
        final int outSlot;
        final Kernel kernel;
        /** Per thread, the arguments and values of the exp inside expm1, tanh and σ (their kernels' y). */
        final float[][] stage;

        Apply(Op op, Node[] args, float[][] scratch, Object[] buf, int outSlot, int threads) {
            this.op = op;
            this.kernel = kernel(op);
            this.stage = op == Op.EXPM1 || op == Op.TANH || op == Op.LOGISTIC ? new float[threads][CHUNK] : null;
            this.a = args[0];
            this.b = args.length > 1 ? args[1] : null;
            this.c = args.length > 2 ? args[2] : null;
            this.scratch = scratch;
            this.buf = buf;
            this.outSlot = outSlot;
        }

        @Override
        float[] array(int tid) {
            return scratch != null ? scratch[tid] : (float[]) buf[outSlot];
        }

        @Override
        int offset(int start) {
            return scratch != null ? 0 : start;
        }

        @Override
        void eval(int start, int len, int tid) {
            a.eval(start, len, tid);
            if (b != null) {
                b.eval(start, len, tid);
            }
            if (c != null) {
                c.eval(start, len, tid);
            }
            float[] out = array(tid);
            int oo = offset(start);
            float[] x = a.array(tid);
            int xo = a.offset(start);
            float[] y = b == null ? stage == null ? null : stage[tid] : b.array(tid);
            int yo = b == null ? 0 : b.offset(start);
            float[] z = c == null ? null : c.array(tid);
            int zo = c == null ? 0 : c.offset(start);
            int bound = S.loopBound(len);
            kernel.run(x, xo, y, yo, z, zo, out, oo, bound);
            int i;
            for (i = bound; i < len; i++) {
                out[oo + i] = tail(op, x[xo + i], y == null ? 0 : y[yo + i], z == null ? 0 : z[zo + i]);
            }
        }
    }

    /**
     * One element of the tail shorter than a vector: {@link VectorMath}'s scalar twins for its functions, so that
     * every element rounds as the vector lanes do whatever its position; {@link ScalarOps} (rounded to the dtype)
     * for the other ops.
     */
    private static float tail(Op op, float a, float b, float c) {
        return switch (op) {
            case EXP -> VectorMath.exp(a);
            case LOG -> VectorMath.log(a);
            case LOG1P -> VectorMath.log1p(a);
            case SIN -> VectorMath.sin(a);
            case COS -> VectorMath.cos(a);
            default -> (float) ScalarOps.apply(op, a, b, c);
        };
    }

    /**
     * A prepared fused kernel: the bytecode loop of {@link SimdCodegen} where it applies, with this interpreter for
     * the tail shorter than one vector; the interpreter alone otherwise.
     */
    private static final class Fused implements Runnable, IntConsumer {
        final Node root;
        final int size;
        final int parts;
        final Object[] buf;
        final SimdCodegen.Compiled compiled;

        Fused(Instr.Elementwise e, Object[] buf, int threads, boolean codegen) {
            this.size = e.size();
            this.buf = buf;
            this.parts = size >= PARALLEL_MIN ? Math.min(threads, Parallel.maxParts()) : 1;
            this.root = build(e.expr(), buf, e.out(), true, parts, size);
            this.compiled = codegen ? SimdCodegen.compile(e.expr(), e.out(), size, DTYPE) : null;
        }

        private static Node build(Expr e, Object[] buf, int outSlot, boolean root, int threads, int size) {
            return switch (e) {
                case Expr.Const k -> new Constant((float) k.value());
                case Expr.Leaf l -> l.direct(size) ? new Direct(buf, l.slot())
                        : new Broadcast(buf, l.slot(), l.div(), l.mod(), threads);
                case Expr.Apply a -> {
                    Node[] args = new Node[a.args().length];
                    for (int i = 0; i < args.length; i++) {
                        args[i] = build(a.args()[i], buf, outSlot, false, threads, size);
                    }
                    yield new Apply(a.op(), args, root ? null : new float[threads][CHUNK], buf, outSlot, threads);
                }
            };
        }

        @Override
        public void run() {
            if (parts == 1) {
                accept(0);
            } else {
                Parallel.run(parts, this);
            }
        }

        @Override
        public void accept(int part) {
            int chunks = (size + CHUNK - 1) / CHUNK;
            int from = (int) ((long) chunks * part / parts) * CHUNK;
            int to = Math.min(size, (int) ((long) chunks * (part + 1) / parts) * CHUNK);
            if (compiled != null) {
                int bound = from + S.loopBound(to - from);
                compiled.run(buf, from, bound);
                if (bound < to) {
                    root.eval(bound, to - bound, part);
                }
                return;
            }
            for (int s = from; s < to; s += CHUNK) {
                root.eval(s, Math.min(CHUNK, to - s), part);
            }
        }
    }

    static Runnable elementwise(Instr.Elementwise e, Object[] buf, int threads) {
        return new Fused(e, buf, threads, true);
    }

    /** The interpreter alone, without {@link SimdCodegen} (for tests that compare the two). */
    static Runnable interpreted(Instr.Elementwise e, Object[] buf, int threads) {
        return new Fused(e, buf, threads, false);
    }

    // ------------------------------------------------------------------ other instructions

    static Runnable reduce(Instr.Reduce r, Object[] buf) {
        int[] blocks = r.inShape().reductionBlocks(r.axes());
        boolean max = r.op() == Op.REDUCE_MAX;
        int in = r.in();
        int out = r.out();
        if (blocks == null || !r.view().isDense()) {
            return new StridedReduce(r, buf, blocks, max);
        }
        int outer = blocks[0];
        int red = blocks[1];
        int inner = blocks[2];
        if (inner == 1) {
            return max ? () -> maxRows((float[]) buf[in], (float[]) buf[out], outer, red)
                    : sumRowsStep((float[]) buf[in], (float[]) buf[out], outer, red);
        }
        return max ? () -> maxColumns((float[]) buf[in], (float[]) buf[out], outer, red, inner)
                : () -> sumColumns((float[]) buf[in], (float[]) buf[out], outer, red, inner);
    }

    // Each reduction is its own small method (see the note on kernels above), with a scalar path for rows
    // shorter than one vector.

    /** The step of {@link #sumRows}, with its lane buffer allocated once here. */
    private static Runnable sumRowsStep(float[] in, float[] out, int outer, int red) {
        float[] lanes = new float[L];
        return () -> sumRows(in, out, outer, red, lanes);
    }

    /**
     * {@code out[o] = Σ_j in[o·red + j]}: vector partial sums, then their lanes added in index order through
     * {@code lanes} ({@code reduceLanes(ADD)} adds them in another order once C2 compiles it, so the last bits
     * of a float sum depended on the JIT).
     */
    private static void sumRows(float[] in, float[] out, int outer, int red, float[] lanes) {
        int bound = S.loopBound(red);
        for (int o = 0; o < outer; o++) {
            int base = o * red;
            float s = 0;
            int j = 0;
            if (bound > 0) {
                FloatVector acc = FloatVector.fromArray(S, in, base);
                for (j = L; j < bound; j += L) {
                    acc = acc.add(FloatVector.fromArray(S, in, base + j));
                }
                acc.intoArray(lanes, 0);
                for (int l = 0; l < L; l++) {
                    s += lanes[l];
                }
            }
            for (; j < red; j++) {
                s += in[base + j];
            }
            out[o] = s;
        }
    }

    /** {@code out[o] = max_j in[o·red + j]}. */
    private static void maxRows(float[] in, float[] out, int outer, int red) {
        int bound = S.loopBound(red);
        for (int o = 0; o < outer; o++) {
            int base = o * red;
            float s = Float.NEGATIVE_INFINITY;
            int j = 0;
            if (bound > 0) {
                FloatVector acc = FloatVector.fromArray(S, in, base);
                for (j = L; j < bound; j += L) {
                    acc = acc.max(FloatVector.fromArray(S, in, base + j));
                }
                s = acc.reduceLanes(VectorOperators.MAX);
            }
            for (; j < red; j++) {
                s = Math.max(s, in[base + j]);
            }
            out[o] = s;
        }
    }

    /**
     * {@code out[o·inner + k] = Σ_j in[(o·red + j)·inner + k]}, each column summed in increasing j. Four vectors of
     * columns at a time are held in registers over all j (a bias gradient: 512 rows of 128); the rest of the row
     * is read and written back per j.
     */
    private static void sumColumns(float[] in, float[] out, int outer, int red, int inner) {
        int bound4 = inner - inner % (4 * L);
        int bound = S.loopBound(inner);
        for (int o = 0; o < outer; o++) {
            int ob = o * inner;
            int base = o * red * inner;
            for (int k = 0; k < bound4; k += 4 * L) {
                FloatVector s0 = FloatVector.fromArray(S, in, base + k);
                FloatVector s1 = FloatVector.fromArray(S, in, base + k + L);
                FloatVector s2 = FloatVector.fromArray(S, in, base + k + 2 * L);
                FloatVector s3 = FloatVector.fromArray(S, in, base + k + 3 * L);
                for (int j = 1; j < red; j++) {
                    int ib = base + j * inner + k;
                    s0 = s0.add(FloatVector.fromArray(S, in, ib));
                    s1 = s1.add(FloatVector.fromArray(S, in, ib + L));
                    s2 = s2.add(FloatVector.fromArray(S, in, ib + 2 * L));
                    s3 = s3.add(FloatVector.fromArray(S, in, ib + 3 * L));
                }
                s0.intoArray(out, ob + k);
                s1.intoArray(out, ob + k + L);
                s2.intoArray(out, ob + k + 2 * L);
                s3.intoArray(out, ob + k + 3 * L);
            }
            if (bound4 == inner) {
                continue;
            }
            System.arraycopy(in, base + bound4, out, ob + bound4, inner - bound4);
            for (int j = 1; j < red; j++) {
                int ib = (o * red + j) * inner;
                int k = bound4;
                for (; k < bound; k += L) {
                    FloatVector.fromArray(S, out, ob + k).add(FloatVector.fromArray(S, in, ib + k)).intoArray(out, ob + k);
                }
                for (; k < inner; k++) {
                    out[ob + k] += in[ib + k];
                }
            }
        }
    }

    /** {@code out[o·inner + k] = max_j in[(o·red + j)·inner + k]}. */
    private static void maxColumns(float[] in, float[] out, int outer, int red, int inner) {
        int bound = S.loopBound(inner);
        for (int o = 0; o < outer; o++) {
            int ob = o * inner;
            System.arraycopy(in, o * red * inner, out, ob, inner);
            for (int j = 1; j < red; j++) {
                int ib = (o * red + j) * inner;
                int k = 0;
                for (; k < bound; k += L) {
                    FloatVector.fromArray(S, out, ob + k).max(FloatVector.fromArray(S, in, ib + k)).intoArray(out, ob + k);
                }
                for (; k < inner; k++) {
                    out[ob + k] = Math.max(out[ob + k], in[ib + k]);
                }
            }
        }
    }

    /**
     * A reduction of a view that is not the dense buffer (a permute, slice or broadcast read in place), or whose
     * reduced axes are not one block: each output element, in order, adds its inputs in the order the dense kernels
     * above would for the copied-out view, so the result is bit for bit that of copying first: from 0 in increasing
     * input index where the reduced axes are not one block (as the reference backend), {@link #sumRows} (lane partial sums of L-element groups, lanes then added in
     * index order, then the tail) for trailing reduced axes, {@link #sumColumns} (from the first element, then
     * increasing j) otherwise; a maximum takes any order. Kept and reduced axes are each loop nests over the view's
     * strides, with neighbouring axes merged where the view steps through them evenly.
     */
    private static final class StridedReduce implements Runnable {
        private static final int FROM_ZERO = 0;
        private static final int LANES = 1;
        private static final int FROM_FIRST = 2;
        private static final int MAX = 3;

        private final Object[] buf;
        private final int in;
        private final int out;
        private final int mode;
        private final int offset;
        private final int outSize;
        private final int redSize;
        private final int[] keptDims;
        private final int[] keptStrides;
        private final int[] keptIndex;
        private final int[] redDims;
        private final int[] redStrides;
        private final int[] redIndex;
        private final float[] lanes = new float[L];

        StridedReduce(Instr.Reduce r, Object[] buf, int[] blocks, boolean max) {
            this.buf = buf;
            this.in = r.in();
            this.out = r.out();
            this.mode = max ? MAX : blocks == null ? FROM_ZERO : blocks[2] == 1 ? LANES : FROM_FIRST;
            View v = r.view();
            this.offset = v.offset();
            boolean[] red = new boolean[v.shape().rank()];
            for (int a : r.axes()) {
                red[a] = true;
            }
            int[][] kept = axes(v, red, false);
            int[][] reduced = axes(v, red, true);
            keptDims = kept[0];
            keptStrides = kept[1];
            keptIndex = new int[keptDims.length];
            redDims = reduced[0];
            redStrides = reduced[1];
            redIndex = new int[redDims.length];
            int o = 1;
            for (int d : keptDims) {
                o *= d;
            }
            int n = 1;
            for (int d : redDims) {
                n *= d;
            }
            outSize = o;
            redSize = n;
        }

        /** {dims, strides} of the kept (or reduced) axes of {@code v} of extent above 1, neighbours merged. */
        private static int[][] axes(View v, boolean[] red, boolean reduced) {
            int[] dims = new int[red.length];
            int[] strides = new int[red.length];
            int n = 0;
            for (int a = 0; a < red.length; a++) {
                int d = v.shape().dim(a);
                if (red[a] != reduced || d == 1) {
                    continue;
                }
                if (n > 0 && strides[n - 1] == v.stride(a) * d) {
                    dims[n - 1] *= d;
                    strides[n - 1] = v.stride(a);
                } else {
                    dims[n] = d;
                    strides[n] = v.stride(a);
                    n++;
                }
            }
            return new int[][] {java.util.Arrays.copyOf(dims, n), java.util.Arrays.copyOf(strides, n)};
        }

        @Override
        public void run() {
            float[] x = (float[]) buf[in];
            float[] y = (float[]) buf[out];
            java.util.Arrays.fill(keptIndex, 0);
            int base = offset;
            for (int o = 0; o < outSize; o++) {
                y[o] = reduceOne(x, base);
                for (int a = keptDims.length - 1; a >= 0; a--) {
                    base += keptStrides[a];
                    if (++keptIndex[a] < keptDims[a]) {
                        break;
                    }
                    base -= keptStrides[a] * keptDims[a];
                    keptIndex[a] = 0;
                }
            }
        }

        /** The position of the next reduced element after the one at {@code off}. */
        private int next(int off) {
            for (int a = redDims.length - 1; a >= 0; a--) {
                off += redStrides[a];
                if (++redIndex[a] < redDims[a]) {
                    return off;
                }
                off -= redStrides[a] * redDims[a];
                redIndex[a] = 0;
            }
            return off;
        }

        private float reduceOne(float[] x, int base) {
            java.util.Arrays.fill(redIndex, 0);
            int off = base;
            int n = redSize;
            switch (mode) {
                case MAX -> {
                    float s = Float.NEGATIVE_INFINITY;
                    for (int j = 0; j < n; j++) {
                        s = Math.max(s, x[off]);
                        off = next(off);
                    }
                    return s;
                }
                case FROM_ZERO -> {
                    float s = 0;
                    for (int j = 0; j < n; j++) {
                        s += x[off];
                        off = next(off);
                    }
                    return s;
                }
                case FROM_FIRST -> {
                    if (n == 0) {
                        return 0;
                    }
                    float s = x[off];
                    for (int j = 1; j < n; j++) {
                        off = next(off);
                        s += x[off];
                    }
                    return s;
                }
                default -> {
                    int bound = S.loopBound(n);
                    float s = 0;
                    int j = 0;
                    if (bound > 0) {
                        for (int l = 0; l < L; l++) {
                            lanes[l] = x[off];
                            off = next(off);
                        }
                        for (j = L; j < bound; j += L) {
                            for (int l = 0; l < L; l++) {
                                lanes[l] += x[off];
                                off = next(off);
                            }
                        }
                        for (int l = 0; l < L; l++) {
                            s += lanes[l];
                        }
                    }
                    for (; j < n; j++) {
                        s += x[off];
                        off = next(off);
                    }
                    return s;
                }
            }
        }
    }

    static Runnable matmul(Instr.Matmul m, Object[] buf, int threads) {
        int strideC = m.m() * m.n();
        return () -> dev.nabla.core.backend.simd.Gemm.gemm(m.batch(), m.m(), m.n(), m.k(),
                (float[]) buf[m.a()], m.offsetA(), m.strideA(), m.transA(),
                (float[]) buf[m.b()], m.offsetB(), m.strideB(), m.transB(),
                (float[]) buf[m.out()], 0, strideC, false, threads);
    }

    static final DType DTYPE = DType.F32;
}
