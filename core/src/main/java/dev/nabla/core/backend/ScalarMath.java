package dev.nabla.core.backend;

/**
 * The scalar twins of {@code simd.VectorMath}: exp, log, log1p, sin and cos in float64 and float32 as fixed sequences of
 * IEEE operations (the algorithms and error bounds are stated in {@code simd.VectorMath}), returning the same bits as
 * every vector lane. A class of its own, free of the Vector API, so that the reference backend ({@link ScalarOps})
 * runs in a JVM started without {@code --add-modules jdk.incubator.vector}.
 */
public final class ScalarMath {
    private ScalarMath() {
    }

    // ------------------------------------------------------------------ float64 constants

    public static final double SHIFT = 0x1.8p52;
    public static final double LOG2E = 1.4426950408889634;
    /** fdlibm's ln 2 split: the high part has 32 trailing zero bits, so {@code k·LN2_HI} is exact for |k| &lt; 2²⁰. */
    public static final double LN2_HI = 6.93147180369123816490e-01;
    public static final double LN2_LO = 1.90821492927058770002e-10;
    public static final double EXP_LO = -746;
    public static final double EXP_HI = 710;
    public static final double E2 = 1.0 / 2;
    public static final double E3 = 1.0 / 6;
    public static final double E4 = 1.0 / 24;
    public static final double E5 = 1.0 / 120;
    public static final double E6 = 1.0 / 720;
    public static final double E7 = 1.0 / 5040;
    public static final double E8 = 1.0 / 40320;
    public static final double E9 = 1.0 / 362880;
    public static final double E10 = 1.0 / 3628800;
    public static final double E11 = 1.0 / 39916800;
    public static final double E12 = 1.0 / 479001600;
    public static final double E13 = 1.0 / 6227020800.0;

    public static final double TWO54 = 0x1p54;
    public static final double SQRT2 = 1.4142135623730951;
    public static final double LG1 = 6.666666666666735130e-01;
    public static final double LG2 = 3.999999999940941908e-01;
    public static final double LG3 = 2.857142874366239149e-01;
    public static final double LG4 = 2.222219843214978396e-01;
    public static final double LG5 = 1.818357216161805012e-01;
    public static final double LG6 = 1.531383769920937332e-01;
    public static final double LG7 = 1.479819860511658591e-01;
    /** {@code 2⁵² + 1023}: the biased exponent e, or'ed into the mantissa of 2⁵², reads as {@code 2⁵² + e}. */
    public static final double EXP_BIAS = 0x1p52 + 1023;

    /** The largest |x| whose sin and cos take the Cody–Waite reduction (see the class comment). */
    public static final double TRIG_MAX_F64 = 0x1p30;
    public static final double TWO_OVER_PI = 0.6366197723675814;
    public static final double P1 = 1.5707963267948966;
    public static final double P2 = 6.123233995736766E-17;
    public static final double P3 = -1.4973849048591698E-33;
    public static final double S1 = -1.66666666666666324348e-01;
    public static final double S2 = 8.33333333332248946124e-03;
    public static final double S3 = -1.98412698298579493134e-04;
    public static final double S4 = 2.75573137070700676789e-06;
    public static final double S5 = -2.50507602534068634195e-08;
    public static final double S6 = 1.58969099521155010221e-10;
    public static final double C1 = 4.16666666666666019037e-02;
    public static final double C2 = -1.38888888888741095749e-03;
    public static final double C3 = 2.48015872894767294178e-05;
    public static final double C4 = -2.75573143513906633035e-07;
    public static final double C5 = 2.08757232129817482790e-09;
    public static final double C6 = -1.13596475577881948265e-11;

    // ------------------------------------------------------------------ float32 constants

