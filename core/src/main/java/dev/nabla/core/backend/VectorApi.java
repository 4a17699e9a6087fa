package dev.nabla.core.backend;

/**
 * Whether the {@code jdk.incubator.vector} module is readable, looked up once by loading one of its classes
 * (without initialising it, and without loading any of the SIMD backend's classes).
 */
final class VectorApi {
    static final boolean AVAILABLE = loadable();

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
