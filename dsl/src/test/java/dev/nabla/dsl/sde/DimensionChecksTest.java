package dev.nabla.dsl.sde;

import dev.nabla.core.NdArray;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.exact.GaussianMixture;
import dev.nabla.dsl.nn.Mlp;
import dev.nabla.dsl.nn.ScaledScore;
import dev.nabla.dsl.objectives.Objectives;
import dev.nabla.dsl.objectives.Weighting;
import dev.nabla.dsl.sample.Likelihood;
import dev.nabla.dsl.sample.Samplers;
import dev.nabla.dsl.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A model, data or sample width that does not match a dimension-specific SDE fails before anything is built. */
class DimensionChecksTest {
    static final GaussianMixture PI2 = GaussianMixture.isotropic(new double[] {0.5, 0.5},
            new double[][] {{-1, 0}, {1, 0}}, 0.5);

    static void fails(Executable e, String... fragments) {
        IllegalArgumentException ex = assertThrows(IllegalArgumentException.class, e);
        for (String f : fragments) {
            assertTrue(ex.getMessage().contains(f), "message '" + ex.getMessage() + "' lacks '" + f + "'");
        }
    }

    @Test
    void dimensionComesFromThePrior() {
        assertEquals(OptionalInt.of(2), new LangevinSde(Diffusion.constant(1), 1, PI2.asPrior()).dimension());
        assertEquals(OptionalInt.empty(), new VarianceExploding(0.01, 10).dimension());
        assertEquals(OptionalInt.empty(), new LangevinSde(Diffusion.constant(1), 1, Prior.logistic(1)).dimension());
    }

    @Test
    void mismatchedModelDataAndSamplesAreNamed() {
        LangevinSde sde = new LangevinSde(Diffusion.linearBeta(0.1, 20), 1, PI2.asPrior());
        Mlp three = Mlp.builder(3).hidden(8).key(Key.of(0)).build();
        Mlp two = Mlp.builder(2).hidden(8).key(Key.of(0)).build();
        fails(() -> Samplers.eulerMaruyama(sde, three, 10, 1e-3, Backend.reference()),
                "score model's input has dimension D = 3", "SDE's dimension D = 2");
        fails(() -> Samplers.probabilityFlowRk45(sde, three, 1e-4, 1e-4, 1e-3, Backend.reference()), "D = 3", "D = 2");
        fails(() -> ScaledScore.of(sde, three), "ScaledScore: the net's input has dimension D = 3");
        fails(() -> Samplers.eulerMaruyama(sde, two, 10, 1e-3, Backend.reference()).sample(4, 3, Key.of(1)),
                "sample: d has dimension D = 3");
        VarianceExploding ve = new VarianceExploding(0.01, 10);
        fails(() -> Samplers.eulerMaruyama(ve, two, 10, 1e-3, Backend.reference()).sample(4, 3, Key.of(1)),
                "sample: d = 3, expected the score model's input dimension D = 2");
        NdArray data3 = NdArray.of(new double[12], 4, 3);
        fails(() -> Trainer.of(two, Objectives.dsm(ve)).steps(1).progress(false).fit(data3, Key.of(2)),
                "fit: data has shape [4, 3]", "D = 2 columns");
        fails(() -> Likelihood.logDensity(sde, two, data3, Likelihood.Divergence.EXACT, 1e-3, 1e-5, 1e-5, null, Key.of(3),
                Backend.reference()), "D = 3", "D = 2");
        // a model of any width with data of the SDE's width, but the objective is built for the 2-D SDE
        Mlp any3 = Mlp.builder(3).hidden(8).key(Key.of(0)).build();
        fails(() -> Trainer.of(any3, Objectives.ism(sde, Objectives.Divergence.EXACT, Weighting.likelihood(), 5))
                .steps(1).progress(false).fit(data3, Key.of(2)), "ism: the batch has dimension D = 3");
    }
}
