package dev.nabla.gpu;

import dev.nabla.core.backend.Backend;

/**
 * Entry point of the accelerator backend: {@code Gpu.tornado()}, or {@code Backend.named("tornado")} with
 * this module on the class path, selects TornadoVM (NVIDIA GPUs through PTX or OpenCL, other GPUs, and
 * multi-core CPUs through OpenCL) for compiled plans.
 *
 * <p>Where TornadoVM is not installed, selecting it fails with a message saying what to install, and
 * nothing else is affected: {@link Backend#simd()} and {@link Backend#reference()} keep working and nabla
 * starts without a GPU. <b>Status:</b> the TornadoVM backend itself (plans mapped to task graphs) is not
 * part of this version; with TornadoVM present, selecting it says so.
 */
public final class Gpu {
    /** The class whose presence means TornadoVM's API is on the class path. */
    static final String TORNADO_API_CLASS = "uk.ac.manchester.tornado.api.TaskGraph";

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
     * @throws IllegalStateException when TornadoVM is not installed (naming what to install) or, in this
     *                               version, when it is: the backend is not implemented yet
     */
    public static Backend tornado(String spec) {
        if (!tornadoInstalled()) {
            throw new IllegalStateException(missingMessage(spec));
        }
        throw new IllegalStateException("Backend '" + spec + "': TornadoVM was found, but nabla's TornadoVM backend "
                + "is not implemented in this version of nabla-gpu; use Backend.simd() or Backend.reference()");
    }

    static String missingMessage(String spec) {
        return "Backend '" + spec + "' needs TornadoVM, which was not found on the class path. Install TornadoVM 5.2.0 "
                + "(its SDK, e.g. through SDKMAN or built from github.com/beehive-lab/TornadoVM), set TORNADOVM_HOME, "
                + "compile your code with -g and start java with @$TORNADOVM_HOME/tornado-argfile. "
                + "The CPU backends need none of this: Backend.simd() or Backend.reference().";
    }
}
