package dev.nabla.core.backend;

import dev.nabla.core.Shape;
import dev.nabla.core.plan.Instr;

/** Small facts about instructions shared by the backends. */
final class Instrs {
    private Instrs() {
    }

    /** Number of elements an instruction writes. */
    static int outSize(Instr in) {
        return switch (in) {
            case Instr.Elementwise e -> e.size();
            case Instr.Cast c -> c.size();
            case Instr.Reduce r -> reducedShape(r.inShape(), r.axes()).size();
            case Instr.Gather g -> g.map().length;
            case Instr.Matmul m -> m.batch() * m.m() * m.n();
            case Instr.Random r -> r.size();
            case Instr.Copy c -> c.size();
        };
    }

    static Shape reducedShape(Shape in, int[] axes) {
        int[] d = in.dims();
        for (int a : axes) {
            d[a] = 1;
        }
        return Shape.of(d);
    }

    /**
     * For a reduction of {@code in} over {@code axes}: {outer, reduced, inner} if the reduced axes are one
     * contiguous block (after ignoring extent-1 axes), else null.
     */
    static int[] blocks(Shape in, int[] axes) {
        boolean[] red = new boolean[in.rank()];
        for (int a : axes) {
            red[a] = true;
        }
        int first = -1;
        int last = -1;
        for (int a = 0; a < in.rank(); a++) {
            if (red[a] && in.dim(a) != 1) {
                if (first < 0) {
                    first = a;
                }
                last = a;
            }
        }
        if (first < 0) {
            return new int[] {in.size(), 1, 1};
        }
        for (int a = first; a <= last; a++) {
            if (!red[a] && in.dim(a) != 1) {
                return null;
            }
        }
        int outer = 1;
        int r = 1;
        int inner = 1;
        for (int a = 0; a < in.rank(); a++) {
            if (a < first) {
                outer *= in.dim(a);
            } else if (a <= last) {
                r *= in.dim(a);
            } else {
                inner *= in.dim(a);
            }
        }
        return new int[] {outer, r, inner};
    }

    /** For each input element, the flat index of the output element it reduces into. */
    static int[] reduceMap(Shape in, int[] axes) {
        Shape out = reducedShape(in, axes);
        int[] os = out.strides();
        return in.indexMap(idx -> {
            int off = 0;
            for (int a = 0; a < idx.length; a++) {
                if (out.dim(a) != 1) {
                    off += idx[a] * os[a];
                }
            }
            return off;
        });
    }
}
