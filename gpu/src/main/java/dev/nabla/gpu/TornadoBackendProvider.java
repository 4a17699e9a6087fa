package dev.nabla.gpu;

import dev.nabla.core.backend.Backend;
import dev.nabla.core.backend.BackendProvider;

/** Makes {@code Backend.named("tornado")} and {@code "tornado:<driver>:<device>"} reach {@link Gpu#tornado(String)}. */
public final class TornadoBackendProvider implements BackendProvider {
    @Override
    public String prefix() {
        return "tornado";
    }

    @Override
    public Backend create(String spec) {
        return Gpu.tornado(spec);
    }
}
