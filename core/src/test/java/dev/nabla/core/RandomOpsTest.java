package dev.nabla.core;

import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Random ops inside graphs: reproducible across backends and thread counts, with the right moments. */
class RandomOpsTest {
    static final int N = 200_000;

    private static double[] sample(Backend b, Tensor t, Tensor k, Key key) {
        return Plan.compile(List.of(t), b).set(k, key).execute().get(t).toDoubleArray();
    }

    @Test
    void sameKeySameNumbersOnEveryBackendAndThreadCount() {
        Tensor k = Tensor.keyInput("key");
        Tensor u = k.fold(3).uniform(Shape.of(1000, 70));
        Tensor z = k.normal(Shape.of(1000, 70));
        double[] ref = sample(Backend.reference(), u, k, Key.of(42));
        assertArrayEquals(ref, sample(Backend.simd(1), u, k, Key.of(42)), 0.0, "uniforms are bit-identical");
        assertArrayEquals(ref, sample(Backend.simd(2), u, k, Key.of(42)), 0.0, "uniforms are bit-identical");
        double[] z1 = sample(Backend.simd(1), z, k, Key.of(42));
        assertArrayEquals(z1, sample(Backend.simd(2), z, k, Key.of(42)), 0.0, "thread count changes nothing");
        assertArrayEquals(sample(Backend.reference(), z, k, Key.of(42)), z1, 0.0, "normals are bit-identical too");
        for (int rep = 0; rep < 30; rep++) { // and stay so once the JIT has compiled everything
            assertArrayEquals(z1, sample(Backend.simd(1), z, k, Key.of(42)), 0.0);
        }
        assertFalse(Arrays.equals(ref, sample(Backend.simd(1), u, k, Key.of(43))), "another key, other numbers");
        // a constant key in the graph gives the same stream as the same key bound at run time
        Tensor uc = Tensor.key(Key.of(42)).fold(3).uniform(Shape.of(1000, 70));
        assertArrayEquals(ref, Plan.compile(List.of(uc), Backend.simd(1)).run(Map.of()).get(uc).toDoubleArray(), 0.0);
    }

    /**
     * Sample moments against the CLT: for n = 2·10⁵ draws, the sample mean's standard error is σ/√n and the
     * sample variance's is √((μ₄ − σ⁴)/n); a deviation beyond 5 standard errors has probability < 6e-7 for a
     * correct sampler (fixed key, so the test is deterministic).
     */
    @Test
    void momentsWithinCltBounds() {
        Tensor k = Tensor.keyInput("key");
        for (DType dt : List.of(DType.F64, DType.F32)) {
            double[] z = sample(Backend.simd(), k.normal(Shape.of(N), dt), k, Key.of(7));
            moments(z, 0, 1, 3, "normal " + dt);
            double[] u = sample(Backend.simd(), k.uniform(Shape.of(N), dt), k, Key.of(8));
            moments(u, 0.5, 1.0 / 12, 1.0 / 80, "uniform " + dt);
            double[] rd = sample(Backend.simd(), k.rademacher(Shape.of(N), dt), k, Key.of(9));
            moments(rd, 0, 1, 1, "rademacher " + dt);
            for (double v : rd) {
                assertTrue(v == 1 || v == -1, "rademacher value " + v);
            }
        }
    }

    private static void moments(double[] x, double mean, double var, double m4, String what) {
        double m = 0;
        for (double v : x) {
            m += v;
        }
        m /= x.length;
        double s = 0;
        for (double v : x) {
            s += (v - mean) * (v - mean); // about the known mean: its standard error is exactly seVar
        }
        s /= x.length;
        double seMean = Math.sqrt(var / x.length);
        double seVar = Math.sqrt((m4 - var * var) / x.length);
        assertTrue(Math.abs(m - mean) < 5 * seMean, what + ": mean " + m + ", expected " + mean + " ± " + 5 * seMean);
        assertTrue(Math.abs(s - var) <= 5 * seVar, what + ": variance " + s + ", expected " + var + " ± " + 5 * seVar);
    }

    /**
     * Categorical sampling by Gumbel-max: class frequencies within 5 binomial standard errors of softmax(logits)
     * (failure probability < 6e-7 per class).
     */
    @Test
    void categoricalFrequencies() {
        Tensor k = Tensor.keyInput("key");
        double[] logits = {0.0, 1.0, -1.0, 0.5};
        int n = 50_000;
        Tensor l = Tensor.of(logits).broadcastTo(Shape.of(n, 4));
        Tensor counts = k.categorical(l).sum(0);
        double[] c = sample(Backend.simd(), counts, k, Key.of(11));
        double zsum = 0;
        for (double v : logits) {
            zsum += Math.exp(v);
        }
        double total = 0;
        for (int i = 0; i < 4; i++) {
            double p = Math.exp(logits[i]) / zsum;
            double se = Math.sqrt(p * (1 - p) / n);
            assertEquals(p, c[i] / n, 5 * se, "class " + i);
            total += c[i];
        }
        assertEquals(n, total, 0.0, "exactly one class per row");
    }
}
