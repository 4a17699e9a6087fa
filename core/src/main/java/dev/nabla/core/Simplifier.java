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
 * The first compiler pass, graph → graph: a rebuild of the roots with common subexpressions merged (hash-consing on
 * op, attribute, dtype, shape and canonical inputs), stop-gradients removed, zeros propagated through linear ops
 * (the symbolic zeros of reverse mode: {@code 0·x → 0}, {@code x + 0 → x}), {@code x·1 → x}, and elementwise ops on
 * constants folded. It builds graph nodes, so it lives with the graph; {@link Lowering} takes its result to the IR.
 */
final class Simplifier {
    /** The result of simplification: canonical roots and the graph's free sources, in a fixed order. */
    static final class Canonical {
        final List<Tensor> roots = new ArrayList<>();
        final List<Tensor> placeholders = new ArrayList<>();
        final List<Tensor> parameters = new ArrayList<>();
        final List<Tensor> keyInputs = new ArrayList<>();
        final List<Object> signature = new ArrayList<>();
        /** Every placeholder and key input of the graph as traced, before simplification removed any. */
        final Set<Tensor> traced = Collections.newSetFromMap(new IdentityHashMap<>());
    }

    static Canonical simplify(List<Tensor> roots) {
        Simplifier s = new Simplifier();
        Canonical c = new Canonical();
        for (Tensor r : Autodiff.topo(roots)) {
            if (r.op == Op.PLACEHOLDER || r.op == Op.KEY_INPUT) {
                c.traced.add(r);
            }
            s.visit(r);
        }
        for (Tensor r : roots) {
            c.roots.add(s.memo.get(r));
        }
        // signature over the canonical graph: equal signatures compile to the same program
        Map<Tensor, Integer> index = new IdentityHashMap<>();
        for (Tensor n : Autodiff.topo(c.roots)) {
            index.put(n, index.size());
            c.signature.add(n.op);
            c.signature.add(n.dtype);
            c.signature.add(n.shape);
            switch (n.op) {
                case PLACEHOLDER -> {
                    c.signature.add("in" + c.placeholders.size() + ":" + n.attr);
                    c.placeholders.add(n);
                }
                case PARAMETER -> {
                    c.signature.add(n); // identity: the program reads this parameter's storage
                    c.parameters.add(n);
                }
                case KEY_INPUT -> {
                    c.signature.add("key" + c.keyInputs.size());
                    c.keyInputs.add(n);
                }
                default -> c.signature.add(attrKey(n));
            }
            for (Tensor in : n.inputs) {
                c.signature.add(index.get(in));
            }
            c.signature.add(';');
        }
        for (Tensor r : c.roots) {
            c.signature.add(index.get(r));
        }
        return c;
    }

    private static Object attrKey(Tensor n) {
        Object a = n.attr;
        if (a instanceof int[] ia) {
            return Arrays.toString(ia);
        }
        if (a instanceof int[][] ia) {
            return Arrays.deepToString(ia);
        }
        return a == null ? "" : a;
    }

        final Map<Tensor, Tensor> memo = new IdentityHashMap<>();
        final Map<List<Object>, Tensor> cse = new HashMap<>();
        final Map<Tensor, Double> uniformValue = new IdentityHashMap<>();

        void visit(Tensor n) {
            if (memo.containsKey(n)) {
                return;
            }
            Tensor[] ins = new Tensor[n.inputs.length];
            for (int i = 0; i < ins.length; i++) {
                ins[i] = memo.get(n.inputs[i]);
            }
            memo.put(n, rewrite(n, ins));
        }

        /** Returns an existing equal node, or registers this one. */
        Tensor intern(Tensor n) {
            List<Object> key = new ArrayList<>(4 + n.inputs.length);
            key.add(n.op);
            key.add(n.dtype);
            key.add(n.shape);
            key.add(n.op == Op.PLACEHOLDER || n.op == Op.PARAMETER || n.op == Op.KEY_INPUT ? n : attrKey(n));
            for (Tensor in : n.inputs) {
                key.add(in.id);
            }
            Tensor prev = cse.putIfAbsent(key, n);
            return prev != null ? prev : n;
        }

        Tensor make(Op op, Shape shape, DType dtype, Object attr, Tensor... ins) {
            return intern(Tensor.node(op, shape, dtype, attr, ins));
        }

        Tensor filled(double v, Shape shape, DType dtype) {
            NdArray a = NdArray.zeros(Shape.scalar(), dtype);
            a.setFlat(0, v);
            Tensor c = make(Op.CONSTANT, Shape.scalar(), dtype, a);
            if (shape.rank() == 0) {
                return c;
            }
            Tensor r = make(Op.RESHAPE, shape.padLeft(shape.rank()).size() == 1 ? shape : Shape.of(ones(shape.rank())),
                    dtype, null, c);
            return r.shape.equals(shape) ? r : make(Op.EXPAND, shape, dtype, null, r);
        }

        private static int[] ones(int n) {
            int[] d = new int[n];
            Arrays.fill(d, 1);
            return d;
        }

        /** The value every element has, if the node is a constant (or a reshape/broadcast of one) with one value. */
        Double uniform(Tensor t) {
            while (t.op == Op.RESHAPE || t.op == Op.EXPAND) {
                t = t.inputs[0];
            }
            if (t.op != Op.CONSTANT) {
                return null;
            }
            return uniformValue.computeIfAbsent(t, k -> {
                NdArray a = (NdArray) k.attr;
                double v = a.size() == 0 ? 0 : a.getFlat(0);
                for (int i = 1; i < a.size(); i++) {
                    if (Double.doubleToLongBits(a.getFlat(i)) != Double.doubleToLongBits(v)) {
                        return Double.NaN; // marker: not uniform (NaN constants are never "uniform" either)
                    }
                }
                return v;
            });
        }

