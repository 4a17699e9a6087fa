///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 25
//DEPS dev.nabla:nabla-core:0.1.0-SNAPSHOT
//DEPS dev.nabla:nabla-gpu:0.1.0-SNAPSHOT
//JAVA_OPTIONS --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
//COMPILE_OPTIONS --add-modules jdk.incubator.vector -Xlint:-incubating

import dev.nabla.core.Autodiff;
import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A tour of nabla's core in two parts: derivatives of any order as graphs, and a training loop whose every
 * step (forward, backward, Adam update, fresh random minibatch) is one compiled plan.
 *
 * <pre>bin/jbang samples/GradientTour.java [--backend reference|simd|simd:N] [--steps N]</pre>
 */
public class GradientTour {
    private static final String USAGE = "usage: bin/jbang samples/GradientTour.java [--backend reference|simd|simd:N] [--steps N]";

    public static void main(String... args) {
        Backend backend = Backend.simd();
        int steps = 3000;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                // reference: scalar loops that define what every op means; simd[:N]: JDK Vector API, fused kernels
                case "--backend" -> backend = Backend.named(args[++i]);
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--help", "-h" -> {
                    System.out.println(USAGE);
                    return;
                }
                default -> {
                    System.err.println("unknown argument " + args[i] + "\n" + USAGE);
                    System.exit(2);
                }
            }
        }
        System.out.println("backend: " + backend.name());
        derivatives(backend);
        fit(backend, steps);
    }

    /** (a) f(x) = Σ x sin x, differentiated three times; every derivative is itself a graph. */
    static void derivatives(Backend backend) {
        // A placeholder is an input supplied when the plan runs; building f computes nothing yet.
        Tensor x = Tensor.placeholder("x", Shape.of(5));
        Tensor f = x.mul(x.sin()).sum();
        Tensor d1 = Autodiff.grad(f, x);                     // ∂f/∂xᵢ, a graph like any other
        Tensor d2 = Autodiff.hvp(f, x, x.onesLike());        // H·1 = diag H, since f is a sum over i
        Tensor d3 = Autodiff.grad(d2.sum(), x);              // differentiate the derivative again: ∂³f/∂xᵢ³
        Tensor hessian = Autodiff.jacobian(d1, x);           // the full 5×5 Hessian (one reverse pass per row)
        Tensor laplacian = Autodiff.divergence(d1, x);       // div ∇f = tr H = Δf

        // Compile once (simplify, fuse, assign buffers), bind the input, run, read the outputs.
        Plan plan = Plan.compile(List.of(f, d1, d2, d3, hessian, laplacian), backend);
        double[] xs = {-2, -1, 0, 0.5, 2};
        plan.set(x, xs).execute();
        double[] g1 = plan.get(d1).toDoubleArray(), g2 = plan.get(d2).toDoubleArray(), g3 = plan.get(d3).toDoubleArray();

        System.out.printf("%nf(x) = Σ x·sin x at x = %s: f = %.6f%n", Arrays.toString(xs), plan.get(f).item());
        System.out.printf("%6s %12s %9s %12s %9s %12s %9s%n", "x", "f'", "|err|", "f''", "|err|", "f'''", "|err|");
        double trace = 0;
        for (int i = 0; i < xs.length; i++) {
            double s = Math.sin(xs[i]), c = Math.cos(xs[i]);
            double e1 = s + xs[i] * c, e2 = 2 * c - xs[i] * s, e3 = -3 * s - xs[i] * c; // closed forms
            System.out.printf("%6.2f %12.8f %9.1e %12.8f %9.1e %12.8f %9.1e%n",
                    xs[i], g1[i], Math.abs(g1[i] - e1), g2[i], Math.abs(g2[i] - e2), g3[i], Math.abs(g3[i] - e3));
            trace += e2;
        }
        NdArray h = plan.get(hessian);
        double offDiagonal = 0;
        for (int i = 0; i < xs.length; i++) {
            for (int j = 0; j < xs.length; j++) {
                offDiagonal += i == j ? 0 : Math.abs(h.get(i, j));
            }
        }
        System.out.printf("Hessian: Σ|off-diagonal| = %.1e; Δf by divergence = %.8f, closed form %.8f%n",
                offDiagonal, plan.get(laplacian).item(), trace);
    }

    /** The target the MLP learns on [-2, 2]²: y = sin(2 x₁) cos(x₂). */
    static Tensor target(Tensor xy) {
        return xy.slice(1, 0, 1).mul(2).sin().mul(xy.slice(1, 1, 2).cos());
    }

    /** A 2→32→32→1 tanh MLP: params = [W1, b1, W2, b2, W3, b3], applied to a [batch, 2] input. */
    static Tensor mlp(Tensor xy, List<Tensor> p) {
        Tensor h = xy.matmul(p.get(0)).add(p.get(1)).tanh();
        h = h.matmul(p.get(2)).add(p.get(3)).tanh();
        return h.matmul(p.get(4)).add(p.get(5));
    }

    /** (b) Fits the MLP with Adam; one run of the plan is one whole training step. */
    static void fit(Backend backend, int steps) {
        // Parameters are graph-owned arrays the plan reads and updates in place. Initial weights come from
        // a fixed PRNG key: eval() compiles and runs the small sampling graph once.
        Tensor init = Tensor.key(Key.of(42));
        int[] widths = {2, 32, 32, 1};
        List<Tensor> params = new ArrayList<>();
        for (int l = 0; l < 3; l++) {
            Shape w = Shape.of(widths[l], widths[l + 1]);
            params.add(Tensor.parameter("W" + (l + 1), init.fold(l).normal(w).mul(1 / Math.sqrt(widths[l])).eval()));
            params.add(Tensor.parameter("b" + (l + 1), NdArray.zeros(Shape.of(widths[l + 1]), DType.F64)));
        }

        // The minibatch is drawn inside the plan: 256 points uniform in [-2, 2]², from a key bound per step.
        Tensor key = Tensor.keyInput("key");
        Tensor batch = key.uniform(Shape.of(256, 2), -2, 2, DType.F64);
        Tensor loss = mlp(batch, params).sub(target(batch)).square().mean();
        List<Tensor> grads = Autodiff.grad(loss, params);

        // Adam (Kingma & Ba 2015) as graph updates: every new value is computed from the old ones, then all
        // are written at once. t counts steps, for the bias corrections 1 − βᵗ = 1 − exp(t log β).
        double lr = 5e-3, beta1 = 0.9, beta2 = 0.999, eps = 1e-8;
        Tensor t = Tensor.parameter("t", NdArray.scalar(0));
        Tensor tNext = t.add(1);
        Tensor stepSize = tNext.mul(Math.log(beta2)).exp().rsub(1).sqrt()
                .div(tNext.mul(Math.log(beta1)).exp().rsub(1)).mul(lr);
        Plan.Builder builder = Plan.builder().output(loss).backend(backend).update(t, tNext);
        for (int i = 0; i < params.size(); i++) {
            Tensor p = params.get(i), g = grads.get(i);
            Tensor m = Tensor.parameter("m" + i, NdArray.zeros(p.shape(), DType.F64));
            Tensor v = Tensor.parameter("v" + i, NdArray.zeros(p.shape(), DType.F64));
            Tensor mNext = m.mul(beta1).add(g.mul(1 - beta1));
            Tensor vNext = v.mul(beta2).add(g.square().mul(1 - beta2));
            builder.update(m, mNext).update(v, vNext).update(p, p.sub(mNext.div(vNext.sqrt().add(eps)).mul(stepSize)));
        }
        Plan step = builder.build();

        System.out.printf("%nfitting y = sin(2x₁)·cos(x₂) with a 2→32→32→1 tanh MLP, Adam lr %.0e, batch 256%n", lr);
        Key base = Key.of(7);
        long start = System.nanoTime();
        for (int s = 0; s < steps; s++) {
            double l = step.set(key, base.fold(s)).execute().get(loss).item(); // loss before this step's update
            if (s % 500 == 0 || s == steps - 1) {
                System.out.printf("step %5d  loss %.3e%n", s, l);
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        System.out.printf("%d steps in %.2f s: %.0f steps/s%n", steps, seconds, steps / seconds);

        // A second plan reads the same (now trained) parameters: the test error on a 41×41 grid.
        double[] grid = new double[41 * 41 * 2];
        for (int i = 0; i < 41 * 41; i++) {
            grid[2 * i] = -2 + 0.1 * (i / 41);
            grid[2 * i + 1] = -2 + 0.1 * (i % 41);
        }
        Tensor xy = Tensor.placeholder("grid", Shape.of(41 * 41, 2));
        Tensor error = mlp(xy, params).sub(target(xy)).abs();
        Tensor rms = error.square().mean().sqrt(), worst = error.max();
        Plan test = Plan.compile(List.of(rms, worst), backend).set(xy, grid).execute();
        System.out.printf("on a 41×41 grid: rms error %.3e, max error %.3e%n", test.get(rms).item(), test.get(worst).item());
    }
}
