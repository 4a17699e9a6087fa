///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 25
//DEPS dev.nabla:nabla-dsl:0.1.0-SNAPSHOT
//DEPS dev.nabla:nabla-gpu:0.1.0-SNAPSHOT
//DEPS org.knowm.xchart:xchart:3.8.8
//JAVA_OPTIONS --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true
//COMPILE_OPTIONS --add-modules jdk.incubator.vector -Xlint:-incubating

import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import dev.nabla.core.random.Philox;
import dev.nabla.dsl.nn.Activation;
import dev.nabla.dsl.nn.Mlp;
import dev.nabla.dsl.objectives.Objectives;
import dev.nabla.dsl.optim.Adam;
import dev.nabla.dsl.optim.Schedule;
import dev.nabla.dsl.sde.CustomSde;
import dev.nabla.dsl.sde.Diffusion;
import dev.nabla.dsl.sde.LinearizedTransition;
import dev.nabla.dsl.sde.Prior;
import dev.nabla.dsl.sde.TimePairs;
import dev.nabla.dsl.train.FitResult;
import dev.nabla.dsl.train.Trainer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Local-DSM on a genuinely nonlinear SDE with a known score (THEORY.md §4, 2407.07998 §3).
 *
 * <p>The double well {@code V(y) = (y² − 1)²}: {@code dy = −V'(y) dt + √2 dW} started from its stationary law
 * {@code π ∝ e^{−V}} stays at π, so the true score at every t is {@code −V'(y) = −4y(y² − 1)}. Its transition
 * kernel has no closed form; local-DSM replaces it by the kernel of the SDE linearised around {@code y_s}
 * (Jacobian by autodiff) over pairs with {@code ∫_s^t g² = λ}. A score MLP s(y, t) trained this way is compared
 * with {@code −V'} on a grid, at several t, by its π-weighted RMS error.
 *
 * <pre>bin/jbang samples/DoubleWell.java [--steps N] [--lambda λ] [--out DIR] [--full] [--backend NAME]</pre>
 */
public class DoubleWell {
    private static final String USAGE = "usage: bin/jbang samples/DoubleWell.java [--steps N] [--lambda λ] [--out DIR] [--full] [--backend NAME]";

    /** Where plans run: {@code --backend reference|simd|simd:N|tornado} (default simd, every core). */
    static Backend BACKEND = Backend.simd();

    public static void main(String[] args) throws Exception {
        int steps = 3000;
        double lambda = 0.05;
        Path out = Path.of("out/double-well");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--lambda" -> lambda = Double.parseDouble(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--backend" -> BACKEND = Backend.named(args[++i]);
                case "--full" -> steps = 12_000;
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
        Diffusion g = Diffusion.constant(Math.sqrt(2));
        CustomSde sde = CustomSde.of((y, t) -> y.mul(4).mul(y.square().rsub(1)), g, 1.0,
                Prior.gaussian(1)); // drift −V'(y) = 4y(1 − y²)

        NdArray data = sampleStationary(20_000, Key.of(0));
        Mlp model = Mlp.builder(1).hidden(64, 64).activation(Activation.SILU).timeEmbedding(8).key(Key.of(1)).build();
        FitResult<Mlp> fit = Trainer.of(model, Objectives.localDsm(sde, TimePairs.integral(g, lambda),
                        LinearizedTransition.Jacobian.DIAGONAL, 200, null))
                .optimizer(new Adam(Schedule.cosine(3e-3, steps, 1e-5))) // decay: the target's variance ∝ 1/λ
                .batch(512).steps(steps).backend(BACKEND).logEvery(50).fit(data, Key.of(2));
        System.out.printf("local-DSM, λ = %.3f: %d steps in %.1f s, loss %.3f -> %.3f%n", lambda, fit.steps(),
                fit.wallTime().toMillis() / 1e3, fit.initialLoss(), fit.finalLoss());

        // the learned score against −V' on a grid, at several times
        int n = 161;
        double[] ys = new double[n];
        double[] exact = new double[n];
        double[] weight = new double[n];
        double z = 0;
        for (int i = 0; i < n; i++) {
            ys[i] = -2 + 4.0 * i / (n - 1);
            exact[i] = -4 * ys[i] * (ys[i] * ys[i] - 1);
            weight[i] = Math.exp(-Math.pow(ys[i] * ys[i] - 1, 2));
            z += weight[i];
        }
        Tensor y = Tensor.placeholder("y", Shape.of(n, 1));
        Tensor t = Tensor.placeholder("t", Shape.of(n, 1));
        Tensor s = model.apply(y, t);
        Plan plan = Plan.compile(List.of(s), BACKEND);
        XYChart chart = new XYChartBuilder().width(900).height(550)
                .title("double well: learned score s(y, t) vs the exact −V'(y)").xAxisTitle("y").yAxisTitle("score").build();
        chart.addSeries("exact −V'(y)", ys, exact).setMarker(SeriesMarkers.NONE);
        System.out.println();
        System.out.println("|    t | π-weighted RMS error of s(·, t) vs −V' | relative |");
        System.out.println("|------|------------------------------------------|----------|");
        double norm = 0;
        for (int i = 0; i < n; i++) {
            norm += weight[i] / z * exact[i] * exact[i];
        }
        for (double time : new double[] {0.05, 0.25, 0.5, 1.0}) {
            double[] tv = new double[n];
            Arrays.fill(tv, time);
            double[] got = plan.set(y, ys).set(t, tv).execute().get(s).toDoubleArray();
            double err = 0;
            for (int i = 0; i < n; i++) {
                err += weight[i] / z * (got[i] - exact[i]) * (got[i] - exact[i]);
            }
            System.out.printf("| %4.2f | %40.4f | %7.1f%% |%n", time, Math.sqrt(err), 100 * Math.sqrt(err / norm));
            chart.addSeries("learned, t = " + time, ys, got).setMarker(SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(chart, out.resolve("score.png").toString(), BitmapEncoder.BitmapFormat.PNG);
        System.out.println("\nplot written to " + out.toAbsolutePath().resolve("score.png"));
    }

    /**
     * Rows drawn from π ∝ exp(−(y² − 1)²) by inverting its CDF, tabulated with the trapezoid rule on [−4, 4]
     * (mass outside < 1e-30), at Philox uniforms.
     */
    static NdArray sampleStationary(int n, Key key) {
        int m = 40_001;
        double[] grid = new double[m];
        double[] cdf = new double[m];
        for (int i = 0; i < m; i++) {
            grid[i] = -4 + 8.0 * i / (m - 1);
            double p = Math.exp(-Math.pow(grid[i] * grid[i] - 1, 2));
            cdf[i] = i == 0 ? 0 : cdf[i - 1] + 0.5 * (p + Math.exp(-Math.pow(grid[i - 1] * grid[i - 1] - 1, 2)))
                    * (grid[i] - grid[i - 1]);
        }
        double total = cdf[m - 1];
        double[] out = new double[n];
        for (int r = 0; r < n; r++) {
            double u = Philox.uniformAt(key.value(), r) * total;
            int lo = 0;
            int hi = m - 1;
            while (hi - lo > 1) {
                int mid = (lo + hi) >>> 1;
                if (cdf[mid] < u) {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            double f = (u - cdf[lo]) / (cdf[hi] - cdf[lo]);
            out[r] = grid[lo] + f * (grid[hi] - grid[lo]);
        }
        return NdArray.of(out, n, 1);
    }
}