    public static final float SHIFT_F = 0x1.8p23f;
    public static final float LOG2E_F = 1.442695f;
    /** ln 2 split for float: the high part has 9 trailing zero bits. */
    public static final float LN2_HI_F = 0.693145751953125f;
    public static final float LN2_LO_F = 1.4286068E-6f;
    public static final float EXP_LO_F = -104;
    public static final float EXP_HI_F = 89;
    public static final float E2F = 1.0f / 2;
    public static final float E3F = 1.0f / 6;
    public static final float E4F = 1.0f / 24;
    public static final float E5F = 1.0f / 120;
    public static final float E6F = 1.0f / 720;
    public static final float E7F = 1.0f / 5040;

    public static final float TWO25_F = 0x1p25f;
    public static final float SQRT2_F = 1.4142135f;
    /** FreeBSD e_logf.c: {@code |(log(1+s) − log(1−s))/s − Lg(s)| < 2⁻³⁴·²⁴} for {@code |s| ≤ 0.1716}. */
    public static final float LG1_F = 0xaaaaaa.0p-24f;
    public static final float LG2_F = 0xccce13.0p-25f;
    public static final float LG3_F = 0x91e9ee.0p-25f;
    public static final float LG4_F = 0xf89e26.0p-26f;
    public static final float LN2_HI_LOG_F = 6.9313812256e-01f;
    public static final float LN2_LO_LOG_F = 9.0580006145e-06f;
    public static final float EXP_BIAS_F = 0x1p23f + 127;

    /** The largest |x| whose float sin and cos take the Cody–Waite reduction. */
    public static final float TRIG_MAX_F32 = 0x1p16f;
    public static final float TWO_OVER_PI_F = 0.63661975f;
    public static final float P1_F = 0x1.921fb6p0f;
    public static final float P2_F = -0x1.777a5cp-25f;
    public static final float P3_F = -0x1.ee59dap-50f;
    public static final float S1_F = -1.0f / 6;
    public static final float S2_F = 1.0f / 120;
    public static final float S3_F = -1.0f / 5040;
    public static final float S4_F = 1.0f / 362880;
    public static final float C1_F = 1.0f / 24;
    public static final float C2_F = -1.0f / 720;
    public static final float C3_F = 1.0f / 40320;
    public static final float C4_F = -1.0f / 3628800;

    // ================================================================== float64, scalar

    /** eˣ (see the class comment), within 1 ulp; the same bits as every lane of {@code simd.VectorMath}. */
    public static double exp(double x) {
        double xc = Math.min(Math.max(x, EXP_LO), EXP_HI);
        double t = Math.fma(xc, LOG2E, SHIFT);
        double k = t - SHIFT;
        double r = Math.fma(-k, LN2_HI, xc);
        r = Math.fma(-k, LN2_LO, r);
        double p = Math.fma(E13, r, E12);
        p = Math.fma(p, r, E11);
        p = Math.fma(p, r, E10);
        p = Math.fma(p, r, E9);
        p = Math.fma(p, r, E8);
        p = Math.fma(p, r, E7);
        p = Math.fma(p, r, E6);
        p = Math.fma(p, r, E5);
        p = Math.fma(p, r, E4);
        p = Math.fma(p, r, E3);
        p = Math.fma(p, r, E2);
        p = Math.fma(p, r, 1);
        p = Math.fma(p, r, 1);
        long kl = Double.doubleToRawLongBits(t) - Double.doubleToRawLongBits(SHIFT);
        long k1 = kl >> 1;
        long k2 = kl - k1;
        double s1 = Double.longBitsToDouble((k1 + 1023) << 52);
        double s2 = Double.longBitsToDouble((k2 + 1023) << 52);
        return p * s1 * s2;
    }

    /** ln x (see the class comment), within 1 ulp; the same bits as every lane of {@code simd.VectorMath}. */
    public static double log(double x) {
        boolean sub = x < Double.MIN_NORMAL;
        double xs = sub ? x * TWO54 : x;
        long bits = Double.doubleToRawLongBits(xs);
        double dk = Double.longBitsToDouble((bits >>> 52) | 0x4330_0000_0000_0000L) - EXP_BIAS;
        dk = sub ? dk - 54 : dk;
        double m = Double.longBitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
        boolean big = m > SQRT2;
        m = big ? m * 0.5 : m;
        dk = big ? dk + 1 : dk;
        double f = m - 1;
        double v = logTail(f, dk, 0);
        return x < 0 ? Double.NaN : x == 0 ? Double.NEGATIVE_INFINITY : x == Double.POSITIVE_INFINITY || x != x ? x : v;
    }

