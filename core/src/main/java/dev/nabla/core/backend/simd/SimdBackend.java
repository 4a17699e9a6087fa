package dev.nabla.core.backend.simd;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.backend.CpuExecutable;
import dev.nabla.core.backend.Executable;
import dev.nabla.core.backend.Parallel;
import dev.nabla.core.plan.Instr;
import dev.nabla.core.plan.Program;
import dev.nabla.core.random.Philox;

import java.util.function.IntConsumer;

/**
 * The Vector API backend: fused elementwise kernels ({@link SimdF64}, {@link SimdF32}), vectorised
 * reductions, the register-tiled matmul of {@link dev.nabla.core.backend.simd.Gemm}, and at most
 * {@code threads} threads for kernels big enough to gain from them.
 */
public final class SimdBackend implements Backend {
    private final int threads;

    public SimdBackend(int threads) {
        this.threads = threads;
    }

    @Override
    public String name() {
        return "simd(threads=" + threads + ")";
    }

    @Override
    public boolean fusesElementwise() {
        return true;
    }

    @Override
    public Executable load(Program program, NdArray[] parameters, boolean debug) {
        return new CpuExecutable(program, parameters, debug, this::step);
    }

    private Runnable step(Instr instr, Object[] buf, long[] keys) {
        boolean f64 = instr.dtype() == DType.F64;
        return switch (instr) {
            case Instr.Elementwise e -> f64 ? SimdF64.elementwise(e, buf, threads) : SimdF32.elementwise(e, buf, threads);
            case Instr.Reduce r -> f64 ? SimdF64.reduce(r, buf) : SimdF32.reduce(r, buf);
            case Instr.Strided s -> new StridedCopy(s, buf);
            case Instr.Matmul m -> f64 ? SimdF64.matmul(m, buf, threads) : SimdF32.matmul(m, buf, threads);
            case Instr.Copy c -> () -> System.arraycopy(buf[c.in()], 0, buf[c.out()], 0, c.size());
            case Instr.Cast c -> f64 ? () -> {
                float[] in = (float[]) buf[c.in()];
                double[] out = (double[]) buf[c.out()];
                for (int i = 0; i < c.size(); i++) {
                    out[i] = in[i];
                }
            } : () -> {
                double[] in = (double[]) buf[c.in()];
                float[] out = (float[]) buf[c.out()];
                for (int i = 0; i < c.size(); i++) {
                    out[i] = (float) in[i];
                }
            };
            case Instr.Random r -> random(r, buf, keys);
        };
    }

    /** Normals cost about 20 ns each (two Philox blocks in vector lanes, a log and a cos), so this many are split across threads. */
    static final int RANDOM_PARALLEL_MIN = 512;

    /**
     * Element i of a random instruction depends on (key, i) alone, so parts of the output can be filled on
     * different threads with the same bits; part p fills the p-th of {@code parts} equal ranges.
     */
    private Runnable random(Instr.Random r, Object[] buf, long[] keys) {
        int size = r.size();
        int parts = r.normal() && size >= RANDOM_PARALLEL_MIN ? Math.min(threads, Parallel.maxParts()) : 1;
        IntConsumer part = p -> {
            int from = (int) ((long) size * p / parts);
            int to = (int) ((long) size * (p + 1) / parts);
            long key = keys[r.keySlot()];
            Object out = buf[r.out()];
            if (out instanceof double[] d) {
                if (r.normal()) {
                    SimdRandom.normal(key, from, d, from, to - from);
                } else {
                    Philox.uniform(key, from, d, from, to - from);
                }
            } else if (r.normal()) {
                SimdRandom.normal(key, from, (float[]) out, from, to - from);
            } else {
                Philox.uniform(key, from, (float[]) out, from, to - from);
            }
        };
        return parts == 1 ? () -> part.accept(0) : () -> Parallel.run(parts, part);
    }
}