        boolean isValue(Tensor t, double v) {
            Double u = uniform(t);
            return u != null && u == v;
        }

        boolean isZero(Tensor t) {
            return isValue(t, 0.0);
        }

        /** The constant array behind a constant-valued node, broadcast to {@code t}'s shape; null otherwise. */
        NdArray constantValue(Tensor t) {
            if (t.op == Op.CONSTANT) {
                return (NdArray) t.attr;
            }
            if (t.op == Op.RESHAPE) {
                NdArray a = constantValue(t.inputs[0]);
                return a == null ? null : a.reshape(t.shape.dims());
            }
            if (t.op == Op.EXPAND) {
                NdArray a = constantValue(t.inputs[0]);
                if (a == null || t.size() > FOLD_LIMIT) {
                    return null;
                }
                NdArray out = NdArray.zeros(t.shape, t.dtype);
                View v = View.contiguous(t.inputs[0].shape).expand(t.shape);
                for (int i = 0; i < out.size(); i++) {
                    out.setFlat(i, a.getFlat(v.offsetOf(i)));
                }
                return out;
            }
            return null;
        }

        static final int FOLD_LIMIT = 1 << 14;

        Tensor rewrite(Tensor n, Tensor[] in) {
            switch (n.op) {
                case CONSTANT -> {
                    return n.size() == 1 && n.rank() > 0
                            ? make(Op.RESHAPE, n.shape, n.dtype, null, make(Op.CONSTANT, Shape.scalar(), n.dtype,
                            ((NdArray) n.attr).reshape()))
                            : intern(n);
                }
                case PLACEHOLDER, PARAMETER, KEY_INPUT, KEY_CONSTANT -> {
                    return intern(n);
                }
                case STOP_GRADIENT -> {
                    return in[0];
                }
                default -> {
                }
            }
            Op op = n.op;
            // symbolic zeros through linear ops
            boolean linear = switch (op) {
                case NEG, SUM, RESHAPE, EXPAND, PERMUTE, SLICE, PAD, CAST -> true;
                default -> false;
            };
            if (linear && isZero(in[0])) {
                return filled(0, n.shape, n.dtype);
            }
            if (op == Op.CONCAT && Arrays.stream(in).allMatch(this::isZero)) {
                return filled(0, n.shape, n.dtype);
            }
            if ((op == Op.MUL || op == Op.MATMUL) && (isZero(in[0]) || isZero(in[1]))) {
                return filled(0, n.shape, n.dtype);
            }
            if (op == Op.ADD && isZero(in[0])) {
                return in[1];
            }
            if (op == Op.ADD && isZero(in[1])) {
                return in[0];
            }
            if (op == Op.MUL && isValue(in[0], 1.0)) {
                return in[1];
            }
            if (op == Op.MUL && isValue(in[1], 1.0)) {
                return in[0];
            }
            if (op == Op.NEG && in[0].op == Op.NEG) {
                return in[0].inputs[0];
            }
            if (op == Op.WHERE) {
                Double c = uniform(in[0]);
                if (c != null && !c.isNaN()) {
                    return c != 0 ? in[1] : in[2];
                }
                if (isZero(in[1]) && isZero(in[2])) {
                    return filled(0, n.shape, n.dtype);
                }
            }
            if (op == Op.RESHAPE) {
                Tensor x = in[0].op == Op.RESHAPE ? in[0].inputs[0] : in[0];
                return x.shape.equals(n.shape) ? x : make(Op.RESHAPE, n.shape, n.dtype, null, x);
            }
            if (op.isElementwise()) {
                // constant folding: one value everywhere, or small constant arrays
                Double[] u = new Double[in.length];
                boolean allUniform = true;
                for (int i = 0; i < in.length; i++) {
                    u[i] = uniform(in[i]);
                    allUniform &= u[i] != null && !u[i].isNaN();
                }
                if (allUniform) {
                    double v = ScalarOps.round(n.dtype, ScalarOps.apply(op, u[0], u.length > 1 ? u[1] : 0,
                            u.length > 2 ? u[2] : 0));
                    return filled(v, n.shape, n.dtype);
                }
                if (n.size() <= FOLD_LIMIT) {
                    NdArray[] vals = new NdArray[in.length];
                    boolean all = true;
                    for (int i = 0; i < in.length && all; i++) {
                        vals[i] = constantValue(in[i]);
                        all = vals[i] != null;
                    }
                    if (all) {
                        NdArray out = NdArray.zeros(n.shape, n.dtype);
                        for (int i = 0; i < out.size(); i++) {
                            out.setFlat(i, ScalarOps.round(n.dtype, ScalarOps.apply(op, vals[0].getFlat(i),
                                    vals.length > 1 ? vals[1].getFlat(i) : 0, vals.length > 2 ? vals[2].getFlat(i) : 0)));
                        }
                        return make(Op.CONSTANT, n.shape, n.dtype, out);
                    }
                }
            }
            boolean same = true;
            for (int i = 0; i < in.length; i++) {
                same &= in[i] == n.inputs[i];
            }
            return same ? intern(n) : make(op, n.shape, n.dtype, n.attr, in).inheritFrom(n);
        }
}
