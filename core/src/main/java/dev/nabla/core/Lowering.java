package dev.nabla.core;


import dev.nabla.core.backend.ScalarOps;
import dev.nabla.core.plan.Expr;
import dev.nabla.core.plan.Instr;
import dev.nabla.core.plan.Program;
import dev.nabla.core.plan.View;
import dev.nabla.core.random.Key;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
/**
 * The second compiler pass, graph → {@link Program}: instructions in topological order. Permutes, slices,
 * broadcasts and reshapes are {@link View}s of the buffer they read and move no data: reductions read any view in
 * place, elementwise kernels any view read by at most {@code VIEW_READS} consumers (dense, a broadcast scalar or
 * block of axes as {@link Expr.Leaf}, any other through {@link Expr.Strided}), a matmul a transposed or
 * batch-broadcast operand; chains of elementwise ops whose intermediate values have a single use become one fused
 * kernel ({@link Expr}); pads, concatenations and views read where no in-place form exists are written once by a
 * strided copy ({@link Instr.Strided}). Buffer slots are then assigned by liveness, so dead values give their memory
 * to later ones.
 */
final class Lowering {
    static Program lower(Simplifier.Canonical c, int outputCount, List<Tensor> updateParams, boolean fuse) {
        return new Lowering(c, outputCount, updateParams, fuse).run();
    }

    private final Simplifier.Canonical c;
    private final int outputCount;
    private final List<Tensor> updateParams;
    private final boolean fuse;
    private final Map<Tensor, Integer> uses = new IdentityHashMap<>();
    private final Map<Tensor, Boolean> pinned = new IdentityHashMap<>();
    /** Nodes read by a swap of their last two axes (see {@link #transposedMatmul}). */
    private final Map<Tensor, Boolean> transposed = new IdentityHashMap<>();
    /** value id per materialised base node. */
    private final Map<Tensor, Integer> value = new IdentityHashMap<>();
    private final List<DType> valueDtype = new ArrayList<>();
    private final List<Integer> valueSize = new ArrayList<>();
    private final List<Instr> instrs = new ArrayList<>();
    private final Map<Tensor, Integer> keySlot = new IdentityHashMap<>();
    private final List<Program.KeySlot> keys = new ArrayList<>();
    private final List<Program.ConstantSlot> constants = new ArrayList<>();
    private final List<Program.InputSlot> inputs = new ArrayList<>();
    private final List<Program.ParameterSlot> parameters = new ArrayList<>();
    private final List<Boolean> dedicated = new ArrayList<>();

    Lowering(Simplifier.Canonical c, int outputCount, List<Tensor> updateParams, boolean fuse) {
        this.c = c;
        this.outputCount = outputCount;
        this.updateParams = updateParams;
        this.fuse = fuse;
    }

    static Tensor base(Tensor t) {
        while (t.op == Op.RESHAPE) {
            t = t.inputs[0];
        }
        return t;
    }

    private static boolean fusable(Tensor t) {
        return t.op.isElementwise() && t.op != Op.CAST && t.op != Op.STOP_GRADIENT;
    }

    private int newValue(DType dt, int size, boolean dedicatedSlot) {
        valueDtype.add(dt);
        valueSize.add(size);
        dedicated.add(dedicatedSlot);
        return valueDtype.size() - 1;
    }

    private String label(Tensor t) {
        StringBuilder sb = new StringBuilder(t.op.name());
        if (t.name() != null) {
            sb.append(" '").append(t.name()).append('\'');
        }
        sb.append(' ').append(t.shape).append(' ').append(t.dtype);
        sb.append(t.origin());
        return sb.toString();
    }

