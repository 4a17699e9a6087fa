package dev.nabla.core.random;

import java.math.BigDecimal;
import java.math.MathContext;

/**
 * The two transcendental functions of the Box–Muller transform {@code √(−2 ln u₁) cos(2π u₂)} ({@link
 * Philox#normalAt}), written as fixed sequences of IEEE additions, multiplications, fused multiply-adds and one
 * division, so that a vector implementation of the same sequence ({@code SimdRandom}) gives the same bits in every
 * lane, compiled or interpreted — which {@code Math.log}/{@code Math.cos} (scalar only) and the Vector API's
 * {@code LOG}/{@code COS} (whose interpreted and compiled forms differ in the last bit) cannot both offer.
 *
 * <p>{@link #log}: the algorithm of fdlibm's {@code e_log.c} (Sun Microsystems, 1993; the basis of
 * {@code StrictMath.log}): {@code u = 2ᵏ·m} with {@code m ∈ [√2/2, √2)}, {@code f = m − 1},
 * {@code s = f/(2 + f)}, {@code ln(1 + f) = 2 atanh s = f − s(f − R)} with R its degree-14 minimax polynomial in
 * s (coefficients Lg1…Lg7 of fdlibm), and {@code ln u = k·ln2_hi − ((f²/2 − (s(f²/2 + R) + k·ln2_lo)) − f)}:
 * error below 1 ulp (fdlibm's bound).
 *
 * <p>{@link #cos2pi}: {@code cos 2πu} for {@code u ∈ [0, 1)} by exact reductions — {@code a = min(u, 1 − u)},
 * then {@code r = a}, {@code a − ¼} or {@code ½ − a} (all exact by Sterbenz's lemma) with {@code |r| ≤ ⅛}, and
 * {@code cos 2πr}, {@code −sin 2πr} or {@code −cos 2πr} — then the Taylor polynomials of {@code sin 2πr} (to
 * {@code (2πr)¹⁷/17!}) and {@code cos 2πr} (to {@code (2πr)¹⁸/18!}) in Horner form with fused multiply-adds. On
 * {@code |2πr| ≤ π/4} the first omitted terms are below 6·10⁻¹⁷ relative, so the result is within a few ulps.
 * Reducing u in its own units avoids the rounding of the product {@code 2π·u} that {@code Math.cos(2 * Math.PI * u)}
 * suffers (up to about 7·10⁻¹⁶ absolute).
 */
public final class BoxMuller {
    private BoxMuller() {
    }

    /** fdlibm e_log.c: {@code ln 2} split in a high part with 32 trailing zero bits and the rest. */
    public static final double LN2_HI = 6.93147180369123816490e-01;
    public static final double LN2_LO = 1.90821492927058770002e-10;
    /** fdlibm e_log.c: the minimax coefficients of {@code R(s)}, {@code |s| ≤ 0.1716}. */
    public static final double LG1 = 6.666666666666735130e-01;
    public static final double LG2 = 3.999999999940941908e-01;
    public static final double LG3 = 2.857142874366239149e-01;
    public static final double LG4 = 2.222219843214978396e-01;
    public static final double LG5 = 1.818357216161805012e-01;
    public static final double LG6 = 1.531383769920937332e-01;
    public static final double LG7 = 1.479819860511658591e-01;
    /** The double nearest √2: mantissas above it are halved (and the exponent bumped), so |s| ≤ 0.1716. */
    public static final double SQRT2 = 1.4142135623730951;

    /** {@code SIN[j] = (−1)ʲ (2π)^{2j+1}/(2j+1)!}, j = 0…8: {@code sin 2πr = r·Σ SIN[j] r^{2j}}. */
    public static final double[] SIN = taylor(1);
    /** {@code COS[j] = (−1)ʲ (2π)^{2j}/(2j)!}, j = 0…9: {@code cos 2πr = Σ COS[j] r^{2j}}. */
    public static final double[] COS = taylor(0);

    private static double[] taylor(int odd) {
        MathContext mc = MathContext.DECIMAL128;
        BigDecimal twoPi = new BigDecimal("6.2831853071795864769252867665590057683943387987502116419498891846");
        int terms = odd == 1 ? 9 : 10;
        double[] c = new double[terms];
        for (int j = 0; j < terms; j++) {
            int n = 2 * j + odd;
            BigDecimal fact = BigDecimal.ONE;
            for (int i = 2; i <= n; i++) {
                fact = fact.multiply(BigDecimal.valueOf(i));
            }
            BigDecimal v = twoPi.pow(n, mc).divide(fact, mc);
            c[j] = (j % 2 == 0 ? v : v.negate()).doubleValue();
        }
        return c;
    }

    /**
     * {@code ln u} for a positive normal u (fdlibm's algorithm, see the class comment); u = 1 gives 0.
     *
     * @param u a positive, normal, finite double
     * @return ln u within 1 ulp
     */
    public static double log(double u) {
        long bits = Double.doubleToRawLongBits(u);
        long k = (bits >>> 52) - 1023;
        double m = Double.longBitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
        if (m > SQRT2) {
            m = m * 0.5;
            k = k + 1;
        }
        double f = m - 1;
        double s = f / (2 + f);
        double dk = (double) k;
        double z = s * s;
        double w = z * z;
        double t1 = w * (LG2 + w * (LG4 + w * LG6));
        double t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
        double r = t2 + t1;
        double hfsq = 0.5 * f * f;
        return dk * LN2_HI - ((hfsq - (s * (hfsq + r) + dk * LN2_LO)) - f);
    }

    /**
     * {@code cos 2πu} for {@code u ∈ [0, 1)} (see the class comment).
     *
     * @param u in [0, 1)
     * @return cos 2πu within a few ulps (absolute error below 4·10⁻¹⁶)
     */
    public static double cos2pi(double u) {
        double a = u <= 0.5 ? u : 1 - u;
        if (a <= 0.125) {
            return cosPoly(a * a);
        }
        if (a <= 0.375) {
            double r = a - 0.25;
            return -(r * sinPoly(r * r));
        }
        double r = 0.5 - a;
        return -cosPoly(r * r);
    }

    private static double sinPoly(double z) {
        double p = SIN[8];
        for (int j = 7; j >= 0; j--) {
            p = Math.fma(p, z, SIN[j]);
        }
        return p;
    }

    private static double cosPoly(double z) {
        double p = COS[9];
        for (int j = 8; j >= 0; j--) {
            p = Math.fma(p, z, COS[j]);
        }
        return p;
    }
}
