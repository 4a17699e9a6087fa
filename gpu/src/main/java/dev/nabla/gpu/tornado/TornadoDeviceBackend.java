package dev.nabla.gpu.tornado;

import dev.nabla.core.NdArray;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.backend.Executable;
import dev.nabla.core.plan.Program;
import uk.ac.manchester.tornado.api.TornadoBackend;
import uk.ac.manchester.tornado.api.TornadoDeviceMap;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.common.TornadoDevice;

import java.util.ArrayList;
import java.util.List;

/**
 * Runs compiled plans on a TornadoVM device: an NVIDIA GPU through PTX or OpenCL, another GPU, or a multi-core
 * CPU through OpenCL. Each loaded program becomes one task graph executed per run (see
 * {@link TornadoExecutable}); parameters and optimizer state stay on the device between runs.
 *
 * <p>float64 is computed accurately: OpenCL kernels are built with {@code -w} only (TornadoVM's default adds
 * {@code -cl-fast-relaxed-math}, which reassociates sums and flushes denormals), and TornadoVM's native
 * (reduced-precision) math functions and PTX fast math are off unless the user sets
 * {@code tornado.enable.nativeFunctions} / {@code tornado.enable.fastMathOptimizations} explicitly.
 */
public final class TornadoDeviceBackend implements Backend {
    static {
        defaultProperty("tornado.enable.nativeFunctions", "False");
        defaultProperty("tornado.enable.fastMathOptimizations", "False");
        defaultProperty("tornado.opencl.compiler.flags", "-w");
        // a training step is one task graph of a few hundred tasks; TornadoVM's default bytecode buffer
        // (4096 bytes) holds about twenty
        defaultProperty("tornado.tvm.maxbytecodesize", Integer.toString(1 << 22));
    }

    private final TornadoDevice device;
    private final String name;

    private TornadoDeviceBackend(TornadoDevice device, String name) {
        this.device = device;
        this.name = name;
    }

    private static void defaultProperty(String key, String value) {
        if (System.getProperty(key) == null) {
            System.setProperty(key, value);
        }
    }

    /**
     * The backend for {@code spec}: {@code "tornado"} (TornadoVM's default device) or
     * {@code "tornado:<backend>:<device>"} (indices as {@code tornado --devices} lists them).
     *
     * @throws IllegalArgumentException for a malformed spec or indices that name no device (listing the devices)
     * @throws IllegalStateException    when TornadoVM finds no device at all
     */
    public static Backend create(String spec) {
        TornadoDeviceMap map;
        try {
            map = TornadoExecutionPlan.getTornadoDeviceMap();
        } catch (RuntimeException | LinkageError e) {
            throw new IllegalStateException("Backend '" + spec + "': TornadoVM is on the class path but could not "
                    + "start (" + e + "). Start java with @$TORNADOVM_HOME/tornado-argfile; the CPU backends need none "
                    + "of this: Backend.simd()", e);
        }
        List<String> devices = new ArrayList<>();
        List<TornadoBackend> backends = map.getAllBackends();
        for (int b = 0; b < backends.size(); b++) {
            for (int d = 0; d < backends.get(b).getNumDevices(); d++) {
                devices.add("tornado:" + b + ":" + d + " = " + backends.get(b).getDevice(d).getDeviceName());
            }
        }
        if (devices.isEmpty()) {
            throw new IllegalStateException("Backend '" + spec + "': TornadoVM found no device (no OpenCL, PTX or "
                    + "SPIR-V device; on a CPU-only machine install an OpenCL runtime such as pocl-opencl-icd). "
                    + "Use Backend.simd() instead.");
        }
        String[] parts = spec.split(":", -1);
        if (parts.length == 1) {
            TornadoDevice dev = TornadoExecutionPlan.DEFAULT_DEVICE;
            return new TornadoDeviceBackend(dev, "tornado(" + dev.getDeviceName() + ")");
        }
        if (parts.length != 3) {
            throw new IllegalArgumentException("Backend.named: '" + spec + "', expected tornado or tornado:B:D; "
                    + "devices: " + devices);
        }
        int b;
        int d;
        try {
            b = Integer.parseInt(parts[1]);
            d = Integer.parseInt(parts[2]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Backend.named: '" + spec + "', expected tornado:B:D with integer "
                    + "backend and device indices; devices: " + devices);
        }
        if (b < 0 || b >= backends.size() || d < 0 || d >= backends.get(b).getNumDevices()) {
            throw new IllegalArgumentException("Backend.named: '" + spec + "' names no device; devices: " + devices);
        }
        TornadoDevice dev = backends.get(b).getDevice(d);
        return new TornadoDeviceBackend(dev, "tornado(" + dev.getDeviceName() + ")");
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public boolean fusesElementwise() {
        return true;
    }

    /**
     * Loads {@code program} onto the device. With {@code debug}, each run checks the requested outputs for NaN
     * and infinity and names the first one found; the op-by-op check of the CPU backends needs every
     * intermediate buffer on the host, so for that run the plan on {@link Backend#reference()}.
     */
    @Override
    public Executable load(Program program, NdArray[] parameters, boolean debug) {
        return new TornadoExecutable(program, parameters, debug, device);
    }

    @Override
    public String toString() {
        return name;
    }
}
