package dev.nabla.core;

import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Jacobians, Hessians, divergences and composed function transforms on cases with closed forms. */
class TransformsTest {
    private static double[] eval(Tensor t, Tensor x, double... xv) {
        return Plan.compile(List.of(t), Backend.reference()).set(x, xv).execute().get(t).toDoubleArray();
    }

    @Test
    void jacobianAndHessian() {
        Tensor x = Tensor.placeholder("x", Shape.of(2));
        // y = (x0 x1, sin x0) → J = [[x1, x0], [cos x0, 0]]
        Tensor y = Tensor.stack(0, x.index(0, 0).mul(x.index(0, 1)), x.index(0, 0).sin());
        double[] j = eval(Autodiff.jacobian(y, x), x, 0.3, -2);
        assertArrayEquals(new double[] {-2, 0.3, Math.cos(0.3), 0}, j, 1e-15);
        // f = x0² x1 + x1³ → H = [[2 x1, 2 x0], [2 x0, 6 x1]]
        Tensor f = x.index(0, 0).square().mul(x.index(0, 1)).add(x.index(0, 1).pow(3));
        assertArrayEquals(new double[] {-4, 0.6, 0.6, -12}, eval(Autodiff.hessian(f, x), x, 0.3, -2), 1e-14);
    }

    @Test
    void composedGradIsTheNthDerivative() {
        Function<Tensor, Tensor> f = t -> t.sin().sum();
        Function<Tensor, Tensor> d4 = Autodiff.grad(t -> Autodiff.grad(t2 -> Autodiff.grad(
                t3 -> Autodiff.grad(f).apply(t3).sum()).apply(t2).sum()).apply(t).sum());
        Tensor x = Tensor.placeholder("x", Shape.of(3));
        // d⁴/dx⁴ sin x = sin x
        assertArrayEquals(new double[] {Math.sin(0.1), Math.sin(1), Math.sin(-2)}, eval(d4.apply(x), x, 0.1, 1, -2), 1e-14);
    }

    @Test
    void divergenceOfALinearFieldIsTheTraceAndHutchinsonIsUnbiased() {
        // s(x) = tanh(x A) row by row: div s = Σ_i (1 − tanh²(xA)_i) A_ii
        double[] a = {0.5, -1.0, 0.3, 0.2, 2.0, -0.7, 1.1, 0.4, -0.9};
        Tensor mat = Tensor.of(a, 3, 3);
        int batch = 4;
        Tensor x = Tensor.placeholder("x", Shape.of(batch, 3));
        Tensor s = x.matmul(mat).tanh();
        double[] xv = {0.1, 0.2, 0.3, -1, 0.5, 2, 0, 0, 0, 0.7, -0.3, 0.05};
        double[] div = eval(Autodiff.divergence(s, x), x, xv);
        for (int r = 0; r < batch; r++) {
            double expected = 0;
            for (int i = 0; i < 3; i++) {
                double z = 0;
                for (int k = 0; k < 3; k++) {
                    z += xv[r * 3 + k] * a[k * 3 + i];
                }
                expected += (1 - Math.tanh(z) * Math.tanh(z)) * a[i * 3 + i];
            }
            assertEquals(expected, div[r], 1e-14, "row " + r);
        }
        // Hutchinson with Rademacher probes: E[vᵀJv] = tr J. Averaged over P = 20 000 probes per row, its standard
        // deviation is sqrt(2 Σ_{i≠j} J_ij² / P) ≤ 0.04 here; 5 standard deviations → failure probability < 6e-7.
        int probes = 20_000;
        Tensor k = Tensor.keyInput("k");
        Tensor xs = x.unsqueeze(0).broadcastTo(Shape.of(probes, batch, 3));
        Tensor v = k.rademacher(Shape.of(probes, batch, 3));
        Tensor sx = xs.matmul(mat).tanh();
        Tensor est = Autodiff.divergenceHutchinson(sx, xs, v).mean(0);
        double[] h = Plan.compile(List.of(est)).set(x, xv).set(k, Key.of(5)).execute().get(est).toDoubleArray();
        for (int r = 0; r < batch; r++) {
            assertEquals(div[r], h[r], 5 * 0.04, "row " + r);
        }
    }
}