    Program run() {
        List<Tensor> nodes = Autodiff.topo(c.roots);
        for (Tensor r : c.roots) {
            pinned.put(base(r), true);
        }
        for (Tensor n : nodes) {
            if (n.op == Op.RESHAPE) {
                continue;
            }
            for (Tensor in : n.inputs) {
                uses.merge(base(in), 1, Integer::sum);
                if (n.op == Op.PERMUTE && isLastTwoSwap((int[]) n.attr)) {
                    transposed.put(base(in), true);
                }
            }
        }
        for (int i = 0; i < c.placeholders.size(); i++) {
            Tensor p = c.placeholders.get(i);
            int v = newValue(p.dtype, p.size(), true);
            value.put(p, v);
            inputs.add(new Program.InputSlot(v, (String) p.attr, p.shape, p.dtype));
        }
        for (int i = 0; i < c.parameters.size(); i++) {
            Tensor p = c.parameters.get(i);
            int v = newValue(p.dtype, p.size(), true);
            value.put(p, v);
            parameters.add(new Program.ParameterSlot(v, i));
        }
        for (int i = 0; i < c.keyInputs.size(); i++) {
            keySlot.put(c.keyInputs.get(i), keys.size());
            keys.add(new Program.KeySlot(Program.KeySlot.Kind.INPUT, i, null, -1, 0));
        }
        for (Tensor n : nodes) {
            if (mustMaterialize(n)) {
                slot(n);
            }
        }
        List<Program.OutputSlot> outs = new ArrayList<>();
        for (int i = 0; i < outputCount; i++) {
            Tensor r = c.roots.get(i);
            outs.add(new Program.OutputSlot(slot(base(r)), r.shape, r.dtype));
        }
        for (int i = 0; i < updateParams.size(); i++) {
            Tensor p = updateParams.get(i);
            Tensor v = c.roots.get(outputCount + i);
            int src = slot(base(v));
            int dst = value.get(p);
            if (src != dst) {
                instrs.add(new Instr.Copy(dst, src, p.size(), p.dtype, "update of parameter '" + p.name() + "'"));
            }
        }
        return assignSlots(outs);
    }

    /** Nodes that are computed when visited (the rest are inlined into kernels or emitted on demand). */
    private boolean mustMaterialize(Tensor n) {
        return switch (n.op.kind) {
            case REDUCE, RANDOM -> true;
            // a product read only through a transpose is emitted, transposed, by that transpose
            case MATMUL -> uses.getOrDefault(n, 0) != 1 || !transposed.containsKey(n) || pinned.containsKey(n);
            case UNARY, BINARY, TERNARY -> !fusable(n) || !fuse || pinned.containsKey(n)
                    || (uses.getOrDefault(n, 0) != 1 && !recomputed(n)) || !consumersFusable(n);
            default -> false;
        };
    }

    /** At most this many kernels recompute a bias addition instead of reading it from memory. */
    static final int RECOMPUTE_USES = 4;

    /**
     * A matmul output plus a broadcast (a bias): recomputed inside each of its few consumers rather than
     * written out and read back, since the consumers read the matmul output instead at the same cost and the
     * bias row stays in cache. Its inputs are materialised, so nothing is recomputed recursively.
     */
    private boolean recomputed(Tensor n) {
        if (n.op != Op.ADD || uses.getOrDefault(n, 0) > RECOMPUTE_USES) {
            return false;
        }
        Tensor x = base(n.inputs[0]);
        Tensor y = base(n.inputs[1]);
        return x.op == Op.MATMUL && y.op == Op.EXPAND && base(y.inputs[0]).op.kind == Op.Kind.SOURCE
                || y.op == Op.MATMUL && x.op == Op.EXPAND && base(x.inputs[0]).op.kind == Op.Kind.SOURCE;
    }

    private final Map<Tensor, Boolean> consumerFusable = new IdentityHashMap<>();

    /** Whether every consumer of {@code n} is a fusable elementwise op of its size. */
    private boolean consumersFusable(Tensor n) {
        if (consumerFusable.isEmpty()) {
            for (Tensor m : Autodiff.topo(c.roots)) {
                if (m.op == Op.RESHAPE) {
                    continue;
                }
                for (Tensor in : m.inputs) {
                    consumerFusable.merge(base(in), fusable(m) && in.size() == m.size(), Boolean::logicalAnd);
                }
            }
        }
        return consumerFusable.getOrDefault(n, false);
    }

