///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 25
//DEPS dev.nabla:nabla-dsl:0.1.0-SNAPSHOT
//DEPS dev.nabla:nabla-gpu:0.1.0-SNAPSHOT
//DEPS org.knowm.xchart:xchart:3.8.8
//JAVA_OPTIONS --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true
//COMPILE_OPTIONS --add-modules jdk.incubator.vector -Xlint:-incubating

import dev.nabla.core.NdArray;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.data.Datasets;
import dev.nabla.dsl.metrics.Metrics;
import dev.nabla.dsl.nn.Activation;
import dev.nabla.dsl.nn.Mlp;
import dev.nabla.dsl.objectives.Objectives;
import dev.nabla.dsl.sample.Samplers;
import dev.nabla.dsl.sde.VarianceExploding;
import dev.nabla.dsl.train.FitResult;
import dev.nabla.dsl.train.Trainer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Quickstart: a score model for a 2-D Gaussian mixture in one screen.
 *
 * <ol>
 *   <li>data: 8 Gaussian modes on a circle of radius 4, std 0.1;</li>
 *   <li>a variance-exploding SDE, σ ∈ [0.01, 10];</li>
 *   <li>an MLP score model s(x, t) with Fourier time features, trained by denoising score matching with the
 *       heuristic weighting σ² — the whole step (loss, gradients, Adam) compiled once;</li>
 *   <li>samples from the reverse SDE (Euler–Maruyama) and the probability-flow ODE (adaptive RK45);</li>
 *   <li>energy distances to fresh data, and two plots: data vs samples, and the loss curve.</li>
 * </ol>
 *
 * <pre>bin/jbang samples/Quickstart.java [--steps N] [--out DIR] [--full] [--backend NAME]</pre>
 * {@code --full} trains 4× longer (a few minutes) for nicer samples.
 */
public class Quickstart {
    private static final String USAGE = "usage: bin/jbang samples/Quickstart.java [--steps N] [--out DIR] [--full] [--backend NAME]";

    /** Where plans run: {@code --backend reference|simd|simd:N|tornado} (default simd, every core). */
    static Backend BACKEND = Backend.simd();

    public static void main(String[] args) throws Exception {
        int steps = 4000;
        Path out = Path.of("out/quickstart");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--backend" -> BACKEND = Backend.named(args[++i]);
                case "--full" -> steps = 16_000;
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

        // 1. data and SDE
        NdArray data = Datasets.gaussianRing(20_000, 8, 4.0, 0.1, Key.of(0));
        VarianceExploding sde = new VarianceExploding(0.01, 10);

        // 2. model and training: DSM with λ = σ², Adam, fresh minibatches each step
        Mlp model = Mlp.builder(2).hidden(128, 128, 128).activation(Activation.SILU).timeEmbedding(16)
                .key(Key.of(1)).build();
        FitResult<Mlp> fit = Trainer.of(model, Objectives.dsm(sde)).adam(2e-3).batch(512).steps(steps)
                .backend(BACKEND).logEvery(50).fit(data, Key.of(2));
        System.out.printf("trained %d steps in %.1f s (%.0f steps/s, plan compiled in %d ms): loss %.3f -> %.3f%n",
                fit.steps(), fit.wallTime().toMillis() / 1e3, fit.stepsPerSecond(), fit.compileTime().toMillis(),
                fit.initialLoss(), fit.finalLoss());

        // 3. sampling
        int n = 2000;
        long t0 = System.nanoTime();
        NdArray sde1 = Samplers.eulerMaruyama(sde, model, 500, 1e-3, BACKEND).sample(n, 2, Key.of(3));
        long t1 = System.nanoTime();
        NdArray ode = Samplers.probabilityFlowRk45(sde, model, 1e-4, 1e-4, 1e-3, BACKEND).sample(n, 2, Key.of(4));
        long t2 = System.nanoTime();

        // 4. metrics
        NdArray fresh = Datasets.gaussianRing(n, 8, 4.0, 0.1, Key.of(5));
        NdArray fresh2 = Datasets.gaussianRing(n, 8, 4.0, 0.1, Key.of(6));
        System.out.println();
        System.out.println("| samples                         | energy distance to data | time   |");
        System.out.println("|---------------------------------|-------------------------|--------|");
        System.out.printf("| another draw of the data        | %23.4f |        |%n", Metrics.energyDistance(fresh2, fresh));
        System.out.printf("| reverse SDE, Euler–Maruyama 500 | %23.4f | %5.1fs |%n", Metrics.energyDistance(sde1, fresh), (t1 - t0) / 1e9);
        System.out.printf("| probability flow, RK45          | %23.4f | %5.1fs |%n", Metrics.energyDistance(ode, fresh), (t2 - t1) / 1e9);

        // 5. plots
        List<XYChart> panels = List.of(
                panel("data (fresh draw)", fresh, Color.DARK_GRAY),
                panel("reverse SDE (Euler–Maruyama, 500 steps)", sde1, new Color(230, 120, 0)),
                panel("probability flow (RK45)", ode, new Color(120, 40, 200)));
        BitmapEncoder.saveBitmap(panels, 1, 3, out.resolve("samples.png").toString(), BitmapEncoder.BitmapFormat.PNG);

        XYChart loss = new XYChartBuilder().width(900).height(500).title("DSM loss (λ = σ², minibatch 512)")
                .xAxisTitle("step").yAxisTitle("loss").build();
        double[] xs = new double[fit.lossSteps().length];
        for (int i = 0; i < xs.length; i++) {
            xs[i] = fit.lossSteps()[i] + 1; // steps done: the mean over steps 0..49 is plotted at 50
        }
        loss.addSeries("loss", xs, fit.losses()).setMarker(SeriesMarkers.NONE);
        // one series: no legend; a linear axis (the loss spans less than a decade, where a log axis had two ticks)
        loss.getStyler().setLegendVisible(false);
        BitmapEncoder.saveBitmap(loss, out.resolve("loss.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        System.out.println("\nplots written to " + out.toAbsolutePath() + " (samples.png, loss.png)");
    }

    /** A square scatter panel on [−6, 6]² (points outside are not drawn). */
    private static XYChart panel(String title, NdArray points, Color color) {
        XYChart c = new XYChartBuilder().width(600).height(600).title(title).xAxisTitle("x").yAxisTitle("y").build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(3);
        c.getStyler().setLegendVisible(false);
        c.getStyler().setXAxisMin(-6.0).setXAxisMax(6.0).setYAxisMin(-6.0).setYAxisMax(6.0);
        int n = points.shape().dim(0);
        double[] x = new double[n];
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            x[i] = points.get(i, 0);
            y[i] = points.get(i, 1);
        }
        XYSeries series = c.addSeries(title, x, y);
        series.setMarker(SeriesMarkers.CIRCLE);
        series.setMarkerColor(color);
        return c;
    }
}
