package dev.nabla.core.random;

import java.util.Objects;

/**
 * The Philox4x32-10 counter-based pseudo-random function of Salmon, Moraes, Dror and Shaw,
 * "Parallel random numbers: as easy as 1, 2, 3", SC'11 (doi:10.1145/2063384.2063405), as
 * implemented by the authors' Random123 library ({@code philox4x32_R(10, ctr, key)}).
 *
 * <p>Philox maps a 64-bit key and a 128-bit counter to 128 random bits through ten rounds of
 * two 32×32→64-bit multiplications, xors and a Weyl-sequence key schedule. It keeps no state:
 * the bits at a counter depend on the key and that counter only, so any element of a stream can
 * be computed directly, in any order, on any thread or device. Everything here is static,
 * thread-safe and allocation-free.
 *
 * <h2>Word layout</h2>
 * A 64-bit {@code key} supplies the two Philox key words {@code k0 = (int) key} (low half) and
 * {@code k1 = (int) (key >>> 32)} (high half). A counter given as two longs
 * {@code (counterLo, counterHi)} supplies the four counter words, least significant first:
 * {@code c0 = low(counterLo), c1 = high(counterLo), c2 = low(counterHi), c3 = high(counterHi)}.
 *
 * <h2>The stream of a key</h2>
 * The <em>stream</em> of a key is the concatenation of the blocks at counters
 * {@code (b, 0)} for {@code b = 0, 1, 2, …}; block {@code b} contributes the 32-bit words
 * {@code 4b … 4b+3} (its outputs {@code x0 … x3}) and the 64-bit words {@code 2b}
 * ({@code x0 | x1 << 32}) and {@code 2b+1} ({@code x2 | x3 << 32}). Indices into the stream are
 * unsigned 64-bit. Stream element {@code i}:
 * <ul>
 *   <li>{@link #bits64(long, long)}: 64-bit word {@code i};
 *   <li>{@link #bits32(long, long)}: 32-bit word {@code i};
 *   <li>{@link #uniformAt(long, long)}: the top 53 bits of 64-bit word {@code i} scaled by
 *       2<sup>−53</sup>, a double in [0, 1) on the grid k·2<sup>−53</sup>;
 *   <li>{@link #uniformFloatAt(long, long)}: the top 24 bits of 32-bit word {@code i} scaled by
 *       2<sup>−24</sup>, a float in [0, 1) on the grid k·2<sup>−24</sup>.
 * </ul>
 * The bulk fills {@link #uniform(long, long, double[], int, int)} and
 * {@link #uniform(long, long, float[], int, int)} write exactly these values for
 * {@code i = offset … offset+n−1}, so the numbers do not depend on how a backend chunks or
 * threads the work. Counters with {@code counterHi ≠ 0} are never touched by a stream; {@link Key}
 * uses them (as domain tags) to derive new keys.
 *
 * <p>Float and double draws from the same key and index range share bits (they read the same
 * blocks); as with any explicit-key generator, use a key for one draw and derive fresh keys with
 * {@link Key#fold(long)} or {@link Key#split(int)} for others.
 */
public final class Philox {

    /** Round multiplier for counter word 0 (Salmon et al. 2011; Random123 {@code PHILOX_M4x32_0}). */
    static final int M0 = 0xD2511F53;
    /** Round multiplier for counter word 2 (Random123 {@code PHILOX_M4x32_1}). */
    static final int M1 = 0xCD9E8D57;
    /** Weyl key increment for key word 0: the golden ratio, 2<sup>32</sup>(√5−1)/2 (Random123 {@code PHILOX_W32_0}). */
    static final int W0 = 0x9E3779B9;
    /** Weyl key increment for key word 1: 2<sup>32</sup>(√3−1) (Random123 {@code PHILOX_W32_1}). */
    static final int W1 = 0xBB67AE85;
    /** Number of rounds: Philox4x32-10, the variant the paper recommends (Crush-resistant with a safety margin). */
    static final int ROUNDS = 10;

    private static final long MASK32 = 0xFFFF_FFFFL;
    private static final double DOUBLE_ULP = 0x1.0p-53;
    private static final float FLOAT_ULP = 0x1.0p-24f;

    private Philox() {
    }

