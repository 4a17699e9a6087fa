package dev.nabla.dsl.sde;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleUnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every host-side evaluation of an SDE or a schedule at a time checks the time against its range — [0, T] for an
 * SDE, [0, ∞) for a closed-form schedule — with one message naming the method, the value and the range; times
 * within 1e-12·T of the range are round-off and are clamped to it.
 */
class HostTimeChecksTest {
    static void rejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "'" + f + "' in: " + e.getMessage());
        }
    }

    static Map<String, DoubleUnaryOperator> hostMethods(Sde sde) {
        Map<String, DoubleUnaryOperator> m = new LinkedHashMap<>();
        m.put("diffusion", sde::diffusion);
        m.put("integratedG2", t -> sde.integratedG2(0, t));
        if (sde instanceof LinearSde l) {
            m.put("std", l::std);
            m.put("meanScale", l::meanScale);
        }
        return m;
    }

    @Test
    void sdeMethodsRejectTimesOutsideTheHorizonNamingMethodValueAndRange() {
        List<Sde> sdes = List.of(new VarianceExploding(0.01, 5), VariancePreserving.standard(),
                new SubVariancePreserving(0.1, 20), new OrnsteinUhlenbeck(2, 1.5, 3),
                new LangevinSde(Diffusion.linearBeta(0.1, 20), 1, Prior.gaussian(1)),
                CustomSde.of((y, t) -> y.neg(), Diffusion.constant(1), 2, Prior.gaussian(1)));
        for (Sde sde : sdes) {
            double T = sde.horizon();
            for (Map.Entry<String, DoubleUnaryOperator> m : hostMethods(sde).entrySet()) {
                for (double bad : new double[] {1.5 * T, -0.5, T * (1 + 1e-9), Double.NaN, Double.POSITIVE_INFINITY}) {
                    rejects(() -> m.getValue().applyAsDouble(bad), sde + "." + m.getKey() + ": t = " + bad,
                            "[0, " + T + "]", "horizon");
                }
                // round-off: within 1e-12·T of an end is that end, exactly
                double atT = m.getValue().applyAsDouble(T);
                assertEquals(atT, m.getValue().applyAsDouble(T * (1 + 4e-13)), 0.0, sde + "." + m.getKey());
                assertEquals(atT, m.getValue().applyAsDouble(Math.nextUp(T)), 0.0, sde + "." + m.getKey());
                assertEquals(m.getValue().applyAsDouble(0), m.getValue().applyAsDouble(-1e-13 * T), 0.0,
                        sde + "." + m.getKey());
            }
            // both ends of ∫_s^t g², and their order
            rejects(() -> sde.integratedG2(-1, 0.5 * T), "integratedG2: s = -1.0");
            rejects(() -> sde.integratedG2(0.5 * T, 0.25 * T), "integratedG2: s = " + 0.5 * T + " > t");
        }
        // n·(T/n) and a grid summed step by step from 0 land within round-off of T
        VariancePreserving vp = VariancePreserving.standard();
        double t = 0;
        for (int i = 0; i < 1000; i++) {
            t += 0.001;
        }
        assertTrue(t != 1 && Math.abs(t - 1) < 1e-12, "the sum is off by round-off: " + (t - 1));
        assertEquals(vp.std(1), vp.std(t), 0.0);
    }

    @Test
    void closedFormSchedulesRejectNegativeTimesNamingMethodValueAndRange() {
        for (Diffusion g : List.of(Diffusion.constant(2), Diffusion.linearBeta(0.1, 20), Diffusion.exponential(0.01, 5))) {
            String name = g.toString();
            rejects(() -> g.at(-0.5), ".at: t = -0.5 is outside [0, ∞)", "Diffusion.");
            rejects(() -> g.integral(-0.5), ".integral: t = -0.5 is outside [0, ∞)");
            rejects(() -> g.inverseIntegral(-0.5), ".inverseIntegral: u = -0.5 is outside [0, ∞)");
            rejects(() -> g.at(Double.NaN), ".at: t = NaN");
            rejects(() -> g.integral(Double.POSITIVE_INFINITY), ".integral: t = Infinity");
            // beyond T = 1 is fine for a schedule: it has no horizon of its own
            assertTrue(Double.isFinite(g.at(1.5)) && g.at(1.5) > 0, name);
            assertEquals(g.at(0), g.at(-1e-13), 0.0, name);
            assertEquals(0, g.integral(-1e-13), 0.0, name);
        }
        // linearBeta's g at −0.5 was NaN, VP's std(−0.5) 0.955: now errors
        rejects(() -> Diffusion.linearBeta(0.1, 20).at(-0.5), "Diffusion.linearBeta(0.1, 20.0).at: t = -0.5");

        Diffusion numeric = Diffusion.numeric(t -> 1 + t, t -> t.add(1), 2, 21);
        rejects(() -> numeric.at(2.5), "Diffusion.numeric.at: t = 2.5 is outside the horizon [0, T] = [0, 2.0]");
        rejects(() -> numeric.at(-0.5), "Diffusion.numeric.at: t = -0.5");
        rejects(() -> numeric.integral(Double.NaN), "Diffusion.numeric.integral: t = NaN");
        rejects(() -> numeric.inverseIntegral(100), "Diffusion.numeric.inverseIntegral: u = 100.0", "G(T) =");
        assertEquals(numeric.integral(2), numeric.integral(2 + 1e-12), 0.0);
    }
}
