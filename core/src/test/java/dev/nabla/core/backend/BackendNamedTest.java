package dev.nabla.core.backend;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@link Backend#named}: the names of the built-in backends, and clear errors for others. */
class BackendNamedTest {
    @Test
    void builtInNames() {
        assertSame(Backend.reference(), Backend.named("reference"));
        assertEquals("simd", Backend.named("simd").name().substring(0, 4));
        assertEquals(Backend.simd(2).name(), Backend.named("simd:2").name());
        assertEquals(Backend.simd(1).name(), Backend.named(" simd:1 ").name());
    }

    @Test
    void unknownOrMalformedNamesAreExplained() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Backend.named("cuda"));
        assertTrue(e.getMessage().contains("unknown backend 'cuda'") && e.getMessage().contains("simd:N"), e.getMessage());
        // core alone has no provider for tornado: the message says which module brings it
        e = assertThrows(IllegalArgumentException.class, () -> Backend.named("tornado"));
        assertTrue(e.getMessage().contains("nabla-gpu"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Backend.named("simd:x"));
        assertTrue(e.getMessage().contains("simd:N with N >= 1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Backend.named("simd:0"));
        assertTrue(e.getMessage().contains("threads = 0"), e.getMessage());
    }
}
