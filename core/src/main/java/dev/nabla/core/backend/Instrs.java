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
            case Instr.Strided s -> s.size();
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
     * The flat index in {@code reduced} (the shape {@code in} with its reduced axes set to 1) of the output element
     * that element {@code flat} of {@code in} reduces into.
     */
    static int reducedIndex(Shape in, Shape reduced, int flat) {
        int o = 0;
        int stride = 1;
        for (int a = in.rank() - 1; a >= 0; a--) {
            int d = in.dim(a);
            if (reduced.dim(a) != 1) {
                o += (flat % d) * stride;
                stride *= d;
            }
            flat /= d;
        }
        return o;
    }
}
