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
