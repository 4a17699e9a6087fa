package dev.nabla.core.backend;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.plan.Instr;
import dev.nabla.core.plan.Program;
import dev.nabla.core.random.Key;

import java.util.List;

/**
 * The executable of the CPU backends: one Java array per buffer slot ({@code double[]} or {@code float[]}),
 * parameters bound to their own storage, and one prepared {@link Runnable} per instruction, so a run
 * allocates nothing.
 */
public final class CpuExecutable implements Executable {
    /** Makes the step that executes one instruction over the given buffers. */
    public interface StepFactory {
        Runnable step(Instr instr, Object[] buffers, long[] keys);
    }

    private final Program program;
    private final Object[] buffers;
    private final long[] keys;
    private final Runnable[] steps;
    private final NdArray[] outputs;
    private final NdArray[] parameters;
    private final boolean debug;

    public CpuExecutable(Program program, NdArray[] parameters, boolean debug, StepFactory factory) {
        this.program = program;
        this.debug = debug;
        this.parameters = parameters.clone();
        List<Program.Slot> slots = program.slots();
        buffers = new Object[slots.size()];
        for (Program.ParameterSlot p : program.parameters()) {
            NdArray a = parameters[p.index()];
            buffers[p.slot()] = a.dtype() == DType.F64 ? a.f64() : a.f32();
        }
        for (int s = 0; s < slots.size(); s++) {
            if (buffers[s] == null) {
                Program.Slot sl = slots.get(s);
                buffers[s] = sl.dtype() == DType.F64 ? new double[sl.capacity()] : new float[sl.capacity()];
            }
        }
        for (Program.ConstantSlot c : program.constants()) {
            NdArray v = c.value();
            if (v.dtype() == DType.F64) {
                System.arraycopy(v.f64(), 0, buffers[c.slot()], 0, v.size());
            } else {
                System.arraycopy(v.f32(), 0, buffers[c.slot()], 0, v.size());
            }
        }
        keys = program.initialKeys();
        steps = new Runnable[program.instrs().size()];
        for (int i = 0; i < steps.length; i++) {
            steps[i] = factory.step(program.instrs().get(i), buffers, keys);
        }
        outputs = new NdArray[program.outputs().size()];
        for (int i = 0; i < outputs.length; i++) {
            Program.OutputSlot o = program.outputs().get(i);
            Object b = buffers[o.slot()];
            outputs[i] = b instanceof double[] d ? NdArray.wrap(d, o.shape()) : NdArray.wrap((float[]) b, o.shape());
        }
    }

    @Override
    public void setInput(int index, NdArray value) {
        Program.InputSlot in = program.inputs().get(index);
        Object b = buffers[in.slot()];
        if (b instanceof double[] d) {
            if (value.dtype() == DType.F64) {
                System.arraycopy(value.f64(), 0, d, 0, d.length);
            } else {
                float[] f = value.f32();
                for (int i = 0; i < d.length; i++) {
                    d[i] = f[i];
                }
            }
        } else {
            float[] d = (float[]) b;
            if (value.dtype() == DType.F32) {
                System.arraycopy(value.f32(), 0, d, 0, d.length);
            } else {
                double[] f = value.f64();
                for (int i = 0; i < d.length; i++) {
                    d[i] = (float) f[i];
                }
            }
        }
    }

    @Override
    public void setKey(int index, Key key) {
        program.bindKey(keys, index, key);
    }

    @Override
    public void run() {
        for (NdArray p : parameters) {
            p.toHost(); // a device backend may hold newer values (see NdArray#residesOn)
        }
        program.foldKeys(keys);
        for (int i = 0; i < steps.length; i++) {
            steps[i].run();
            if (debug) {
                check(program.instrs().get(i));
            }
        }
    }

    private void check(Instr in) {
        Object b = buffers[in.out()];
        int n = Instrs.outSize(in);
        for (int i = 0; i < n; i++) {
            double v = b instanceof double[] d ? d[i] : ((float[]) b)[i];
            if (!Double.isFinite(v)) {
                throw new ArithmeticException("debug: " + in.label() + " produced " + v + " at flat index " + i
                        + " (the first non-finite value of this run)");
            }
        }
    }

    @Override
    public NdArray output(int index) {
        return outputs[index];
    }
}
