package dev.nabla.core.backend;

/** Whether the {@code jdk.incubator.vector} module is present, looked up once without loading the SIMD classes. */
final class VectorApi {
    static final boolean AVAILABLE = ModuleLayer.boot().findModule("jdk.incubator.vector").isPresent()
            || loadable();

    private VectorApi() {
    }

    private static boolean loadable() {
        try {
            Class.forName("jdk.incubator.vector.Vector", false, VectorApi.class.getClassLoader());
            return true;
        } catch (ClassNotFoundException | LinkageError e) {
            return false;
        }
    }
}
