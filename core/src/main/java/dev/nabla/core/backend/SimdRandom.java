package dev.nabla.core.backend;

import dev.nabla.core.random.Philox;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.util.Objects;

/**
 * {@link Philox#normal} with the Philox4x32-10 blocks (Salmon et al., SC'11) computed in vector lanes: the same
 * numbers, bit for bit, about twice as fast.
 *
 * <p>A scalar Philox block is a chain of ten dependent rounds (two 32×32→64-bit products each), about 15 ns of
 * latency, and {@link Philox#normalAt} needs two of them, at counters {@code (i, 3)} and {@code (i, 4)}, before
 * its log and cos. Here each 64-bit lane carries one block, its 32-bit words zero-extended, so one pass of the
 * rounds computes {@code 2 · lanes} blocks: products of the low halves ({@code (a & 2³²−1) · M}, a single
 * {@code vpmuludq}), {@code >>> 32} for the high word and a mask for the low one. The integer arithmetic is
 * exact, and so are the conversions {@code ((w >>> 11) + 1) · 2⁻⁵³} of a 53-bit integer to double, so the
 * uniforms equal those of {@link Philox#normalAt}; the Box–Muller transform {@code √(−2 ln u₁) cos(2π u₂)}
 * then runs in the same scalar code ({@code Math.log}, {@code Math.cos}), whose bits do not depend on the JIT.
 */
final class SimdRandom {
    private static final VectorSpecies<Long> L = LongVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Double> D = DoubleVector.SPECIES_PREFERRED;
    private static final long MASK32 = 0xFFFF_FFFFL;
    private static final long M0 = 0xD2511F53L;
    private static final long M1 = 0xCD9E8D57L;
    private static final int W0 = 0x9E3779B9;
    private static final int W1 = 0xBB67AE85;
    /** Uniform pairs computed per pass before the scalar transform (per thread, reused). */
    static final int CHUNK = 256;
    private static final ThreadLocal<double[]> SCRATCH = ThreadLocal.withInitial(() -> new double[2 * CHUNK]);

    private SimdRandom() {
    }

    /** Fills {@code out[outOff .. outOff+n)} with {@link Philox#normalAt}{@code (key, offset + i)}. */
    static void normal(long key, long offset, double[] out, int outOff, int n) {
        Objects.checkFromIndexSize(outOff, n, out.length);
        double[] u = SCRATCH.get();
        for (int done = 0; done < n; done += CHUNK) {
            int c = Math.min(CHUNK, n - done);
            uniformPairs(key, offset + done, u, c);
            for (int i = 0; i < c; i++) {
                out[outOff + done + i] = boxMuller(u[i], u[CHUNK + i]);
            }
        }
    }

    /** float32 normals: {@link Philox#normalAt} rounded to float. */
    static void normal(long key, long offset, float[] out, int outOff, int n) {
        Objects.checkFromIndexSize(outOff, n, out.length);
        double[] u = SCRATCH.get();
        for (int done = 0; done < n; done += CHUNK) {
            int c = Math.min(CHUNK, n - done);
            uniformPairs(key, offset + done, u, c);
            for (int i = 0; i < c; i++) {
                out[outOff + done + i] = (float) boxMuller(u[i], u[CHUNK + i]);
            }
        }
    }

    /** The transform of {@link Philox#normalAt}, written the same way so that it rounds the same way. */
    private static double boxMuller(double u1, double u2) {
        return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
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
