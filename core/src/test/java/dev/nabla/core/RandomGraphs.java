package dev.nabla.core;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Random expression graphs for property tests: two inputs {@code x: [a, b]} and {@code y: [b]} (so that
 * broadcasting is exercised), a chain of {@code depth} random ops where each step consumes the previous
 * result (so the graph is at least {@code depth} deep), then a weighted sum to a scalar. The op mix covers
 * elementwise functions, broadcasting binary ops, reductions over either axis (kept and dropped), transposes,
 * slices, pads, concatenation and matmuls.
 *
 * <p>With {@code smooth}, only ops that are infinitely differentiable at every input are used, so finite
 * differences are meaningful; otherwise max, abs, comparisons and where are mixed in too.
 */
public final class RandomGraphs {
    private RandomGraphs() {
    }

    public record Graph(Tensor x, Tensor y, Tensor f, Tensor last, List<String> ops) {
        @Override
        public String toString() {
            return "x" + x.shape() + " y" + y.shape() + " ops " + ops;
        }
    }

    public static Graph build(long seed, int depth, int a, int b, boolean smooth, DType dtype) {
        Random r = new Random(seed);
        Tensor x = Tensor.placeholder("x", Shape.of(a, b), dtype);
        Tensor y = Tensor.placeholder("y", Shape.of(b), dtype);
        List<Tensor> pool = new ArrayList<>(List.of(x, y));
        List<String> ops = new ArrayList<>();
        Tensor cur = x;
        for (int step = 0; step < depth; step++) {
            int choice = r.nextInt(smooth ? 22 : 28);
            Tensor other = pick(r, pool, cur);
            Tensor next;
            String name;
            switch (choice) {
                case 0 -> { next = cur.sin(); name = "sin"; }
                case 1 -> { next = cur.cos(); name = "cos"; }
                case 2 -> { next = cur.tanh(); name = "tanh"; }
                case 3 -> { next = cur.sigmoid(); name = "sigmoid"; }
                case 4 -> { next = cur.softplus(); name = "softplus"; }
                case 5 -> { next = cur.silu(); name = "silu"; }
                case 6 -> { next = cur.tanh().exp(); name = "exp∘tanh"; }
                case 7 -> { next = cur.square().log1p(); name = "log1p(x²)"; }
                case 8 -> { next = cur.square().add(1).sqrt(); name = "sqrt(1+x²)"; }
                case 9 -> { next = cur.square().add(1).reciprocal(); name = "1/(1+x²)"; }
                case 10 -> { next = cur.add(other); name = "add"; }
                case 11 -> { next = cur.sub(other); name = "sub"; }
                case 12 -> { next = cur.mul(other); name = "mul"; }
                case 13 -> { next = cur.div(other.square().add(1)); name = "div"; }
                case 14 -> {
                    int axis = r.nextInt(cur.rank() == 0 ? 1 : cur.rank());
                    next = cur.rank() == 0 ? cur.mul(2) : r.nextBoolean() ? cur.sumKeep(axis) : cur.mean(axis);
                    name = "reduce(" + axis + ")";
                }
                case 15 -> {
                    next = cur.rank() >= 2 ? cur.transpose() : cur.tanh().expm1().mul(0.5);
                    name = cur.rank() >= 2 ? "transpose" : "expm1∘tanh";
                }
                case 16 -> {
                    if (cur.rank() >= 1 && cur.shape().dim(-1) >= 2) {
                        next = cur.slice(-1, 1, cur.shape().dim(-1));
                        name = "slice";
                    } else {
                        next = cur.rank() >= 1 ? cur.pad(-1, 1, 2) : cur.log1p().mul(0.3);
                        name = "pad";
                    }
                }
                case 17 -> {
                    next = cur.rank() >= 1 ? Tensor.concat(-1, cur, cur.sin()) : cur.mul(cur);
                    name = "concat";
                }
                case 18 -> {
                    if (cur.rank() == 2) {
                        int k = cur.shape().dim(1);
                        Tensor w = Tensor.of(weights(r, k * 3), k, 3);
                        next = cur.matmul(w).div(k);
                        name = "matmul[" + k + "x3]";
                    } else if (cur.rank() == 1) {
                        next = cur.unsqueeze(0).matmul(cur.unsqueeze(1)).reshape(1).div(cur.size());
                        name = "mean-square";
                    } else {
                        next = cur.cos();
                        name = "cos";
                    }
                }
                case 19 -> {
                    next = cur.rank() >= 1 ? cur.logsumexp(-1) : cur.sin();
                    name = "logsumexp";
                }
                case 20 -> {
                    next = cur.rank() >= 1 ? cur.softmax().mul(cur) : cur.tanh();
                    name = "softmax·x";
                }
                case 21 -> {
                    next = cur.add(x.sum().mul(0.1));
                    name = "add(sum x)";
                }
                case 22 -> { next = cur.maximum(other); name = "maximum"; }
                case 23 -> { next = cur.abs(); name = "abs"; }
                case 24 -> { next = Tensor.where(cur.lt(other), cur, other.mul(2)); name = "where(lt)"; }
                case 25 -> { next = cur.relu(); name = "relu"; }
                case 26 -> { next = cur.rank() >= 1 ? cur.max(-1) : cur.relu(); name = "max(-1)"; }
                default -> { next = cur.minimum(other).mul(cur.sign()); name = "min·sign"; }
            }
            ops.add(name);
            pool.add(next);
            cur = next;
        }
        Tensor w = Tensor.of(weights(r, Math.max(1, cur.size())), cur.shape().dims()).cast(dtype);
        if (cur.rank() == 0) {
            w = Tensor.scalar(0.7, dtype);
        }
        Tensor f = cur.mul(w).sum().add(x.square().sum().mul(0.01)).add(y.sin().sum().mul(0.01));
        return new Graph(x, y, f, cur, ops);
    }

    private static Tensor pick(Random r, List<Tensor> pool, Tensor cur) {
        List<Tensor> ok = new ArrayList<>();
        for (Tensor t : pool) {
            try {
                Shape s = Shape.broadcast("pick", t.shape(), cur.shape());
                if (s.equals(cur.shape())) {
                    ok.add(t);
                }
            } catch (IllegalArgumentException e) {
                // not broadcast-compatible
            }
        }
        if (ok.isEmpty() || r.nextInt(5) == 0) {
            return Tensor.scalar(r.nextDouble() * 2 - 1, cur.dtype());
        }
        return ok.get(r.nextInt(ok.size()));
    }

    public static double[] weights(Random r, int n) {
        double[] w = new double[n];
        for (int i = 0; i < n; i++) {
            w[i] = r.nextDouble() * 2 - 1;
        }
        return w;
    }
}