    /** The value id holding node {@code t}'s data, emitting what computes it if needed. */
    int slot(Tensor t) {
        t = base(t);
        Integer v = value.get(t);
        if (v != null) {
            return v;
        }
        int out;
        switch (t.op.kind) {
            case SOURCE -> {
                if (t.op != Op.CONSTANT) {
                    throw new IllegalStateException("no slot for source " + t);
                }
                out = newValue(t.dtype, t.size(), true);
                constants.add(new Program.ConstantSlot(out, (NdArray) t.attr));
            }
            case UNARY, BINARY, TERNARY -> {
                if (t.op == Op.CAST) {
                    int in = slot(t.inputs[0]);
                    out = newValue(t.dtype, t.size(), false);
                    instrs.add(new Instr.Cast(out, in, t.size(), t.inputs[0].dtype, t.dtype, label(t)));
                } else {
                    Expr e = apply(t);
                    out = newValue(t.dtype, t.size(), false);
                    instrs.add(new Instr.Elementwise(out, e, t.size(), t.dtype, label(t)));
                }
            }
            case REDUCE -> {
                Located in = view(t.inputs[0]);
                out = newValue(t.dtype, t.size(), false);
                instrs.add(new Instr.Reduce(out, in.value, t.op, in.view, (int[]) t.attr, t.dtype, label(t)));
            }
            case MOVEMENT -> {
                Tensor src = t.inputs[0];
                int tr = transposedMatmul(t);
                if (tr >= 0) {
                    out = tr;
                    break;
                }
                out = newValue(t.dtype, t.size(), false);
                View dense = View.contiguous(t.shape);
                switch (t.op) {
                    case PAD -> {
                        Located in = view(src);
                        View interior = dense.window(((int[][]) t.attr)[0], src.shape);
                        instrs.add(new Instr.Strided(out, new int[] {in.value}, new View[] {in.view},
                                new View[] {interior}, t.size(), true, t.dtype, label(t)));
                    }
                    case CONCAT -> {
                        int axis = (Integer) t.attr;
                        int k = t.inputs.length;
                        int[] ins = new int[k];
                        View[] from = new View[k];
                        View[] to = new View[k];
                        int[] at = new int[t.rank()];
                        for (int p = 0; p < k; p++) {
                            Located in = view(t.inputs[p]);
                            ins[p] = in.value;
                            from[p] = in.view;
                            to[p] = dense.window(at, t.inputs[p].shape);
                            at[axis] += t.inputs[p].shape.dim(axis);
                        }
                        instrs.add(new Instr.Strided(out, ins, from, to, t.size(), false, t.dtype, label(t)));
                    }
                    default -> {
                        Located in = composed(t);
                        instrs.add(new Instr.Strided(out, new int[] {in.value}, new View[] {in.view},
                                new View[] {dense}, t.size(), false, t.dtype, label(t)));
                    }
                }
            }
            case MATMUL -> out = matmul(t);
            case RANDOM -> {
                int k = keySlot(t.inputs[0]);
                out = newValue(t.dtype, t.size(), false);
                instrs.add(new Instr.Random(out, k, t.op == Op.RANDOM_NORMAL, t.size(), t.dtype, label(t)));
            }
            default -> throw new IllegalStateException("cannot materialise " + t);
        }
        if (pinned.containsKey(t)) {
            dedicated.set(out, true);
        }
        value.put(t, out);
        return out;
    }

    private int keySlot(Tensor k) {
        Integer s = keySlot.get(k);
        if (s != null) {
            return s;
        }
        Program.KeySlot ks = switch (k.op) {
            case KEY_CONSTANT -> new Program.KeySlot(Program.KeySlot.Kind.CONSTANT, -1, (Key) k.attr, -1, 0);
            case KEY_FOLD -> new Program.KeySlot(Program.KeySlot.Kind.FOLD, -1, null, keySlot(k.inputs[0]),
                    (Long) k.attr);
            default -> throw new IllegalStateException("not a key: " + k);
        };
        keySlot.put(k, keys.size());
        keys.add(ks);
        return keys.size() - 1;
    }

