package dev.nabla.dsl.nn;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.random.Key;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Shapes, names, determinism and the math of {@link Linear}, {@link FourierEmbedding} and {@link Mlp}. */
class MlpTest {

    @Test
    void linearComputesXWPlusB() {
        Linear l = Linear.of("fc", 3, 2, Key.of(5));
        l.bias().value().setFlat(0, 0.25);
        l.bias().value().setFlat(1, -1.5);
        double[] x = {0.5, -1, 2, 3, 0.25, -0.75};
        NdArray y = l.apply(Tensor.of(x, 2, 3)).eval();
        NdArray w = l.weight().value();
        for (int r = 0; r < 2; r++) {
            for (int j = 0; j < 2; j++) {
                double expect = l.bias().value().getFlat(j);
                for (int k = 0; k < 3; k++) {
                    expect += x[r * 3 + k] * w.get(k, j);
                }
                assertEquals(expect, y.get(r, j), 1e-14);
            }
        }
        assertEquals(List.of("fc.weight", "fc.bias"), names(l.parameters()));
    }

    @Test
    void initialisationIsDeterministicAndScaled() {
        int fanIn = 400;
        for (Init init : Init.values()) {
            Linear a = Linear.of("a", fanIn, 300, init, Key.of(1), DType.F64);
            Linear b = Linear.of("b", fanIn, 300, init, Key.of(1), DType.F64);
            assertEquals(a.weight().value(), b.weight().value(), init + " is deterministic");
            double[] w = a.weight().value().toDoubleArray();
            double mean = 0;
            double sq = 0;
            double max = 0;
            for (double v : w) {
                mean += v;
                sq += v * v;
                max = Math.max(max, Math.abs(v));
            }
            mean /= w.length;
            double var = sq / w.length;
            double expectVar = switch (init) {
                case LECUN_UNIFORM, LECUN_NORMAL -> 1.0 / fanIn;
                case HE_UNIFORM, HE_NORMAL -> 2.0 / fanIn;
                case GLOROT_UNIFORM -> 2.0 / (fanIn + 300);
                case ZEROS -> 0;
            };
            assertEquals(0, mean, 4 * Math.sqrt(expectVar / w.length) + 1e-300, init + " mean");
            // 120 000 draws: the sample variance is within 2% of the true one
            assertEquals(expectVar, var, 0.02 * expectVar + 1e-300, init + " variance");
            if (init == Init.LECUN_UNIFORM) {
                assertTrue(max <= Math.sqrt(3.0 / fanIn));
            }
        }
        assertNotEquals(Linear.of("a", 4, 4, Key.of(1)).weight().value(), Linear.of("a", 4, 4, Key.of(2)).weight().value());
        NdArray f32 = Linear.of("a", 4, 4, Init.LECUN_UNIFORM, Key.of(1), DType.F32).weight().value();
        assertEquals(DType.F32, f32.dtype());
    }