    /** fdlibm's {@code k·ln2_hi − ((f²/2 − (s(f²/2 + R) + (k·ln2_lo + c))) − f)}. */
    public static double logTail(double f, double dk, double c) {
        double s = f / (f + 2);
        double z = s * s;
        double w = z * z;
        double t1 = w * Math.fma(w, Math.fma(w, LG6, LG4), LG2);
        double t2 = z * Math.fma(w, Math.fma(w, Math.fma(w, LG7, LG5), LG3), LG1);
        double rr = t2 + t1;
        double hfsq = 0.5 * f * f;
        double lo = Math.fma(dk, LN2_LO, c);
        return Math.fma(dk, LN2_HI, -((hfsq - Math.fma(s, hfsq + rr, lo)) - f));
    }

    /** ln(1 + x) (see the class comment); the same bits as every lane of {@code simd.VectorMath}. */
    public static double log1p(double x) {
        double u = 1 + x;
        double e = x > 1 ? (x - u) + 1 : (1 - u) + x;
        double c = e / u;
        long bits = Double.doubleToRawLongBits(u);
        double dk = Double.longBitsToDouble((bits >>> 52) | 0x4330_0000_0000_0000L) - EXP_BIAS;
        double m = Double.longBitsToDouble((bits & 0x000F_FFFF_FFFF_FFFFL) | 0x3FF0_0000_0000_0000L);
        boolean big = m > SQRT2;
        m = big ? m * 0.5 : m;
        dk = big ? dk + 1 : dk;
        boolean k0 = dk == 0;
        double f = k0 ? x : m - 1;
        c = k0 ? 0 : c;
        double v = logTail(f, dk, c);
        return x < -1 ? Double.NaN : x == -1 ? Double.NEGATIVE_INFINITY
                : x == Double.POSITIVE_INFINITY || x != x || x == 0 ? x : v;
    }

    /** sin x (see the class comment); the same bits as every lane of {@code simd.VectorMath}. */
    public static double sin(double x) {
        if (Math.abs(x) > TRIG_MAX_F64) {
            return StrictMath.sin(x);
        }
        double t = Math.fma(x, TWO_OVER_PI, SHIFT);
        double q = t - SHIFT;
        double r = Math.fma(-q, P1, x);
        r = Math.fma(-q, P2, r);
        r = Math.fma(-q, P3, r);
        double z = r * r;
        long n = Double.doubleToRawLongBits(t);
        double v = (n & 1) != 0 ? cosPoly(z) : sinPoly(r, z);
        v = (n & 2) != 0 ? -v : v;
        return x == 0 ? x : v;
    }

    /** cos x (see the class comment); the same bits as every lane of {@code simd.VectorMath}. */
    public static double cos(double x) {
        if (Math.abs(x) > TRIG_MAX_F64) {
            return StrictMath.cos(x);
        }
        double t = Math.fma(x, TWO_OVER_PI, SHIFT);
        double q = t - SHIFT;
        double r = Math.fma(-q, P1, x);
        r = Math.fma(-q, P2, r);
        r = Math.fma(-q, P3, r);
        double z = r * r;
        long n = Double.doubleToRawLongBits(t);
        double v = (n & 1) == 0 ? cosPoly(z) : sinPoly(r, z);
        return ((n + 1) & 2) != 0 ? -v : v;
    }

    public static double sinPoly(double r, double z) {
        double p = Math.fma(S6, z, S5);
        p = Math.fma(p, z, S4);
        p = Math.fma(p, z, S3);
        p = Math.fma(p, z, S2);
        p = Math.fma(p, z, S1);
        return Math.fma(z * r, p, r);
    }