    private int matmul(Tensor t) {
        Tensor a = t.inputs[0];
        Tensor b = t.inputs[1];
        int r = t.rank();
        int batch = 1;
        for (int i = 0; i < r - 2; i++) {
            batch *= t.shape.dim(i);
        }
        int m = t.shape.dim(-2);
        int n = t.shape.dim(-1);
        int k = a.shape.dim(-1);
        Operand oa = operand(a);
        Operand ob = operand(b);
        int out = newValue(t.dtype, t.size(), false);
        instrs.add(new Instr.Matmul(out, oa.slot, oa.offset, oa.stride, oa.trans, ob.slot, ob.offset, ob.stride,
                ob.trans, batch, m, n, k, t.dtype, label(t)));
        return out;
    }

    /**
     * A swap of the last two axes of a matmul output that nothing else reads, {@code (op(A)·op(B))ᵀ}, emitted
     * as the product {@code op(B)ᵀ·op(A)ᵀ} (the operands swapped, their transpositions flipped) instead of
     * the product and a gather; the slot of that product, or −1 if {@code t} is not such a transpose.
     */
    private int transposedMatmul(Tensor t) {
        if (!isTransposedMatmul(t)) {
            return -1;
        }
        Tensor mm = base(t.inputs[0]);
        Tensor a = mm.inputs[0];
        int batch = 1;
        for (int i = 0; i < mm.rank() - 2; i++) {
            batch *= mm.shape.dim(i);
        }
        Operand oa = operand(a);
        Operand ob = operand(mm.inputs[1]);
        int out = newValue(t.dtype, t.size(), false);
        instrs.add(new Instr.Matmul(out, ob.slot, ob.offset, ob.stride, !ob.trans, oa.slot, oa.offset, oa.stride,
                !oa.trans, batch, mm.shape.dim(-1), mm.shape.dim(-2), a.shape.dim(-1), t.dtype, label(t)));
        return out;
    }

    /** Whether {@link #transposedMatmul} emits {@code t}. */
    private boolean isTransposedMatmul(Tensor t) {
        if (t.op != Op.PERMUTE || !isLastTwoSwap((int[]) t.attr)) {
            return false;
        }
        Tensor mm = base(t.inputs[0]);
        return mm.op == Op.MATMUL && uses.getOrDefault(mm, 0) == 1 && !pinned.containsKey(mm)
                && !value.containsKey(mm) && sameMatrices(t.inputs[0].shape, mm.shape);
    }

    /** A matmul operand: matrix b at {@code offset + b·stride} of {@code slot}, stored transposed or not. */
    private record Operand(int slot, int offset, int stride, boolean trans) {
    }

    /** Where a tensor's data lie: value {@code value} read through {@code view} (shape: the tensor's). */
    private record Located(int value, View view) {
    }

    /**
     * The data of {@code t} as a view of a materialised value: permutes, slices and broadcasts compose into the
     * view of what they read, and so does a reshape where {@link View#reshape} finds a view; anything else (a
     * pad, a concatenation, a reshape that regroups strided axes, a computed node) is materialised and read
     * densely.
     */
    Located view(Tensor t) {
        if (t.op == Op.RESHAPE) {
            Located in = view(t.inputs[0]);
            View r = in.view.reshape(t.shape);
            return r != null ? new Located(in.value, r) : new Located(slot(t), View.contiguous(t.shape));
        }
        if (!value.containsKey(t) && isView(t)) {
            return composed(t);
        }
        return new Located(slot(t), View.contiguous(t.shape));
    }

    /** Whether {@code t} is a movement that a view expresses. */
    private boolean isView(Tensor t) {
        return t.op == Op.EXPAND || t.op == Op.SLICE || t.op == Op.PERMUTE && !isTransposedMatmul(t);
    }

