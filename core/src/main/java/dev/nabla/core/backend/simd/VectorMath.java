package dev.nabla.core.backend.simd;

import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import dev.nabla.core.backend.ScalarMath;

import static dev.nabla.core.backend.ScalarMath.*;

/**
 * exp, log, log1p, sin and cos as fixed sequences of IEEE operations, for {@link DoubleVector} and
 * {@link FloatVector} lanes, each with a scalar twin ({@code double} and {@code float}) that performs the same
 * operations in the same order and so returns the same bits as every lane.
 *
 * <p><b>Why.</b> The Vector API's {@code EXP}, {@code LOG}, {@code LOG1P} and {@code SIN} are {@code Math} calls lane
 * by lane until C2 compiles the kernel, and a different (SVML) implementation after, so a plan's results changed in
 * the last bits between runs of the JVM and between interpreted and compiled kernels. The functions here use only
 * +, −, ×, ÷, fused multiply-add (exactly rounded, {@code Math.fma} and the lanewise {@code fma} alike),
 * min/max, comparisons and blends, bit operations and exact integer/float reinterpretations: each rounds the same in
 * the interpreter, C1 and C2, on every x86 or ARM CPU. The one scalar call, {@link StrictMath} for sin/cos of
 * arguments beyond {@link #TRIG_MAX_F64}/{@link #TRIG_MAX_F32}, is fdlibm in Java, also deterministic. Special values
 * (NaN, ±∞, ±0, subnormals, overflow, underflow) give what {@link Math} gives.
 *
 * <p><b>exp</b> (Cody–Waite): {@code k = round(x/ln 2)} by adding {@code 1.5·2⁵²} (2²³ in float) to
 * {@code fma(x, log₂e, ·)}, {@code r = x − k·ln2_hi − k·ln2_lo} (two fused steps; {@code |r| ≤ ½ ln 2 + ε}), the
 * Taylor polynomial of {@code eʳ} to degree 13 (float: 7) in Horner form, whose first omitted term is below
 * {@code 0.347¹⁴/14! = 4·10⁻¹⁸} (float {@code 0.347⁸/8! = 5·10⁻⁹}), then the scaling by {@code 2ᵏ = 2^⌊k/2⌋ · 2^{k−⌊k/2⌋}}
 * built from exponent bits: two factors so that k down to −1076 (subnormal results, rounded once by the last
 * product) and up to 1024 (overflow to ∞) need no branch. x is first clamped to [−746, 710] ([−104, 89]), outside
 * which the result is 0 or ∞ anyway; NaN passes through the clamp.
 *
 * <p><b>log</b>: fdlibm's {@code e_log.c} (Sun, 1993; FreeBSD's {@code e_logf.c} coefficients in float):
 * {@code x = 2ᵏ·m}, {@code m ∈ [√2/2, √2)}, {@code f = m − 1}, {@code s = f/(2 + f)},
 * {@code ln(1 + f) = f − s(f − R(s))} with R a minimax polynomial, {@code ln x = k·ln2_hi − ((f²/2 − (s(f²/2 + R) +
 * k·ln2_lo)) − f)}, fdlibm's bound below 1 ulp. Subnormal x are scaled by 2⁵⁴ (2²⁵) first.
 *
 * <p><b>log1p</b>: fdlibm's {@code s_log1p.c} structure: {@code u = 1 + x} rounded, its rounding error
 * {@code e = (1 − u) + x} (or {@code (x − u) + 1} for x &gt; 1, Fast2Sum, exact), the log of u as above with
 * {@code c = e/u} added to the low part ({@code ln(u + e) = ln u + e/u + O(e²)}); where u's exponent is 0
 * ({@code x ∈ [√2/2 − 1, √2 − 1)}) {@code f = x} exactly and c = 0.
 *
 * <p><b>sin, cos</b>: {@code q = round(2x/π)} (the same rounding trick), {@code r = x − q·π/2} with π/2 split in
 * three doubles (floats) {@code P1 + P2 + P3} and three fused steps. The first is exact (for q ≠ 0, x ≥ π/4 is a
 * multiple of 2⁻⁵³ and so is {@code q·P1}, and |r| &lt; 1); the second is exact whenever {@code |r| < 2⁻⁵³}
 * ({@code q·P2} is a multiple of 2⁻¹⁰⁶), so cancellation never meets a rounded value, and r carries at most two
 * roundings of ½ ulp of itself. P1 + P2 + P3 is π/2 within 2⁻¹⁶³ (float 2⁻⁷⁵), so for {@code |x| ≤ 2³⁰} the
 * truncation is at most 2⁻¹³³ absolute, against |r| ≥ 2⁻⁶¹ for every double (the worst case of Muller,
 * Elementary Functions, ch. 11): r is within about 1 ulp of itself. Then fdlibm's {@code __kernel_sin} and
 * {@code __kernel_cos} (FreeBSD {@code k_sin.c}, {@code k_cos.c}: minimax of degree 13 and 14, error below 2⁻⁵⁸ on
 * [−π/4, π/4], the cos as {@code w + (((1 − w) − z/2) + z·z·C(z))}, {@code w = 1 − z/2}, which recovers the
 * rounding of w); in float, the Taylor polynomials to degree 9 and 10 (first omitted terms below 2·10⁻⁹ and
 * 10⁻¹⁰). The quadrant {@code q mod 4} picks the polynomial and the sign. For float the fast path stops at 2¹⁶
 * (the same argument, with P1 exact to 2⁻²⁴ and q·P2 a multiple of 2⁻⁴⁸; sampled, not exhaustively checked:
 * {@code VectorMathFunctionsTest} measures 1.4 ulps). Beyond the bounds (and for ±∞), lanes take {@code StrictMath}
 * (float: the double result rounded).
 */
