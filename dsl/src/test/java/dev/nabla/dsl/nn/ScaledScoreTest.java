package dev.nabla.dsl.nn;

import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.exact.GaussianMixture;
import dev.nabla.dsl.sde.Diffusion;
import dev.nabla.dsl.sde.LangevinSde;
import dev.nabla.dsl.sde.VarianceExploding;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@link ScaledScore}: {@code net(y, σ_t)/σ_t}, optionally plus the prior's score. */
class ScaledScoreTest {

    @Test
    void dividesByTheMarginalStdOfALinearSde() {
        VarianceExploding sde = new VarianceExploding(0.01, 10);
        Mlp net = Mlp.builder(2).hidden(8).timeInput(TimeInput.LOG).key(Key.of(1)).build();
        ScaledScore<Mlp> s = ScaledScore.of(sde, net);
        Tensor y = Tensor.of(new double[] {0.3, -1, 2, 0.5}, 2, 2);
        Tensor t = Tensor.of(new double[] {0.2, 0.9}, 2, 1);
        double[] got = s.apply(y, t).eval().toDoubleArray();
        double[] raw = net.apply(y, sde.std(t)).eval().toDoubleArray();
        for (int r = 0; r < 2; r++) {
            double sigma = sde.std(r == 0 ? 0.2 : 0.9);
            for (int c = 0; c < 2; c++) {
                assertEquals(raw[2 * r + c] / sigma, got[2 * r + c], 1e-12);
            }
        }
        assertEquals(net.parameters(), s.parameters());
    }

    @Test
    void residualAddsThePriorScoreAndUsesTheInjectedNoise() {
        GaussianMixture pi = GaussianMixture.isotropic(new double[] {0.5, 0.5}, new double[][] {{-1, 0}, {1, 0}}, 0.5);
        LangevinSde sde = new LangevinSde(Diffusion.linearBeta(0.1, 20), 1, pi.asPrior());
        Mlp net = Mlp.builder(2).hidden(8).timeInput(TimeInput.LOG).key(Key.of(2)).build();
        ScaledScore<Mlp> s = ScaledScore.residual(sde, net);
        Tensor y = Tensor.of(new double[] {0.3, -1, 2, 0.5}, 2, 2);
        Tensor t = Tensor.full(Shape.of(2, 1), 0.4);
        double sigma = Math.sqrt(sde.integratedG2(0, 0.4));
        double[] raw = net.apply(y, Tensor.full(Shape.of(2, 1), sigma)).eval().toDoubleArray();
        double[] prior = pi.score(y).eval().toDoubleArray();
        double[] expected = new double[4];
        for (int i = 0; i < 4; i++) {
            expected[i] = raw[i] / sigma + prior[i];
        }
        assertArrayEquals(expected, s.apply(y, t).eval().toDoubleArray(), 1e-12);
    }
}
