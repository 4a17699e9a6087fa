package dev.nabla.core.backend;

/**
 * The scalar twins of {@link VectorMath}: exp, log, log1p, sin and cos in float64 and float32 as fixed sequences of
 * IEEE operations (the algorithms and error bounds are stated in {@link VectorMath}), returning the same bits as
 * every vector lane. A class of its own, free of the Vector API, so that the reference backend ({@link ScalarOps})
 * runs in a JVM started without {@code --add-modules jdk.incubator.vector}.
 */
final class ScalarMath {
    private ScalarMath() {
    }

    // ------------------------------------------------------------------ float64 constants

    static final double SHIFT = 0x1.8p52;
    static final double LOG2E = 1.4426950408889634;
    /** fdlibm's ln 2 split: the high part has 32 trailing zero bits, so {@code k·LN2_HI} is exact for |k| &lt; 2²⁰. */
    static final double LN2_HI = 6.93147180369123816490e-01;
    static final double LN2_LO = 1.90821492927058770002e-10;
    static final double EXP_LO = -746;
    static final double EXP_HI = 710;
    static final double E2 = 1.0 / 2;
    static final double E3 = 1.0 / 6;
    static final double E4 = 1.0 / 24;
    static final double E5 = 1.0 / 120;
    static final double E6 = 1.0 / 720;
    static final double E7 = 1.0 / 5040;
    static final double E8 = 1.0 / 40320;
    static final double E9 = 1.0 / 362880;
    static final double E10 = 1.0 / 3628800;
    static final double E11 = 1.0 / 39916800;
    static final double E12 = 1.0 / 479001600;
    static final double E13 = 1.0 / 6227020800.0;

    static final double TWO54 = 0x1p54;
    static final double SQRT2 = 1.4142135623730951;
    static final double LG1 = 6.666666666666735130e-01;
    static final double LG2 = 3.999999999940941908e-01;
    static final double LG3 = 2.857142874366239149e-01;
    static final double LG4 = 2.222219843214978396e-01;
    static final double LG5 = 1.818357216161805012e-01;
    static final double LG6 = 1.531383769920937332e-01;
    static final double LG7 = 1.479819860511658591e-01;
    /** {@code 2⁵² + 1023}: the biased exponent e, or'ed into the mantissa of 2⁵², reads as {@code 2⁵² + e}. */
    static final double EXP_BIAS = 0x1p52 + 1023;

    /** The largest |x| whose sin and cos take the Cody–Waite reduction (see the class comment). */
    static final double TRIG_MAX_F64 = 0x1p30;
    static final double TWO_OVER_PI = 0.6366197723675814;
    static final double P1 = 1.5707963267948966;
    static final double P2 = 6.123233995736766E-17;
    static final double P3 = -1.4973849048591698E-33;
    static final double S1 = -1.66666666666666324348e-01;
    static final double S2 = 8.33333333332248946124e-03;
    static final double S3 = -1.98412698298579493134e-04;
    static final double S4 = 2.75573137070700676789e-06;
    static final double S5 = -2.50507602534068634195e-08;
    static final double S6 = 1.58969099521155010221e-10;
    static final double C1 = 4.16666666666666019037e-02;
    static final double C2 = -1.38888888888741095749e-03;
    static final double C3 = 2.48015872894767294178e-05;
    static final double C4 = -2.75573143513906633035e-07;
    static final double C5 = 2.08757232129817482790e-09;
    static final double C6 = -1.13596475577881948265e-11;

    // ------------------------------------------------------------------ float32 constants

    static final float SHIFT_F = 0x1.8p23f;
    static final float LOG2E_F = 1.442695f;
    /** ln 2 split for float: the high part has 9 trailing zero bits. */
    static final float LN2_HI_F = 0.693145751953125f;
    static final float LN2_LO_F = 1.4286068E-6f;
    static final float EXP_LO_F = -104;
    static final float EXP_HI_F = 89;
    static final float E2F = 1.0f / 2;
    static final float E3F = 1.0f / 6;
    static final float E4F = 1.0f / 24;
    static final float E5F = 1.0f / 120;
    static final float E6F = 1.0f / 720;
    static final float E7F = 1.0f / 5040;