final class VectorMath {
    private VectorMath() {
    }

    /** The species of every vector these methods take and return (that of {@link SimdF64} and {@link SimdF32}). */
    static final VectorSpecies<Double> SD = DoubleVector.SPECIES_PREFERRED;
    static final VectorSpecies<Float> SF = FloatVector.SPECIES_PREFERRED;

    // ------------------------------------------------------------------ scalar twins (in ScalarMath)

    /** {@link ScalarMath#exp(double)}: the bits of every lane of exp. */
    static double exp(double x) {
        return ScalarMath.exp(x);
    }

    /** {@link ScalarMath#log(double)}: the bits of every lane of log. */
    static double log(double x) {
        return ScalarMath.log(x);
    }

    /** {@link ScalarMath#log1p(double)}: the bits of every lane of log1p. */
    static double log1p(double x) {
        return ScalarMath.log1p(x);
    }

    /** {@link ScalarMath#sin(double)}: the bits of every lane of sin. */
    static double sin(double x) {
        return ScalarMath.sin(x);
    }

    /** {@link ScalarMath#cos(double)}: the bits of every lane of cos. */
    static double cos(double x) {
        return ScalarMath.cos(x);
    }

    /** {@link ScalarMath#exp(float)}: the bits of every lane of exp. */
    static float exp(float x) {
        return ScalarMath.exp(x);
    }

    /** {@link ScalarMath#log(float)}: the bits of every lane of log. */
    static float log(float x) {
        return ScalarMath.log(x);
    }

    /** {@link ScalarMath#log1p(float)}: the bits of every lane of log1p. */
    static float log1p(float x) {
        return ScalarMath.log1p(x);
    }

    /** {@link ScalarMath#sin(float)}: the bits of every lane of sin. */
    static float sin(float x) {
        return ScalarMath.sin(x);
    }

    /** {@link ScalarMath#cos(float)}: the bits of every lane of cos. */
    static float cos(float x) {
        return ScalarMath.cos(x);
    }

    // ================================================================== float64, vector
    // Each function is one loop over arrays, its whole sequence written out in the loop body: a vector passed to or
    // returned from a method C2 does not inline is boxed on the heap, and C2 declines to inline methods of this size
    // once they have been compiled on their own (a training step then allocated), so no vector
    // crosses a method boundary here. Lanes beyond the sin/cos bound leave through far(), which boxes, rarely.

    private static final int LD = SD.length();
    private static final int LF = SF.length();