    public static double cosPoly(double z) {
        double p = Math.fma(C6, z, C5);
        p = Math.fma(p, z, C4);
        p = Math.fma(p, z, C3);
        p = Math.fma(p, z, C2);
        p = Math.fma(p, z, C1);
        double hz = 0.5 * z;
        double w = 1 - hz;
        return w + (((1 - w) - hz) + z * (z * p));
    }

    // ------------------------------------------------------------------ erf, float64

    // fdlibm's s_erf.c (Sun Microsystems, 1993): rational approximations on [0, 0.84375), [0.84375, 1.25),
    // [1.25, 1/0.35) and [1/0.35, 6), with erf(x) = 1 − e^{−z² − 0.5625} e^{(z − x)(z + x) + R/S} / x on the last two
    // (z = x with its low 32 bits cleared, so that z² is exact), ±1 from 6 on. Here each polynomial is evaluated by
    // Horner's rule with fused multiply-adds and the exps are this class's, so the vector lanes can do the same
    // operations: within 1 ulp of erf (ErfTest measures 0.9 ulp against a 60-digit reference).

    public static final double ERX = 8.45062911510467529297e-01;
    public static final double ERF_PP0 = 1.28379167095512558561e-01;
    public static final double ERF_PP1 = -3.25042107247001499370e-01;
    public static final double ERF_PP2 = -2.84817495755985104766e-02;
    public static final double ERF_PP3 = -5.77027029648944159157e-03;
    public static final double ERF_PP4 = -2.37630166566501626084e-05;
    public static final double ERF_QQ1 = 3.97917223959155352819e-01;
    public static final double ERF_QQ2 = 6.50222499887672944485e-02;
    public static final double ERF_QQ3 = 5.08130628187576562776e-03;
    public static final double ERF_QQ4 = 1.32494738004321644526e-04;
    public static final double ERF_QQ5 = -3.96022827877536812320e-06;
    public static final double ERF_PA0 = -2.36211856075265944077e-03;
    public static final double ERF_PA1 = 4.14856118683748331666e-01;
    public static final double ERF_PA2 = -3.72207876035701323847e-01;
    public static final double ERF_PA3 = 3.18346619901161753674e-01;
    public static final double ERF_PA4 = -1.10894694282396677476e-01;
    public static final double ERF_PA5 = 3.54783043256182359371e-02;
    public static final double ERF_PA6 = -2.16637559486879084300e-03;
    public static final double ERF_QA1 = 1.06420880400844228286e-01;
    public static final double ERF_QA2 = 5.40397917702171048937e-01;
    public static final double ERF_QA3 = 7.18286544141962662868e-02;
    public static final double ERF_QA4 = 1.26171219808761642112e-01;
    public static final double ERF_QA5 = 1.36370839120290507362e-02;
    public static final double ERF_QA6 = 1.19844998467991074170e-02;
    public static final double ERF_RA0 = -9.86494403484714822705e-03;
    public static final double ERF_RA1 = -6.93858572707181764372e-01;
    public static final double ERF_RA2 = -1.05586262253232909814e+01;
    public static final double ERF_RA3 = -6.23753324503260060396e+01;
    public static final double ERF_RA4 = -1.62396669462573470355e+02;
    public static final double ERF_RA5 = -1.84605092906711035994e+02;
    public static final double ERF_RA6 = -8.12874355063065934246e+01;
    public static final double ERF_RA7 = -9.81432934416914548592e+00;
    public static final double ERF_SA1 = 1.96512716674392571292e+01;
    public static final double ERF_SA2 = 1.37657754143519042600e+02;
    public static final double ERF_SA3 = 4.34565877475229228821e+02;
    public static final double ERF_SA4 = 6.45387271733267880336e+02;
    public static final double ERF_SA5 = 4.29008140027567833386e+02;
    public static final double ERF_SA6 = 1.08635005541779435134e+02;
    public static final double ERF_SA7 = 6.57024977031928170135e+00;
    public static final double ERF_SA8 = -6.04244152148580987438e-02;
    public static final double ERF_RB0 = -9.86494292470009928597e-03;
    public static final double ERF_RB1 = -7.99283237680523006574e-01;
    public static final double ERF_RB2 = -1.77579549177547519889e+01;
    public static final double ERF_RB3 = -1.60636384855821916062e+02;
    public static final double ERF_RB4 = -6.37566443368389627722e+02;
    public static final double ERF_RB5 = -1.02509513161107724954e+03;
    public static final double ERF_RB6 = -4.83519191608651397019e+02;
    public static final double ERF_SB1 = 3.03380607434824582924e+01;
    public static final double ERF_SB2 = 3.25792512996573918826e+02;
    public static final double ERF_SB3 = 1.53672958608443695994e+03;
    public static final double ERF_SB4 = 3.19985821950859553908e+03;
    public static final double ERF_SB5 = 2.55305040643316442583e+03;
    public static final double ERF_SB6 = 4.74528541206955367215e+02;
    public static final double ERF_SB7 = -2.24409524465858183362e+01;
    /** Below 0.84375: {@code x + x·P(x²)/Q(x²)}. */
    public static final double ERF_SMALL = 0.84375;
    /** Below 1.25: {@code erx + P(|x| − 1)/Q(|x| − 1)}. */
    public static final double ERF_MID = 1.25;
    /** Below 1/0.35: the first tail approximation (R/S in 1/x²), from there the second. */
    public static final double ERF_TAIL = 1 / 0.35;
    /** From 6 on, erf(x) rounds to ±1. */
    public static final double ERF_ONE = 6;

