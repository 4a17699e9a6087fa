package dev.nabla.core.plan;

import dev.nabla.core.Op;

/**
 * The body of a fused elementwise kernel: a tree whose leaves read buffers or constants and whose inner
 * nodes apply elementwise primitives. All values in one tree have the same dtype.
 */
public sealed interface Expr {
    /**
     * Reads buffer {@code slot} at index {@code (i / div) % mod} for output index i: {@code div = 1,
     * mod = size} is a plain elementwise read, {@code mod = 1} a broadcast scalar, and other values the
     * broadcasts of a contiguous block of axes (a bias row repeated down a batch, a column repeated across).
     */
    record Leaf(int slot, int div, int mod) implements Expr {
        public boolean direct(int size) {
            return div == 1 && mod == size;
        }
    }

    /**
     * Reads buffer {@code slot} through {@code view} in place: output index i (row-major in the kernel's shape)
     * takes element i (row-major) of the view, {@code slot[view.offsetOf(i)]}, as a copy of the view into a dense
     * buffer would hold it. The reads that {@link Leaf} expresses stay leaves: this is for the other views (a
     * column slice, an offset slice, a transpose, a broadcast of axes that are not one block), which the kernel
     * reads through the view instead of a strided copy ({@link Instr.Strided}) first. {@code view.size()} is the
     * kernel's size.
     */
    record Strided(int slot, View view) implements Expr {
    }

    /** A literal scalar. */
    record Const(double value) implements Expr {
    }

    /** An elementwise primitive applied to its arguments. */
    record Apply(Op op, Expr[] args) implements Expr {
    }
}
