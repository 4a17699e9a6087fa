package dev.nabla.core.backend.simd;

import dev.nabla.core.random.BoxMuller;
import dev.nabla.core.random.Philox;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Objects;

/**
 * {@link Philox#normal} computed in vector lanes, the Philox4x32-10 blocks (Salmon et al., SC'11) and the Box–Muller
 * transform both: the same numbers, bit for bit, several times faster than the scalar code (bench/README.md, "Design
 * measurements").
 *
 * <p>A scalar Philox block is a chain of ten dependent rounds (two 32×32→64-bit products each), long in latency, and {@link Philox#normalAt} needs two of them, at counters {@code (i, 3)} and {@code (i, 4)}, before
 * its log and cos. Here each 64-bit lane carries one block, its 32-bit words zero-extended, so one pass of the
 * rounds computes {@code 2 · lanes} blocks: products of the low halves ({@code (a & 2³²−1) · M}, a single
 * {@code vpmuludq}), {@code >>> 32} for the high word and a mask for the low one. The integer arithmetic is
 * exact, and so are the conversions {@code ((w >>> 11) + 1) · 2⁻⁵³} of a 53-bit integer to double, so the
 * uniforms equal those of {@link Philox#normalAt}; the transform {@code √(−2 ln u₁) cos(2π u₂)} then applies
 * {@link BoxMuller}'s log and cos lane-wise, the same IEEE operations in the same order (the square root is
 * correctly rounded in both), so it rounds as the scalar code does, compiled or interpreted.
 */
final class SimdRandom {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final long MASK32 = 0xFFFF_FFFFL;
    private static final long M0 = 0xD2511F53L;
    private static final long M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    /** Uniform pairs computed per pass before the transform (per thread, reused). */
    static final int CHUNK = 256;
    private static final ThreadLocal<double[]> SCRATCH = ThreadLocal.withInitial(() -> new double[2 * CHUNK]);

    // the Taylor coefficients as scalar constants, which the JIT folds (array elements it would load)
    private static final double C0 = BoxMuller.COS[0];
    private static final double C1 = BoxMuller.COS[1];
    private static final double C2 = BoxMuller.COS[2];
    private static final double C3 = BoxMuller.COS[3];
    private static final double C4 = BoxMuller.COS[4];
    private static final double C5 = BoxMuller.COS[5];
    private static final double C6 = BoxMuller.COS[6];
    private static final double C7 = BoxMuller.COS[7];
    private static final double C8 = BoxMuller.COS[8];
    private static final double C9 = BoxMuller.COS[9];
    private static final double S0 = BoxMuller.SIN[0];
    private static final double S1 = BoxMuller.SIN[1];
    private static final double S2 = BoxMuller.SIN[2];
    private static final double S3 = BoxMuller.SIN[3];
    private static final double S4 = BoxMuller.SIN[4];
    private static final double S5 = BoxMuller.SIN[5];
    private static final double S6 = BoxMuller.SIN[6];
    private static final double S7 = BoxMuller.SIN[7];
    private static final double S8 = BoxMuller.SIN[8];

    private SimdRandom() {
    }

    /** Fills {@code out[outOff .. outOff+n)} with {@link Philox#normalAt}{@code (key, offset + i)}. */
    static void normal(long key, long offset, double[] out, int outOff, int n) {
        Objects.checkFromIndexSize(outOff, n, out.length);
        double[] u = SCRATCH.get();
        for (int done = 0; done < n; done += CHUNK) {
            int c = Math.min(CHUNK, n - done);
            normals(key, offset + done, u, c);
            System.arraycopy(u, 0, out, outOff + done, c);
        }
    }

    /** float32 normals: {@link Philox#normalAt} rounded to float. */
    static void normal(long key, long offset, float[] out, int outOff, int n) {
        Objects.checkFromIndexSize(outOff, n, out.length);
        double[] u = SCRATCH.get();
        for (int done = 0; done < n; done += CHUNK) {
            int c = Math.min(CHUNK, n - done);
            normals(key, offset + done, u, c);
            for (int i = 0; i < c; i++) {
                out[outOff + done + i] = (float) u[i];
            }
        }
    }

