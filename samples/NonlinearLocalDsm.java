///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 25
//DEPS dev.nabla:nabla-dsl:0.1.0-SNAPSHOT
//DEPS dev.nabla:nabla-gpu:0.1.0-SNAPSHOT
//DEPS org.knowm.xchart:xchart:3.8.8
//JAVA_OPTIONS --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true
//COMPILE_OPTIONS --add-modules jdk.incubator.vector -Xlint:-incubating

import dev.nabla.core.NdArray;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.Objective;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.data.Datasets;
import dev.nabla.dsl.exact.GaussianMixture;
import dev.nabla.dsl.exact.KolmogorovMoments;
import dev.nabla.dsl.metrics.Metrics;
import dev.nabla.dsl.nn.Activation;
import dev.nabla.dsl.nn.Mlp;
import dev.nabla.dsl.nn.ScaledScore;
import dev.nabla.dsl.nn.TimeInput;
import dev.nabla.dsl.objectives.Objectives;
import dev.nabla.dsl.objectives.Weighting;
import dev.nabla.dsl.optim.Adam;
import dev.nabla.dsl.optim.Schedule;
import dev.nabla.dsl.sample.Likelihood;
import dev.nabla.dsl.sample.Samplers;
import dev.nabla.dsl.sde.Diffusion;
import dev.nabla.dsl.sde.LangevinSde;
import dev.nabla.dsl.sde.LinearizedTransition;
import dev.nabla.dsl.sde.TimePairs;
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
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Automated DSM for a nonlinear diffusion (2407.07998): local-DSM against implicit score matching, and the
 * time-pair scheduler's linearisation error (the paper's Figure 2).
 *
 * <p>The forward process is the paper's nonlinear diffusion towards a chosen prior,
 * {@code dy = ½ β(t) ∇log π(y) dt + √β(t) dW} with β linear from 0.1 to 20 (the VP schedule) and π a
 * four-component Gaussian mixture; its transition kernel from the data is unknown. Two score models of the
 * same architecture are trained on two moons for the same number of steps:
 * <ul>
 *   <li>local-DSM: pairs (s, t) with {@code ∫_s^t β = λ}, {@code y_s} simulated from the data, {@code y_t} from
 *       the transition linearised at {@code y_s} (the drift's full Jacobian by autodiff, Van Loan's block
 *       exponentials), the target its score;</li>
 *   <li>ISM: {@code ‖s‖² + 2 div s} (weighted by β) on samples of {@code q_t} simulated from the data, the
 *       divergence by Hutchinson's estimator — a gradient of a gradient in every step.</li>
 * </ul>
 * The model is {@code s(y, t) = ∇log π(y) + net(y, log σ_t)/σ_t} ({@link ScaledScore#residual}, σ_t² = ∫_0^t β):
 * the backward probability flow {@code dy/dt = ½β(∇log π − s)} expands at π's curvature unless s cancels
 * ∇log π, and a plain {@code s(y, t)} MLP ({@code --plain}) throws stray samples far out (energy distances of 1 to 10⁴ while training, measured).
 *
 * <p>Printed and plotted: loss and energy distance to held-out data against wall-clock time, the samples, the
 * test negative log-likelihood through the probability-flow ODE (exact divergence), and Figure 2: the error of
 * the linearised transition's mean and variance against the exact transition (a backward-Kolmogorov solve
 * per coordinate — π factorises over the two coordinates, so each is a 1-D Langevin diffusion), averaged over
 * {@code y_s ~ π}, across t, for the scheduler {@code ∫_s^t β = λ} and for a fixed gap {@code s = t − ℓ}.
 *
 * <pre>bin/jbang samples/NonlinearLocalDsm.java [--steps N] [--lambda λ] [--out DIR] [--plain] [--full] [--backend NAME]</pre>
 */
public class NonlinearLocalDsm {
    private static final String USAGE = "usage: bin/jbang samples/NonlinearLocalDsm.java [--steps N] [--lambda λ] [--out DIR] [--plain] [--full] [--backend NAME]";

    /** Where plans run: {@code --backend reference|simd|simd:N|tornado} (default simd, every core). */
    static Backend BACKEND = Backend.simd();

    public static void main(String[] args) throws Exception {
        int steps = 1500;
        double lambda = 0.05;
        boolean plain = false;
        Path out = Path.of("out/nonlinear-local-dsm");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--lambda" -> lambda = Double.parseDouble(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--backend" -> BACKEND = Backend.named(args[++i]);
                case "--plain" -> plain = true;
                case "--full" -> steps = 10_000;
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
        double[] modes = {-1.5, 1.5};
        double modeStd = 0.6;
        GaussianMixture pi = GaussianMixture.isotropic(new double[] {0.25, 0.25, 0.25, 0.25},
                new double[][] {{-1.5, -1.5}, {-1.5, 1.5}, {1.5, -1.5}, {1.5, 1.5}}, modeStd);
        Diffusion beta = Diffusion.linearBeta(0.1, 20);
        LangevinSde sde = new LangevinSde(beta, 1, pi.asPrior());
        NdArray data = Datasets.twoMoons(20_000, 0.05, Key.of(0));
        NdArray test = Datasets.twoMoons(1000, 0.05, Key.of(1));
        System.out.printf("forward process: %s%n", sde);

        int simulation = 100; // Euler–Maruyama steps equal in ∫β: each contracts a mode by ΔG/(2·0.36) ≈ 0.14
        Objective localDsm = Objectives.localDsm(sde, TimePairs.integral(beta, lambda), LinearizedTransition.Jacobian.FULL,
                simulation, null);
        Objective ism = Objectives.ism(sde, Objectives.Divergence.HUTCHINSON, Weighting.likelihood(), simulation);
        String[] names = {"local-DSM", "ISM (Hutchinson)"};
        Objective[] objectives = {localDsm, ism};
        XYChart edChart = new XYChartBuilder().width(900).height(500).title("energy distance to held-out data")
                .xAxisTitle("training wall-clock time (s)").yAxisTitle("energy distance").build();
        edChart.getStyler().setYAxisDecimalPattern("0.000");
        // one loss panel per objective: their scales differ (ISM's loss is negative), and one panel with two y axes
        // would leave the reader to guess which axis a curve belongs to
        XYChart[] lossCharts = new XYChart[2];
        double[] finalEd = new double[2];
        double[] nll = new double[2];
        double[] seconds = new double[2];
        NdArray[] samples = new NdArray[2];
        int chunks = 5;
        for (int m = 0; m < 2; m++) {
            Mlp net = Mlp.builder(2).hidden(128, 128, 128).activation(Activation.SILU)
                    .timeInput(plain ? TimeInput.IDENTITY : TimeInput.LOG).timeEmbedding(16, plain ? 16 : 1)
                    .key(Key.of(2)).build();
            ScoreFunction model = plain ? net : ScaledScore.residual(sde, net);
            Trainer<ScoreFunction> trainer = Trainer.of(model, net.parameters(), objectives[m])
                    .optimizer(new Adam(Schedule.cosine(2e-3, steps, 1e-5))).batch(512)
                    .steps(steps / chunks).logEvery(25).backend(BACKEND);
            List<Double> xs = new ArrayList<>();
            List<Double> ys = new ArrayList<>();
            List<Double> lossTime = new ArrayList<>();
            List<Double> losses = new ArrayList<>();
            double elapsed = 0;
            for (int chunk = 0; chunk < chunks; chunk++) {
                FitResult<ScoreFunction> fit = trainer.fit(data, Key.of(3 + chunk));
                double chunkSeconds = fit.wallTime().toMillis() / 1e3;
                long first = fit.lossSteps()[0];
                for (int i = 0; i < fit.losses().length; i++) {
                    lossTime.add(elapsed + chunkSeconds * (fit.lossSteps()[i] - first + 1) / fit.steps());
                    losses.add(fit.losses()[i]);
                }
                elapsed += chunkSeconds;
                samples[m] = Samplers.probabilityFlowRk45(sde, model, 1e-4, 1e-4, 1e-3, BACKEND)
                        .sample(1000, 2, Key.of(20));
                xs.add(elapsed);
                ys.add(Metrics.energyDistance(samples[m], test));
                System.out.printf("%-16s %5d steps, %6.1f s: loss %8.4f, energy distance %.4f%n", names[m],
                        (chunk + 1) * (steps / chunks), elapsed, fit.finalLoss(), ys.get(ys.size() - 1));
            }
            edChart.addSeries(names[m], xs, ys).setMarker(SeriesMarkers.CIRCLE);
            lossCharts[m] = new XYChartBuilder().width(600).height(450).title(names[m] + ": training loss")
                    .xAxisTitle("training wall-clock time (s)").yAxisTitle("loss (minibatch mean)").build();
            lossCharts[m].getStyler().setLegendVisible(false);
            lossCharts[m].addSeries(names[m], lossTime, losses).setMarker(SeriesMarkers.NONE);
            finalEd[m] = ys.get(ys.size() - 1);
            seconds[m] = elapsed;
            NdArray testRows = NdArray.of(Arrays.copyOf(test.toDoubleArray(), 400), 200, 2);
            Likelihood.Result r = Likelihood.logDensity(sde, model, testRows, Likelihood.Divergence.EXACT, 1e-3, 1e-5, 1e-5,
                    null, Key.of(5), BACKEND);
            nll[m] = -Arrays.stream(r.logDensity()).average().orElseThrow();
        }

        System.out.println();
        System.out.printf("%d steps each, batch 512, Adam with cosine decay from 2e-3; energy distance of 1000 probability-flow samples to 1000 "
                + "held-out points (two further draws of the data: %.4f)%n", steps,
                Metrics.energyDistance(Datasets.twoMoons(1000, 0.05, Key.of(7)), test));
        System.out.println();
        System.out.println("| objective        | training time | energy distance | test NLL (nats, 200 points) |");
        System.out.println("|------------------|---------------|-----------------|-----------------------------|");
        for (int m = 0; m < 2; m++) {
            System.out.printf("| %-16s | %11.1f s | %15.4f | %27.3f |%n", names[m], seconds[m], finalEd[m], nll[m]);
        }

        // Figure 2: linearisation error across t, scheduler vs fixed gap, against the exact transition
        double[] ts = new double[20];
        for (int i = 0; i < ts.length; i++) {
            ts[i] = 0.05 * (i + 1);
        }
        double[][] sched = figureTwo(modes, modeStd, beta, TimePairs.integral(beta, lambda), ts);
        double[][] gap = figureTwo(modes, modeStd, beta, TimePairs.fixedGap(lambda), ts);
        System.out.println();
        System.out.printf("Figure 2: mean |error| of the linearised transition over y_s ~ π (λ = ℓ = %.3g)%n", lambda);
        System.out.println();
        System.out.println("|    t | scheduler: mean | scheduler: variance | fixed gap: mean | fixed gap: variance |");
        System.out.println("|------|-----------------|---------------------|-----------------|---------------------|");
        for (int i = 3; i < ts.length; i += 4) {
            System.out.printf("| %4.2f | %15.2e | %19.2e | %15.2e | %19.2e |%n", ts[i], sched[0][i], sched[1][i], gap[0][i], gap[1][i]);
        }
        XYChart fig2 = new XYChartBuilder().width(900).height(500)
                .title("linearisation error of q(y_t | y_s) (2407.07998, Figure 2)").xAxisTitle("t")
                .yAxisTitle("mean |error| over y_s ~ π").build();
        fig2.getStyler().setYAxisLogarithmic(true);
        fig2.getStyler().setXAxisDecimalPattern("0.00");
        fig2.addSeries("mean, scheduler ∫ β dτ from s to t = λ", ts, sched[0]).setMarker(SeriesMarkers.CIRCLE);
        fig2.addSeries("variance, scheduler ∫ β dτ from s to t = λ", ts, sched[1]).setMarker(SeriesMarkers.DIAMOND);
        fig2.addSeries("mean, fixed gap s = t − ℓ", ts, gap[0]).setMarker(SeriesMarkers.CIRCLE);
        fig2.addSeries("variance, fixed gap s = t − ℓ", ts, gap[1]).setMarker(SeriesMarkers.DIAMOND);

        List<XYChart> panels = List.of(panel("held-out data", test, Color.DARK_GRAY),
                panel(names[0] + " samples", samples[0], new Color(230, 120, 0)),
                panel(names[1] + " samples", samples[1], new Color(120, 40, 200)));
        BitmapEncoder.saveBitmap(panels, 1, 3, out.resolve("samples.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        BitmapEncoder.saveBitmap(edChart, out.resolve("energy-distance.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        BitmapEncoder.saveBitmap(List.of(lossCharts), 1, 2, out.resolve("loss.png").toString(),
                BitmapEncoder.BitmapFormat.PNG);
        BitmapEncoder.saveBitmap(fig2, out.resolve("figure2.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        System.out.println("\nplots written to " + out.toAbsolutePath()
                + " (energy-distance.png, loss.png, samples.png, figure2.png)");
    }

    /**
     * {mean errors, variance errors} across {@code ts}: the 1-D Langevin diffusion towards one coordinate of π
     * (an equal mixture of N(±1.5, 0.6²)), the linearised transition from {@code y_s} on a grid against the
     * exact transition's moments (backward Kolmogorov in the clock {@code u = ½∫_s^t β}), weighted by π.
     */
    static double[][] figureTwo(double[] modes, double std, Diffusion beta, TimePairs pairs, double[] ts) {
        GaussianMixture pi1 = GaussianMixture.isotropic(new double[] {0.5, 0.5}, new double[][] {{modes[0]}, {modes[1]}}, std);
        LangevinSde sde1 = new LangevinSde(beta, 1, pi1.asPrior());
        int n = 1401;
        double[] grid = new double[n];
        for (int i = 0; i < n; i++) {
            grid[i] = -7 + 0.01 * i;
        }
        double[] field = pi1.score(Tensor.of(grid, n, 1)).eval().toDoubleArray();
        KolmogorovMoments exact = KolmogorovMoments.of(grid, field);
        double[] s = pairs.start(Tensor.of(ts, ts.length, 1)).eval().toDoubleArray();
        double[] us = new double[ts.length];
        for (int k = 0; k < ts.length; k++) {
            us[k] = sde1.integratedG2(s[k], ts[k]) / 2;
        }
        double[][][] ref = exact.moments(us);
        double[][] err = new double[2][ts.length];
        Tensor ys = Tensor.of(grid, n, 1);
        for (int k = 0; k < ts.length; k++) {
            LinearizedTransition q = LinearizedTransition.of(sde1, ys, Tensor.full(dev.nabla.core.Shape.of(n, 1), s[k]),
                    Tensor.full(dev.nabla.core.Shape.of(n, 1), ts[k]), LinearizedTransition.Jacobian.DIAGONAL);
            double[] mean = q.mean().eval().toDoubleArray();
            double[] var = q.variance().eval().toDoubleArray();
            double wsum = 0;
            for (int j = 0; j < n; j++) {
                double w = pi1.density(new double[] {grid[j]});
                double mRef = ref[k][0][j];
                err[0][k] += w * Math.abs(mean[j] - mRef);
                err[1][k] += w * Math.abs(var[j] - (ref[k][1][j] - mRef * mRef));
                wsum += w;
            }
            err[0][k] /= wsum;
            err[1][k] /= wsum;
        }
        return err;
    }

    /** A square scatter panel on [−3, 3]² (points outside are not drawn). */
    private static XYChart panel(String title, NdArray points, Color color) {
        XYChart c = new XYChartBuilder().width(600).height(600).title(title).xAxisTitle("x").yAxisTitle("y").build();
        c.getStyler().setDefaultSeriesRenderStyle(XYSeries.XYSeriesRenderStyle.Scatter);
        c.getStyler().setMarkerSize(3);
        c.getStyler().setLegendVisible(false);
        c.getStyler().setXAxisMin(-3.0).setXAxisMax(3.0).setYAxisMin(-3.0).setYAxisMax(3.0);
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
