package dev.nabla.gpu.tornado;

import dev.nabla.core.Autodiff;
import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TornadoSmokeTest {
    @Test
    void smoke() {
        Backend t = Backend.named("tornado");
        System.out.println("backend " + t.name());
        Tensor k = Tensor.keyInput("key");
        Tensor w1 = Tensor.parameter("w1", NdArray.of(new double[] {0.1, -0.2, 0.3, 0.05, 0.2, -0.1}, 2, 3));
        Tensor w2 = Tensor.parameter("w2", NdArray.of(new double[] {0.3, -0.1, 0.2}, 3, 1));
        Tensor xb = k.normal(Shape.of(16, 2));
        Tensor yb = xb.sum(1).unsqueeze(1).sin();
        Tensor loss = xb.matmul(w1).tanh().matmul(w2).sub(yb).square().mean();
        List<Tensor> grads = Autodiff.grad(loss, List.of(w1, w2));
        long t0 = System.nanoTime();
        Plan p = Plan.compile(List.of(loss, grads.get(0), grads.get(1), xb), t);
        Plan r = Plan.compile(List.of(loss, grads.get(0), grads.get(1), xb), Backend.reference());
        p.set(k, Key.of(3)).execute();
        System.out.println("first run ms " + (System.nanoTime() - t0) / 1e6);
        r.set(k, Key.of(3)).execute();
        for (Tensor o : List.of(xb, loss, grads.get(0), grads.get(1))) {
            double[] a = p.get(o).toDoubleArray();
            double[] b = r.get(o).toDoubleArray();
            double e = 0;
            for (int i = 0; i < a.length; i++) {
                e = Math.max(e, Math.abs(a[i] - b[i]));
            }
            System.out.println(o.shape() + " max abs diff " + e);
            assertEquals(0, e, 1e-12);
        }
        t0 = System.nanoTime();
        for (int i = 0; i < 100; i++) {
            p.execute();
        }
        System.out.println("per run us " + (System.nanoTime() - t0) / 1e5);
    }
}
