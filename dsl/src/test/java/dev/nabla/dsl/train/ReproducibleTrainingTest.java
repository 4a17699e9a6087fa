package dev.nabla.dsl.train;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.data.Datasets;
import dev.nabla.dsl.nn.Activation;
import dev.nabla.dsl.nn.Mlp;
import dev.nabla.dsl.objectives.Objectives;
import dev.nabla.dsl.sde.VarianceExploding;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The same training run in fresh JVMs gives the same parameters bit for bit, whatever the JIT does: once with
 * C2 compiling the kernels part-way through (the default), once with the JIT held at C1. A DSM run of an MLP
 * with SiLU (σ, so exp) and Fourier time features (sin, cos) of log σ (log), in float64 and float32, on the SIMD
 * backend; its kernels used the Vector API's EXP, LOG and SIN, whose bits change once C2 compiles them.
 */
class ReproducibleTrainingTest {
    /** Child JVM: trains, then prints one line per dtype with the bits of every parameter and of the last loss. */
    public static void main(String[] args) {
        Plan.setDefaultBackend(Backend.simd(1));
        for (DType dtype : List.of(DType.F64, DType.F32)) {
            var sde = new VarianceExploding(0.01, 5);
            NdArray data = Datasets.gaussianRing(512, 6, 2.0, 0.15, Key.of(1));
            if (dtype == DType.F32) {
                data = data.astype(DType.F32);
            }
            Mlp model = Mlp.builder(2).hidden(32, 32).activation(Activation.SILU).timeEmbedding(8).key(Key.of(2))
                    .dtype(dtype).build();
            FitResult<Mlp> fit = Trainer.of(model, Objectives.dsm(sde)).adam(3e-3).batch(128).steps(800)
                    .progress(false).fit(data, Key.of(3));
            long h = Double.doubleToLongBits(fit.finalLoss());
            for (Tensor p : model.parameters()) {
                NdArray v = p.value();
                for (int i = 0; i < v.size(); i++) {
                    h = h * 1_000_003 + Double.doubleToLongBits(v.getFlat(i));
                }
            }
            System.out.println("run " + dtype + " loss=" + fit.finalLoss() + " bits=" + Long.toHexString(h));
        }
    }

    @Test
    void theSameRunInFreshJvmsUnderC1AndC2GivesTheSameBits() throws IOException, InterruptedException {
        List<String> c2 = child();
        List<String> c1 = child("-XX:TieredStopAtLevel=1");
        assertEquals(2, c2.size(), c2.toString());
        assertEquals(c2, c1, "the run under C2 and under C1 alone");
        assertEquals(c2, child(), "the run repeated in another JVM");
    }

    private static List<String> child(String... jvmFlags) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "--add-modules", "jdk.incubator.vector"));
        cmd.addAll(List.of(jvmFlags));
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), ReproducibleTrainingTest.class.getName()));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(240, TimeUnit.SECONDS), "the child JVM did not finish: " + out);
        assertEquals(0, p.exitValue(), out);
        return out.lines().filter(l -> l.startsWith("run ")).toList();
    }
}