    /**
     * {@code u[i] = }{@link Philox#normalAt}{@code (key, first + i)} for {@code i < n}: {@code u₁} and {@code u₂} of
     * each (the first 64 bits of the blocks at counters {@code (first + i, 3)} and {@code (first + i, 4)}), then
     * {@code √(−2 ln u₁) cos 2πu₂} with {@link BoxMuller}'s log and cos, operation for operation, in vector lanes.
     */
    private static void normals(long key, long first, double[] u, int n) {
        uniformPairs(key, first, u, n);
        int i = 0;
        for (; i <= n - D.length(); i += D.length()) {
            radius(u, i);
            timesCos(u, i);
        }
        for (; i < n; i++) {
            u[i] = Math.sqrt(-2 * BoxMuller.log(u[i])) * BoxMuller.cos2pi(u[CHUNK + i]);
        }
    }

    /**
     * {@code u[i …] = √(−2 ln u[i …])}: {@link BoxMuller#log} lane-wise, the same operations in the same order. This
     * and {@link #timesCos} take arrays, not vectors: passed to or returned from a method the JIT does not inline
     * (one of their size), vectors are boxed on the heap.
     */
    private static void radius(double[] u, int i) {
        LongVector bits = (LongVector) DoubleVector.fromArray(D, u, i).viewAsIntegralLanes();
        LongVector k = bits.lanewise(VectorOperators.LSHR, 52).sub(1023);
        DoubleVector m = (DoubleVector) bits.and(0x000F_FFFF_FFFF_FFFFL).or(0x3FF0_0000_0000_0000L)
                .viewAsFloatingLanes();
        VectorMask<Double> big = m.compare(VectorOperators.GT, BoxMuller.SQRT2);
        m = m.blend(m.mul(0.5), big);
        k = k.add(LongVector.broadcast(L, 1), big.cast(L));
        DoubleVector f = m.sub(1);
        DoubleVector s = f.div(f.add(2));
        DoubleVector dk = (DoubleVector) k.convert(VectorOperators.L2D, 0);
        DoubleVector zz = s.mul(s);
        DoubleVector w = zz.mul(zz);
        DoubleVector t1 = w.mul(w.mul(w.mul(BoxMuller.LG6).add(BoxMuller.LG4)).add(BoxMuller.LG2));
        DoubleVector t2 = zz.mul(w.mul(w.mul(w.mul(BoxMuller.LG7).add(BoxMuller.LG5)).add(BoxMuller.LG3))
                .add(BoxMuller.LG1));
        DoubleVector rr = t2.add(t1);
        DoubleVector hfsq = f.mul(0.5).mul(f);
        DoubleVector ln = dk.mul(BoxMuller.LN2_HI).sub(hfsq.sub(s.mul(hfsq.add(rr)).add(dk.mul(BoxMuller.LN2_LO))).sub(f));
        DoubleVector radius = ln.mul(-2).lanewise(VectorOperators.SQRT);
        radius.intoArray(u, i);
    }

    /** {@code u[i …] *= cos 2πu[CHUNK + i …]}: {@link BoxMuller#cos2pi} lane-wise, both polynomials, then the range's. */
    private static void timesCos(double[] u, int i) {
        DoubleVector radius = DoubleVector.fromArray(D, u, i);
        DoubleVector uu = DoubleVector.fromArray(D, u, CHUNK + i);
        DoubleVector a = uu.blend(DoubleVector.broadcast(D, 1).sub(uu), uu.compare(VectorOperators.GT, 0.5));
        // a ≤ ⅛: cos 2πa; ⅛ < a ≤ ⅜: −sin 2π(a − ¼); a > ⅜: −cos 2π(½ − a) (each later blend overrides the earlier)
        VectorMask<Double> q1 = a.compare(VectorOperators.GT, 0.125);
        VectorMask<Double> q2 = a.compare(VectorOperators.GT, 0.375);
        DoubleVector r = a.blend(a.sub(0.25), q1).blend(DoubleVector.broadcast(D, 0.5).sub(a), q2);
        DoubleVector z = r.mul(r);
        DoubleVector c = h(h(h(h(h(h(h(h(z.fma(C9, C8), z, C7), z, C6), z, C5), z, C4), z, C3), z, C2), z, C1), z, C0);
        DoubleVector sn = h(h(h(h(h(h(h(z.fma(S8, S7), z, S6), z, S5), z, S4), z, S3), z, S2), z, S1), z, S0);
        radius.mul(c.blend(r.mul(sn).neg(), q1).blend(c.neg(), q2)).intoArray(u, i);
    }