    /** The view of permute, slice or expand {@code t} composed with the view of its input. */
    private Located composed(Tensor t) {
        Located in = view(t.inputs[0]);
        View v = switch (t.op) {
            case EXPAND -> in.view.expand(t.shape);
            case PERMUTE -> in.view.permute((int[]) t.attr);
            case SLICE -> in.view.slice(((int[][]) t.attr)[0], ((int[][]) t.attr)[1]);
            default -> throw new IllegalStateException("not a view: " + t.op);
        };
        return new Located(in.value, v);
    }

    /**
     * A leaf reading view {@code v} of {@code slot} by flat index, if the view is one of the in-place reads the
     * kernels have: offset 0, every axis of extent above 1 either broadcast (stride 0) or in one block of
     * consecutive axes laid out row-major from the buffer's start; null otherwise.
     */
    static Expr.Leaf leaf(int slot, View v) {
        if (v.offset() != 0) {
            return null;
        }
        Shape s = v.shape();
        int div = 1;
        int mod = 1;
        boolean inBlock = false;
        boolean blockDone = false;
        for (int a = s.rank() - 1; a >= 0; a--) {
            int d = s.dim(a);
            if (d == 1) {
                continue;
            }
            if (v.stride(a) == 0) {
                if (inBlock) {
                    blockDone = true;
                    inBlock = false;
                }
                if (!blockDone) {
                    div *= d;
                }
                continue;
            }
            if (blockDone || v.stride(a) != mod) {
                return null;
            }
            inBlock = true;
            mod *= d;
        }
        return new Expr.Leaf(slot, mod == 1 ? 1 : div, mod);
    }

    /** A matmul operand read in place: through a swap of its last two axes and a broadcast over batch axes. */
    private Operand operand(Tensor x) {
        Tensor v = x; // the tensor read, through reshapes (which move no data) of t
        Tensor t = base(v);
        boolean shared = false;
        if (t.op == Op.EXPAND) {
            Tensor src = base(t.inputs[0]);
            Shape s = t.inputs[0].shape;
            boolean batchOnly = true;
            for (int i = 0; i < s.rank() - 2; i++) {
                batchOnly &= s.dim(i) == 1;
            }
            batchOnly &= s.dim(-1) == t.shape.dim(-1) && s.dim(-2) == t.shape.dim(-2);
            if (batchOnly) {
                shared = true;
                v = t.inputs[0];
                t = src;
            }
        }
        boolean trans = false;
        // a transpose is read in place only if what is read is the same batch of matrices (a reshape between
        // them that regroups the data would need the transpose materialised); a transpose of a transpose (a
        // weight read back in a second-order gradient) is none
        while (t.op == Op.PERMUTE && isLastTwoSwap((int[]) t.attr) && !pinned.containsKey(t)
                && sameMatrices(v.shape, t.shape)) {
            trans = !trans;
            v = t.inputs[0];
            t = base(v);
        }
        if (shared && t.rank() > 2) {
            int batch = 1;
            for (int i = 0; i < t.rank() - 2; i++) {
                batch *= t.shape.dim(i);
            }
            if (batch != 1) {
                throw new IllegalStateException("shared operand with batch " + batch);
            }
        }
        int matrix = v.shape.dim(-1) * v.shape.dim(-2);
        if (!value.containsKey(t) && isView(t)) {
            // a slice (of whole matrices, or of rows) read in place: dense matrices at a uniform batch stride
            Located l = view(v);
            int stride = batchStride(l.view);
            if (stride >= 0) {
                return new Operand(l.value, l.view.offset(), shared ? 0 : stride, trans);
            }
        }
        return new Operand(slot(t), 0, shared ? 0 : matrix, trans);
    }

