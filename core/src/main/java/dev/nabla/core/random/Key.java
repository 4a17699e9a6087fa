package dev.nabla.core.random;

/**
 * An immutable pseudo-random key in the style of JAX's explicit PRNG keys: randomness is a pure
 * function of a key, never of hidden generator state.
 *
 * <p>A key is 64 bits, used as the key of the Philox4x32-10 counter-based generator of Salmon,
 * Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3", SC'11 (see
 * {@link Philox}). The numbers drawn with a key — element {@code i} of its stream is
 * {@link Philox#uniformAt(long, long) Philox.uniformAt(value(), i)} — depend on the key and the
 * element's index only, so <strong>the same key gives the same numbers on every backend and for
 * every thread count or chunking</strong>.
 *
 * <p>New keys are derived, not advanced: {@link #fold(long)} mixes an integer into a key and
 * {@link #split(int)} makes {@code n} keys. Derived keys are outputs of the Philox pseudo-random
 * function under this key, at counters no stream ever uses (domain tags 1 for fold, 2 for split in
 * the counter's high half), so keys folded with different data, the keys of a split, and the
 * parent's own stream are statistically independent of each other, while derivation is fully
 * deterministic. As in JAX, drawing twice with the same key gives the same numbers: derive a fresh
 * key for each independent draw.
 *
 * @param value the 64 key bits (Philox key words {@code k0 = (int) value},
 *              {@code k1 = (int) (value >>> 32)})
 */
public record Key(long value) {

    /** Counter high half for {@link #fold(long)}: keeps folded keys apart from streams and splits. */
    static final long FOLD_DOMAIN = 1L;
    /** Counter high half for {@link #split(int)}: keeps split keys apart from streams and folds. */
    static final long SPLIT_DOMAIN = 2L;

    /**
     * The key for a seed, like JAX's {@code PRNGKey(seed)}: its 64 bits are the seed itself (Philox
     * needs no seed scrambling; distinct keys give independent streams, Salmon et al. 2011).
     *
     * @param seed any 64-bit seed
     * @return the key whose {@link #value()} is {@code seed}
     */
    public static Key of(long seed) {
        return new Key(seed);
    }

    /**
     * A new key derived deterministically from this key and {@code data}, like JAX's
     * {@code fold_in}: the first 64 bits of the Philox4x32-10 block (Salmon et al. 2011) with this
     * key as key and counter {@code (data, FOLD_DOMAIN)},
     * i.e. {@code Philox.block64(value(), data, 1)}. The same (key, data) always gives the same key;
     * different data give statistically independent keys and streams.
     *
     * @param data any 64-bit integer (a step number, a layer index, a tag…)
     * @return the derived key
     */
    public Key fold(long data) {
        return new Key(fold(value, data));
    }

    /** {@link #fold(long)} on raw key values, for callers that must not allocate (compiled plans). */
    public static long fold(long key, long data) {
        return Philox.block64(key, data, FOLD_DOMAIN);
    }

    /**
     * Splits this key into {@code n} new keys, like JAX's {@code split(key, n)}: key {@code i} is
     * the first 64 bits of the Philox4x32-10 block (Salmon et al. 2011) with this key as key and
     * counter {@code (i, SPLIT_DOMAIN)}, i.e. {@code Philox.block64(value(), i, 2)}. Deterministic;
     * the keys are statistically independent of each other, of this key's stream and of
     * {@link #fold(long)}ed keys. {@code split(m)} is a prefix of {@code split(n)} for {@code m ≤ n}.
     *
     * @param n number of keys, non-negative
     * @return a fresh array of {@code n} keys
     * @throws IllegalArgumentException if {@code n < 0}
     */
    public Key[] split(int n) {
        if (n < 0) {
            throw new IllegalArgumentException("split count must be non-negative, was " + n);
        }
        Key[] keys = new Key[n];
        for (int i = 0; i < n; i++) {
            keys[i] = new Key(Philox.block64(value, i, SPLIT_DOMAIN));
        }
        return keys;
    }

    /**
     * Splits this key into a pair, like JAX's {@code split(key)}: the same two keys as
     * {@link #split(int) split(2)}. Typical use: {@code var ks = key.split(); key = ks[0];} and draw
     * with {@code ks[1]}.
     *
     * @return a fresh array of two keys
     */
    public Key[] split() {
        return split(2);
    }

    /**
     * The key as {@code Key[0x…]} with its 64 bits in hexadecimal.
     *
     * @return a readable form of the key
     */
    @Override
    public String toString() {
        return String.format("Key[0x%016x]", value);
    }
}