    /** {@code erf x = (2/√π) ∫₀ˣ e^{−t²} dt} (see the section comment); the same bits as every vector lane. */
    public static double erf(double x) {
        double a = Math.abs(x);
        double z = x * x;
        if (a < ERF_SMALL) {
            return Math.fma(x, erfSmallP(z) / erfSmallQ(z), x);
        }
        double r;
        if (a < ERF_MID) {
            double s = a - 1;
            r = ERX + erfMidP(s) / erfMidQ(s);
        } else if (a < ERF_ONE) {
            double s = 1 / z;
            double rs = a < ERF_TAIL ? erfTailAR(s) / erfTailAS(s) : erfTailBR(s) / erfTailBS(s);
            double h = Double.longBitsToDouble(Double.doubleToRawLongBits(a) & 0xffffffff00000000L);
            double e = exp(-h * h - 0.5625) * exp((h - a) * (h + a) + rs);
            r = 1 - e / a;
        } else {
            r = a != a ? a : 1;
        }
        return Math.copySign(r, x);
    }

    public static double erfSmallP(double z) {
        double p = Math.fma(ERF_PP4, z, ERF_PP3);
        p = Math.fma(p, z, ERF_PP2);
        p = Math.fma(p, z, ERF_PP1);
        return Math.fma(p, z, ERF_PP0);
    }

    public static double erfSmallQ(double z) {
        double q = Math.fma(ERF_QQ5, z, ERF_QQ4);
        q = Math.fma(q, z, ERF_QQ3);
        q = Math.fma(q, z, ERF_QQ2);
        q = Math.fma(q, z, ERF_QQ1);
        return Math.fma(q, z, 1);
    }

    public static double erfMidP(double s) {
        double p = Math.fma(ERF_PA6, s, ERF_PA5);
        p = Math.fma(p, s, ERF_PA4);
        p = Math.fma(p, s, ERF_PA3);
        p = Math.fma(p, s, ERF_PA2);
        p = Math.fma(p, s, ERF_PA1);
        return Math.fma(p, s, ERF_PA0);
    }