    /** {@code out[oo + i] = }{@link #exp(double)}{@code (x[xo + i])} for {@code i < bound}, a multiple of the lanes. */
    static void exp(double[] x, int xo, double[] out, int oo, int bound) {
        for (int i = 0; i < bound; i += LD) {
            DoubleVector xc = DoubleVector.fromArray(SD, x, xo + i).max(EXP_LO).min(EXP_HI);
            DoubleVector t = xc.fma(LOG2E, SHIFT);
            DoubleVector nk = t.sub(SHIFT).neg();
            DoubleVector r = nk.fma(DoubleVector.broadcast(SD, LN2_HI), xc);
            r = nk.fma(DoubleVector.broadcast(SD, LN2_LO), r);
            DoubleVector p = r.fma(E13, E12);
            p = p.fma(r, DoubleVector.broadcast(SD, E11));
            p = p.fma(r, DoubleVector.broadcast(SD, E10));
            p = p.fma(r, DoubleVector.broadcast(SD, E9));
            p = p.fma(r, DoubleVector.broadcast(SD, E8));
            p = p.fma(r, DoubleVector.broadcast(SD, E7));
            p = p.fma(r, DoubleVector.broadcast(SD, E6));
            p = p.fma(r, DoubleVector.broadcast(SD, E5));
            p = p.fma(r, DoubleVector.broadcast(SD, E4));
            p = p.fma(r, DoubleVector.broadcast(SD, E3));
            p = p.fma(r, DoubleVector.broadcast(SD, E2));
            p = p.fma(r, DoubleVector.broadcast(SD, 1));
            p = p.fma(r, DoubleVector.broadcast(SD, 1));
            LongVector kl = t.viewAsIntegralLanes().sub(Double.doubleToRawLongBits(SHIFT));
            LongVector k1 = kl.lanewise(VectorOperators.ASHR, 1);
            LongVector k2 = kl.sub(k1);
            DoubleVector s1 = k1.add(1023).lanewise(VectorOperators.LSHL, 52).viewAsFloatingLanes();
            DoubleVector s2 = k2.add(1023).lanewise(VectorOperators.LSHL, 52).viewAsFloatingLanes();
            p.mul(s1).mul(s2).intoArray(out, oo + i);
        }
    }

