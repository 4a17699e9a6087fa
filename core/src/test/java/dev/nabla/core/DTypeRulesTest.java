package dev.nabla.core;

import dev.nabla.core.backend.Backend;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** JAX's weak-type rule: Java numbers and constants made from doubles adapt; strong dtypes never mix silently. */
class DTypeRulesTest {
    private final Tensor x32 = Tensor.placeholder("x32", Shape.of(3), DType.F32);
    private final Tensor x64 = Tensor.placeholder("x64", Shape.of(3), DType.F64);

    @Test
    void javaNumbersAndDoubleConstantsTakeTheOtherOperandsDtype() {
        assertEquals(DType.F32, x32.add(Tensor.of(1, 2, 3)).dtype());
        assertEquals(DType.F32, Tensor.of(1, 2, 3).mul(x32).dtype());
        assertEquals(DType.F32, x32.mul(2.0).dtype());
        assertEquals(DType.F32, x32.sub(Tensor.scalar(0.5)).dtype());
        assertEquals(DType.F32, x32.add(Tensor.of(1, 2, 3).exp().mul(Tensor.scalar(2))).dtype(),
                "an op on weak constants alone stays weak");
        assertEquals(DType.F32, Tensor.where(x64.lt(0), x32, Tensor.scalar(1)).dtype());
        assertEquals(DType.F32, x32.reshape(1, 3).matmul(Tensor.of(new double[][] {{1}, {2}, {3}})).dtype());
        assertEquals(DType.F32, x32.gt(Tensor.zeros(3)).dtype());
        assertEquals(DType.F32, x32.gt(0.25).dtype());
        // a float32 array constant is strongly typed, so the weak double constant adapts to it
        Tensor w = Tensor.of(1, 2, 3).add(Tensor.of(new float[] {1, 2, 3}, 3));
        assertEquals(DType.F32, w.dtype());
        assertFalse(w.isWeaklyTyped());
        // two weak operands give a weak float64
        assertTrue(Tensor.of(1.0).add(Tensor.scalar(2)).isWeaklyTyped());
        assertEquals(DType.F64, Tensor.of(1.0).add(Tensor.scalar(2)).dtype());
    }

    @Test
    void theValueIsComputedInTheStrongDtype() {
        Tensor y = x32.mul(Tensor.of(0.1, 0.1, 0.1)).sum();
        float[] in = {1f, 2f, 3f};
        double got = Plan.compile(List.of(y), Backend.reference()).set(x32, in).execute().get(y).item();
        // float32 products and sums of 0.1f: what a float32 program computes, not the float64 value 0.6
        float want = (float) ((float) ((float) (1f * 0.1f) + (float) (2f * 0.1f)) + (float) (3f * 0.1f));
        assertEquals(want, (float) got, 0);
        assertEquals(DType.F32, y.dtype());
    }

    @Test
    void twoStrongDtypesNeedAnExplicitCast() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> x32.add(x64));
        assertTrue(e.getMessage().contains("add") && e.getMessage().contains("F32") && e.getMessage().contains("F64")
                && e.getMessage().contains("'x32'") && e.getMessage().contains("cast"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> x32.reshape(1, 3).matmul(x64.reshape(3, 1)));
        assertThrows(IllegalArgumentException.class, () -> Tensor.where(x32.lt(0), x32, x64));
        Tensor p64 = Tensor.parameter("w", NdArray.of(new double[] {1, 2, 3}));
        assertThrows(IllegalArgumentException.class, () -> x32.mul(p64), "a float64 parameter in a float32 graph");
        assertThrows(IllegalArgumentException.class, () -> x32.add(Tensor.of(1, 2, 3).cast(DType.F64)),
                "cast makes a tensor strongly typed");
        assertThrows(IllegalArgumentException.class, () -> x32.add(Tensor.keyInput("k").normal(Shape.of(3))),
                "normals default to float64: draw them in the model's dtype");
        // the explicit casts work
        assertEquals(DType.F64, x32.cast(DType.F64).add(x64).dtype());
        assertEquals(DType.F32, x32.add(x64.cast(DType.F32)).dtype());
        assertArrayEquals(new int[] {3}, x32.add(Tensor.keyInput("k").normal(Shape.of(3), DType.F32)).shape().dims());
    }
}