    public static double erfMidQ(double s) {
        double q = Math.fma(ERF_QA6, s, ERF_QA5);
        q = Math.fma(q, s, ERF_QA4);
        q = Math.fma(q, s, ERF_QA3);
        q = Math.fma(q, s, ERF_QA2);
        q = Math.fma(q, s, ERF_QA1);
        return Math.fma(q, s, 1);
    }

    public static double erfTailAR(double s) {
        double p = Math.fma(ERF_RA7, s, ERF_RA6);
        p = Math.fma(p, s, ERF_RA5);
        p = Math.fma(p, s, ERF_RA4);
        p = Math.fma(p, s, ERF_RA3);
        p = Math.fma(p, s, ERF_RA2);
        p = Math.fma(p, s, ERF_RA1);
        return Math.fma(p, s, ERF_RA0);
    }

    public static double erfTailAS(double s) {
        double q = Math.fma(ERF_SA8, s, ERF_SA7);
        q = Math.fma(q, s, ERF_SA6);
        q = Math.fma(q, s, ERF_SA5);
        q = Math.fma(q, s, ERF_SA4);
        q = Math.fma(q, s, ERF_SA3);
        q = Math.fma(q, s, ERF_SA2);
        q = Math.fma(q, s, ERF_SA1);
        return Math.fma(q, s, 1);
    }

    public static double erfTailBR(double s) {
        double p = Math.fma(ERF_RB6, s, ERF_RB5);
        p = Math.fma(p, s, ERF_RB4);
        p = Math.fma(p, s, ERF_RB3);
        p = Math.fma(p, s, ERF_RB2);
        p = Math.fma(p, s, ERF_RB1);
        return Math.fma(p, s, ERF_RB0);
    }

    public static double erfTailBS(double s) {
        double q = Math.fma(ERF_SB7, s, ERF_SB6);
        q = Math.fma(q, s, ERF_SB5);
        q = Math.fma(q, s, ERF_SB4);
        q = Math.fma(q, s, ERF_SB3);
        q = Math.fma(q, s, ERF_SB2);
        q = Math.fma(q, s, ERF_SB1);
        return Math.fma(q, s, 1);
    }

    // ================================================================== float32, scalar

    /** eˣ in float (see the class comment); the same bits as every lane of {@code simd.VectorMath}. */
    public static float exp(float x) {
        float xc = Math.min(Math.max(x, EXP_LO_F), EXP_HI_F);
        float t = Math.fma(xc, LOG2E_F, SHIFT_F);
        float k = t - SHIFT_F;
        float r = Math.fma(-k, LN2_HI_F, xc);
        r = Math.fma(-k, LN2_LO_F, r);
        float p = Math.fma(E7F, r, E6F);
        p = Math.fma(p, r, E5F);
        p = Math.fma(p, r, E4F);
        p = Math.fma(p, r, E3F);
        p = Math.fma(p, r, E2F);
        p = Math.fma(p, r, 1f);
        p = Math.fma(p, r, 1f);
        int kl = Float.floatToRawIntBits(t) - Float.floatToRawIntBits(SHIFT_F);
        int k1 = kl >> 1;
        int k2 = kl - k1;
        float s1 = Float.intBitsToFloat((k1 + 127) << 23);
        float s2 = Float.intBitsToFloat((k2 + 127) << 23);
        return p * s1 * s2;
    }

    /** ln x in float; the same bits as every lane of {@code simd.VectorMath}. */
    public static float log(float x) {
        boolean sub = x < Float.MIN_NORMAL;
        float xs = sub ? x * TWO25_F : x;
        int bits = Float.floatToRawIntBits(xs);
        float dk = Float.intBitsToFloat((bits >>> 23) | 0x4B00_0000) - EXP_BIAS_F;
        dk = sub ? dk - 25 : dk;
        float m = Float.intBitsToFloat((bits & 0x007F_FFFF) | 0x3F80_0000);
        boolean big = m > SQRT2_F;
        m = big ? m * 0.5f : m;
        dk = big ? dk + 1 : dk;
        float f = m - 1;
        float v = logTail(f, dk, 0f);
        return x < 0 ? Float.NaN : x == 0 ? Float.NEGATIVE_INFINITY : x == Float.POSITIVE_INFINITY || x != x ? x : v;
    }

