package dev.nabla.core;

import java.util.Arrays;

/**
 * An immutable tensor shape: the extent of each axis, row-major (the last axis varies fastest).
 * Rank 0 ({@code []}) is a scalar. Broadcasting follows NumPy: shapes are aligned at their last axis and
 * each pair of extents must be equal or one of them 1.
 */
public final class Shape {
    private static final Shape SCALAR = new Shape(new int[0]);
    private final int[] dims;
    private final long size;

    private Shape(int[] dims) {
        this.dims = dims;
        long s = 1;
        for (int d : dims) {
            s *= d;
        }
        this.size = s;
    }

    /** A shape with the given extents; each must be ≥ 0. */
    public static Shape of(int... dims) {
        if (dims.length == 0) {
            return SCALAR;
        }
        for (int i = 0; i < dims.length; i++) {
            if (dims[i] < 0) {
                throw new IllegalArgumentException("Shape.of: dims[" + i + "] = " + dims[i] + ", expected an extent >= 0");
            }
        }
        Shape s = new Shape(dims.clone());
        if (s.size > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("Shape.of: " + Arrays.toString(dims) + " has " + s.size
                    + " elements, more than a Java array holds (" + Integer.MAX_VALUE + ")");
        }
        return s;
    }

    /** The rank-0 shape of a scalar. */
    public static Shape scalar() {
        return SCALAR;
    }

    public int rank() {
        return dims.length;
    }

    /** Number of elements (1 for a scalar). */
    public int size() {
        return (int) size;
    }

    /** Extent of {@code axis}; negative axes count from the end, as in NumPy. */
    public int dim(int axis) {
        return dims[normalizeAxis(axis, "Shape.dim")];
    }

    /** A copy of the extents. */
    public int[] dims() {
        return dims.clone();
    }

    /** Row-major strides in elements. */
    public int[] strides() {
        int[] st = new int[dims.length];
        int s = 1;
        for (int i = dims.length - 1; i >= 0; i--) {
            st[i] = s;
            s *= dims[i];
        }
        return st;
    }

    /** Maps a possibly negative axis to {@code [0, rank)}, or fails naming {@code what}. */
    public int normalizeAxis(int axis, String what) {
        int a = axis < 0 ? axis + dims.length : axis;
        if (a < 0 || a >= dims.length) {
            throw new IllegalArgumentException(what + ": axis " + axis + " is out of range for shape " + this
                    + " (rank " + dims.length + ")");
        }
        return a;
    }

    /** The NumPy broadcast of two shapes, or an error naming {@code op} and both shapes. */
    public static Shape broadcast(String op, Shape a, Shape b) {
        if (a.equals(b)) {
            return a;
        }
        int r = Math.max(a.rank(), b.rank());
        int[] out = new int[r];
        for (int i = 0; i < r; i++) {
            int da = i < r - a.rank() ? 1 : a.dims[i - (r - a.rank())];
            int db = i < r - b.rank() ? 1 : b.dims[i - (r - b.rank())];
            if (da != db && da != 1 && db != 1) {
                throw new IllegalArgumentException(op + ": shapes " + a + " and " + b
                        + " do not broadcast (axis " + (i - r) + ": " + da + " vs " + db
                        + "; extents must be equal or 1)");
            }
            out[i] = da == 1 ? db : da;
        }
        return new Shape(out);
    }

    /** This shape with {@code n - rank} leading 1s, so that it has rank {@code n}. */
    public Shape padLeft(int n) {
        if (n <= dims.length) {
            return this;
        }
        int[] out = new int[n];
        Arrays.fill(out, 1);
        System.arraycopy(dims, 0, out, n - dims.length, dims.length);
        return new Shape(out);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Shape s && Arrays.equals(dims, s.dims);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(dims);
    }

    @Override
    public String toString() {
        return Arrays.toString(dims);
    }

    /**
     * For a reduction of this shape over {@code axes}: the extents {outer, reduced, inner} of the array viewed as
     * [outer, reduced, inner] when the reduced axes (ignoring extent-1 axes) are one contiguous block, else null.
     * Backends use it to reduce with strides instead of an index map.
     */
    public int[] reductionBlocks(int[] axes) {
        boolean[] red = new boolean[rank()];
        for (int a : axes) {
            red[a] = true;
        }
        int first = -1;
        int last = -1;
        for (int a = 0; a < rank(); a++) {
            if (red[a] && dim(a) != 1) {
                if (first < 0) {
                    first = a;
                }
                last = a;
            }
        }
        if (first < 0) {
            return new int[] {size(), 1, 1};
        }
        for (int a = first; a <= last; a++) {
            if (!red[a] && dim(a) != 1) {
                return null;
            }
        }
        int outer = 1;
        int r = 1;
        int inner = 1;
        for (int a = 0; a < rank(); a++) {
            if (a < first) {
                outer *= dim(a);
            } else if (a <= last) {
                r *= dim(a);
            } else {
                inner *= dim(a);
            }
        }
        return new int[] {outer, r, inner};
    }
}
