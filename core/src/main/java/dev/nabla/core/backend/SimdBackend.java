package dev.nabla.core.backend;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.plan.Instr;
import dev.nabla.core.plan.Program;
import dev.nabla.core.random.Philox;

/**
 * The Vector API backend: fused elementwise kernels ({@link SimdF64}, {@link SimdF32}), vectorised
 * reductions, the register-tiled matmul of {@link dev.nabla.core.backend.simd.Gemm}, and at most
 * {@code threads} threads for kernels big enough to gain from them.
 */
final class SimdBackend implements Backend {
    private final int threads;

    SimdBackend(int threads) {
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
            case Instr.Gather g -> f64 ? SimdF64.gather(g, buf) : SimdF32.gather(g, buf);
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
            case Instr.Random r -> f64
                    ? (r.normal() ? () -> Philox.normal(keys[r.keySlot()], 0, (double[]) buf[r.out()], 0, r.size())
                    : () -> Philox.uniform(keys[r.keySlot()], 0, (double[]) buf[r.out()], 0, r.size()))
                    : (r.normal() ? () -> Philox.normal(keys[r.keySlot()], 0, (float[]) buf[r.out()], 0, r.size())
                    : () -> Philox.uniform(keys[r.keySlot()], 0, (float[]) buf[r.out()], 0, r.size()));
        };
    }
}
