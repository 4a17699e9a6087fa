///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 25
//DEPS dev.nabla:nabla-dsl:0.1.0-SNAPSHOT
//DEPS dev.nabla:nabla-gpu:0.1.0-SNAPSHOT
//DEPS org.knowm.xchart:xchart:3.8.8
//JAVA_OPTIONS --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true
//COMPILE_OPTIONS --add-modules jdk.incubator.vector -Xlint:-incubating

import dev.nabla.core.Autodiff;
import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.exact.GaussianMixture;
import dev.nabla.dsl.metrics.Metrics;
import dev.nabla.dsl.nn.Activation;
import dev.nabla.dsl.nn.Mlp;
import dev.nabla.dsl.objectives.Objectives;
import dev.nabla.dsl.objectives.Weighting;
import dev.nabla.dsl.sample.Samplers;
import dev.nabla.dsl.sde.VarianceExploding;
import dev.nabla.dsl.train.Trainer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * "Why heuristic weighting works" (2508.01597; THEORY.md §3) on a 2-D three-component Gaussian mixture under VE
 * noise.
 *
 * <p>The inverse-variance ("optimal") weighting {@code w*(σ) = σ²/(1 − σ² tr I(σ)/D)} — tabulated here from the
 * mixture's exact Fisher information — agrees with the heuristic σ² at small σ and grows like σ⁴ at large σ.
 * At one noise level a weighting is only a factor, so the comparison is made where levels mix: the gradient
 * of the DSM objective with t drawn over a band of noise levels. Printed and plotted:
 * <ol>
 *   <li>the variance {@code tr Cov[∇θ ℓ]} of the per-example parameter gradient, per weighting, with each
 *       weighting scaled to mean 1 over the band (the same average step size), for a low-noise band
 *       (σ ∈ [0.01, 0.1]) and a high-noise band (σ ∈ [1, 10]), estimated from groups of examples (the paper:
 *       the heuristic's is lower, most at high noise);</li>
 *   <li>energy distance to the data over training for both weightings;</li>
 *   <li>a capacity sweep: final energy distance for small to large MLPs (the paper: with enough capacity both
 *       reach similar quality).</li>
 * </ol>
 *
 * <pre>bin/jbang samples/WeightingVariance.java [--steps N] [--out DIR] [--full] [--backend NAME]</pre>
 */
public class WeightingVariance {
    private static final String USAGE = "usage: bin/jbang samples/WeightingVariance.java [--steps N] [--out DIR] [--full] [--backend NAME]";

    /** Where plans run: {@code --backend reference|simd|simd:N|tornado} (default simd, every core). */
    static Backend BACKEND = Backend.simd();

    static final GaussianMixture MIXTURE = GaussianMixture.isotropic(new double[] {0.3, 0.3, 0.4},
            new double[][] {{-2, 0}, {2, 0}, {0, 2.5}}, 0.3);
    static final VarianceExploding SDE = new VarianceExploding(0.01, 10);

    public static void main(String[] args) throws Exception {
        int steps = 2000;
        Path out = Path.of("out/weighting-variance");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--backend" -> BACKEND = Backend.named(args[++i]);
                case "--full" -> steps = 8000;
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
        Files.createDirectories(out);
        NdArray data = MIXTURE.sample(Tensor.key(Key.of(0)), 20_000).eval();
        NdArray fresh = MIXTURE.sample(Tensor.key(Key.of(1)), 1000).eval();
        Weighting heuristic = Weighting.heuristic();
        Weighting optimal = Weighting.optimal(MIXTURE, SDE, 200);
        String[] names = {"heuristic σ²", "optimal w*"};
        Weighting[] weightings = {heuristic, optimal};

        // 1. relative gradient variance in two noise bands, for a briefly trained model
        Mlp probe = Mlp.builder(2).hidden(64, 64).activation(Activation.SILU).timeEmbedding(8).key(Key.of(2)).build();
        Trainer.of(probe, Objectives.dsm(SDE)).adam(2e-3).batch(256).steps(500).backend(BACKEND).fit(data, Key.of(3));
        double[][] bands = {{0.01, 0.1}, {1, 10}};
        double[][] relVar = new double[2][2];
        System.out.println("variance of the per-example parameter gradient, tr Cov, weightings scaled to mean 1 in the band");
        System.out.println();
        System.out.println("| noise band        | heuristic σ² | optimal w* | optimal / heuristic |");
        System.out.println("|-------------------|--------------|------------|---------------------|");
        for (int b = 0; b < 2; b++) {
            for (int w = 0; w < 2; w++) {
                relVar[b][w] = gradientVariance(probe, weightings[w], bands[b], data, Key.of(10 + b));
            }
            System.out.printf("| σ ∈ [%4.2f, %4.1f] | %12.4g | %10.4g | %19.2f |%n", bands[b][0], bands[b][1],
                    relVar[b][0], relVar[b][1], relVar[b][1] / relVar[b][0]);
        }

        // 2. energy distance over training, both weightings
        XYChart progress = new XYChartBuilder().width(700).height(450).title("energy distance to the data while training")
                .xAxisTitle("step").yAxisTitle("energy distance").build();
        // a linear axis: the values span less than a decade, where a log axis showed no tick labels at all
        for (int w = 0; w < 2; w++) {
            Mlp model = Mlp.builder(2).hidden(128, 128).activation(Activation.SILU).timeEmbedding(16).key(Key.of(4)).build();
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            int chunk = Math.max(1, steps / 5);
            Trainer<Mlp> trainer = Trainer.of(model, Objectives.dsm(SDE).weighting(weightings[w])).adam(2e-3).batch(512)
                    .steps(chunk).backend(BACKEND);
            for (int done = chunk; done <= steps; done += chunk) {
                trainer.fit(data, Key.of(5));
                xs.add((double) done);
                ys.add(energy(model, fresh, Key.of(6)));
            }
            progress.addSeries(names[w], xs, ys).setMarker(SeriesMarkers.CIRCLE);
            System.out.printf("%n%s: energy distance after %d steps %.4f", names[w], steps, ys.get(ys.size() - 1));
        }
        System.out.println();

        // 3. capacity sweep
        int[] widths = {16, 64, 256};
        double[][] sweep = new double[2][widths.length];
        System.out.println();
        System.out.println("| hidden width | heuristic σ² | optimal w* |");
        System.out.println("|--------------|--------------|------------|");
        for (int c = 0; c < widths.length; c++) {
            for (int w = 0; w < 2; w++) {
                Mlp model = Mlp.builder(2).hidden(widths[c], widths[c]).activation(Activation.SILU).timeEmbedding(16)
                        .key(Key.of(7)).build();
                Trainer.of(model, Objectives.dsm(SDE).weighting(weightings[w])).adam(2e-3).batch(512).steps(steps)
                        .backend(BACKEND).fit(data, Key.of(8));
                sweep[w][c] = energy(model, fresh, Key.of(9));
            }
            System.out.printf("| %12d | %12.4f | %10.4f |%n", widths[c], sweep[0][c], sweep[1][c]);
        }
        CategoryChart bars = new CategoryChartBuilder().width(700).height(450).title("capacity sweep: final energy distance")
                .xAxisTitle("hidden width (two layers)").yAxisTitle("energy distance").build();
        List<String> labels = new ArrayList<>();
        for (int width : widths) {
            labels.add(Integer.toString(width));
        }
        for (int w = 0; w < 2; w++) {
            List<Double> v = new ArrayList<>();
            for (double x : sweep[w]) {
                v.add(x);
            }
            bars.addSeries(names[w], labels, v);
        }
        CategoryChart variance = new CategoryChartBuilder().width(700).height(450)
                .title("gradient variance, optimal / heuristic").xAxisTitle("noise band").yAxisTitle("ratio of tr Cov").build();
        variance.addSeries("optimal / heuristic", List.of("σ ∈ [0.01, 0.1]", "σ ∈ [1, 10]"),
                List.of(relVar[0][1] / relVar[0][0], relVar[1][1] / relVar[1][0]));
        BitmapEncoder.saveBitmap(List.of(variance, progress, bars), 1, 3, out.resolve("weighting.png").toString(),
                BitmapEncoder.BitmapFormat.PNG);
        System.out.println("\nplot written to " + out.toAbsolutePath().resolve("weighting.png"));
    }

    /**
     * {@code tr Cov[∇θ ℓ_i]} of the per-example gradient of the DSM loss with σ log-uniform in the band and the
     * weighting divided by its mean over the band: the gradients of K = 24 groups of b = 32 examples give
     * {@code trΣ̂ = b Σ_k ‖g_k − ḡ‖² / (K − 1)}, unbiased, relative standard deviation ≈ √(2/(K − 1)) ≈ 0.3 per
     * draw; averaged over 10 draws.
     */
    static double gradientVariance(Mlp model, Weighting w, double[] band, NdArray data, Key key) {
        int groups = 24;
        int size = 32;
        double tLo = Math.log(band[0] / SDE.sigmaMin()) / Math.log(SDE.sigmaMax() / SDE.sigmaMin());
        double tHi = Math.log(band[1] / SDE.sigmaMin()) / Math.log(SDE.sigmaMax() / SDE.sigmaMin());
        double meanWeight = w.at(SDE, Tensor.linspace(tLo, tHi, 401).reshape(401, 1)).mean().eval().item();
        Weighting scaled = (sde, t) -> w.at(sde, t).div(meanWeight);
        Tensor k = Tensor.keyInput("k");
        Tensor rows = Tensor.placeholder("rows", Shape.of(groups * size, 2));
        Objectives.Dsm dsm = Objectives.dsm(SDE).weighting(scaled);
        int per = model.parameters().size();
        List<Tensor> flat = new ArrayList<>();
        for (int g = 0; g < groups; g++) {
            Tensor batch = rows.slice(0, g * size, (g + 1) * size);
            Tensor t = k.fold(2 * g).uniform(Shape.of(size, 1)).mul(tHi - tLo).add(tLo);
            Tensor eps = k.fold(2 * g + 1).normal(Shape.of(size, 2));
            List<Tensor> grads = Autodiff.grad(dsm.lossAt(model, batch, t, eps), model.parameters());
            Tensor[] parts = new Tensor[per];
            for (int i = 0; i < per; i++) {
                parts[i] = grads.get(i).flatten();
            }
            flat.add(Tensor.concat(0, parts));
        }
        Plan plan = Plan.compile(flat, BACKEND);
        double trSum = 0;
        int n = data.shape().dim(0);
        int reps = 10;
        for (int rep = 0; rep < reps; rep++) {
            double[] xs = new double[groups * size * 2];
            for (int r = 0; r < groups * size; r++) {
                int row = (int) (dev.nabla.core.random.Philox.uniformAt(key.fold(rep).value(), r) * n);
                xs[2 * r] = data.get(row, 0);
                xs[2 * r + 1] = data.get(row, 1);
            }
            plan.set(rows, xs).set(k, key.fold(1000 + rep)).execute();
            double[][] g = new double[groups][];
            for (int i = 0; i < groups; i++) {
                g[i] = plan.get(flat.get(i)).toDoubleArray();
            }
            int p = g[0].length;
            double[] mean = new double[p];
            for (double[] gi : g) {
                for (int j = 0; j < p; j++) {
                    mean[j] += gi[j] / groups;
                }
            }
            double tr = 0;
            for (double[] gi : g) {
                for (int j = 0; j < p; j++) {
                    tr += (gi[j] - mean[j]) * (gi[j] - mean[j]);
                }
            }
            trSum += size * tr / (groups - 1);
        }
        return trSum / reps;
    }

    static double energy(Mlp model, NdArray fresh, Key key) {
        NdArray x = Samplers.probabilityFlowRk45(SDE, model, 1e-4, 1e-4, 1e-3, BACKEND).sample(1000, 2, key);
        return Metrics.energyDistance(x, fresh);
    }
}
