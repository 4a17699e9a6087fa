package dev.nabla.core.random;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@link BoxMuller}'s log and cos against the JDK's. {@code Math.log} is within 1 ulp of ln u and fdlibm's
 * algorithm within 1 ulp too, so they differ by at most 2 ulps of the result. {@code Math.cos(2πu)} is evaluated
 * at the double nearest 2πu, up to half an ulp of 2πu (≤ 4.4·10⁻¹⁶) off, and cos has slope ≤ 1, so with both
 * within 1 ulp of their own argument the two differ by at most 4.4·10⁻¹⁶ + 2·1.1·10⁻¹⁶ + the Taylor polynomials'
 * few roundings; the bound 1·10⁻¹⁵ absolute leaves room for those. Near the zeros of cos (u ≈ ¼, ¾), cos2pi is
 * checked in relative terms against sin of the exactly reduced argument in 128-bit decimal arithmetic.
 */
class BoxMullerTest {
    @Property(tries = 2000)
    void logIsWithinTwoUlpsOfMathLog(@ForAll @LongRange(min = 0, max = (1L << 53) - 1) long w) {
        double u = (w + 1) * 0x1.0p-53; // the u₁ grid of Philox.normalAt: [2⁻⁵³, 1]
        double got = BoxMuller.log(u);
        double want = Math.log(u);
        assertTrue(Math.abs(got - want) <= 2 * Math.ulp(want), () -> "log(" + u + ") = " + got + ", Math.log " + want);
    }

    @Test
    void logAtTheEndsAndAroundTheMantissaSplit() {
        assertEquals(0.0, BoxMuller.log(1.0));
        assertEquals(-53 * Math.log(2), BoxMuller.log(0x1.0p-53), 2 * Math.ulp(53 * Math.log(2)));
        for (double u : new double[] {Math.sqrt(0.5), Math.nextDown(Math.sqrt(0.5)), Math.nextUp(Math.sqrt(0.5)),
                0.5, Math.nextDown(1.0), Math.nextDown(0.5), 0.7071, 0.70711}) {
            assertEquals(Math.log(u), BoxMuller.log(u), 2 * Math.ulp(Math.log(u)), "log(" + u + ")");
        }
    }

    @Property(tries = 2000)
    void cos2piIsWithinRoundingOfMathCos(@ForAll @DoubleRange(min = 0, max = 1, maxIncluded = false) double u) {
        double got = BoxMuller.cos2pi(u);
        double want = Math.cos(2 * Math.PI * u);
        assertEquals(want, got, 1e-15, () -> "cos2pi(" + u + ")");
    }

    @Test
    void cos2piNearItsZerosAndRangeEdgesInRelativeTerms() {
        MathContext mc = MathContext.DECIMAL128;
        double[] us = {0.25, Math.nextUp(0.25), Math.nextDown(0.25), 0.25 + 1e-9, 0.75, 0.75 - 1e-12, 0.125,
            Math.nextUp(0.125), 0.375, Math.nextUp(0.375), 0.5, 0.625, 0.875, 0.0, Math.nextDown(1.0)};
        for (double u : us) {
            // cos 2πu = −sin 2π(u − ¼) for u near ¼ and sin 2π(u − ¾) near ¾; the reduced argument t is exact here
            double got = BoxMuller.cos2pi(u);
            double want;
            if (Math.abs(u - 0.25) < 0.01 || Math.abs(u - 0.75) < 0.01) {
                BigDecimal t = new BigDecimal(u).subtract(new BigDecimal(Math.abs(u - 0.25) < 0.01 ? "0.25" : "0.75"));
                double x = t.multiply(new BigDecimal("6.283185307179586476925286766559005768394"), mc).doubleValue();
                want = Math.abs(u - 0.25) < 0.01 ? -Math.sin(x) : Math.sin(x);
                assertEquals(want, got, 4 * Math.ulp(want) + Double.MIN_VALUE, "cos2pi(" + u + ")");
            } else {
                want = Math.cos(2 * Math.PI * u);
                assertEquals(want, got, 1e-15, "cos2pi(" + u + ")");
            }
        }
    }
}
