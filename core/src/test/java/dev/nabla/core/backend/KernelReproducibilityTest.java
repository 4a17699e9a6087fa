package dev.nabla.core.backend;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A fused SIMD kernel with every transcendental the kernels use (exp, log, log1p, sin, cos, tanh, σ; expm1 through
 * tanh's and σ's exp) gives the same bits in a fresh JVM run with {@code -Xint} (the Vector API's Java fallback, lane
 * by lane) and in one where C2 has compiled it after a warm-up ({@code -XX:-TieredCompilation
 * -XX:-BackgroundCompilation}: C2 only, and the warm-up waits for each compilation). The output must be identical bit
 * for bit, in float64 and float32, on a kernel of 4096 + 13 elements (vector chunks and a scalar tail) and a short
 * one. With the Vector API's own EXP/LOG/LOG1P/SIN, which C2 replaces by different (SVML) code, this failed (on the
 * commit before VectorMath: 170 of 4109 float64 and 163 float32 elements differed).
 */
class KernelReproducibilityTest {
    /** The kernel: one fused elementwise expression of x. */
    static Tensor kernel(Tensor x) {
        Tensor a = x.mul(0.25).exp().add(x.abs().add(0.5).log()).add(x.abs().log1p());
        Tensor b = x.sin().add(x.mul(3).cos()).add(x.tanh()).add(x.sigmoid());
        return a.mul(b);
    }

    static List<String> outputs(int iterations) {
        List<String> lines = new ArrayList<>();
        for (DType dt : new DType[] {DType.F64, DType.F32}) {
            for (int n : new int[] {4096 + 13, 200}) {
                double[] x = new double[n];
                for (int i = 0; i < n; i++) {
                    x[i] = ((i * 0.6180339887498949) % 1.0) * 24 - 12; // fixed inputs in [−12, 12)
                }
                Tensor in = Tensor.placeholder("x", Shape.of(n), dt);
                Tensor y = kernel(in);
                Plan p = Plan.compile(List.of(y), Backend.simd(1));
                p.set(in, NdArray.wrap(x, Shape.of(n)).astype(dt));
                for (int it = 0; it < iterations; it++) {
                    p.execute();
                }
                StringBuilder sb = new StringBuilder("bits " + dt + " " + n + " ");
                for (double v : p.get(y).toDoubleArray()) {
                    sb.append(Long.toHexString(Double.doubleToRawLongBits(v))).append(',');
                }
                lines.add(sb.toString());
            }
        }
        return lines;
    }

    /** Child JVM: writes the kernel's bits after {@code args[0]} runs to the file {@code args[1]}. */
    public static void main(String[] args) throws IOException {
        Files.write(Path.of(args[1]), outputs(Integer.parseInt(args[0])));
    }

    static List<String> child(String... flags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("--add-modules");
        cmd.add("jdk.incubator.vector");
        cmd.addAll(List.of(flags));
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(KernelReproducibilityTest.class.getName());
        cmd.add(flags[0].equals("-Xint") ? "1" : "400");
        Path file = Files.createTempFile("nabla-bits", ".txt");
        try {
            cmd.add(file.toString());
            Process pr = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            String out = new String(pr.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertEquals(0, pr.waitFor(), "child JVM " + cmd + " failed:\n" + out);
            List<String> lines = new ArrayList<>(Files.readAllLines(file));
            lines.addAll(out.lines().toList());
            return lines;
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void interpretedAndC2CompiledKernelsGiveTheSameBits() throws Exception {
        List<String> interpreted = child("-Xint");
        List<String> compiled = child("-XX:-TieredCompilation", "-XX:-BackgroundCompilation", "-XX:+PrintCompilation");
        for (String m : new String[] {"VectorMath::exp", "VectorMath::log", "VectorMath::log1p", "VectorMath::trig"}) {
            assertTrue(compiled.stream().anyMatch(l -> l.contains(m + " ")),
                    m + " was not compiled by C2 in the warm-up");
        }
        List<String> a = interpreted.stream().filter(l -> l.startsWith("bits ")).toList();
        List<String> b = compiled.stream().filter(l -> l.startsWith("bits ")).toList();
        assertEquals(4, a.size());
        assertEquals(a.size(), b.size());
        for (int k = 0; k < a.size(); k++) {
            String[] u = a.get(k).split(",");
            String[] v = b.get(k).split(",");
            int diff = 0;
            int first = -1;
            for (int i = 0; i < u.length; i++) {
                if (!u[i].equals(v[i])) {
                    diff++;
                    first = first < 0 ? i : first;
                }
            }
            assertEquals(0, diff, a.get(k).substring(0, 20) + ": " + diff + " elements differ between -Xint and C2,"
                    + " the first at " + first);
        }
    }
}
