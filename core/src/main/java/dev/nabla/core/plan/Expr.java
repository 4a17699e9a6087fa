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

    /** A literal scalar. */
    record Const(double value) implements Expr {
    }

    /** An elementwise primitive applied to its arguments. */
    record Apply(Op op, Expr[] args) implements Expr {
    }
}
