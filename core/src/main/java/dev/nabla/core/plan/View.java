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

    /**
     * The same elements in row-major order under shape {@code to} (equal sizes) as a view, or null where that needs
     * a copy. Each group of old axes that multiplies out to a group of new axes must step evenly (stride of each =
     * extent · stride of the next), as in NumPy's no-copy reshape; a broadcast axis may be split or kept, not merged
     * with a stepped one. A contiguous view always reshapes.
     */
    public View reshape(Shape to) {
        if (to.size() != shape.size()) {
            throw new IllegalArgumentException("View.reshape: " + shape + " to " + to + " (sizes differ)");
        }
        if (isContiguous() || to.size() == 0) {
            return contiguous(to, offset);
        }
        int[] od = new int[shape.rank()];
        int[] os = new int[shape.rank()];
        int on = 0;
        for (int a = 0; a < shape.rank(); a++) {
            if (shape.dim(a) != 1) {
                od[on] = shape.dim(a);
                os[on] = strides[a];
                on++;
            }
        }
        int nn = to.rank();
        int[] ns = new int[nn];
        int oi = 0;
        int ni = 0;
        while (ni < nn && oi < on) {
            if (to.dim(ni) == 1) {
                ns[ni++] = 0;
                continue;
            }
            int oj = oi + 1;
            int nj = ni + 1;
            long np = to.dim(ni);
            long op = od[oi];
            while (np != op) {
                if (np < op) {
                    np *= to.dim(nj++);
                } else {
                    op *= od[oj++];
                }
            }
            for (int k = oi; k < oj - 1; k++) {
                if (os[k] != od[k + 1] * os[k + 1]) {
                    return null;
                }
            }
            ns[nj - 1] = os[oj - 1];
            for (int k = nj - 1; k > ni; k--) {
                ns[k - 1] = ns[k] * to.dim(k);
            }
            ni = nj;
            oi = oj;
        }
        while (ni < nn) {
            ns[ni++] = 0; // trailing axes of extent 1
        }
        return new View(offset, to, ns);
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
