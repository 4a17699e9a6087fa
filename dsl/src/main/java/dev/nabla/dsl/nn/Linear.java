package dev.nabla.dsl.nn;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.random.Key;

import java.util.List;
import java.util.Objects;

/**
 * An affine layer {@code y = x W + b} with weights {@code W} of shape {@code [in, out]} and bias {@code b} of
 * shape {@code [out]}, applied to the last axis of {@code x} ({@code [..., in] → [..., out]}).
 *
 * <p>Initialisation is seeded and deterministic: {@code W} is drawn by {@link Init} (fan-in {@code in},
 * fan-out {@code out}) from {@code key.fold(0)}, {@code b} starts at zero. Parameters are named
 * {@code name + ".weight"} and {@code name + ".bias"} and listed in that order.
 */
public final class Linear implements Module {
    private final String name;
    private final int in;
    private final int out;
    private final Tensor weight;
    private final Tensor bias;

    private Linear(String name, int in, int out, Tensor weight, Tensor bias) {
        this.name = name;
        this.in = in;
        this.out = out;
        this.weight = weight;
        this.bias = bias;
    }

    /** A float64 layer with LeCun-uniform weights. */
    public static Linear of(String name, int in, int out, Key key) {
        return of(name, in, out, Init.LECUN_UNIFORM, key, DType.F64);
    }

    /**
     * A layer named {@code name} from {@code in} to {@code out} features with weights drawn by {@code init}
     * from {@code key} and zero bias, stored in {@code dtype} (F64 or F32).
     */
    public static Linear of(String name, int in, int out, Init init, Key key, DType dtype) {
        Objects.requireNonNull(name, "Linear: name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("Linear: name = \"\", expected a non-empty name");
        }
        if (in < 1) {
            throw new IllegalArgumentException("Linear '" + name + "': in = " + in + ", expected >= 1");
        }
        if (out < 1) {
            throw new IllegalArgumentException("Linear '" + name + "': out = " + out + ", expected >= 1");
        }
        Objects.requireNonNull(init, "Linear: init");
        Objects.requireNonNull(key, "Linear: key");
        Draw.requireFloat("Linear '" + name + "'", dtype);
        Shape ws = Shape.of(in, out);
        double s = init.scale(in, out);
        NdArray w = init == Init.ZEROS ? NdArray.zeros(ws, dtype)
                : init.normal() ? Draw.normal(key.fold(0), ws, s, dtype) : Draw.uniform(key.fold(0), ws, s, dtype);
        return new Linear(name, in, out, Tensor.parameter(name + ".weight", w),
                Tensor.parameter(name + ".bias", NdArray.zeros(Shape.of(out), dtype)));
    }

    /** {@code x W + b} for {@code x} of shape {@code [..., in]} (cast to the layer's dtype). */
    public Tensor apply(Tensor x) {
        Objects.requireNonNull(x, "Linear.apply: x");
        if (x.rank() < 1 || x.shape().dim(-1) != in) {
            throw new IllegalArgumentException("Linear '" + name + "': input has shape " + x.shape()
                    + ", expected a last axis of " + in);
        }
        return x.cast(weight.dtype()).matmul(weight).add(bias);
    }

    /** {@code [weight, bias]}. */
    @Override
    public List<Tensor> parameters() {
        return List.of(weight, bias);
    }

    public Tensor weight() {
        return weight;
    }

    public Tensor bias() {
        return bias;
    }

    public int inFeatures() {
        return in;
    }

    public int outFeatures() {
        return out;
    }

    public String name() {
        return name;
    }

    public DType dtype() {
        return weight.dtype();
    }

    @Override
    public String toString() {
        return "Linear('" + name + "', " + in + " -> " + out + ", " + dtype() + ")";
    }
}
