package dev.nabla.core;

import dev.nabla.core.backend.Backend;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The meaning of each user-facing op on small hand-checked cases, on every CPU backend. */
class OpsTest {
    static Stream<Backend> backends() {
        return Stream.of(Backend.reference(), Backend.simd(1), Backend.simd(2));
    }

    private static double[] run(Backend b, Tensor t) {
        return Plan.compile(List.of(t), b).run(Map.of()).get(t).toDoubleArray();
    }

    private static final double EPS = 1e-15; // exact-ish cases: results are exact or one rounding away

    @ParameterizedTest
    @MethodSource("backends")
    void broadcastingArithmetic(Backend b) {
        Tensor m = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor row = Tensor.of(10, 20, 30);
        Tensor col = Tensor.of(new double[] {100, 200}, 2, 1);
        assertArrayEquals(new double[] {111, 122, 133, 214, 225, 236}, run(b, m.add(row).add(col)), EPS);
        assertArrayEquals(new double[] {0.5, 1, 1.5, 2, 2.5, 3}, run(b, m.div(2)), EPS);
        // x - row, then identities the simplifier removes (x·1, x + 0, −(−x), 0·x)
        Tensor zero = Tensor.zeros(2, 3);
        assertArrayEquals(new double[] {-9, -18, -27, -6, -15, -24},
                run(b, m.sub(row).mul(1).add(zero).neg().neg().add(m.mul(0))), EPS);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void reductions(Backend b) {
        Tensor m = Tensor.of(new double[] {1, 5, 3, 4, 2, 6}, 2, 3);
        assertArrayEquals(new double[] {5, 7, 9}, run(b, m.sum(0)), EPS);
        assertArrayEquals(new double[] {9, 12}, run(b, m.sum(1)), EPS);
        assertArrayEquals(new double[] {21}, run(b, m.sum()), EPS);
        assertArrayEquals(new double[] {4, 5, 6}, run(b, m.max(0)), EPS);
        assertArrayEquals(new double[] {5, 6}, run(b, m.max(-1)), EPS);
        assertArrayEquals(new double[] {3.5}, run(b, m.mean()), EPS);
        assertArrayEquals(new double[] {Math.log(Math.exp(1) + Math.exp(5) + Math.exp(3))}, run(b, m.slice(0, 0, 1).logsumexp()), 1e-14);
        Tensor t = Tensor.arange(24).reshape(2, 3, 4);
        // axes {0, 2} are not contiguous: exercises the general reduction
        assertArrayEquals(new double[] {0 + 1 + 2 + 3 + 12 + 13 + 14 + 15, 4 + 5 + 6 + 7 + 16 + 17 + 18 + 19,
                8 + 9 + 10 + 11 + 20 + 21 + 22 + 23}, run(b, t.sum(0, 2)), EPS);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void movement(Backend b) {
        Tensor m = Tensor.arange(6).reshape(2, 3);
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, run(b, m.transpose()), EPS);
        assertArrayEquals(new double[] {1, 2, 4, 5}, run(b, m.slice(1, 1, 3)), EPS);
        assertArrayEquals(new double[] {0, 0, 1, 2, 0, 0, 3, 4, 5, 0}, run(b, m.pad(1, 1, 1).reshape(-1)), EPS);
        assertArrayEquals(new double[] {0, 1, 2, 9, 3, 4, 5, 9}, run(b, Tensor.concat(1, m, Tensor.full(Shape.of(2, 1), 9))), EPS);
        assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5}, run(b, Tensor.stack(0, m, m)), EPS);
        assertArrayEquals(new double[] {3, 4, 5}, run(b, m.index(0, 1)), EPS);
        assertArrayEquals(new double[] {0, 3, 1, 4, 2, 5}, run(b, m.unsqueeze(0).permute(2, 0, 1)), EPS);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void matmul(Backend b) {
        Tensor a = Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3);
        Tensor c = Tensor.of(new double[] {1, 0, 0, 1, 1, 1}, 3, 2);
        assertArrayEquals(new double[] {4, 5, 10, 11}, run(b, a.matmul(c)), EPS);
        assertArrayEquals(new double[] {14, 32}, run(b, a.matmul(Tensor.of(1, 2, 3))), EPS);
        assertArrayEquals(new double[] {9, 12, 15}, run(b, Tensor.of(1, 2).matmul(a)), EPS);
        // transposed operands read in place, and a batch broadcast of a matrix
        assertArrayEquals(new double[] {17, 22, 27, 22, 29, 36, 27, 36, 45}, run(b, a.transpose().matmul(a)), EPS);
        Tensor batch = Tensor.arange(12).reshape(2, 3, 2);
        double[] got = run(b, Tensor.of(new double[] {1, 0, 0, 1}, 2, 2).matmul(batch.transpose()));
        assertArrayEquals(new double[] {0, 2, 4, 1, 3, 5, 6, 8, 10, 7, 9, 11}, got, EPS);
    }

    @ParameterizedTest
    @MethodSource("backends")
    void elementwiseFunctions(Backend b) {
        double[] xs = {-3, -0.5, 0, 0.25, 2, 30};
        Tensor x = Tensor.of(xs);
        double tol = 4 * Math.ulp(1.0);
        double[] sp = run(b, x.softplus());
        double[] sg = run(b, x.sigmoid());
        double[] th = run(b, x.tanh());
        for (int i = 0; i < xs.length; i++) {
            assertEquals(Math.log1p(Math.exp(xs[i])), sp[i], tol * Math.max(1, sp[i]));
            assertEquals(1 / (1 + Math.exp(-xs[i])), sg[i], tol);
            assertEquals(Math.tanh(xs[i]), th[i], tol);
        }
        assertArrayEquals(new double[] {0, 0, 1, 1, 1, 1}, run(b, x.ge(0.0).mul(x.gt(-0.1))), 0);
        assertArrayEquals(new double[] {3, 0.5, 0, 0.25, 2, 30}, run(b, x.abs()), 0);
        assertArrayEquals(new double[] {-3, -0.5, 0, 0.25, 1, 1}, run(b, x.minimum(1)), 0);
        assertArrayEquals(new double[] {-1, -1, 0, 1, 1, 1}, run(b, x.sign()), 0);
        assertArrayEquals(new double[] {9, 0.25, 0, 0.0625, 4, 900}, run(b, x.pow(2)), 0);
        assertArrayEquals(new double[] {1, 1, 7, 7, 7, 7}, run(b, Tensor.where(x.lt(-0.1), Tensor.scalar(1), Tensor.scalar(7))), 0);
    }

    @Test
    void shapeErrorsNameTheOpAndBothShapes() {
        Tensor a = Tensor.zeros(2, 3);
        Tensor b = Tensor.zeros(4);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> a.add(b));
        assertTrue(e.getMessage().contains("add") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[4]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.matmul(Tensor.zeros(2, 2)));
        assertTrue(e.getMessage().contains("matmul") && e.getMessage().contains("[2, 3]") && e.getMessage().contains("[2, 2]"),
                e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.reshape(5));
        assertTrue(e.getMessage().contains("reshape"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.sum(2));
        assertTrue(e.getMessage().contains("axis 2"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> a.slice(1, 2, 5));
        assertTrue(e.getMessage().contains("slice"), e.getMessage());
    }
}