    static final float TWO25_F = 0x1p25f;
    static final float SQRT2_F = 1.4142135f;
    /** FreeBSD e_logf.c: {@code |(log(1+s) − log(1−s))/s − Lg(s)| < 2⁻³⁴·²⁴} for {@code |s| ≤ 0.1716}. */
    static final float LG1_F = 0xaaaaaa.0p-24f;
    static final float LG2_F = 0xccce13.0p-25f;
    static final float LG3_F = 0x91e9ee.0p-25f;
    static final float LG4_F = 0xf89e26.0p-26f;
    static final float LN2_HI_LOG_F = 6.9313812256e-01f;
    static final float LN2_LO_LOG_F = 9.0580006145e-06f;
    static final float EXP_BIAS_F = 0x1p23f + 127;

    /** The largest |x| whose float sin and cos take the Cody–Waite reduction. */
    static final float TRIG_MAX_F32 = 0x1p16f;
    static final float TWO_OVER_PI_F = 0.63661975f;
    static final float P1_F = 0x1.921fb6p0f;
    static final float P2_F = -0x1.777a5cp-25f;
    static final float P3_F = -0x1.ee59dap-50f;
    static final float S1_F = -1.0f / 6;
    static final float S2_F = 1.0f / 120;
    static final float S3_F = -1.0f / 5040;
    static final float S4_F = 1.0f / 362880;
    static final float C1_F = 1.0f / 24;
    static final float C2_F = -1.0f / 720;
    static final float C3_F = 1.0f / 40320;
    static final float C4_F = -1.0f / 3628800;

    // ================================================================== float64, scalar

    /** eˣ (see the class comment), within 1 ulp; the same bits as every lane of {@link VectorMath}. */
    static double exp(double x) {
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

    /** ln x (see the class comment), within 1 ulp; the same bits as every lane of {@link VectorMath}. */
    static double log(double x) {
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
    static double logTail(double f, double dk, double c) {
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

    /** ln(1 + x) (see the class comment); the same bits as every lane of {@link VectorMath}. */
    static double log1p(double x) {
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

    /** sin x (see the class comment); the same bits as every lane of {@link VectorMath}. */
    static double sin(double x) {
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

    /** cos x (see the class comment); the same bits as every lane of {@link VectorMath}. */
    static double cos(double x) {
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

    static double sinPoly(double r, double z) {
        double p = Math.fma(S6, z, S5);
        p = Math.fma(p, z, S4);
        p = Math.fma(p, z, S3);
        p = Math.fma(p, z, S2);
        p = Math.fma(p, z, S1);
        return Math.fma(z * r, p, r);
    }

    static double cosPoly(double z) {
        double p = Math.fma(C6, z, C5);
        p = Math.fma(p, z, C4);
        p = Math.fma(p, z, C3);
        p = Math.fma(p, z, C2);
        p = Math.fma(p, z, C1);
        double hz = 0.5 * z;
        double w = 1 - hz;
        return w + (((1 - w) - hz) + z * (z * p));
    }

    // ================================================================== float32, scalar

    /** eˣ in float (see the class comment); the same bits as every lane of {@link VectorMath}. */
    static float exp(float x) {
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

    /** ln x in float; the same bits as every lane of {@link VectorMath}. */
    static float log(float x) {
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

    static float logTail(float f, float dk, float c) {
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

    /** ln(1 + x) in float; the same bits as every lane of {@link VectorMath}. */
    static float log1p(float x) {
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

    /** sin x in float; the same bits as every lane of {@link VectorMath}. */
    static float sin(float x) {
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

    /** cos x in float; the same bits as every lane of {@link VectorMath}. */
    static float cos(float x) {
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

    static float sinPoly(float r, float z) {
        float p = Math.fma(S4_F, z, S3_F);
        p = Math.fma(p, z, S2_F);
        p = Math.fma(p, z, S1_F);
        return Math.fma(z * r, p, r);
    }

    static float cosPoly(float z) {
        float p = Math.fma(C4_F, z, C3_F);
        p = Math.fma(p, z, C2_F);
        p = Math.fma(p, z, C1_F);
        float hz = 0.5f * z;
        float w = 1 - hz;
        return w + (((1 - w) - hz) + z * (z * p));
    }

}