    @Test
    void fourierFeaturesAreSinAndCosOfTwoPiTW() {
        FourierEmbedding e = FourierEmbedding.of(5, 3.0, Key.of(9), DType.F64);
        assertEquals(10, e.features());
        double[] t = {0.1, 0.7, -0.3};
        NdArray out = e.apply(Tensor.of(t, 3, 1)).eval();
        assertEquals(Shape.of(3, 10), out.shape());
        double[] w = e.frequencies().toDoubleArray();
        for (int r = 0; r < 3; r++) {
            for (int j = 0; j < 5; j++) {
                double a = 2 * Math.PI * t[r] * w[j];
                assertEquals(Math.sin(a), out.get(r, j), 1e-13);
                assertEquals(Math.cos(a), out.get(r, 5 + j), 1e-13);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> e.apply(Tensor.of(t, 3)));
        assertThrows(IllegalArgumentException.class, () -> FourierEmbedding.of(0, 1, Key.of(0), DType.F64));
        assertThrows(IllegalArgumentException.class, () -> FourierEmbedding.of(2, -1, Key.of(0), DType.F64));
    }

    @Test
    void mlpShapesNamesAndOrder() {
        Mlp m = Mlp.builder(2).hidden(16, 8).activation(Activation.SILU).timeEmbedding(4).key(Key.of(0))
                .dtype(DType.F64).build();
        assertEquals(2 + 8, m.inputDim());
        assertEquals(List.of("layer0.weight", "layer0.bias", "layer1.weight", "layer1.bias", "layer2.weight",
                "layer2.bias"), names(m.parameters()));
        assertEquals(Shape.of(10, 16), m.parameters().get(0).shape());
        assertEquals(Shape.of(8, 2), m.parameters().get(4).shape());
        Tensor y = Tensor.placeholder("y", Shape.of(7, 2));
        Tensor t = Tensor.placeholder("t", Shape.of(7, 1));
        assertEquals(Shape.of(7, 2), m.apply(y, t).shape());
        assertEquals(Shape.of(7, 3), Mlp.builder(2).outputDim(3).build().apply(y, t).shape());
        Mlp named = Mlp.builder(2).name("score").build();
        assertTrue(named.parameters().get(0).name().startsWith("score.layer0."));
        assertEquals(names(m.parameters()).size(), new HashSet<>(names(m.parameters())).size());
    }

    @Test
    void mlpIsDeterministicGivenItsKey() {
        Mlp a = Mlp.builder(3).hidden(8).timeEmbedding(2).key(Key.of(42)).build();
        Mlp b = Mlp.builder(3).hidden(8).timeEmbedding(2).key(Key.of(42)).build();
        Mlp c = Mlp.builder(3).hidden(8).timeEmbedding(2).key(Key.of(43)).build();
        for (int i = 0; i < a.parameters().size(); i++) {
            assertEquals(a.parameters().get(i).value(), b.parameters().get(i).value());
        }
        assertNotEquals(a.parameters().getFirst().value(), c.parameters().getFirst().value());
        assertEquals(a.embedding().frequencies(), b.embedding().frequencies());
    }

    @Test
    void forwardMatchesAHandWrittenNetwork() {
        Mlp m = Mlp.builder(2).hidden(3).activation(Activation.TANH).timeInput(TimeInput.LOG).key(Key.of(3)).build();
        double[] y = {0.3, -0.2, 1.1, 0.4};
        double[] t = {0.5, 2.0};
        NdArray out = m.apply(Tensor.of(y, 2, 2), Tensor.of(t, 2, 1)).eval();
        NdArray w0 = m.layers().get(0).weight().value();
        NdArray w1 = m.layers().get(1).weight().value();
        for (int r = 0; r < 2; r++) {
            double[] in = {y[2 * r], y[2 * r + 1], Math.log(t[r])};
            double[] h = new double[3];
            for (int j = 0; j < 3; j++) {
                double s = 0;
                for (int k = 0; k < 3; k++) {
                    s += in[k] * w0.get(k, j);
                }
                h[j] = Math.tanh(s);
            }
            for (int j = 0; j < 2; j++) {
                double s = 0;
                for (int k = 0; k < 3; k++) {
                    s += h[k] * w1.get(k, j);
                }
                assertEquals(s, out.get(r, j), 1e-13);
            }
        }
    }

    @Test
    void plainRegressionAndActivations() {
        for (Activation a : Activation.values()) {
            Mlp m = Mlp.builder(3).timeInput(TimeInput.NONE).hidden(4).activation(a).outputDim(1).build();
            assertEquals(3, m.inputDim());
            NdArray out = m.forward(Tensor.of(new double[] {1, 2, 3, 4, 5, 6}, 2, 3)).eval();
            assertEquals(Shape.of(2, 1), out.shape());
            assertEquals(-1, out.firstNonFinite());
        }
        double x = -1.3;
        assertEquals(x / (1 + Math.exp(-x)), Activation.SILU.apply(Tensor.scalar(x)).eval().item(), 1e-15);
        assertEquals(Math.log1p(Math.exp(x)), Activation.SOFTPLUS.apply(Tensor.scalar(x)).eval().item(), 1e-15);
        assertEquals(0, Activation.RELU.apply(Tensor.scalar(x)).eval().item());
        assertEquals(Math.tanh(x), Activation.TANH.apply(Tensor.scalar(x)).eval().item(), 1e-15);
    }

    @Test
    void float32Model() {
        Mlp m = Mlp.builder(2).hidden(8).timeEmbedding(3).dtype(DType.F32).build();
        for (Tensor p : m.parameters()) {
            assertEquals(DType.F32, p.dtype());
        }
        Tensor out = m.apply(Tensor.of(new double[] {1, 2}, 1, 2), Tensor.of(new double[] {0.5}, 1, 1));
        assertEquals(DType.F32, out.dtype());
    }

    @Test
    void badInputFailsFastNamingTheArgument() {
        var e = assertThrows(IllegalArgumentException.class, () -> Mlp.builder(0));
        assertTrue(e.getMessage().contains("dataDim = 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Mlp.builder(2).hidden(4, 0));
        assertTrue(e.getMessage().contains("widths[1] = 0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Mlp.builder(2).timeEmbedding(-1));
        assertTrue(e.getMessage().contains("m = -1"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Mlp.builder(2).timeInput(TimeInput.NONE).timeEmbedding(4).build());
        assertTrue(e.getMessage().contains("timeInput NONE"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Mlp.builder(2).dtype(DType.KEY));
        assertTrue(e.getMessage().contains("KEY"), e.getMessage());
        Mlp m = Mlp.builder(2).build();
        e = assertThrows(IllegalArgumentException.class,
                () -> m.apply(Tensor.zeros(4, 3), Tensor.zeros(4, 1)));
        assertTrue(e.getMessage().contains("[4, 3]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> m.apply(Tensor.zeros(4, 2), Tensor.zeros(3, 1)));
        assertTrue(e.getMessage().contains("t has shape [3, 1]"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Linear.of("x", 0, 2, Key.of(0)));
        assertTrue(e.getMessage().contains("in = 0"), e.getMessage());
    }

    @Test
    void timeVectorOrScalarIsBroadcast() {
        Mlp m = Mlp.builder(2).hidden(4).build();
        Tensor y = Tensor.of(new double[] {1, 2, 3, 4}, 2, 2);
        NdArray a = m.apply(y, Tensor.of(new double[] {0.5, 0.5}, 2, 1)).eval();
        NdArray b = m.apply(y, Tensor.of(0.5, 0.5)).eval();
        NdArray c = m.apply(y, Tensor.scalar(0.5)).eval();
        assertArrayEquals(a.toDoubleArray(), b.toDoubleArray(), 0);
        assertArrayEquals(a.toDoubleArray(), c.toDoubleArray(), 0);
    }

    static List<String> names(List<Tensor> ts) {
        List<String> n = new ArrayList<>();
        for (Tensor t : ts) {
            n.add(t.name());
        }
        return n;
    }
}
