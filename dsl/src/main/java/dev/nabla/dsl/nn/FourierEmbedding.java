package dev.nabla.dsl.nn;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.random.Key;

import java.util.Objects;

/**
 * Gaussian random Fourier features of a scalar time or noise level (Tancik et al. 2020; the
 * {@code GaussianFourierProjection} of Song et al. 2021):
 * <pre>  φ(t) = [sin(2π t w₁), …, sin(2π t w_m), cos(2π t w₁), …, cos(2π t w_m)],   w_j ~ N(0, scale²)</pre>
 * mapping a column {@code t} {@code [B, 1]} to {@code [B, 2m]}. The frequencies {@code w} are fixed (not
 * trained) and drawn deterministically from a {@link Key}; they are held in a parameter tensor
 * ({@link #frequencyTensor()}, shape {@code [1, m]}) so that checkpoints can save and restore them as a
 * {@link Module#buffers() buffer}.
 */
public final class FourierEmbedding {
    private final Tensor frequencies; // [1, m]
    private final double scale;

    private FourierEmbedding(Tensor frequencies, double scale) {
        this.frequencies = frequencies;
        this.scale = scale;
    }

    /** {@code m} frequencies drawn from {@code N(0, scale²)} with {@code key}, in {@code dtype}, named "fourier.frequencies". */
    public static FourierEmbedding of(int m, double scale, Key key, DType dtype) {
        return of("fourier.frequencies", m, scale, key, dtype);
    }

    /** {@code m} frequencies drawn from {@code N(0, scale²)} with {@code key}, in {@code dtype}, held in a tensor named {@code name}. */
    public static FourierEmbedding of(String name, int m, double scale, Key key, DType dtype) {
        Objects.requireNonNull(name, "FourierEmbedding: name");
        if (m < 1) {
            throw new IllegalArgumentException("FourierEmbedding: m = " + m + ", expected >= 1 frequencies");
        }
        if (!(scale > 0) || !Double.isFinite(scale)) {
            throw new IllegalArgumentException("FourierEmbedding: scale = " + scale + ", expected a finite number > 0");
        }
        Objects.requireNonNull(key, "FourierEmbedding: key");
        Draw.requireFloat("FourierEmbedding", dtype);
        return new FourierEmbedding(Tensor.parameter(name, Draw.normal(key, Shape.of(1, m), scale, dtype)), scale);
    }

    /** {@code φ(t)} for {@code t} of shape {@code [B, 1]}: shape {@code [B, 2m]}. */
    public Tensor apply(Tensor t) {
        Objects.requireNonNull(t, "FourierEmbedding.apply: t");
        if (t.rank() != 2 || t.shape().dim(1) != 1) {
            throw new IllegalArgumentException("FourierEmbedding: t has shape " + t.shape() + ", expected [B, 1]");
        }
        Tensor proj = t.cast(frequencies.dtype()).mul(frequencies).mul(2 * Math.PI); // [B, m]
        return Tensor.concat(-1, proj.sin(), proj.cos());
    }

    /** The number of frequencies m. */
    public int frequencyCount() {
        return frequencies.size();
    }

    /** The output width {@code 2m}. */
    public int features() {
        return 2 * frequencies.size();
    }

    public double scale() {
        return scale;
    }

    /** A copy of the frequencies {@code w}, shape {@code [1, m]}. */
    public NdArray frequencies() {
        return frequencies.value().copy();
    }

    /** The tensor holding the frequencies (a parameter node, not trained: a {@link Module#buffers() buffer}). */
    public Tensor frequencyTensor() {
        return frequencies;
    }
}
