package dev.nabla.core.plan;

import dev.nabla.core.Shape;

import java.util.Arrays;

/**
 * How a tensor of shape {@code shape} lies in a flat buffer: element {@code (i_0, …, i_{r−1})} is at
 * {@code offset + Σ_a i_a·strides[a]}. A stride of 0 repeats the same elements along its axis (a broadcast).
 * Permute, slice, expand and reshape-of-contiguous are views of the same buffer and move no data; only a
 * layout that is not a view (a pad, a concatenation, a reshape of a non-contiguous view) is written out, by a
 * strided copy ({@link Instr.Strided}).
 *
 * @param offset  flat position of element (0, …, 0)
 * @param shape   the logical shape
 * @param strides one per axis, in elements; 0 for broadcast axes
 */
public record View(int offset, Shape shape, int[] strides) {
    public View {
        if (strides.length != shape.rank()) {
            throw new IllegalArgumentException("View: " + strides.length + " strides for shape " + shape);
        }
        strides = strides.clone();
    }

    /** The row-major layout of {@code shape} starting at {@code offset}. */
    public static View contiguous(Shape shape, int offset) {
        return new View(offset, shape, shape.strides());
    }

    public static View contiguous(Shape shape) {
        return contiguous(shape, 0);
    }

    @Override
    public int[] strides() {
        return strides.clone();
    }

    public int stride(int axis) {
        return strides[axis];
    }

    public int size() {
        return shape.size();
    }

    /** Whether the elements lie in row-major order without gaps (axes of extent 1 have any stride). */
    public boolean isContiguous() {
        int expect = 1;
        for (int a = shape.rank() - 1; a >= 0; a--) {
            int d = shape.dim(a);
            if (d != 1 && strides[a] != expect) {
                return false;
            }
            expect *= d;
        }
        return true;
    }

    /** Whether this is the whole of a contiguous buffer from its start. */
    public boolean isDense() {
        return offset == 0 && isContiguous();
    }

    /** The buffer position of logical (row-major) element {@code flat}. */
    public int offsetOf(int flat) {
        int off = offset;
        for (int a = shape.rank() - 1; a >= 0; a--) {
            int d = shape.dim(a);
            off += (flat % d) * strides[a];
            flat /= d;
        }
        return off;
    }

    /** Axes whose extent grows from 1 get stride 0 (equal ranks, as {@code Op.EXPAND}). */
    public View expand(Shape to) {
        int[] s = strides.clone();
        for (int a = 0; a < s.length; a++) {
            if (shape.dim(a) != to.dim(a)) {
                s[a] = 0;
            }
        }
        return new View(offset, to, s);
    }

    /** Axis {@code a} of the result is axis {@code perm[a]} of this view. */
    public View permute(int[] perm) {
        int[] d = new int[perm.length];
        int[] s = new int[perm.length];
        for (int a = 0; a < perm.length; a++) {
            d[a] = shape.dim(perm[a]);
            s[a] = strides[perm[a]];
        }
        return new View(offset, Shape.of(d), s);
    }

    /** Elements {@code [start[a], end[a])} along every axis a. */
    public View slice(int[] start, int[] end) {
        int off = offset;
        int[] d = new int[start.length];
        for (int a = 0; a < start.length; a++) {
            off += start[a] * strides[a];
            d[a] = end[a] - start[a];
        }
        return new View(off, Shape.of(d), strides);
    }

    /** The sub-view of shape {@code sub} whose element (0, …, 0) is element {@code at} of this view. */
    public View window(int[] at, Shape sub) {
        int off = offset;
        for (int a = 0; a < at.length; a++) {
            off += at[a] * strides[a];
        }
        return new View(off, sub, strides);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof View v && v.offset == offset && v.shape.equals(shape) && Arrays.equals(v.strides, strides);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * offset + shape.hashCode()) + Arrays.hashCode(strides);
    }

    @Override
    public String toString() {
        return "View[offset=" + offset + ", shape=" + shape + ", strides=" + Arrays.toString(strides) + "]";
    }
}
