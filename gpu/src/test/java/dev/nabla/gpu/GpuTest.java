package dev.nabla.gpu;

import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeFalse;

/** Without TornadoVM: selecting it explains what to install, and the CPU backends are unaffected. */
class GpuTest {
    @Test
    void withoutTornadoVmTheMessageSaysWhatToInstall() {
        assumeFalse(Gpu.tornadoInstalled(), "TornadoVM is on the class path");
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> Backend.named("tornado"));
        assertTrue(e.getMessage().contains("TornadoVM 5.2.0") && e.getMessage().contains("TORNADOVM_HOME")
                && e.getMessage().contains("tornado-argfile") && e.getMessage().contains("Backend.simd()"), e.getMessage());
        e = assertThrows(IllegalStateException.class, () -> Backend.named("tornado:0:0"));
        assertTrue(e.getMessage().contains("'tornado:0:0'"), e.getMessage());
        assertFalse(Gpu.tornadoInstalled());
    }

    @Test
    void theCpuBackendsKeepWorking() {
        Tensor x = Tensor.of(1, 2, 3);
        Tensor f = x.square().sum();
        for (String name : List.of("reference", "simd", "simd:1")) {
            NdArray y = Plan.compile(List.of(f), Backend.named(name)).execute().get(f);
            assertEquals(14, y.getFlat(0), 0, name);
        }
    }
}
