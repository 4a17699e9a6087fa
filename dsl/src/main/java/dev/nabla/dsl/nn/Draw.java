package dev.nabla.dsl.nn;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.random.Key;
import dev.nabla.core.random.Philox;

/**
 * Deterministic initial values drawn on the host from a {@link Key}: element {@code i} of a uniform array is
 * {@code Philox.uniformAt(key, i)}; element {@code i} of a normal array is the Box–Muller transform
 * {@code √(−2 log(1−u₁)) cos(2π u₂)} of {@code u₁ = uniformAt(key, 2i)}, {@code u₂ = uniformAt(key, 2i+1)}.
 * Drawn in float64, then rounded to the array's dtype.
 */
final class Draw {
    private Draw() {
    }

    /** {@code U(−a, a)} values. */
    static NdArray uniform(Key key, Shape shape, double a, DType dtype) {
        NdArray out = NdArray.zeros(shape, dtype);
        for (int i = 0; i < out.size(); i++) {
            out.setFlat(i, (2 * Philox.uniformAt(key.value(), i) - 1) * a);
        }
        return out;
    }

    /** {@code N(0, s²)} values. */
    static NdArray normal(Key key, Shape shape, double s, DType dtype) {
        NdArray out = NdArray.zeros(shape, dtype);
        for (int i = 0; i < out.size(); i++) {
            double u1 = Philox.uniformAt(key.value(), 2L * i);
            double u2 = Philox.uniformAt(key.value(), 2L * i + 1);
            out.setFlat(i, s * Math.sqrt(-2 * Math.log1p(-u1)) * Math.cos(2 * Math.PI * u2));
        }
        return out;
    }

    static DType requireFloat(String what, DType dtype) {
        if (dtype == null || dtype == DType.KEY) {
            throw new IllegalArgumentException(what + ": dtype = " + dtype + ", expected F64 or F32");
        }
        return dtype;
    }
}