    /**
     * The batch stride of a view whose last two axes are a dense row-major matrix and whose other axes step
     * evenly through a sequence of such matrices (stride 0: one matrix for all), or −1 if the GEMM cannot read it.
     */
    private static int batchStride(View w) {
        Shape s = w.shape();
        int r = s.rank();
        int rows = s.dim(-2);
        int cols = s.dim(-1);
        if (cols != 1 && w.stride(r - 1) != 1 || rows != 1 && w.stride(r - 2) != cols) {
            return -1;
        }
        int stride = rows * cols;
        int extent = 1;
        for (int a = r - 3; a >= 0; a--) {
            int d = s.dim(a);
            if (d == 1) {
                continue;
            }
            if (extent == 1) {
                stride = w.stride(a);
                if (stride != 0 && stride < rows * cols) {
                    return -1; // overlapping matrices are no batch the GEMM knows
                }
            } else if (w.stride(a) != stride * extent) {
                return -1;
            }
            extent *= d;
        }
        return stride;
    }

    /** Whether a and b are the same batch of matrices: equal last two axes, equal sizes. */
    private static boolean sameMatrices(Shape a, Shape b) {
        return a.rank() >= 2 && b.rank() >= 2 && a.dim(-1) == b.dim(-1) && a.dim(-2) == b.dim(-2)
                && a.size() == b.size();
    }

    private static boolean isLastTwoSwap(int[] p) {
        int r = p.length;
        for (int i = 0; i < r - 2; i++) {
            if (p[i] != i) {
                return false;
            }
        }
        return r >= 2 && p[r - 1] == r - 2 && p[r - 2] == r - 1;
    }

    /** The fused kernel body of elementwise node {@code t}. */
    private Expr apply(Tensor t) {
        Expr[] args = new Expr[t.inputs.length];
        for (int i = 0; i < args.length; i++) {
            args[i] = operandExpr(t.inputs[i]);
        }
        return new Expr.Apply(t.op, args);
    }

    private Expr operandExpr(Tensor x) {
        Tensor t = base(x);
        if (t.op == Op.CONSTANT && t.size() == 1) {
            return new Expr.Const(((NdArray) t.attr).getFlat(0));
        }
        if (t.op == Op.EXPAND) {
            Tensor src = base(t.inputs[0]);
            if (src.op == Op.CONSTANT && src.size() == 1) {
                return new Expr.Const(((NdArray) src.attr).getFlat(0));
            }
        }
        if (!value.containsKey(t) && isView(t)) {
            // a permute, slice or broadcast read in place where the kernels can (the flat index of x is t's)
            Located in = composed(t);
            Expr.Leaf l = leaf(in.value, in.view);
            if (l != null) {
                return l;
            }
            boolean viewRead = uses.getOrDefault(t, 0) <= VIEW_READS && t.size() > 0;
            Tensor from = t.op == Op.EXPAND ? src(t) : null;
            if (from != null && !(viewRead && !value.containsKey(from) && isView(from))) {
                // a broadcast of a block of axes of what is materialised: the broadcast read in place (a broadcast
                // of a view is read through the composed view below, without copying the view first)
                int[] dm = separable(t.inputs[0].shape, t.shape);
                if (dm != null) {
                    return new Expr.Leaf(slot(src(t)), dm[0], dm[1]);
                }
            }
            if (viewRead) {
                // any other view, read through the view by the kernel (a strided leaf) instead of copied first
                return new Expr.Strided(in.value, in.view);
            }
        }
        if (fuse && fusable(t) && !value.containsKey(t) && !mustMaterialize(t)) {
            return apply(t);
        }
        return new Expr.Leaf(slot(t), 1, t.size());
    }

    /**
     * A view that no {@link Expr.Leaf} expresses is read in place by the kernels of its consumers when it has at
     * most this many ({@link Expr.Strided}), and copied once by {@link Instr.Strided} for more. Reading in place
     * saves the copy's write and one read of it, but each reading kernel pays the strided gather again (and
     * runs on the interpreter's chunks rather than a compiled loop); past two readers one dense copy that
     * every reader streams costs less. Pads and concatenations are always written out.
     */
    static final int VIEW_READS = 2;

    private static Tensor src(Tensor expand) {
        return base(expand.inputs[0]);
    }

