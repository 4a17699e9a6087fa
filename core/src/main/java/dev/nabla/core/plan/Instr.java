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

    /** Sum or maximum of {@code in} (shape {@code inShape}) over {@code axes}, keeping them. */
    record Reduce(int out, int in, Op op, Shape inShape, int[] axes, DType dtype, String label) implements Instr {
    }

    /** {@code out[i] = map[i] < 0 ? 0 : in[map[i]]}: any permute, slice, pad or broadcast. */
    record Gather(int out, int in, int[] map, DType dtype, String label) implements Instr {
    }

    /**
     * {@code out[b] = op(A[b]) · op(B[b])} for {@code b < batch}, row-major, op(A) m×k, op(B) k×n; a transposed
     * operand is stored the other way round; a shared operand (batch stride 0) is the same for every b.
     */
    record Matmul(int out, int a, boolean transA, boolean sharedA, int b, boolean transB, boolean sharedB,
                  int batch, int m, int n, int k, DType dtype, String label) implements Instr {
    }

    /** Uniform numbers in [0, 1) (or standard normals, {@code normal}) from the key in key slot {@code keySlot}. */
    record Random(int out, int keySlot, boolean normal, int size, DType dtype, String label) implements Instr {
    }

    /** {@code out[i] = in[i]} (parameter updates). */
    record Copy(int out, int in, int size, DType dtype, String label) implements Instr {
    }
}
