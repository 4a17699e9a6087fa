///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 25
//DEPS dev.nabla:nabla-dsl:0.1.0-SNAPSHOT
//JAVA_OPTIONS --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED
//COMPILE_OPTIONS --add-modules jdk.incubator.vector -Xlint:-incubating

import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.Objective;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.data.Datasets;
import dev.nabla.dsl.exact.GaussianMixture;
import dev.nabla.dsl.nn.Activation;
import dev.nabla.dsl.nn.Mlp;
import dev.nabla.dsl.objectives.Objectives;
import dev.nabla.dsl.sde.VarianceExploding;
import dev.nabla.dsl.train.FitResult;
import dev.nabla.dsl.train.Trainer;

import java.util.List;

/**
 * Write your own objective: denoising score matching written out by hand as an {@link Objective} lambda, checked
 * against the exact score of the data distribution before and after training (see docs/write-an-objective.md).
 *
 * <pre>bin/jbang samples/CustomObjective.java [--steps N] [--backend NAME]</pre>
 */
public class CustomObjective {
    private static final String USAGE = "usage: bin/jbang samples/CustomObjective.java [--steps N] [--backend NAME]";

    public static void main(String[] args) {
        int steps = 2000;
        Backend backend = Backend.simd();
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--backend" -> backend = Backend.named(args[++i]);
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

        // data: an 8-mode ring, whose exact density (and so exact noised score) nabla knows
        GaussianMixture ring = Datasets.gaussianRingMixture(8, 4.0, 0.1);
        NdArray data = Datasets.gaussianRing(20_000, 8, 4.0, 0.1, Key.of(0));
        VarianceExploding sde = new VarianceExploding(0.01, 10);
        double tMin = 1e-3;

        // the objective: E_t E_ε ‖σ_t s(x + σ_t ε, t) + ε‖², t uniform on [tMin, T] — DSM with λ = σ²
        Objective myDsm = (score, batch, key) -> {
            int b = batch.shape().dim(0);
            Tensor t = key.fold(0).uniform(Shape.of(b, 1), tMin, sde.horizon(), batch.dtype());
            Tensor eps = key.fold(1).normal(batch.shape(), batch.dtype());
            Tensor sigma = sde.std(t);
            Tensor yt = sde.perturb(batch, t, eps);
            return score.apply(yt, t).mul(sigma).add(eps).square().sum(-1).mean();
        };

        // 1. the exact score attains DSM's minimum: compare it with the zero score on one large batch
        ScoreFunction exact = ring.marginalScore(sde);
        ScoreFunction zero = (y, t) -> y.zerosLike();
        NdArray big = Datasets.gaussianRing(50_000, 8, 4.0, 0.1, Key.of(7));
        System.out.printf("objective with the exact score %.4f, with the zero score %.4f%n",
                evaluate(myDsm, exact, big, backend), evaluate(myDsm, zero, big, backend));

        // 2. train an MLP with it
        Mlp model = Mlp.builder(2).hidden(128, 128, 128).activation(Activation.SILU).timeEmbedding(16)
                .key(Key.of(1)).build();
        FitResult<Mlp> fit = Trainer.of(model, myDsm).adam(2e-3).batch(512).steps(steps).backend(backend)
                .fit(data, Key.of(2));
        System.out.printf("trained %d steps in %.1f s: loss %.3f -> %.3f%n", fit.steps(),
                fit.wallTime().toMillis() / 1e3, fit.initialLoss(), fit.finalLoss());
        System.out.printf("objective with the model %.4f (the exact score's %.4f is the least it can be)%n",
                evaluate(myDsm, model, big, backend), evaluate(myDsm, exact, big, backend));

        // 3. the same objective as the built-in one: Objectives.dsm with its default λ = σ² differs only in how it
        //    draws t, so the two agree at the optimum up to the weighting of the time distribution
        System.out.printf("built-in DSM with the model %.4f, with the exact score %.4f%n",
                evaluate(Objectives.dsm(sde), model, big, backend), evaluate(Objectives.dsm(sde), exact, big, backend));

        // 4. the score error against the exact score, at a few noise levels
        System.out.println("\n|   t   |  σ_t  | E‖s_θ − ∇log q_t‖² / E‖∇log q_t‖² |");
        System.out.println("|-------|-------|-----------------------------------|");
        for (double t : new double[] {0.05, 0.2, 0.5, 0.9}) {
            Tensor x = Tensor.constant(big);
            Tensor tt = Tensor.scalar(t).broadcastTo(Shape.of(big.shape().dim(0), 1));
            Tensor yt = sde.perturb(x, tt, Tensor.key(Key.of(11)).normal(x.shape(), x.dtype()));
            Tensor truth = exact.apply(yt, tt);
            Tensor err = model.apply(yt, tt).sub(truth).square().sum().div(truth.square().sum());
            Plan p = Plan.compile(List.of(err), backend);
            System.out.printf("| %5.2f | %5.3f | %33.4f |%n", t, sde.std(t), p.execute().get(err).item());
        }
    }

    /** The objective's value for one batch and a fixed key. */
    static double evaluate(Objective objective, ScoreFunction score, NdArray batch, Backend backend) {
        Tensor loss = objective.loss(score, Tensor.constant(batch), Tensor.key(Key.of(5)));
        return Plan.compile(List.of(loss), backend).execute().get(loss).item();
    }
}
