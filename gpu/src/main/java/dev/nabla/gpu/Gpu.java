package dev.nabla.gpu;

import dev.nabla.core.backend.Backend;

import java.lang.reflect.InvocationTargetException;

/**
 * Entry point of the accelerator backend: {@code Gpu.tornado()}, or {@code Backend.named("tornado")} with
 * this module on the class path, selects TornadoVM (NVIDIA GPUs through PTX or OpenCL, other GPUs, and
 * multi-core CPUs through OpenCL) for compiled plans.
 *
 * <p>Where TornadoVM is not installed, selecting it fails with a message saying what to install, and
 * nothing else is affected: {@link Backend#simd()} and {@link Backend#reference()} keep working and nabla
 * starts without a GPU. The backend itself ({@code dev.nabla.gpu.tornado}) is compiled only where TornadoVM
 * was installed at build time (the {@code tornadovm} Maven profile, switched on by {@code TORNADOVM_HOME}).
 */
public final class Gpu {
    /** The class whose presence means TornadoVM's API is on the class path. */
    static final String TORNADO_API_CLASS = "uk.ac.manchester.tornado.api.TaskGraph";
    /** The backend, present in builds made with TornadoVM installed. */
    static final String BACKEND_CLASS = "dev.nabla.gpu.tornado.TornadoDeviceBackend";

    private Gpu() {
    }

    /** Whether TornadoVM's API is on the class path (the JVM was started with TornadoVM's argfile). */
    public static boolean tornadoInstalled() {
        try {
            Class.forName(TORNADO_API_CLASS, false, Gpu.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }

    /** The TornadoVM backend on its default device. */
    public static Backend tornado() {
        return tornado("tornado");
    }

    /**
     * The TornadoVM backend for {@code spec}: {@code "tornado"} or {@code "tornado:<driver>:<device>"}.
     *
     * @throws IllegalStateException    when TornadoVM is not installed (naming what to install), finds no device,
     *                                  or this nabla-gpu was built without it
     * @throws IllegalArgumentException for a malformed spec or device indices that name no device
     */
    public static Backend tornado(String spec) {
        if (!tornadoInstalled()) {
            throw new IllegalStateException(missingMessage(spec));
        }
        Class<?> backend;
        try {
            backend = Class.forName(BACKEND_CLASS, true, Gpu.class.getClassLoader());
        } catch (ClassNotFoundException e) {
            throw new IllegalStateException("Backend '" + spec + "': TornadoVM was found, but this nabla-gpu jar was "
                    + "built without TornadoVM: rebuild it with TORNADOVM_HOME set (./mvnw install), which compiles "
                    + "the backend against $TORNADOVM_HOME's tornado-api. Backend.simd() works meanwhile.", e);
        }
        try {
            return (Backend) backend.getMethod("create", String.class).invoke(null, spec);
        } catch (InvocationTargetException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw new IllegalStateException("Backend '" + spec + "': " + e.getCause(), e.getCause());
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("Backend '" + spec + "': " + e, e);
        }
    }

    static String missingMessage(String spec) {
        return "Backend '" + spec + "' needs TornadoVM, which was not found on the class path. Install TornadoVM 5.2.0 "
                + "(its SDK, e.g. through SDKMAN or built from github.com/beehive-lab/TornadoVM), set TORNADOVM_HOME, "
                + "compile your code with -g and start java with @$TORNADOVM_HOME/tornado-argfile. "
                + "The CPU backends need none of this: Backend.simd() or Backend.reference().";
    }
}
