package dev.nabla.core.plan;

import dev.nabla.core.DType;
import dev.nabla.core.Op;
import dev.nabla.core.Shape;

/**
 * One step of a compiled {@link Program}. Operands are buffer slots; every instruction writes exactly one
 * slot and never reads the slot it writes. {@code label} names the graph node for error messages.
 */
public sealed interface Instr {
    int out();

    DType dtype();

    String label();

    /** {@code out[i] = expr(i)} for {@code i < size}. */
    record Elementwise(int out, Expr expr, int size, DType dtype, String label) implements Instr {
    }

    /** {@code out[i] = (to) in[i]}. */
    record Cast(int out, int in, int size, DType from, DType dtype, String label) implements Instr {
    }

    /**
     * Sum or maximum over {@code axes} (keeping them) of the tensor that {@code view} reads from buffer {@code in}
     * (a permute, slice or broadcast of a buffer is reduced in place). Output element j accumulates its inputs in
     * increasing logical (row-major) index of the view, as if the view had been copied out first.
     */
    record Reduce(int out, int in, Op op, View view, int[] axes, DType dtype, String label) implements Instr {
        /** The logical shape reduced. */
        public Shape inShape() {
            return view.shape();
        }
    }

    /**
     * {@code out} viewed as {@code to[p]} receives {@code in[p]} viewed as {@code from[p]}, for each part p in
     * order (equal shapes per part), after all {@code size} elements of {@code out} were set to 0 if {@code zero}.
     * One part with a dense {@code to} materialises a view; a pad is a zero fill and a copy into the interior; a
     * concatenation writes each part into its slice of {@code out}. Loops run over the shapes: no index maps.
     */
    record Strided(int out, int[] in, View[] from, View[] to, int size, boolean zero, DType dtype, String label)
            implements Instr {
        public Strided {
            if (in.length != from.length || in.length != to.length) {
                throw new IllegalArgumentException("Strided: " + in.length + " inputs, " + from.length + " source and "
                        + to.length + " target views");
            }
            for (int p = 0; p < in.length; p++) {
                if (!from[p].shape().equals(to[p].shape())) {
                    throw new IllegalArgumentException("Strided: part " + p + " copies " + from[p].shape() + " into "
                            + to[p].shape());
                }
            }
        }
    }

    /**
     * {@code out[b] = op(A[b]) · op(B[b])} for {@code b < batch}, row-major, op(A) m×k, op(B) k×n; a transposed
     * operand is stored the other way round. Matrix b of A starts at {@code offsetA + b·strideA} of buffer
     * {@code a} (a slice of whole matrices or rows is read in place); a shared operand has batch stride 0.
     */
    record Matmul(int out, int a, int offsetA, int strideA, boolean transA, int b, int offsetB, int strideB,
                  boolean transB, int batch, int m, int n, int k, DType dtype, String label) implements Instr {
    }

    /** Uniform numbers in [0, 1) (or standard normals, {@code normal}) from the key in key slot {@code keySlot}. */
    record Random(int out, int keySlot, boolean normal, int size, DType dtype, String label) implements Instr {
    }

    /** {@code out[i] = in[i]} (parameter updates). */
    record Copy(int out, int in, int size, DType dtype, String label) implements Instr {
    }
}