    /**
     * For a broadcast {@code src → out} (equal ranks) whose kept axes form one contiguous block, {div, mod}
     * with source index {@code (i / div) % mod}; null otherwise.
     */
    static int[] separable(Shape src, Shape out) {
        int first = -1;
        int last = -1;
        for (int a = 0; a < out.rank(); a++) {
            if (out.dim(a) != 1 && src.dim(a) == out.dim(a)) {
                if (first < 0) {
                    first = a;
                }
                last = a;
            }
        }
        if (first < 0) {
            return new int[] {1, 1};
        }
        for (int a = first; a <= last; a++) {
            if (src.dim(a) != out.dim(a)) {
                return null;
            }
        }
        int inner = 1;
        for (int a = last + 1; a < out.rank(); a++) {
            inner *= out.dim(a);
        }
        return new int[] {inner, src.size()};
    }

    // -------------------------------------------------------------- slot assignment by liveness

    private Program assignSlots(List<Program.OutputSlot> outs) {
        int nv = valueDtype.size();
        int[] lastUse = new int[nv];
        Arrays.fill(lastUse, -1);
        for (int i = 0; i < instrs.size(); i++) {
            for (int v : reads(instrs.get(i))) {
                lastUse[v] = i;
            }
        }
        for (Program.OutputSlot o : outs) {
            dedicated.set(o.slot(), true);
        }
        for (Instr in : instrs) {
            if (in instanceof Instr.Copy cp) {
                dedicated.set(cp.in(), true); // update values live to the end
            }
        }
        int[] slotOf = new int[nv];
        Arrays.fill(slotOf, -1);
        List<Program.Slot> slots = new ArrayList<>();
        List<Integer> capacity = new ArrayList<>();
        // dedicated values first (inputs, parameters, constants, outputs)
        for (int v = 0; v < nv; v++) {
            if (dedicated.get(v)) {
                slotOf[v] = slots.size();
                slots.add(new Program.Slot(valueDtype.get(v), valueSize.get(v)));
                capacity.add(valueSize.get(v));
            }
        }
        List<Integer> free = new ArrayList<>();
        List<List<Integer>> releaseAt = new ArrayList<>();
        for (int i = 0; i < instrs.size(); i++) {
            releaseAt.add(new ArrayList<>());
        }
        for (int v = 0; v < nv; v++) {
            if (!dedicated.get(v) && lastUse[v] >= 0) {
                releaseAt.get(lastUse[v]).add(v);
            }
        }
        for (int i = 0; i < instrs.size(); i++) {
            int v = instrs.get(i).out();
            if (slotOf[v] < 0) {
                DType dt = valueDtype.get(v);
                int size = valueSize.get(v);
                int best = -1;
                for (int f = 0; f < free.size(); f++) {
                    int s = free.get(f);
                    if (slots.get(s).dtype() != dt) {
                        continue;
                    }
                    if (best < 0 || fitsBetter(capacity.get(s), capacity.get(free.get(best)), size)) {
                        best = f;
                    }
                }
                if (best >= 0) {
                    int s = free.remove(best);
                    slotOf[v] = s;
                    if (capacity.get(s) < size) {
                        capacity.set(s, size);
                        slots.set(s, new Program.Slot(dt, size));
                    }
                } else {
                    slotOf[v] = slots.size();
                    slots.add(new Program.Slot(dt, size));
                    capacity.add(size);
                }
            }
            for (int dead : releaseAt.get(i)) {
                free.add(slotOf[dead]);
            }
        }
        List<Instr> mapped = new ArrayList<>(instrs.size());
        for (Instr in : instrs) {
            mapped.add(remap(in, slotOf));
        }
        List<Program.ConstantSlot> cs = new ArrayList<>();
        for (Program.ConstantSlot k : constants) {
            cs.add(new Program.ConstantSlot(slotOf[k.slot()], k.value()));
        }
        List<Program.InputSlot> is = new ArrayList<>();
        for (Program.InputSlot k : inputs) {
            is.add(new Program.InputSlot(slotOf[k.slot()], k.name(), k.shape(), k.dtype()));
        }
        List<Program.ParameterSlot> ps = new ArrayList<>();
        for (Program.ParameterSlot k : parameters) {
            ps.add(new Program.ParameterSlot(slotOf[k.slot()], k.index()));
        }
        List<Program.OutputSlot> os = new ArrayList<>();
        for (Program.OutputSlot o : outs) {
            os.add(new Program.OutputSlot(slotOf[o.slot()], o.shape(), o.dtype()));
        }
        return new Program(List.copyOf(slots), cs, is, ps, List.copyOf(keys), mapped, os);
    }

