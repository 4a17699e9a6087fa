package dev.nabla.core.backend.simd;

import dev.nabla.core.random.Philox;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * {@link SimdRandom}'s normals, whose Philox blocks are computed in vector lanes, equal {@link Philox#normalAt}
 * bit for bit: for any key, for offsets that cross the 2³² boundary of the counter's low word (so the high word
 * c1 is exercised) and for lengths that leave a scalar tail, span several chunks, or are zero.
 */
class SimdRandomTest {
    @Property(tries = 200)
    void normalsEqualTheScalarDefinition(@ForAll long key,
                                         @ForAll @LongRange(min = (1L << 32) - 600, max = (1L << 32) + 600) long nearCarry,
                                         @ForAll boolean small,
                                         @ForAll @IntRange(min = 0, max = 3 * SimdRandom.CHUNK + 13) int n,
                                         @ForAll @IntRange(min = 0, max = 5) int outOff) {
        long offset = small ? nearCarry - (1L << 32) + 600 : nearCarry;
        double[] d = new double[outOff + n];
        float[] f = new float[outOff + n];
        SimdRandom.normal(key, offset, d, outOff, n);
        SimdRandom.normal(key, offset, f, outOff, n);
        for (int i = 0; i < n; i++) {
            double expected = Philox.normalAt(key, offset + i);
            assertEquals(Double.doubleToRawLongBits(expected), Double.doubleToRawLongBits(d[outOff + i]),
                    "key " + key + " index " + (offset + i));
            assertEquals(Float.floatToRawIntBits((float) expected), Float.floatToRawIntBits(f[outOff + i]),
                    "key " + key + " index " + (offset + i) + " (float)");
        }
    }
}