    /** {@code out[oo + i] = }{@link #log(double)}{@code (x[xo + i])} for {@code i < bound}, a multiple of the lanes. */
    static void log(double[] x, int xo, double[] out, int oo, int bound) {
        for (int i = 0; i < bound; i += LD) {
            DoubleVector v = DoubleVector.fromArray(SD, x, xo + i);
            VectorMask<Double> sub = v.compare(VectorOperators.LT, Double.MIN_NORMAL);
            LongVector bits = v.blend(v.mul(TWO54), sub).viewAsIntegralLanes();
            DoubleVector dk = bits.lanewise(VectorOperators.LSHR, 52).or(0x4330_0000_0000_0000L).viewAsFloatingLanes()
                    .sub(EXP_BIAS);
            dk = dk.blend(dk.sub(54), sub);
            DoubleVector m = bits.and(0x000F_FFFF_FFFF_FFFFL).or(0x3FF0_0000_0000_0000L).viewAsFloatingLanes();
            VectorMask<Double> big = m.compare(VectorOperators.GT, SQRT2);
            m = m.blend(m.mul(0.5), big);
            dk = dk.blend(dk.add(1), big);
            DoubleVector f = m.sub(1);
            // logTail(f, dk, 0)
            DoubleVector s = f.div(f.add(2));
            DoubleVector z = s.mul(s);
            DoubleVector w = z.mul(z);
            DoubleVector t1 = w.mul(w.fma(w.fma(LG6, LG4), DoubleVector.broadcast(SD, LG2)));
            DoubleVector t2 = z.mul(w.fma(w.fma(w.fma(LG7, LG5), DoubleVector.broadcast(SD, LG3)),
                    DoubleVector.broadcast(SD, LG1)));
            DoubleVector rr = t2.add(t1);
            DoubleVector hfsq = f.mul(0.5).mul(f);
            DoubleVector lo = dk.fma(DoubleVector.broadcast(SD, LN2_LO), DoubleVector.zero(SD));
            DoubleVector r = dk.fma(DoubleVector.broadcast(SD, LN2_HI), hfsq.sub(s.fma(hfsq.add(rr), lo)).sub(f).neg());
            r = r.blend(v, v.compare(VectorOperators.EQ, Double.POSITIVE_INFINITY).or(v.compare(VectorOperators.NE, v)));
            r = r.blend(Double.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, 0));
            r.blend(Double.NaN, v.compare(VectorOperators.LT, 0)).intoArray(out, oo + i);
        }
    }

    /** {@code out[oo + i] = }{@link #log1p(double)}{@code (x[xo + i])} for {@code i < bound}, a multiple of the lanes. */
    static void log1p(double[] x, int xo, double[] out, int oo, int bound) {
        DoubleVector one = DoubleVector.broadcast(SD, 1);
        for (int i = 0; i < bound; i += LD) {
            DoubleVector v = DoubleVector.fromArray(SD, x, xo + i);
            DoubleVector u = one.add(v);
            DoubleVector e = one.sub(u).add(v).blend(v.sub(u).add(1), v.compare(VectorOperators.GT, 1));
            DoubleVector c = e.div(u);
            LongVector bits = u.viewAsIntegralLanes();
            DoubleVector dk = bits.lanewise(VectorOperators.LSHR, 52).or(0x4330_0000_0000_0000L).viewAsFloatingLanes()
                    .sub(EXP_BIAS);
            DoubleVector m = bits.and(0x000F_FFFF_FFFF_FFFFL).or(0x3FF0_0000_0000_0000L).viewAsFloatingLanes();
            VectorMask<Double> big = m.compare(VectorOperators.GT, SQRT2);
            m = m.blend(m.mul(0.5), big);
            dk = dk.blend(dk.add(1), big);
            VectorMask<Double> k0 = dk.compare(VectorOperators.EQ, 0);
            DoubleVector f = m.sub(1).blend(v, k0);
            c = c.blend(0, k0);
            // logTail(f, dk, c)
            DoubleVector s = f.div(f.add(2));
            DoubleVector z = s.mul(s);
            DoubleVector w = z.mul(z);
            DoubleVector t1 = w.mul(w.fma(w.fma(LG6, LG4), DoubleVector.broadcast(SD, LG2)));
            DoubleVector t2 = z.mul(w.fma(w.fma(w.fma(LG7, LG5), DoubleVector.broadcast(SD, LG3)),
                    DoubleVector.broadcast(SD, LG1)));
            DoubleVector rr = t2.add(t1);
            DoubleVector hfsq = f.mul(0.5).mul(f);
            DoubleVector lo = dk.fma(DoubleVector.broadcast(SD, LN2_LO), c);
            DoubleVector r = dk.fma(DoubleVector.broadcast(SD, LN2_HI), hfsq.sub(s.fma(hfsq.add(rr), lo)).sub(f).neg());
            r = r.blend(v, v.compare(VectorOperators.EQ, Double.POSITIVE_INFINITY).or(v.compare(VectorOperators.NE, v))
                    .or(v.compare(VectorOperators.EQ, 0)));
            r = r.blend(Double.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, -1));
            r.blend(Double.NaN, v.compare(VectorOperators.LT, -1)).intoArray(out, oo + i);
        }
    }

    /** {@code out[oo + i] = }{@link #sin(double)}{@code (x[xo + i])} for {@code i < bound}, a multiple of the lanes. */
    static void sin(double[] x, int xo, double[] out, int oo, int bound) {
        trig(x, xo, out, oo, bound, false);
    }

    /** {@code out[oo + i] = }{@link #cos(double)}{@code (x[xo + i])} for {@code i < bound}, a multiple of the lanes. */
    static void cos(double[] x, int xo, double[] out, int oo, int bound) {
        trig(x, xo, out, oo, bound, true);
    }

    private static void trig(double[] x, int xo, double[] out, int oo, int bound, boolean cos) {
        for (int i = 0; i < bound; i += LD) {
            DoubleVector v = DoubleVector.fromArray(SD, x, xo + i);
            DoubleVector t = v.fma(TWO_OVER_PI, SHIFT);
            DoubleVector q = t.sub(SHIFT).neg();
            DoubleVector r = q.fma(DoubleVector.broadcast(SD, P1), v);
            r = q.fma(DoubleVector.broadcast(SD, P2), r);
            r = q.fma(DoubleVector.broadcast(SD, P3), r);
            DoubleVector z = r.mul(r);
            DoubleVector sp = z.fma(S6, S5);
            sp = sp.fma(z, DoubleVector.broadcast(SD, S4));
            sp = sp.fma(z, DoubleVector.broadcast(SD, S3));
            sp = sp.fma(z, DoubleVector.broadcast(SD, S2));
            sp = sp.fma(z, DoubleVector.broadcast(SD, S1));
            sp = z.mul(r).fma(sp, r);
            DoubleVector cp = z.fma(C6, C5);
            cp = cp.fma(z, DoubleVector.broadcast(SD, C4));
            cp = cp.fma(z, DoubleVector.broadcast(SD, C3));
            cp = cp.fma(z, DoubleVector.broadcast(SD, C2));
            cp = cp.fma(z, DoubleVector.broadcast(SD, C1));
            DoubleVector hz = z.mul(0.5);
            DoubleVector w = hz.neg().add(1);
            cp = w.add(w.neg().add(1).sub(hz).add(z.mul(z.mul(cp))));
            // quadrant n = q mod 4 (the low bits of t): odd n swaps the polynomials, n + 1 for cos; bit 1 the sign
            LongVector n = t.viewAsIntegralLanes();
            if (cos) {
                n = n.add(1);
            }
            LongVector odd = n.lanewise(VectorOperators.LSHL, 63).lanewise(VectorOperators.ASHR, 63);
            LongVector sign = n.and(2).lanewise(VectorOperators.LSHL, 62);
            DoubleVector y = cp.viewAsIntegralLanes().and(odd)
                    .or(sp.viewAsIntegralLanes().lanewise(VectorOperators.AND_NOT, odd))
                    .lanewise(VectorOperators.XOR, sign).viewAsFloatingLanes();
            if (!cos) {
                y = y.blend(v, v.compare(VectorOperators.EQ, 0));
            }
            y.intoArray(out, oo + i);
            if (v.abs().compare(VectorOperators.GT, TRIG_MAX_F64).anyTrue()) {
                far(x, xo + i, out, oo + i, cos);
            }
        }
    }

    /** The lanes of one vector beyond {@link #TRIG_MAX_F64} by {@link StrictMath}. */
    private static void far(double[] x, int xo, double[] out, int oo, boolean cos) {
        for (int j = 0; j < LD; j++) {
            double a = x[xo + j];
            if (Math.abs(a) > TRIG_MAX_F64) {
                out[oo + j] = cos ? StrictMath.cos(a) : StrictMath.sin(a);
            }
        }
    }

    /**
     * {@code out[oo + i] = }{@link ScalarMath#erf(double)}{@code (x[xo + i])} for {@code i < bound}, a multiple of the
     * lanes and at most {@code stage.length / 2}: every lane evaluates all four pieces of fdlibm's approximation and
     * keeps its own, with the same operations as the scalar erf; the two exps of the tails are staged in
     * {@code stage} (arguments below e·MIN_NORMAL, taken only by lanes whose tail value is not kept, are raised to
     * it, so that no exp is subnormal).
     */
    static void erf(double[] x, int xo, double[] out, int oo, int bound, double[] stage) {
        int half = stage.length / 2;
        DoubleVector one = DoubleVector.broadcast(SD, 1);
        double expMin = Math.log(Double.MIN_NORMAL) + 1;
        for (int i = 0; i < bound; i += LD) {
            DoubleVector v = DoubleVector.fromArray(SD, x, xo + i);
            DoubleVector a = v.abs();
            DoubleVector s = one.div(v.mul(v));
            DoubleVector ra = DoubleVector.broadcast(SD, ERF_RA7).fma(s, DoubleVector.broadcast(SD, ERF_RA6))
                    .fma(s, DoubleVector.broadcast(SD, ERF_RA5)).fma(s, DoubleVector.broadcast(SD, ERF_RA4))
                    .fma(s, DoubleVector.broadcast(SD, ERF_RA3)).fma(s, DoubleVector.broadcast(SD, ERF_RA2))
                    .fma(s, DoubleVector.broadcast(SD, ERF_RA1)).fma(s, DoubleVector.broadcast(SD, ERF_RA0));
            DoubleVector sa = DoubleVector.broadcast(SD, ERF_SA8).fma(s, DoubleVector.broadcast(SD, ERF_SA7))
                    .fma(s, DoubleVector.broadcast(SD, ERF_SA6)).fma(s, DoubleVector.broadcast(SD, ERF_SA5))
                    .fma(s, DoubleVector.broadcast(SD, ERF_SA4)).fma(s, DoubleVector.broadcast(SD, ERF_SA3))
                    .fma(s, DoubleVector.broadcast(SD, ERF_SA2)).fma(s, DoubleVector.broadcast(SD, ERF_SA1))
                    .fma(s, one);
            DoubleVector rb = DoubleVector.broadcast(SD, ERF_RB6).fma(s, DoubleVector.broadcast(SD, ERF_RB5))
                    .fma(s, DoubleVector.broadcast(SD, ERF_RB4)).fma(s, DoubleVector.broadcast(SD, ERF_RB3))
                    .fma(s, DoubleVector.broadcast(SD, ERF_RB2)).fma(s, DoubleVector.broadcast(SD, ERF_RB1))
                    .fma(s, DoubleVector.broadcast(SD, ERF_RB0));
            DoubleVector sb = DoubleVector.broadcast(SD, ERF_SB7).fma(s, DoubleVector.broadcast(SD, ERF_SB6))
                    .fma(s, DoubleVector.broadcast(SD, ERF_SB5)).fma(s, DoubleVector.broadcast(SD, ERF_SB4))
                    .fma(s, DoubleVector.broadcast(SD, ERF_SB3)).fma(s, DoubleVector.broadcast(SD, ERF_SB2))
                    .fma(s, DoubleVector.broadcast(SD, ERF_SB1)).fma(s, one);
            DoubleVector rs = rb.div(sb).blend(ra.div(sa), a.compare(VectorOperators.LT, ERF_TAIL));
            DoubleVector h = a.reinterpretAsLongs().and(0xffffffff00000000L).reinterpretAsDoubles();
            h.neg().mul(h).sub(0.5625).max(expMin).intoArray(stage, i);
            h.sub(a).mul(h.add(a)).add(rs).max(expMin).intoArray(stage, half + i);
        }
        exp(stage, 0, stage, 0, bound);
        exp(stage, half, stage, half, bound);
        for (int i = 0; i < bound; i += LD) {
            DoubleVector v = DoubleVector.fromArray(SD, x, xo + i);
            DoubleVector a = v.abs();
            DoubleVector z = v.mul(v);
            DoubleVector pp = DoubleVector.broadcast(SD, ERF_PP4).fma(z, DoubleVector.broadcast(SD, ERF_PP3))
                    .fma(z, DoubleVector.broadcast(SD, ERF_PP2)).fma(z, DoubleVector.broadcast(SD, ERF_PP1))
                    .fma(z, DoubleVector.broadcast(SD, ERF_PP0));
            DoubleVector qq = DoubleVector.broadcast(SD, ERF_QQ5).fma(z, DoubleVector.broadcast(SD, ERF_QQ4))
                    .fma(z, DoubleVector.broadcast(SD, ERF_QQ3)).fma(z, DoubleVector.broadcast(SD, ERF_QQ2))
                    .fma(z, DoubleVector.broadcast(SD, ERF_QQ1)).fma(z, one);
            DoubleVector small = v.fma(pp.div(qq), v);
            DoubleVector m = a.sub(1);
            DoubleVector pa = DoubleVector.broadcast(SD, ERF_PA6).fma(m, DoubleVector.broadcast(SD, ERF_PA5))
                    .fma(m, DoubleVector.broadcast(SD, ERF_PA4)).fma(m, DoubleVector.broadcast(SD, ERF_PA3))
                    .fma(m, DoubleVector.broadcast(SD, ERF_PA2)).fma(m, DoubleVector.broadcast(SD, ERF_PA1))
                    .fma(m, DoubleVector.broadcast(SD, ERF_PA0));
            DoubleVector qa = DoubleVector.broadcast(SD, ERF_QA6).fma(m, DoubleVector.broadcast(SD, ERF_QA5))
                    .fma(m, DoubleVector.broadcast(SD, ERF_QA4)).fma(m, DoubleVector.broadcast(SD, ERF_QA3))
                    .fma(m, DoubleVector.broadcast(SD, ERF_QA2)).fma(m, DoubleVector.broadcast(SD, ERF_QA1))
                    .fma(m, one);
            DoubleVector mid = DoubleVector.broadcast(SD, ERX).add(pa.div(qa));
            DoubleVector e = DoubleVector.fromArray(SD, stage, i).mul(DoubleVector.fromArray(SD, stage, half + i));
            DoubleVector tail = one.sub(e.div(a));
            // from 6 on (and NaN): 1, or the NaN itself
            DoubleVector r = one.blend(a, a.test(VectorOperators.IS_NAN));
            r = r.blend(tail, a.compare(VectorOperators.LT, ERF_ONE));
            r = r.blend(mid, a.compare(VectorOperators.LT, ERF_MID));
            // copySign(r, v): r's magnitude with v's sign bit
            LongVector bits = r.reinterpretAsLongs().and(Long.MAX_VALUE)
                    .or(v.reinterpretAsLongs().and(Long.MIN_VALUE));
            DoubleVector big = bits.reinterpretAsDoubles();
            big.blend(small, a.compare(VectorOperators.LT, ERF_SMALL)).intoArray(out, oo + i);
        }
    }

    // ================================================================== float32, vector

    /** {@code out[oo + i] = }{@link #exp(float)}{@code (x[xo + i])} for {@code i < bound}, a multiple of the lanes. */
    static void exp(float[] x, int xo, float[] out, int oo, int bound) {
        for (int i = 0; i < bound; i += LF) {
            FloatVector xc = FloatVector.fromArray(SF, x, xo + i).max(EXP_LO_F).min(EXP_HI_F);
            FloatVector t = xc.fma(LOG2E_F, SHIFT_F);
            FloatVector nk = t.sub(SHIFT_F).neg();
            FloatVector r = nk.fma(FloatVector.broadcast(SF, LN2_HI_F), xc);
            r = nk.fma(FloatVector.broadcast(SF, LN2_LO_F), r);
            FloatVector p = r.fma(E7F, E6F);
            p = p.fma(r, FloatVector.broadcast(SF, E5F));
            p = p.fma(r, FloatVector.broadcast(SF, E4F));
            p = p.fma(r, FloatVector.broadcast(SF, E3F));
            p = p.fma(r, FloatVector.broadcast(SF, E2F));
            p = p.fma(r, FloatVector.broadcast(SF, 1f));
            p = p.fma(r, FloatVector.broadcast(SF, 1f));
            IntVector kl = t.viewAsIntegralLanes().sub(Float.floatToRawIntBits(SHIFT_F));
            IntVector k1 = kl.lanewise(VectorOperators.ASHR, 1);
            IntVector k2 = kl.sub(k1);
            FloatVector s1 = k1.add(127).lanewise(VectorOperators.LSHL, 23).viewAsFloatingLanes();
            FloatVector s2 = k2.add(127).lanewise(VectorOperators.LSHL, 23).viewAsFloatingLanes();
            p.mul(s1).mul(s2).intoArray(out, oo + i);
        }
    }

    /** {@code out[oo + i] = }{@link #log(float)}{@code (x[xo + i])} for {@code i < bound}, a multiple of the lanes. */
    static void log(float[] x, int xo, float[] out, int oo, int bound) {
        for (int i = 0; i < bound; i += LF) {
            FloatVector v = FloatVector.fromArray(SF, x, xo + i);
            VectorMask<Float> sub = v.compare(VectorOperators.LT, Float.MIN_NORMAL);
            IntVector bits = v.blend(v.mul(TWO25_F), sub).viewAsIntegralLanes();
            FloatVector dk = bits.lanewise(VectorOperators.LSHR, 23).or(0x4B00_0000).viewAsFloatingLanes()
                    .sub(EXP_BIAS_F);
            dk = dk.blend(dk.sub(25), sub);
            FloatVector m = bits.and(0x007F_FFFF).or(0x3F80_0000).viewAsFloatingLanes();
            VectorMask<Float> big = m.compare(VectorOperators.GT, SQRT2_F);
            m = m.blend(m.mul(0.5f), big);
            dk = dk.blend(dk.add(1), big);
            FloatVector f = m.sub(1);
            // logTail(f, dk, 0)
            FloatVector s = f.div(f.add(2));
            FloatVector z = s.mul(s);
            FloatVector w = z.mul(z);
            FloatVector t1 = w.mul(w.fma(LG4_F, LG2_F));
            FloatVector t2 = z.mul(w.fma(LG3_F, LG1_F));
            FloatVector rr = t2.add(t1);
            FloatVector hfsq = f.mul(0.5f).mul(f);
            FloatVector lo = dk.fma(FloatVector.broadcast(SF, LN2_LO_LOG_F), FloatVector.zero(SF));
            FloatVector r = dk.fma(FloatVector.broadcast(SF, LN2_HI_LOG_F), hfsq.sub(s.fma(hfsq.add(rr), lo)).sub(f).neg());
            r = r.blend(v, v.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY).or(v.compare(VectorOperators.NE, v)));
            r = r.blend(Float.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, 0));
            r.blend(Float.NaN, v.compare(VectorOperators.LT, 0)).intoArray(out, oo + i);
        }
    }

    /** {@code out[oo + i] = }{@link #log1p(float)}{@code (x[xo + i])} for {@code i < bound}, a multiple of the lanes. */
    static void log1p(float[] x, int xo, float[] out, int oo, int bound) {
        FloatVector one = FloatVector.broadcast(SF, 1f);
        for (int i = 0; i < bound; i += LF) {
            FloatVector v = FloatVector.fromArray(SF, x, xo + i);
            FloatVector u = one.add(v);
            FloatVector e = one.sub(u).add(v).blend(v.sub(u).add(1), v.compare(VectorOperators.GT, 1));
            FloatVector c = e.div(u);
            IntVector bits = u.viewAsIntegralLanes();
            FloatVector dk = bits.lanewise(VectorOperators.LSHR, 23).or(0x4B00_0000).viewAsFloatingLanes()
                    .sub(EXP_BIAS_F);
            FloatVector m = bits.and(0x007F_FFFF).or(0x3F80_0000).viewAsFloatingLanes();
            VectorMask<Float> big = m.compare(VectorOperators.GT, SQRT2_F);
            m = m.blend(m.mul(0.5f), big);
            dk = dk.blend(dk.add(1), big);
            VectorMask<Float> k0 = dk.compare(VectorOperators.EQ, 0);
            FloatVector f = m.sub(1).blend(v, k0);
            c = c.blend(0, k0);
            // logTail(f, dk, c)
            FloatVector s = f.div(f.add(2));
            FloatVector z = s.mul(s);
            FloatVector w = z.mul(z);
            FloatVector t1 = w.mul(w.fma(LG4_F, LG2_F));
            FloatVector t2 = z.mul(w.fma(LG3_F, LG1_F));
            FloatVector rr = t2.add(t1);
            FloatVector hfsq = f.mul(0.5f).mul(f);
            FloatVector lo = dk.fma(FloatVector.broadcast(SF, LN2_LO_LOG_F), c);
            FloatVector r = dk.fma(FloatVector.broadcast(SF, LN2_HI_LOG_F), hfsq.sub(s.fma(hfsq.add(rr), lo)).sub(f).neg());
            r = r.blend(v, v.compare(VectorOperators.EQ, Float.POSITIVE_INFINITY).or(v.compare(VectorOperators.NE, v))
                    .or(v.compare(VectorOperators.EQ, 0)));
            r = r.blend(Float.NEGATIVE_INFINITY, v.compare(VectorOperators.EQ, -1));
            r.blend(Float.NaN, v.compare(VectorOperators.LT, -1)).intoArray(out, oo + i);
        }
    }

    /** {@code out[oo + i] = }{@link #sin(float)}{@code (x[xo + i])} for {@code i < bound}, a multiple of the lanes. */
    static void sin(float[] x, int xo, float[] out, int oo, int bound) {
        trig(x, xo, out, oo, bound, false);
    }

    /** {@code out[oo + i] = }{@link #cos(float)}{@code (x[xo + i])} for {@code i < bound}, a multiple of the lanes. */
    static void cos(float[] x, int xo, float[] out, int oo, int bound) {
        trig(x, xo, out, oo, bound, true);
    }

    private static void trig(float[] x, int xo, float[] out, int oo, int bound, boolean cos) {
        for (int i = 0; i < bound; i += LF) {
            FloatVector v = FloatVector.fromArray(SF, x, xo + i);
            FloatVector t = v.fma(TWO_OVER_PI_F, SHIFT_F);
            FloatVector q = t.sub(SHIFT_F).neg();
            FloatVector r = q.fma(FloatVector.broadcast(SF, P1_F), v);
            r = q.fma(FloatVector.broadcast(SF, P2_F), r);
            r = q.fma(FloatVector.broadcast(SF, P3_F), r);
            FloatVector z = r.mul(r);
            FloatVector sp = z.fma(S4_F, S3_F);
            sp = sp.fma(z, FloatVector.broadcast(SF, S2_F));
            sp = sp.fma(z, FloatVector.broadcast(SF, S1_F));
            sp = z.mul(r).fma(sp, r);
            FloatVector cp = z.fma(C4_F, C3_F);
            cp = cp.fma(z, FloatVector.broadcast(SF, C2_F));
            cp = cp.fma(z, FloatVector.broadcast(SF, C1_F));
            FloatVector hz = z.mul(0.5f);
            FloatVector w = hz.neg().add(1);
            cp = w.add(w.neg().add(1).sub(hz).add(z.mul(z.mul(cp))));
            // quadrant n = q mod 4 (the low bits of t): odd n swaps the polynomials, n + 1 for cos; bit 1 the sign
            IntVector n = t.viewAsIntegralLanes();
            if (cos) {
                n = n.add(1);
            }
            IntVector odd = n.lanewise(VectorOperators.LSHL, 31).lanewise(VectorOperators.ASHR, 31);
            IntVector sign = n.and(2).lanewise(VectorOperators.LSHL, 30);
            FloatVector y = cp.viewAsIntegralLanes().and(odd)
                    .or(sp.viewAsIntegralLanes().lanewise(VectorOperators.AND_NOT, odd))
                    .lanewise(VectorOperators.XOR, sign).viewAsFloatingLanes();
            if (!cos) {
                y = y.blend(v, v.compare(VectorOperators.EQ, 0));
            }
            y.intoArray(out, oo + i);
            if (v.abs().compare(VectorOperators.GT, TRIG_MAX_F32).anyTrue()) {
                far(x, xo + i, out, oo + i, cos);
            }
        }
    }

    /** The lanes of one vector beyond {@link #TRIG_MAX_F32} by {@link StrictMath}. */
    private static void far(float[] x, int xo, float[] out, int oo, boolean cos) {
        for (int j = 0; j < LF; j++) {
            float a = x[xo + j];
            if (Math.abs(a) > TRIG_MAX_F32) {
                out[oo + j] = cos ? (float) StrictMath.cos(a) : (float) StrictMath.sin(a);
            }
        }
    }

}