    public static float logTail(float f, float dk, float c) {
        float s = f / (f + 2);
        float z = s * s;
        float w = z * z;
        float t1 = w * Math.fma(w, LG4_F, LG2_F);
        float t2 = z * Math.fma(w, LG3_F, LG1_F);
        float rr = t2 + t1;
        float hfsq = 0.5f * f * f;
        float lo = Math.fma(dk, LN2_LO_LOG_F, c);
        return Math.fma(dk, LN2_HI_LOG_F, -((hfsq - Math.fma(s, hfsq + rr, lo)) - f));
    }

    /** ln(1 + x) in float; the same bits as every lane of {@code simd.VectorMath}. */
    public static float log1p(float x) {
        float u = 1 + x;
        float e = x > 1 ? (x - u) + 1 : (1 - u) + x;
        float c = e / u;
        int bits = Float.floatToRawIntBits(u);
        float dk = Float.intBitsToFloat((bits >>> 23) | 0x4B00_0000) - EXP_BIAS_F;
        float m = Float.intBitsToFloat((bits & 0x007F_FFFF) | 0x3F80_0000);
        boolean big = m > SQRT2_F;
        m = big ? m * 0.5f : m;
        dk = big ? dk + 1 : dk;
        boolean k0 = dk == 0;
        float f = k0 ? x : m - 1;
        c = k0 ? 0 : c;
        float v = logTail(f, dk, c);
        return x < -1 ? Float.NaN : x == -1 ? Float.NEGATIVE_INFINITY
                : x == Float.POSITIVE_INFINITY || x != x || x == 0 ? x : v;
    }

    /** sin x in float; the same bits as every lane of {@code simd.VectorMath}. */
    public static float sin(float x) {
        if (Math.abs(x) > TRIG_MAX_F32) {
            return (float) StrictMath.sin(x);
        }
        float t = Math.fma(x, TWO_OVER_PI_F, SHIFT_F);
        float q = t - SHIFT_F;
        float r = Math.fma(-q, P1_F, x);
        r = Math.fma(-q, P2_F, r);
        r = Math.fma(-q, P3_F, r);
        float z = r * r;
        int n = Float.floatToRawIntBits(t);
        float v = (n & 1) != 0 ? cosPoly(z) : sinPoly(r, z);
        v = (n & 2) != 0 ? -v : v;
        return x == 0 ? x : v;
    }

    /** cos x in float; the same bits as every lane of {@code simd.VectorMath}. */
    public static float cos(float x) {
        if (Math.abs(x) > TRIG_MAX_F32) {
            return (float) StrictMath.cos(x);
        }
        float t = Math.fma(x, TWO_OVER_PI_F, SHIFT_F);
        float q = t - SHIFT_F;
        float r = Math.fma(-q, P1_F, x);
        r = Math.fma(-q, P2_F, r);
        r = Math.fma(-q, P3_F, r);
        float z = r * r;
        int n = Float.floatToRawIntBits(t);
        float v = (n & 1) == 0 ? cosPoly(z) : sinPoly(r, z);
        return ((n + 1) & 2) != 0 ? -v : v;
    }

    public static float sinPoly(float r, float z) {
        float p = Math.fma(S4_F, z, S3_F);
        p = Math.fma(p, z, S2_F);
        p = Math.fma(p, z, S1_F);
        return Math.fma(z * r, p, r);
    }

    public static float cosPoly(float z) {
        float p = Math.fma(C4_F, z, C3_F);
        p = Math.fma(p, z, C2_F);
        p = Math.fma(p, z, C1_F);
        float hz = 0.5f * z;
        float w = 1 - hz;
        return w + (((1 - w) - hz) + z * (z * p));
    }

}