    /**
     * One Philox4x32-10 block (Salmon et al. 2011, §3.3; Random123 {@code philox4x32_R(10, ctr, key)}):
     * writes the four 32-bit outputs {@code x0 … x3} for counter {@code (c0, c1, c2, c3)} and key
     * {@code (k0, k1)} to {@code out[outOff … outOff+3]}.
     *
     * <p>Each round maps {@code (c0, c1, c2, c3)} to
     * {@code (hi(M1·c2) ^ c1 ^ k0, lo(M1·c2), hi(M0·c0) ^ c3 ^ k1, lo(M0·c0))}, products taken
     * unsigned 32×32→64; between rounds the key is bumped by {@code (W0, W1)}.
     *
     * @param k0 key word 0
     * @param k1 key word 1
     * @param c0 counter word 0 (least significant)
     * @param c1 counter word 1
     * @param c2 counter word 2
     * @param c3 counter word 3 (most significant)
     * @param out receives the four output words
     * @param outOff index in {@code out} of output word 0
     * @throws IndexOutOfBoundsException if {@code out} has no room for four words at {@code outOff}
     */
    public static void block(int k0, int k1, int c0, int c1, int c2, int c3, int[] out, int outOff) {
        Objects.checkFromIndexSize(outOff, 4, out.length);
        for (int r = 0; r < ROUNDS; r++) {
            long p0 = (c0 & MASK32) * (M0 & MASK32);
            long p1 = (c2 & MASK32) * (M1 & MASK32);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        out[outOff] = c0;
        out[outOff + 1] = c1;
        out[outOff + 2] = c2;
        out[outOff + 3] = c3;
    }

    /**
     * The first 64 bits, {@code x0 | x1 << 32}, of the Philox4x32-10 block (Salmon et al. 2011)
     * at the 128-bit counter {@code (counterLo, counterHi)} under {@code key}; see the class
     * comment for the word layout. A pseudo-random function of (key, counter): used by {@link Key}
     * to derive keys.
     *
     * @param key the 64-bit key
     * @param counterLo counter bits 0–63
     * @param counterHi counter bits 64–127
     * @return output words 0 and 1 as one long, word 0 in the low half
     */
    public static long block64(long key, long counterLo, long counterHi) {
        int k0 = (int) key;
        int k1 = (int) (key >>> 32);
        int c0 = (int) counterLo;
        int c1 = (int) (counterLo >>> 32);
        int c2 = (int) counterHi;
        int c3 = (int) (counterHi >>> 32);
        for (int r = 0; r < ROUNDS; r++) {
            long p0 = (c0 & MASK32) * (M0 & MASK32);
            long p1 = (c2 & MASK32) * (M1 & MASK32);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        return (c0 & MASK32) | ((long) c1 << 32);
    }

    /**
     * 64-bit word {@code index} (unsigned) of the stream of {@code key}: half
     * {@code index & 1} of the Philox4x32-10 block (Salmon et al. 2011) at counter
     * {@code (index >>> 1, 0)}, i.e. {@code x0 | x1 << 32} for even and {@code x2 | x3 << 32} for
     * odd indices.
     *
     * @param key the 64-bit key
     * @param index position in the stream, unsigned
     * @return 64 random bits depending only on {@code (key, index)}
     */
    public static long bits64(long key, long index) {
        int k0 = (int) key;
        int k1 = (int) (key >>> 32);
        long b = index >>> 1;
        int c0 = (int) b;
        int c1 = (int) (b >>> 32);
        int c2 = 0;
        int c3 = 0;
        for (int r = 0; r < ROUNDS; r++) {
            long p0 = (c0 & MASK32) * (M0 & MASK32);
            long p1 = (c2 & MASK32) * (M1 & MASK32);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        return (index & 1) == 0
                ? (c0 & MASK32) | ((long) c1 << 32)
                : (c2 & MASK32) | ((long) c3 << 32);
    }

    /**
     * 32-bit word {@code index} (unsigned) of the stream of {@code key}: output word
     * {@code index & 3} of the Philox4x32-10 block (Salmon et al. 2011) at counter
     * {@code (index >>> 2, 0)}.
     *
     * @param key the 64-bit key
     * @param index position in the stream, unsigned
     * @return 32 random bits depending only on {@code (key, index)}
     */
    public static int bits32(long key, long index) {
        int k0 = (int) key;
        int k1 = (int) (key >>> 32);
        long b = index >>> 2;
        int c0 = (int) b;
        int c1 = (int) (b >>> 32);
        int c2 = 0;
        int c3 = 0;
        for (int r = 0; r < ROUNDS; r++) {
            long p0 = (c0 & MASK32) * (M0 & MASK32);
            long p1 = (c2 & MASK32) * (M1 & MASK32);
            int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
            int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
            c1 = (int) p1;
            c3 = (int) p0;
            c0 = n0;
            c2 = n2;
            k0 += W0;
            k1 += W1;
        }
        return switch ((int) (index & 3)) {
            case 0 -> c0;
            case 1 -> c1;
            case 2 -> c2;
            default -> c3;
        };
    }

    /**
     * Stream element {@code index} of {@code key} as a double: {@code (bits64(key, index) >>> 11)
     * · 2^−53}, uniform on the 2<sup>53</sup> points k·2<sup>−53</sup> of [0, 1); Philox4x32-10
     * (Salmon et al. 2011). Equal to what {@link #uniform(long, long, double[], int, int)} writes
     * for that index. Zero is possible (probability 2<sup>−53</sup>), one is not.
     *
     * @param key the 64-bit key
     * @param index position in the stream, unsigned
     * @return a uniform double in [0, 1)
     */
    public static double uniformAt(long key, long index) {
        return toUnitDouble(bits64(key, index));
    }

    /**
     * Stream element {@code index} of {@code key} as a float: {@code (bits32(key, index) >>> 8)
     * · 2^−24}, uniform on the 2<sup>24</sup> points k·2<sup>−24</sup> of [0, 1); Philox4x32-10
     * (Salmon et al. 2011). Equal to what {@link #uniform(long, long, float[], int, int)} writes
     * for that index. Zero is possible (probability 2<sup>−24</sup>), one is not.
     *
     * @param key the 64-bit key
     * @param index position in the stream, unsigned
     * @return a uniform float in [0, 1)
     */
    public static float uniformFloatAt(long key, long index) {
        return toUnitFloat(bits32(key, index));
    }

    /**
     * Fills {@code out[outOff … outOff+n−1]} with stream elements {@code offset … offset+n−1}
     * of {@code key} as doubles in [0, 1): {@code out[outOff+i] == uniformAt(key, offset+i)}
     * (53 random bits each; Philox4x32-10, Salmon et al. 2011). Each element depends only on
     * {@code (key, offset+i)}, so filling a range in any chunks, in any order or on any number
     * of threads gives identical numbers. Indices wrap as unsigned 64-bit. Allocation-free.
     *
     * @param key the 64-bit key
     * @param offset stream index of the first element written
     * @param out destination
     * @param outOff first position written in {@code out}
     * @param n number of elements, non-negative
     * @throws IndexOutOfBoundsException if {@code [outOff, outOff+n)} is not within {@code out}
     */
    public static void uniform(long key, long offset, double[] out, int outOff, int n) {
        Objects.checkFromIndexSize(outOff, n, out.length);
        if (n == 0) {
            return;
        }
        final int key0 = (int) key;
        final int key1 = (int) (key >>> 32);
        int pos = outOff;
        final int end = outOff + n;
        long block = offset >>> 1;
        boolean skipFirstHalf = (offset & 1) != 0;
        while (pos < end) {
            int k0 = key0;
            int k1 = key1;
            int c0 = (int) block;
            int c1 = (int) (block >>> 32);
            int c2 = 0;
            int c3 = 0;
            for (int r = 0; r < ROUNDS; r++) {
                long p0 = (c0 & MASK32) * (M0 & MASK32);
                long p1 = (c2 & MASK32) * (M1 & MASK32);
                int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
                int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
                c1 = (int) p1;
                c3 = (int) p0;
                c0 = n0;
                c2 = n2;
                k0 += W0;
                k1 += W1;
            }
            if (!skipFirstHalf) {
                out[pos++] = toUnitDouble((c0 & MASK32) | ((long) c1 << 32));
                if (pos == end) {
                    break;
                }
            }
            skipFirstHalf = false;
            out[pos++] = toUnitDouble((c2 & MASK32) | ((long) c3 << 32));
            block = (block + 1) & (-1L >>> 1); // index 2^64 − 1 is followed by index 0, in block 0
        }
    }

    /**
     * Fills {@code out[outOff … outOff+n−1]} with stream elements {@code offset … offset+n−1}
     * of {@code key} as floats in [0, 1): {@code out[outOff+i] == uniformFloatAt(key, offset+i)}
     * (24 random bits each; Philox4x32-10, Salmon et al. 2011). Each element depends only on
     * {@code (key, offset+i)}, so filling a range in any chunks, in any order or on any number
     * of threads gives identical numbers. Indices wrap as unsigned 64-bit. Allocation-free.
     *
     * @param key the 64-bit key
     * @param offset stream index of the first element written
     * @param out destination
     * @param outOff first position written in {@code out}
     * @param n number of elements, non-negative
     * @throws IndexOutOfBoundsException if {@code [outOff, outOff+n)} is not within {@code out}
     */
    public static void uniform(long key, long offset, float[] out, int outOff, int n) {
        Objects.checkFromIndexSize(outOff, n, out.length);
        if (n == 0) {
            return;
        }
        final int key0 = (int) key;
        final int key1 = (int) (key >>> 32);
        int pos = outOff;
        final int end = outOff + n;
        long block = offset >>> 2;
        int lane = (int) (offset & 3);
        while (pos < end) {
            int k0 = key0;
            int k1 = key1;
            int c0 = (int) block;
            int c1 = (int) (block >>> 32);
            int c2 = 0;
            int c3 = 0;
            for (int r = 0; r < ROUNDS; r++) {
                long p0 = (c0 & MASK32) * (M0 & MASK32);
                long p1 = (c2 & MASK32) * (M1 & MASK32);
                int n0 = (int) (p1 >>> 32) ^ c1 ^ k0;
                int n2 = (int) (p0 >>> 32) ^ c3 ^ k1;
                c1 = (int) p1;
                c3 = (int) p0;
                c0 = n0;
                c2 = n2;
                k0 += W0;
                k1 += W1;
            }
            if (lane == 0 && end - pos >= 4) {
                out[pos] = toUnitFloat(c0);
                out[pos + 1] = toUnitFloat(c1);
                out[pos + 2] = toUnitFloat(c2);
                out[pos + 3] = toUnitFloat(c3);
                pos += 4;
            } else {
                for (; lane < 4 && pos < end; lane++) {
                    int w = switch (lane) {
                        case 0 -> c0;
                        case 1 -> c1;
                        case 2 -> c2;
                        default -> c3;
                    };
                    out[pos++] = toUnitFloat(w);
                }
            }
            lane = 0;
            block = (block + 1) & (-1L >>> 2); // index 2^64 − 1 is followed by index 0, in block 0
        }
    }

    /** Top 53 bits of {@code bits} as a double in [0, 1); the largest value is 1 − 2<sup>−53</sup>. */
    static double toUnitDouble(long bits) {
        return (bits >>> 11) * DOUBLE_ULP;
    }

    /** Top 24 bits of {@code bits} as a float in [0, 1); the largest value is 1 − 2<sup>−24</sup>. */
    static float toUnitFloat(int bits) {
        return (bits >>> 8) * FLOAT_ULP;
    }

    /** Counter domain of {@link #normal}: its words never coincide with uniform streams (domain 0). */
    static final long NORMAL_DOMAIN_A = 3L;
    static final long NORMAL_DOMAIN_B = 4L;

    /**
     * Standard normal numbers, element {@code i} a function of {@code (key, offset + i)} alone: the Box–Muller
     * transform {@code √(−2 ln u₁) cos(2π u₂)} of {@code u₁ ∈ (0, 1]} and {@code u₂ ∈ [0, 1)} taken from the
     * blocks at counters {@code (offset + i, 3)} and {@code (offset + i, 4)}, with the log and cos of
     * {@link BoxMuller}: fixed sequences of IEEE operations, so that the vector code of the SIMD backend, every
     * thread count and every JIT state give the same bits, in any JVM (unlike the Vector API's transcendentals,
     * whose interpreted and compiled forms differ in the last bit, or {@code StrictMath}, whose argument reduction
     * allocates).
     */
    public static double normalAt(long key, long index) {
        long w0 = block64(key, index, NORMAL_DOMAIN_A);
        long w1 = block64(key, index, NORMAL_DOMAIN_B);
        double u1 = ((w0 >>> 11) + 1) * 0x1.0p-53;
        double u2 = (w1 >>> 11) * 0x1.0p-53;
        return Math.sqrt(-2 * BoxMuller.log(u1)) * BoxMuller.cos2pi(u2);
    }

    /** Fills {@code out[outOff .. outOff+n)} with {@link #normalAt}{@code (key, offset + i)}. */
    public static void normal(long key, long offset, double[] out, int outOff, int n) {
        Objects.checkFromIndexSize(outOff, n, out.length);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = normalAt(key, offset + i);
        }
    }

    /** float32 normals: {@link #normalAt} rounded to float. */
    public static void normal(long key, long offset, float[] out, int outOff, int n) {
        Objects.checkFromIndexSize(outOff, n, out.length);
        for (int i = 0; i < n; i++) {
            out[outOff + i] = (float) normalAt(key, offset + i);
        }
    }
}
