package dev.nabla.core.random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Tests of {@link Philox} (Philox4x32-10, Salmon et al., "Parallel random numbers: as easy as
 * 1, 2, 3", SC'11) and {@link Key}.
 *
 * <p>Statistical tests use fixed keys, so they are deterministic; each bound is chosen so that a
 * correct generator, run with a key picked at random, would fail it with probability at most
 * about 10<sup>−6</sup>. A failure therefore means a bug, not bad luck.
 */
class PhiloxTest {

    /**
     * Random123's known-answer vectors for philox4x32-10 (file {@code kat_vectors}, lines
     * {@code philox4x32 10 ctr0 ctr1 ctr2 ctr3 key0 key1 out0 out1 out2 out3}). All three match an
     * implementation of the round function written from the paper; a wrong multiplier, Weyl
     * constant, word order or round count would not reproduce any of them.
     */
    @ParameterizedTest
    @CsvSource({
        "00000000,00000000,00000000,00000000, 00000000,00000000, 6627e8d5,e169c58d,bc57ac4c,9b00dbd8",
        "ffffffff,ffffffff,ffffffff,ffffffff, ffffffff,ffffffff, 408f276d,41c83b0e,a20bc7c6,6d5451fd",
        "243f6a88,85a308d3,13198a2e,03707344, a4093822,299f31d0, d16cfe09,94fdcceb,5001e420,24126ea1",
    })
    void knownAnswerVectors(String c0, String c1, String c2, String c3, String k0, String k1,
                            String x0, String x1, String x2, String x3) {
        int[] out = new int[6];
        Philox.block(hex(k0), hex(k1), hex(c0), hex(c1), hex(c2), hex(c3), out, 1);
        assertArrayEquals(new int[] {0, hex(x0), hex(x1), hex(x2), hex(x3), 0}, out);

        long key = (hex(k0) & 0xFFFF_FFFFL) | ((long) hex(k1) << 32);
        long lo = (hex(c0) & 0xFFFF_FFFFL) | ((long) hex(c1) << 32);
        long hi = (hex(c2) & 0xFFFF_FFFFL) | ((long) hex(c3) << 32);
        assertEquals((hex(x0) & 0xFFFF_FFFFL) | ((long) hex(x1) << 32), Philox.block64(key, lo, hi));
    }

    private static int hex(String s) {
        return Integer.parseUnsignedInt(s.strip(), 16);
    }

    /** The stream words are the documented slices of the blocks at counters (b, 0). */
    @Property(tries = 200)
    void streamWordsAreSlicesOfBlocks(@ForAll long key, @ForAll long block) {
        int[] x = new int[4];
        Philox.block((int) key, (int) (key >>> 32), (int) block, (int) (block >>> 32), 0, 0, x, 0);
        long b2 = block << 1;
        long b4 = block << 2;
        // indices whose block number is `block` exist only when the shifted index is in range
        if ((b2 >>> 1) == block) {
            assertEquals((x[0] & 0xFFFF_FFFFL) | ((long) x[1] << 32), Philox.bits64(key, b2));
            assertEquals((x[2] & 0xFFFF_FFFFL) | ((long) x[3] << 32), Philox.bits64(key, b2 + 1));
            assertEquals(Philox.block64(key, block, 0), Philox.bits64(key, b2));
        }
        if ((b4 >>> 2) == block) {
            for (int j = 0; j < 4; j++) {
                assertEquals(x[j], Philox.bits32(key, b4 + j));
            }
        }
        long i = block; // any index
        assertEquals(Philox.toUnitDouble(Philox.bits64(key, i)), Philox.uniformAt(key, i));
        assertEquals(Philox.toUnitFloat(Philox.bits32(key, i)), Philox.uniformFloatAt(key, i));
    }

    /**
     * Regression literal: the first values of the stream of {@code Key.of(0)}, computed once with
     * this implementation. Element 0 is also derived by hand from the first known-answer vector
     * (block 0 under key 0 is 6627e8d5 e169c58d bc57ac4c 9b00dbd8).
     */
    @Test
    void keyZeroStreamIsFixed() {
        long key = Key.of(0).value();
        assertEquals(0xe169c58d_6627e8d5L, Philox.bits64(key, 0));
        assertEquals(0x9b00dbd8_bc57ac4cL, Philox.bits64(key, 1));
        assertEquals((0xe169c58d_6627e8d5L >>> 11) * 0x1.0p-53, Philox.uniformAt(key, 0));
        assertEquals((0x6627e8d5 >>> 8) * 0x1.0p-24f, Philox.uniformFloatAt(key, 0));

        // computed once with this implementation; exact binary values
        double[] expected = {
            Double.longBitsToDouble(0x3fec2d38b1acc4fdL), // 0.8805201978886142
            Double.longBitsToDouble(0x3fe3601b7b178af5L), // 0.6054818538799213
            Double.longBitsToDouble(0x3fd72c8036fe3932L), // 0.36209111566940344
            Double.longBitsToDouble(0x3fa2fdfecf634ae0L), // 0.037094080749417335
            Double.longBitsToDouble(0x3fd471cca9813ea8L), // 0.3194457679100915
            Double.longBitsToDouble(0x3fd1644d79090544L), // 0.271746986578439
            Double.longBitsToDouble(0x3fda911d29b2643aL), // 0.41510705062825404
            Double.longBitsToDouble(0x3fdb504f8126b244L), // 0.42677676784913765
        };
        double[] actual = new double[expected.length];
        Philox.uniform(key, 0, actual, 0, actual.length);
        assertArrayEquals(expected, actual, 0.0);

        float[] expectedF = {
            Float.intBitsToFloat(0x3ecc4fd0), // 0.39904642
            Float.intBitsToFloat(0x3f6169c5), // 0.88052016
            Float.intBitsToFloat(0x3f3c57ac), // 0.73571277
            Float.intBitsToFloat(0x3f1b00db), // 0.6054818
            Float.intBitsToFloat(0x3f78e4cc), // 0.97224116
            Float.intBitsToFloat(0x3eb96400), // 0.36209106
            Float.intBitsToFloat(0x3f31a574), // 0.69393086
            Float.intBitsToFloat(0x3d17eff0), // 0.037094057
        };
        float[] actualF = new float[expectedF.length];
        Philox.uniform(key, 0, actualF, 0, actualF.length);
        assertArrayEquals(expectedF, actualF, 0.0f);
    }

    /**
     * Chunk invariance: filling a range in arbitrary chunks (as a threaded or tiled backend would)
     * equals the scalar accessor element by element, for any key and any start offset, including
     * odd offsets, offsets not divisible by four and offsets that wrap past 2<sup>64</sup>.
     */
    @Property(tries = 1000)
    void doubleFillIsChunkInvariant(@ForAll long key, @ForAll long offset,
                                    @ForAll @IntRange(min = 0, max = 7) int outOff,
                                    @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 37) Integer> chunks) {
        int total = chunks.stream().mapToInt(Integer::intValue).sum();
        double[] out = new double[outOff + total + 3];
        Arrays.fill(out, -1.0);
        int pos = 0;
        for (int c : chunks) {
            Philox.uniform(key, offset + pos, out, outOff + pos, c);
            pos += c;
        }
        for (int i = 0; i < total; i++) {
            assertEquals(Philox.uniformAt(key, offset + i), out[outOff + i], 0.0);
        }
        double[] whole = new double[total];
        Philox.uniform(key, offset, whole, 0, total);
        assertArrayEquals(whole, Arrays.copyOfRange(out, outOff, outOff + total), 0.0);
        // nothing outside the requested range is touched
        for (int i = 0; i < outOff; i++) {
            assertEquals(-1.0, out[i]);
        }
        for (int i = outOff + total; i < out.length; i++) {
            assertEquals(-1.0, out[i]);
        }
    }

    /** Chunk invariance of the float fill; see {@link #doubleFillIsChunkInvariant}. */
    @Property(tries = 1000)
    void floatFillIsChunkInvariant(@ForAll long key, @ForAll long offset,
                                   @ForAll @IntRange(min = 0, max = 7) int outOff,
                                   @ForAll @Size(max = 12) List<@IntRange(min = 0, max = 37) Integer> chunks) {
        int total = chunks.stream().mapToInt(Integer::intValue).sum();
        float[] out = new float[outOff + total + 3];
        Arrays.fill(out, -1.0f);
        int pos = 0;
        for (int c : chunks) {
            Philox.uniform(key, offset + pos, out, outOff + pos, c);
            pos += c;
        }
        for (int i = 0; i < total; i++) {
            assertEquals(Philox.uniformFloatAt(key, offset + i), out[outOff + i], 0.0f);
        }
        for (int i = 0; i < outOff; i++) {
            assertEquals(-1.0f, out[i]);
        }
        for (int i = outOff + total; i < out.length; i++) {
            assertEquals(-1.0f, out[i]);
        }
    }

    /**
     * Indices are unsigned 64-bit and wrap: a fill starting just below 2<sup>64</sup> continues
     * with index 0 (block 0), exactly like the scalar accessors.
     */
    @Test
    void fillsWrapAroundTheIndexSpace() {
        long key = 0x0123_4567_89ab_cdefL;
        for (long offset = -9; offset < 0; offset++) {
            double[] d = new double[12];
            float[] f = new float[12];
            Philox.uniform(key, offset, d, 0, d.length);
            Philox.uniform(key, offset, f, 0, f.length);
            for (int i = 0; i < d.length; i++) {
                assertEquals(Philox.uniformAt(key, offset + i), d[i], 0.0);
                assertEquals(Philox.uniformFloatAt(key, offset + i), f[i], 0.0f);
            }
            assertEquals(Philox.uniformAt(key, 0), d[(int) -offset], 0.0);
            assertEquals(Philox.uniformFloatAt(key, 0), f[(int) -offset], 0.0f);
        }
    }

    /** The bit-to-unit maps reach exactly 0 and 1 − ulp, never 1: the range is [0, 1). */
    @Test
    void unitConversionsStayBelowOne() {
        assertEquals(0.0, Philox.toUnitDouble(0L));
        assertEquals(1.0 - 0x1.0p-53, Philox.toUnitDouble(-1L));
        assertTrue(Philox.toUnitDouble(-1L) < 1.0);
        assertEquals(0.0f, Philox.toUnitFloat(0));
        assertEquals(1.0f - 0x1.0p-24f, Philox.toUnitFloat(-1));
        assertTrue(Philox.toUnitFloat(-1) < 1.0f);
    }

    private static final int N_MOMENTS = 1_000_000;

    /**
     * Mean and variance of 10<sup>6</sup> doubles. For U(0,1): mean ½ with standard error
     * σ/√n = √(1/12/n) ≈ 2.9·10<sup>−4</sup>; sample variance 1/12 with standard error
     * √((μ₄ − σ⁴)/n) = √((1/80 − 1/144)/n) = √(1/180/n) ≈ 7.5·10<sup>−5</sup>. Bounds of five
     * standard errors: by the CLT each fails for a correct generator with probability
     * 2·Φ(−5) ≈ 5.7·10<sup>−7</sup>. Every value is also checked to lie in [0, 1).
     */
    @Test
    void doubleMomentsWithinCltBounds() {
        double[] u = new double[N_MOMENTS];
        Philox.uniform(Key.of(20_240_601).value(), 0, u, 0, u.length);
        checkMoments(u);
    }

    /** Mean and variance of 10<sup>6</sup> floats; bounds as in {@link #doubleMomentsWithinCltBounds}. */
    @Test
    void floatMomentsWithinCltBounds() {
        float[] f = new float[N_MOMENTS];
        Philox.uniform(Key.of(7).fold(3).value(), 12_345, f, 0, f.length);
        double[] u = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            u[i] = f[i];
        }
        checkMoments(u);
    }

    private static void checkMoments(double[] u) {
        int n = u.length;
        double sum = 0;
        for (double v : u) {
            assertTrue(v >= 0.0 && v < 1.0, () -> "out of [0,1): " + v);
            sum += v;
        }
        double mean = sum / n;
        double ss = 0;
        for (double v : u) {
            ss += (v - mean) * (v - mean);
        }
        double var = ss / (n - 1);
        double meanBound = 5 * Math.sqrt(1.0 / 12.0 / n);
        double varBound = 5 * Math.sqrt(1.0 / 180.0 / n);
        assertTrue(Math.abs(mean - 0.5) < meanBound, () -> "mean " + mean + " off by more than " + meanBound);
        assertTrue(Math.abs(var - 1.0 / 12.0) < varBound, () -> "variance " + var + " off by more than " + varBound);
    }

    private static final int N_GOF = 100_000;

    /**
     * Pearson chi-square test of 10<sup>5</sup> doubles in 100 equal bins (expected count 1000
     * each, far above the usual ≥ 5 needed for the χ² approximation). Under uniformity the
     * statistic is χ² with 99 degrees of freedom; its upper 10<sup>−6</sup> quantile is 180.79
     * (scipy {@code chi2.isf(1e-6, 99)}), so a correct generator fails with probability 10<sup>−6</sup>.
     * The statistic must also not be suspiciously small, which would indicate a too-regular,
     * non-random sequence: the lower 10<sup>−6</sup> quantile is 45.83 (scipy
     * {@code chi2.ppf(1e-6, 99)}), so the two-sided test fails with probability 2·10<sup>−6</sup>.
     */
    @Test
    void chiSquareOnHundredBins() {
        int bins = 100;
        double[] u = new double[N_GOF];
        Philox.uniform(Key.of(42).value(), 0, u, 0, u.length);
        long[] counts = new long[bins];
        for (double v : u) {
            counts[(int) (v * bins)]++;
        }
        double expected = (double) N_GOF / bins;
        double chi2 = 0;
        for (long c : counts) {
            chi2 += (c - expected) * (c - expected) / expected;
        }
        double stat = chi2;
        assertTrue(stat < 180.79 && stat > 45.83, () -> "chi-square(99) statistic " + stat);
    }

    /**
     * One-sample Kolmogorov–Smirnov test of 10<sup>5</sup> floats against U(0,1). Under the null,
     * √n·D<sub>n</sub> tends to the Kolmogorov distribution, whose upper 10<sup>−6</sup> quantile is
     * 2.6934 (scipy {@code kstwobign.isf(1e-6)}; the exact finite-n value for n = 10<sup>5</sup> is
     * 2.6928), so the critical value is D &lt; 2.6934/√n ≈ 0.00852 with failure probability about
     * 10<sup>−6</sup> for a correct generator. Float values sit on a 2<sup>−24</sup> grid, a
     * discretisation far below the critical value.
     */
    @Test
    void kolmogorovSmirnovOnFloats() {
        float[] f = new float[N_GOF];
        Philox.uniform(Key.of(1).split()[1].value(), 0, f, 0, f.length);
        Arrays.sort(f);
        double d = 0;
        for (int i = 0; i < N_GOF; i++) {
            double x = f[i];
            d = Math.max(d, Math.max((i + 1.0) / N_GOF - x, x - (double) i / N_GOF));
        }
        double critical = 2.6934 / Math.sqrt(N_GOF);
        double stat = d;
        assertTrue(stat < critical, () -> "KS statistic " + stat + " >= " + critical);
    }

    /** The same key and data always fold to the same key; different data or keys differ. */
    @Test
    void foldIsDeterministicAndSeparatesData() {
        Key k = Key.of(123);
        assertEquals(k.fold(5), Key.of(123).fold(5));
        assertEquals(k.fold(5).fold(9), Key.of(123).fold(5).fold(9));
        assertEquals(Philox.block64(123, 5, Key.FOLD_DOMAIN), k.fold(5).value());
        Set<Long> seen = new HashSet<>();
        for (long d = -50; d < 50; d++) {
            assertTrue(seen.add(k.fold(d).value()), "fold collision at data " + d);
        }
        for (long s = 0; s < 50; s++) {
            assertTrue(seen.add(Key.of(s).fold(0).value()), "fold collision at seed " + s);
        }
        assertNotEquals(k, k.fold(0));
        assertNotEquals(k.fold(0).fold(1), k.fold(1).fold(0));
    }

    /**
     * Split keys are deterministic, pairwise distinct, distinct from the parent and from folded
     * keys, and {@code split()} is {@code split(2)}; {@code split(m)} is a prefix of
     * {@code split(n)}.
     */
    @Test
    void splitGivesDistinctDeterministicKeys() {
        Key k = Key.of(0);
        Key[] ks = k.split(64);
        assertArrayEquals(ks, Key.of(0).split(64));
        assertArrayEquals(Arrays.copyOf(ks, 2), k.split());
        assertArrayEquals(Arrays.copyOf(ks, 10), k.split(10));
        assertEquals(0, k.split(0).length);
        assertThrows(IllegalArgumentException.class, () -> k.split(-1));
        Set<Key> seen = new HashSet<>(Arrays.asList(ks));
        assertEquals(64, seen.size());
        assertTrue(seen.add(k));
        for (int d = 0; d < 64; d++) {
            assertTrue(seen.add(k.fold(d)), "split/fold collision at " + d);
        }
    }

    /**
     * Streams of folded and split keys are different and uncorrelated: the sample correlation of
     * 10<sup>5</sup> paired uniforms is approximately N(0, 1/n) for independent streams, so
     * |r| &lt; 5/√n fails for a correct generator with probability ≈ 5.7·10<sup>−7</sup> per pair.
     * Also checked against the parent's own stream, which derived keys must not reproduce.
     */
    @Test
    void derivedStreamsAreUncorrelated() {
        Key k = Key.of(99);
        Key[] split = k.split();
        Key[] keys = {k, k.fold(0), k.fold(1), split[0], split[1]};
        double[][] streams = new double[keys.length][N_GOF];
        for (int s = 0; s < keys.length; s++) {
            Philox.uniform(keys[s].value(), 0, streams[s], 0, N_GOF);
        }
        double bound = 5 / Math.sqrt(N_GOF);
        for (int a = 0; a < keys.length; a++) {
            for (int b = a + 1; b < keys.length; b++) {
                assertNotEquals(streams[a][0], streams[b][0]);
                double r = correlation(streams[a], streams[b]);
                int ia = a;
                int ib = b;
                assertTrue(Math.abs(r) < bound, () -> "streams " + ia + "," + ib + " correlation " + r);
            }
        }
    }

    private static double correlation(double[] x, double[] y) {
        double mx = Arrays.stream(x).average().orElseThrow();
        double my = Arrays.stream(y).average().orElseThrow();
        double sxy = 0;
        double sxx = 0;
        double syy = 0;
        for (int i = 0; i < x.length; i++) {
            sxy += (x[i] - mx) * (y[i] - my);
            sxx += (x[i] - mx) * (x[i] - mx);
            syy += (y[i] - my) * (y[i] - my);
        }
        return sxy / Math.sqrt(sxx * syy);
    }

    /** Fills check their bounds before writing anything. */
    @Test
    void fillsCheckBounds() {
        double[] d = new double[4];
        float[] f = new float[4];
        assertThrows(IndexOutOfBoundsException.class, () -> Philox.uniform(0, 0, d, 2, 3));
        assertThrows(IndexOutOfBoundsException.class, () -> Philox.uniform(0, 0, d, -1, 1));
        assertThrows(IndexOutOfBoundsException.class, () -> Philox.uniform(0, 0, d, 0, -1));
        assertThrows(IndexOutOfBoundsException.class, () -> Philox.uniform(0, 0, f, 3, 2));
        assertThrows(IndexOutOfBoundsException.class, () -> Philox.block(0, 0, 0, 0, 0, 0, new int[5], 2));
        assertArrayEquals(new double[4], d, 0.0);
        assertArrayEquals(new float[4], f, 0.0f);
        Philox.uniform(0, 0, d, 4, 0); // empty range at the end is fine
    }

    /** Records give value equality; toString shows the 64 bits in hex. */
    @Test
    void keyValueSemantics() {
        assertEquals(Key.of(5), Key.of(5));
        assertEquals(Key.of(5).hashCode(), Key.of(5).hashCode());
        assertNotEquals(Key.of(5), Key.of(6));
        assertEquals(5L, Key.of(5).value());
        assertEquals("Key[0x00000000000000ff]", Key.of(255).toString());
        assertEquals("Key[0xffffffffffffffff]", Key.of(-1).toString());
    }
}
