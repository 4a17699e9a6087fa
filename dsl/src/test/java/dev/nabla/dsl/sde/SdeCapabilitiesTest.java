package dev.nabla.dsl.sde;

import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.nn.Mlp;
import dev.nabla.dsl.nn.ScaledScore;
import dev.nabla.dsl.nn.TimeInput;
import dev.nabla.dsl.objectives.Objectives;
import dev.nabla.dsl.objectives.Weighting;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Optional;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What an SDE declares to samplers and objectives ({@link Sde#gaussianKernel}, {@link Sde#separableDrift},
 * {@link Sde#diffusionSchedule}, {@link Sde#linearDriftRate}, {@link Sde#correctorAlpha}) instead of being
 * recognised by its class.
 */
class SdeCapabilitiesTest {
    static final double[] TIMES = {0.1, 0.5, 0.9};
    static final double DT = 0.01;

    static double[] alpha(Sde sde) {
        Tensor t = Tensor.of(TIMES, TIMES.length, 1);
        return sde.correctorAlpha(t, DT).broadcastTo(Shape.of(TIMES.length, 1)).eval().toDoubleArray();
    }

    /**
     * {@code α = 1 + 2a(t)Δt} for a linear drift {@code f = a(t) y}, else 1 (Song et al. 2021, Algorithm 5):
     * VP and sub-VP {@code 1 − β(t)Δt}, OU {@code 1 − 2θΔt}, VE 1, a {@link CustomSde#linear} its own rate, a
     * nonlinear drift 1. Each is compared with the value computed here in double arithmetic; 1e-15 allows the
     * round-off of a product and a sum of numbers ≤ 1 (a few ulps).
     */
    @Test
    void correctorAlphaFollowsTheDriftRate() {
        DoubleUnaryOperator beta = t -> 0.1 + t * 19.9;
        List<Object[]> cases = List.of(
                new Object[] {VariancePreserving.standard(), (DoubleUnaryOperator) t -> 1 - beta.applyAsDouble(t) * DT},
                new Object[] {new SubVariancePreserving(0.1, 20), (DoubleUnaryOperator) t -> 1 - beta.applyAsDouble(t) * DT},
                new Object[] {new OrnsteinUhlenbeck(1.5, 0.7, 2), (DoubleUnaryOperator) t -> 1 - 2 * 1.5 * DT},
                new Object[] {new VarianceExploding(0.01, 5), (DoubleUnaryOperator) t -> 1},
                new Object[] {CustomSde.linear(t -> t.mul(-3).sub(0.5), Diffusion.constant(1), 1, Prior.gaussian(1)),
                        (DoubleUnaryOperator) t -> 1 + 2 * (-3 * t - 0.5) * DT},
                new Object[] {CustomSde.of((y, t) -> y.mul(y.square().rsub(1)), Diffusion.constant(1), 1, Prior.gaussian(1)),
                        (DoubleUnaryOperator) t -> 1},
                new Object[] {new LangevinSde(Diffusion.linearBeta(0.1, 20), 1, Prior.logistic(1)), (DoubleUnaryOperator) t -> 1});
        for (Object[] c : cases) {
            Sde sde = (Sde) c[0];
            DoubleUnaryOperator expected = (DoubleUnaryOperator) c[1];
            double[] got = alpha(sde);
            for (int i = 0; i < TIMES.length; i++) {
                assertEquals(expected.applyAsDouble(TIMES[i]), got[i], 1e-15, sde + " at t = " + TIMES[i]);
            }
        }
    }

    /** Which SDE declares what: a closed-form kernel, a separable drift, a {@link Diffusion} schedule, a linear drift. */
    @Test
    void builtInSdesDeclareWhatTheyHave() {
        Tensor t = Tensor.of(TIMES, TIMES.length, 1);
        // {sde, kernel, separable, schedule, linear drift}
        List<Object[]> table = List.of(
                new Object[] {VariancePreserving.standard(), true, true, true, true},
                new Object[] {new VarianceExploding(0.01, 5), true, true, true, true},
                new Object[] {new SubVariancePreserving(0.1, 20), true, false, false, true},
                new Object[] {new OrnsteinUhlenbeck(1, 1, 1), true, true, true, true},
                new Object[] {new LangevinSde(Diffusion.constant(1), 1, Prior.logistic(1)), false, true, true, false},
                new Object[] {CustomSde.of((y, tt) -> y.neg(), Diffusion.constant(1), 1, Prior.gaussian(1)), false, false, true, false},
                new Object[] {CustomSde.linear(tt -> tt.mul(0).sub(1), Diffusion.constant(1), 1, Prior.gaussian(1)), false, false, true, true});
        for (Object[] row : table) {
            Sde sde = (Sde) row[0];
            assertEquals(row[1], sde.gaussianKernel().isPresent(), sde + ": Gaussian kernel");
            assertEquals(row[2], sde.separableDrift().isPresent(), sde + ": separable drift");
            assertEquals(row[3], sde.diffusionSchedule().isPresent(), sde + ": schedule");
            assertEquals(row[4], sde.linearDriftRate(t).isPresent(), sde + ": linear drift");
        }
        // the linear drift rate of a LinearSde is its drift at the row 1: f = a(t) y
        double[] ou = new OrnsteinUhlenbeck(1.5, 0.7, 2).linearDriftRate(t).orElseThrow().eval().toDoubleArray();
        assertArrayEquals(new double[] {-1.5, -1.5, -1.5}, ou, 0.0);
    }

    /**
     * An SDE that wraps another and forwards everything, its capabilities included — a user's decorator, say —
     * is treated as the SDE it wraps by the heuristic weighting, a σ-scaled score, exact marginal samples, the
     * simulation on the schedule's clock and the separable linearisation: the same graphs, so bit for bit the
     * same numbers. (When these were chosen by {@code instanceof LinearSde}, {@code ScheduledSde} and
     * {@code SeparableDrift}, the wrapper's heuristic weighting threw, its σ_t was {@code √∫g²} instead of
     * {@code std(t)}, its marginal was simulated, and both the simulation and the linearisation took the generic
     * path.)
     */
    @Test
    void aForwardingWrapperIsTreatedAsTheSdeItWraps() {
        VariancePreserving vp = VariancePreserving.standard();
        Sde wrapped = new Forwarding(vp);
        Tensor t = Tensor.of(TIMES, TIMES.length, 1);
        Tensor y = Tensor.key(Key.of(1)).normal(Shape.of(TIMES.length, 2));
        Tensor key = Tensor.key(Key.of(2));
        assertArrayEquals(Weighting.heuristic().at(vp, t).eval().toDoubleArray(),
                Weighting.heuristic().at(wrapped, t).eval().toDoubleArray(), 0.0, "heuristic weighting");
        Mlp net = Mlp.builder(2).hidden(4).timeInput(TimeInput.LOG).key(Key.of(3)).build();
        assertArrayEquals(vp.std(t).eval().toDoubleArray(),
                ScaledScore.of(wrapped, net).sigma(t).eval().toDoubleArray(), 0.0, "σ_t of a scaled score");
        assertArrayEquals(Objectives.marginalSample(vp, y, t, key, 3).eval().toDoubleArray(),
                Objectives.marginalSample(wrapped, y, t, key, 3).eval().toDoubleArray(), 0.0, "marginal sample");
        assertArrayEquals(Simulation.eulerMaruyama(vp, y, t, 5, key).eval().toDoubleArray(),
                Simulation.eulerMaruyama(wrapped, y, t, 5, key).eval().toDoubleArray(), 0.0, "simulation");
        Tensor s = t.mul(0.5);
        LinearizedTransition direct = LinearizedTransition.of(vp, y, s, t, LinearizedTransition.Jacobian.DIAGONAL);
        LinearizedTransition viaWrapper = LinearizedTransition.of(wrapped, y, s, t, LinearizedTransition.Jacobian.DIAGONAL);
        assertArrayEquals(direct.mean().eval().toDoubleArray(), viaWrapper.mean().eval().toDoubleArray(), 0.0, "mean");
        assertArrayEquals(direct.variance().eval().toDoubleArray(), viaWrapper.variance().eval().toDoubleArray(), 0.0,
                "variance");
        assertArrayEquals(alpha(vp), alpha(wrapped), 0.0, "corrector α");
        assertTrue(wrapped.gaussianKernel().isPresent());
    }

    /** Forwards every method of an SDE, capabilities included. */
    static final class Forwarding implements Sde {
        final Sde inner;

        Forwarding(Sde inner) {
            this.inner = inner;
        }

        public double horizon() {
            return inner.horizon();
        }

        public Tensor drift(Tensor y, Tensor t) {
            return inner.drift(y, t);
        }

        public Tensor diffusion(Tensor t) {
            return inner.diffusion(t);
        }

        public double diffusion(double t) {
            return inner.diffusion(t);
        }

        public double integratedG2(double s, double t) {
            return inner.integratedG2(s, t);
        }

        public Tensor integratedG2(Tensor s, Tensor t) {
            return inner.integratedG2(s, t);
        }

        public Prior prior() {
            return inner.prior();
        }

        @Override
        public Optional<GaussianKernel> gaussianKernel() {
            return inner.gaussianKernel();
        }

        @Override
        public Optional<SeparableDrift> separableDrift() {
            return inner.separableDrift();
        }

        @Override
        public Optional<Diffusion> diffusionSchedule() {
            return inner.diffusionSchedule();
        }

        @Override
        public Optional<Tensor> linearDriftRate(Tensor t) {
            return inner.linearDriftRate(t);
        }

        @Override
        public Tensor correctorAlpha(Tensor t, double dt) {
            return inner.correctorAlpha(t, dt);
        }
    }
}
