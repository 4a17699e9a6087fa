package dev.nabla.core.backend;

/**
 * A source of backends selected by name through {@link Backend#named(String)}, found with
 * {@link java.util.ServiceLoader} so that {@code core} does not depend on the modules that provide them
 * (the {@code gpu} module registers {@code tornado}). Implementations are listed in
 * {@code META-INF/services/dev.nabla.core.backend.BackendProvider}.
 */
public interface BackendProvider {
    /** The name this provider answers to: {@code spec} is {@code prefix} or {@code prefix:options}. */
    String prefix();

    /**
     * The backend for {@code spec} ({@code prefix} or {@code prefix:options}).
     *
     * @throws IllegalArgumentException for options it does not understand
     * @throws IllegalStateException    when the backend cannot run here (e.g. its runtime is not installed),
     *                                  with a message saying what to install
     */
    Backend create(String spec);
}
