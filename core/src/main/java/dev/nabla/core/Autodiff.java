package dev.nabla.core;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.EnumMap;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * Graph-to-graph differentiation. Every transform takes tensors (graph nodes) and returns tensors, so the
 * results can be differentiated again: {@code grad(grad(f))}, Hessian-vector products, third derivatives,
 * and training objectives that contain a gradient (implicit score matching) all come from one mechanism.
 *
 * <p>Reverse mode: for {@code y = f(x)} and a cotangent {@code u} of y's shape, {@link #vjp} returns
 * {@code uᵀ ∂y/∂x}, accumulated over the graph in reverse topological order with one backward rule per
 * primitive ({@link #RULES}, the only place derivatives are defined). The rule of {@link Op#EXPAND} — a sum
 * over the broadcast axes — is the one place where broadcasting is undone. Forward mode ({@link #jvp}) is
 * the transpose of reverse mode: {@code J v = ∂/∂u ⟨uᵀJ, v⟩}, exact because {@code uᵀJ} is linear in u.
 *
 * <p>Ops without a derivative ({@link Op#LESS}, random ops, {@link Op#STOP_GRADIENT}) pass a zero cotangent.
 */
public final class Autodiff {
    private Autodiff() {
    }

    /** A backward rule: given the node and the cotangent of its output, the cotangent of each input (null = 0). */
    @FunctionalInterface
    interface Rule {
        Tensor[] backward(Tensor node, Tensor g);
    }

    private static final Map<Op, Rule> RULES = new EnumMap<>(Op.class);

    static {
        // d(-x) = -dx
        RULES.put(Op.NEG, (n, g) -> new Tensor[] {g.neg()});
        // d e^x = e^x dx
        RULES.put(Op.EXP, (n, g) -> new Tensor[] {g.mul(n)});
        // d(e^x - 1) = (out + 1) dx
        RULES.put(Op.EXPM1, (n, g) -> new Tensor[] {g.mul(n.add(1))});
        // d log x = dx / x
        RULES.put(Op.LOG, (n, g) -> new Tensor[] {g.div(n.inputs[0])});
        // d log(1+x) = dx / (1 + x)
        RULES.put(Op.LOG1P, (n, g) -> new Tensor[] {g.div(n.inputs[0].add(1))});
        // d sin x = cos x dx (the COS primitive, accurate near π/2 + kπ)
        RULES.put(Op.SIN, (n, g) -> new Tensor[] {g.mul(n.inputs[0].cos())});
        // d cos x = −sin x dx (the SIN primitive, accurate near kπ)
        RULES.put(Op.COS, (n, g) -> new Tensor[] {g.mul(n.inputs[0].sin()).neg()});
        // d sqrt x = dx / (2 sqrt x)
        RULES.put(Op.SQRT, (n, g) -> new Tensor[] {g.div(n.mul(2))});
        // d (1/x) = -dx / x^2
        RULES.put(Op.RECIPROCAL, (n, g) -> new Tensor[] {g.mul(n.square()).neg()});
        // d tanh x = (1 - tanh^2 x) dx
        RULES.put(Op.TANH, (n, g) -> new Tensor[] {g.mul(n.square().rsub(1))});
        // d σ(x) = σ(1 - σ) dx
        RULES.put(Op.LOGISTIC, (n, g) -> new Tensor[] {g.mul(n.mul(n.rsub(1)))});
        RULES.put(Op.CAST, (n, g) -> new Tensor[] {g.cast(n.inputs[0].dtype)});
        RULES.put(Op.STOP_GRADIENT, (n, g) -> new Tensor[] {null});
        RULES.put(Op.ADD, (n, g) -> new Tensor[] {g, g});
        RULES.put(Op.MUL, (n, g) -> new Tensor[] {g.mul(n.inputs[1]), g.mul(n.inputs[0])});
        // max: the derivative goes to the larger argument, split equally on ties
        RULES.put(Op.MAX, (n, g) -> {
            Tensor a = n.inputs[0];
            Tensor b = n.inputs[1];
            Tensor aWins = b.lt(a).sub(a.lt(b)); // +1, 0 or -1
            return new Tensor[] {g.mul(aWins.add(1).mul(0.5)), g.mul(aWins.rsub(1).mul(0.5))};
        });
        RULES.put(Op.LESS, (n, g) -> new Tensor[] {null, null});
        RULES.put(Op.WHERE, (n, g) -> {
            Tensor zero = g.zerosLike();
            Tensor c = n.inputs[0];
            return new Tensor[] {null, Tensor.where(c, g, zero), Tensor.where(c, zero, g)};
        });
        // sum: broadcast the cotangent back over the reduced axes
        RULES.put(Op.SUM, (n, g) -> new Tensor[] {g.broadcastTo(n.inputs[0].shape)});
        // max over axes: to the maximal elements, split equally on ties
        RULES.put(Op.REDUCE_MAX, (n, g) -> {
            Tensor x = n.inputs[0];
            Tensor hit = x.eq(n.broadcastTo(x.shape));
            Tensor share = hit.div(hit.sumKeep((int[]) n.attr));
            return new Tensor[] {g.broadcastTo(x.shape).mul(share)};
        });
        RULES.put(Op.RESHAPE, (n, g) -> new Tensor[] {g.reshape(n.inputs[0].shape.dims())});
        // broadcasting is undone here and only here: sum over the expanded axes
        RULES.put(Op.EXPAND, (n, g) -> {
            Shape in = n.inputs[0].shape;
            List<Integer> axes = new ArrayList<>();
            for (int a = 0; a < in.rank(); a++) {
                if (in.dim(a) != n.shape.dim(a)) {
                    axes.add(a);
                }
            }
            return new Tensor[] {g.sumKeep(axes.stream().mapToInt(Integer::intValue).toArray())};
        });
        RULES.put(Op.PERMUTE, (n, g) -> {
            int[] p = (int[]) n.attr;
            int[] inv = new int[p.length];
            for (int i = 0; i < p.length; i++) {
                inv[p[i]] = i;
            }
            return new Tensor[] {g.permute(inv)};
        });
        RULES.put(Op.SLICE, (n, g) -> {
            int[][] se = (int[][]) n.attr;
            Shape in = n.inputs[0].shape;
            Tensor r = g;
            for (int a = 0; a < in.rank(); a++) {
                r = r.pad(a, se[0][a], in.dim(a) - se[1][a]);
            }
            return new Tensor[] {r};
        });
        RULES.put(Op.PAD, (n, g) -> {
            int[][] ba = (int[][]) n.attr;
            Tensor r = g;
            for (int a = 0; a < g.rank(); a++) {
                r = r.slice(a, ba[0][a], g.shape.dim(a) - ba[1][a]);
            }
            return new Tensor[] {r};
        });
        // concat: each part's slice of the cotangent
        RULES.put(Op.CONCAT, (n, g) -> {
            int a = (Integer) n.attr;
            Tensor[] r = new Tensor[n.inputs.length];
            int off = 0;
            for (int i = 0; i < r.length; i++) {
                int len = n.inputs[i].shape.dim(a);
                r[i] = g.slice(a, off, off + len);
                off += len;
            }
            return r;
        });
        // C = A B: dA = G Bᵀ, dB = Aᵀ G
        RULES.put(Op.MATMUL, (n, g) -> new Tensor[] {
                g.matmul(n.inputs[1].transpose()), n.inputs[0].transpose().matmul(g)});
        RULES.put(Op.RANDOM_UNIFORM, (n, g) -> new Tensor[] {null});
        RULES.put(Op.RANDOM_NORMAL, (n, g) -> new Tensor[] {null});
        RULES.put(Op.KEY_FOLD, (n, g) -> new Tensor[] {null});
        for (Op op : Op.values()) {
            if (op.kind != Op.Kind.SOURCE && !RULES.containsKey(op)) {
                throw new AssertionError("no backward rule for " + op);
            }
        }
    }

    // ------------------------------------------------------------------ reverse mode

    /**
     * Vector-Jacobian products {@code Σ_k u_kᵀ ∂y_k/∂x} for every {@code x} in {@code wrt}: the cotangents of
     * the inputs, given cotangents {@code us} of the outputs {@code ys}. An {@code x} that does not influence
     * any output gets zeros.
     */
    public static List<Tensor> vjp(List<Tensor> ys, List<Tensor> us, List<Tensor> wrt) {
        if (ys.size() != us.size()) {
            throw new IllegalArgumentException("vjp: " + ys.size() + " outputs but " + us.size() + " cotangents");
        }
        for (int i = 0; i < ys.size(); i++) {
            Tensor y = ys.get(i);
            Tensor u = us.get(i);
            if (!u.shape.equals(y.shape)) {
                throw new IllegalArgumentException("vjp: cotangent " + i + " has shape " + u.shape + ", output has "
                        + y.shape);
            }
            if (y.dtype == DType.KEY) {
                throw new IllegalArgumentException("vjp: output " + i + " is a PRNG key, which has no derivative");
            }
        }
        Set<Tensor> targets = identitySet(wrt);
        // nodes between wrt and ys, in topological (id) order
        List<Tensor> order = topo(ys);
        Set<Tensor> live = identitySet(List.of());
        for (Tensor n : order) {
            boolean dep = targets.contains(n);
            for (Tensor in : n.inputs) {
                dep |= live.contains(in);
            }
            if (dep) {
                live.add(n);
            }
        }
        Map<Tensor, Tensor> cot = new IdentityHashMap<>();
        for (int i = 0; i < ys.size(); i++) {
            if (live.contains(ys.get(i))) {
                cot.merge(ys.get(i), us.get(i).cast(ys.get(i).dtype), Tensor::add);
            }
        }
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor n = order.get(i);
            Tensor g = cot.get(n);
            if (g == null || n.op.kind == Op.Kind.SOURCE || !live.contains(n)) {
                continue;
            }
            long before = Tensor.lastId();
            Tensor[] gs = RULES.get(n.op).backward(n, g);
            for (Tensor r : gs) {
                markNew(r, before, n);
            }
            for (int k = 0; k < gs.length; k++) {
                Tensor in = n.inputs[k];
                if (gs[k] != null && live.contains(in)) {
                    if (!gs[k].shape.equals(in.shape)) {
                        throw new AssertionError("backward rule of " + n.op + " gave shape " + gs[k].shape
                                + " for input of shape " + in.shape);
                    }
                    cot.merge(in, gs[k], Tensor::add);
                }
            }
        }
        List<Tensor> out = new ArrayList<>(wrt.size());
        for (Tensor x : wrt) {
            Tensor g = cot.get(x);
            out.add(g != null ? g : x.zerosLike());
        }
        return out;
    }

    /** Marks the nodes a backward rule of {@code forward} created (ids above {@code before}) as its gradient's. */
    private static void markNew(Tensor r, long before, Tensor forward) {
        ArrayDeque<Tensor> todo = new ArrayDeque<>();
        if (r != null) {
            todo.push(r);
        }
        while (!todo.isEmpty()) {
            Tensor t = todo.pop();
            if (t.id <= before || t.gradientOrigin() != null) {
                continue;
            }
            t.markGradientOf(forward);
            for (Tensor in : t.inputs) {
                todo.push(in);
            }
        }
    }

    /** {@code uᵀ ∂y/∂x}. */
    public static Tensor vjp(Tensor y, Tensor x, Tensor u) {
        return vjp(List.of(y), List.of(u), List.of(x)).get(0);
    }

    /** Gradients of a scalar {@code y} (one element) with respect to each of {@code xs}. */
    public static List<Tensor> grad(Tensor y, List<Tensor> xs) {
        if (y.size() != 1) {
            throw new IllegalArgumentException("grad: output must have one element, got shape " + y.shape
                    + " (sum it, or use vjp with a cotangent)");
        }
        return vjp(List.of(y), List.of(Tensor.ones(y.shape, y.dtype)), xs);
    }

    /** {@code ∇_x y} for a scalar {@code y}. */
    public static Tensor grad(Tensor y, Tensor x) {
        return grad(y, List.of(x)).get(0);
    }

    /** JAX's {@code grad} as a function transform: {@code x ↦ ∇f(x)}; compose for higher orders. */
    public static Function<Tensor, Tensor> grad(Function<Tensor, Tensor> f) {
        Objects.requireNonNull(f, "grad: f");
        return x -> grad(f.apply(x), x);
    }

    /** A scalar output together with its gradients (one graph, so shared subexpressions are computed once). */
    public record ValueAndGrad(Tensor value, List<Tensor> grads) {
    }

    public static ValueAndGrad valueAndGrad(Tensor y, List<Tensor> xs) {
        return new ValueAndGrad(y, grad(y, xs));
    }

    // ------------------------------------------------------------------ forward mode and friends

    /**
     * Jacobian-vector product {@code (∂y/∂x) v}, obtained by transposing the linear map {@code u ↦ uᵀJ}:
     * {@code J v = ∂⟨uᵀJ, v⟩/∂u}. {@code v} has x's shape; the result has y's shape.
     */
    public static Tensor jvp(Tensor y, Tensor x, Tensor v) {
        if (!v.shape.equals(x.shape)) {
            throw new IllegalArgumentException("jvp: tangent has shape " + v.shape + ", x has " + x.shape);
        }
        Tensor u = Tensor.constant(NdArray.zeros(y.shape, y.dtype)); // a dummy: uᵀJ is linear in u
        Tensor ut = vjp(y, x, u);
        return vjp(ut, u, v);
    }

    /** Hessian-vector product {@code ∇²f(x) v = ∇_x ⟨∇_x f, v⟩} for a scalar {@code f}. */
    public static Tensor hvp(Tensor f, Tensor x, Tensor v) {
        if (!v.shape.equals(x.shape)) {
            throw new IllegalArgumentException("hvp: vector has shape " + v.shape + ", x has " + x.shape);
        }
        return grad(grad(f, x).mul(v).sum(), x);
    }

    /**
     * The full Jacobian {@code ∂y/∂x} with shape {@code y.shape ++ x.shape}, one reverse pass per element of y
     * (meant for small dimensions).
     */
    public static Tensor jacobian(Tensor y, Tensor x) {
        int n = y.size();
        Tensor[] rows = new Tensor[n];
        for (int i = 0; i < n; i++) {
            rows[i] = vjp(y, x, oneHot(y.shape, y.dtype, i)).flatten();
        }
        int[] dims = new int[y.rank() + x.rank()];
        System.arraycopy(y.shape.dims(), 0, dims, 0, y.rank());
        System.arraycopy(x.shape.dims(), 0, dims, y.rank(), x.rank());
        return Tensor.stack(0, rows).reshape(dims);
    }

    /** The Hessian {@code ∂²f/∂x²} of a scalar {@code f}, shape {@code x.shape ++ x.shape}. */
    public static Tensor hessian(Tensor f, Tensor x) {
        return jacobian(grad(f, x), x);
    }

    /**
     * Exact divergence {@code Σ_i ∂s_i/∂x_i} over the last axis, for {@code s} and {@code x} of equal shape
     * {@code [..., D]}; leading axes are a batch whose rows must not interact (as for a score model applied
     * row by row). Costs D reverse passes.
     */
    public static Tensor divergence(Tensor s, Tensor x) {
        if (!s.shape.equals(x.shape) || s.rank() == 0) {
            throw new IllegalArgumentException("divergence: s has shape " + s.shape + " and x has " + x.shape
                    + "; expected equal shapes [..., D]");
        }
        int d = x.shape.dim(-1);
        Tensor div = null;
        for (int i = 0; i < d; i++) {
            Tensor e = oneHot(Shape.of(d), s.dtype, i).broadcastTo(s.shape);
            Tensor term = vjp(s, x, e).mul(e).sum(-1);
            div = div == null ? term : div.add(term);
        }
        return div;
    }

    /**
     * Hutchinson's estimate {@code vᵀ (∂s/∂x) v} of the divergence over the last axis, per row, for a probe
     * {@code v} with {@code E[v vᵀ] = I} (Rademacher or Gaussian). Unbiased; one reverse pass.
     */
    public static Tensor divergenceHutchinson(Tensor s, Tensor x, Tensor v) {
        if (!s.shape.equals(x.shape) || !v.shape.equals(x.shape)) {
            throw new IllegalArgumentException("divergenceHutchinson: s " + s.shape + ", x " + x.shape + ", probe "
                    + v.shape + "; expected equal shapes");
        }
        Tensor probe = v.stopGradient();
        return vjp(s, x, probe).mul(probe).sum(-1);
    }

    private static Tensor oneHot(Shape shape, DType dtype, int flatIndex) {
        NdArray a = NdArray.zeros(shape, dtype);
        a.setFlat(flatIndex, 1);
        return Tensor.constant(a);
    }

    // ------------------------------------------------------------------ graph utilities

    /** All nodes reachable from {@code roots}, in increasing id (a topological order). */
    static List<Tensor> topo(Collection<Tensor> roots) {
        Set<Tensor> seen = identitySet(List.of());
        ArrayList<Tensor> stack = new ArrayList<>(roots);
        List<Tensor> all = new ArrayList<>();
        while (!stack.isEmpty()) {
            Tensor t = stack.removeLast();
            if (seen.add(t)) {
                all.add(t);
                for (Tensor in : t.inputs) {
                    stack.add(in);
                }
            }
        }
        all.sort((a, b) -> Long.compare(a.id, b.id));
        return all;
    }

    private static Set<Tensor> identitySet(Collection<Tensor> items) {
        Set<Tensor> s = java.util.Collections.newSetFromMap(new IdentityHashMap<>());
        s.addAll(items);
        return s;
    }
}