    /** Prefer the smallest slot that fits, else the largest (least growth). */
    private static boolean fitsBetter(int cand, int best, int size) {
        boolean cf = cand >= size;
        boolean bf = best >= size;
        if (cf != bf) {
            return cf;
        }
        return cf ? cand < best : cand > best;
    }

    private static List<Integer> reads(Instr in) {
        return switch (in) {
            case Instr.Elementwise e -> leaves(e.expr(), new ArrayList<>());
            case Instr.Cast x -> List.of(x.in());
            case Instr.Reduce x -> List.of(x.in());
            case Instr.Strided x -> Arrays.stream(x.in()).boxed().toList();
            case Instr.Matmul x -> List.of(x.a(), x.b());
            case Instr.Random x -> List.of();
            case Instr.Copy x -> List.of(x.in());
        };
    }

    private static List<Integer> leaves(Expr e, List<Integer> acc) {
        switch (e) {
            case Expr.Leaf l -> acc.add(l.slot());
            case Expr.Strided l -> acc.add(l.slot());
            case Expr.Const k -> {
            }
            case Expr.Apply a -> {
                for (Expr x : a.args()) {
                    leaves(x, acc);
                }
            }
        }
        return acc;
    }

    private static Expr remap(Expr e, int[] s) {
        return switch (e) {
            case Expr.Leaf l -> new Expr.Leaf(s[l.slot()], l.div(), l.mod());
            case Expr.Strided l -> new Expr.Strided(s[l.slot()], l.view());
            case Expr.Const k -> k;
            case Expr.Apply a -> {
                Expr[] args = new Expr[a.args().length];
                for (int i = 0; i < args.length; i++) {
                    args[i] = remap(a.args()[i], s);
                }
                yield new Expr.Apply(a.op(), args);
            }
        };
    }

    private static Instr remap(Instr in, int[] s) {
        return switch (in) {
            case Instr.Elementwise e -> new Instr.Elementwise(s[e.out()], remap(e.expr(), s), e.size(), e.dtype(),
                    e.label());
            case Instr.Cast x -> new Instr.Cast(s[x.out()], s[x.in()], x.size(), x.from(), x.dtype(), x.label());
            case Instr.Reduce x -> new Instr.Reduce(s[x.out()], s[x.in()], x.op(), x.view(), x.axes(), x.dtype(),
                    x.label());
            case Instr.Strided x -> {
                int[] ins = new int[x.in().length];
                for (int p = 0; p < ins.length; p++) {
                    ins[p] = s[x.in()[p]];
                }
                yield new Instr.Strided(s[x.out()], ins, x.from(), x.to(), x.size(), x.zero(), x.dtype(), x.label());
            }
            case Instr.Matmul x -> new Instr.Matmul(s[x.out()], s[x.a()], x.offsetA(), x.strideA(), x.transA(),
                    s[x.b()], x.offsetB(), x.strideB(), x.transB(), x.batch(), x.m(), x.n(), x.k(), x.dtype(),
                    x.label());
            case Instr.Random x -> new Instr.Random(s[x.out()], x.keySlot(), x.normal(), x.size(), x.dtype(), x.label());
            case Instr.Copy x -> new Instr.Copy(s[x.out()], s[x.in()], x.size(), x.dtype(), x.label());
        };
    }
}
