package dev.nabla.core.backend;

import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A JVM started without {@code --add-modules jdk.incubator.vector}: the default backend falls back to the
 * reference backend with one warning naming the flag, and asking for simd explicitly fails with that message
 * (it used to die with {@code NoClassDefFoundError: jdk/incubator/vector/Vector}).
 */
class WithoutVectorModuleTest {
    /** Run in the child JVM: one plan on the default backend, then an explicit simd request. */
    public static void main(String[] args) {
        Tensor x = Tensor.placeholder("x", Shape.of(3));
        Tensor f = x.mul(x).exp().sum();
        double v = Plan.compile(List.of(f)).set(x, 0.5, 1, 2).execute().get(f).item();
        System.out.println("value " + v + " on " + Plan.defaultBackend().name());
        try {
            Backend.simd();
            System.out.println("simd: no error");
        } catch (IllegalStateException e) {
            System.out.println("simd: " + e.getMessage());
        }
    }

    @Test
    void theDefaultBackendFallsBackWithOneWarningAndSimdSaysWhatToAdd() throws IOException, InterruptedException {
        Path java = Path.of(System.getProperty("java.home"), "bin", "java");
        Process p = new ProcessBuilder(java.toString(), "-cp", System.getProperty("java.class.path"),
                WithoutVectorModuleTest.class.getName()).redirectErrorStream(false).start();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child JVM did not finish");
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out + err);
        double want = Math.exp(0.25) + Math.exp(1) + Math.exp(4);
        assertTrue(out.contains(" on reference"), out + err);
        String valueText = out.substring(out.indexOf("value ") + 6, out.indexOf(" on "));
        assertEquals(want, Double.parseDouble(valueText), 1e-13 * want, out);
        assertTrue(err.contains("--add-modules jdk.incubator.vector") && err.contains("reference backend"), err);
        assertEquals(1, err.split("running on the scalar reference backend", -1).length - 1, "one warning: " + err);
        assertTrue(out.contains("simd: the simd backend needs the JDK's Vector API")
                && out.contains("--add-modules jdk.incubator.vector"), out);
    }
}