    /** One Horner step {@code p·z + c}, fused, as {@code Math.fma(p, z, c)}. */
    private static DoubleVector h(DoubleVector p, DoubleVector z, double c) {
        return p.fma(z, DoubleVector.broadcast(D, c));
    }

    /**
     * {@code u[i] = u₁} and {@code u[CHUNK + i] = u₂} of {@link Philox#normalAt}{@code (key, first + i)} for
     * {@code i < n}: the first 64 bits of the blocks at counters {@code (first + i, 3)} and {@code (first + i, 4)}.
     */
    private static void uniformPairs(long key, long first, double[] u, int n) {
        int lanes = L.length();
        int k0 = (int) key;
        int k1 = (int) (key >>> 32);
        LongVector iota = LongVector.zero(L).addIndex(1);
        int i = 0;
        for (; i <= n - lanes; i += lanes) {
            LongVector index = iota.add(first + i);
            LongVector lo = index.and(MASK32);
            LongVector hi = index.lanewise(VectorOperators.LSHR, 32);
            // block A: counter (index, 3) — words c0 = lo, c1 = hi, c2 = 3, c3 = 0; block B: c2 = 4
            LongVector a0 = lo;
            LongVector a1 = hi;
            LongVector a2 = LongVector.broadcast(L, 3);
            LongVector a3 = LongVector.zero(L);
            LongVector b0 = lo;
            LongVector b1 = hi;
            LongVector b2 = LongVector.broadcast(L, 4);
            LongVector b3 = a3;
            int kk0 = k0;
            int kk1 = k1;
            for (int r = 0; r < 10; r++) {
                long key0 = kk0 & MASK32;
                long key1 = kk1 & MASK32;
                LongVector pa0 = a0.mul(M0);
                LongVector pa1 = a2.mul(M1);
                LongVector pb0 = b0.mul(M0);
                LongVector pb1 = b2.mul(M1);
                LongVector na0 = pa1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, a1).lanewise(VectorOperators.XOR, key0);
                LongVector na2 = pa0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, a3).lanewise(VectorOperators.XOR, key1);
                LongVector nb0 = pb1.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, b1).lanewise(VectorOperators.XOR, key0);
                LongVector nb2 = pb0.lanewise(VectorOperators.LSHR, 32).lanewise(VectorOperators.XOR, b3).lanewise(VectorOperators.XOR, key1);
                a1 = pa1.and(MASK32);
                a3 = pa0.and(MASK32);
                b1 = pb1.and(MASK32);
                b3 = pb0.and(MASK32);
                a0 = na0;
                a2 = na2;
                b0 = nb0;
                b2 = nb2;
                kk0 += W0;
                kk1 += W1;
            }
            // u₁ = ((w >>> 11) + 1) · 2⁻⁵³ and u₂ = (w >>> 11) · 2⁻⁵³ with w = x0 | x1 << 32
            LongVector wa = a0.or(a1.lanewise(VectorOperators.LSHL, 32)).lanewise(VectorOperators.LSHR, 11).add(1);
            LongVector wb = b0.or(b1.lanewise(VectorOperators.LSHL, 32)).lanewise(VectorOperators.LSHR, 11);
            ((DoubleVector) wa.convertShape(VectorOperators.L2D, D, 0)).mul(0x1.0p-53).intoArray(u, i);
            ((DoubleVector) wb.convertShape(VectorOperators.L2D, D, 0)).mul(0x1.0p-53).intoArray(u, CHUNK + i);
        }
        for (; i < n; i++) {
            u[i] = ((Philox.block64(key, first + i, 3) >>> 11) + 1) * 0x1.0p-53;
            u[CHUNK + i] = (Philox.block64(key, first + i, 4) >>> 11) * 0x1.0p-53;
        }
    }
}
