///usr/bin/env jbang "$0" "$@" ; exit $?
//JAVA 25
//DEPS dev.nabla:nabla-dsl:0.1.0-SNAPSHOT
//DEPS dev.nabla:nabla-gpu:0.1.0-SNAPSHOT
//DEPS org.knowm.xchart:xchart:3.8.8
//JAVA_OPTIONS --add-modules jdk.incubator.vector --enable-native-access=ALL-UNNAMED -Djava.awt.headless=true
//COMPILE_OPTIONS --add-modules jdk.incubator.vector -Xlint:-incubating

import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.Objective;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.objectives.BiasCorrection;
import dev.nabla.dsl.objectives.Objectives;
import dev.nabla.dsl.objectives.Weighting;
import dev.nabla.dsl.sde.VarianceExploding;
import dev.nabla.dsl.train.Trainer;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * "Optimizing the input of denoising score matching is biased towards higher score norm" (2511.11727),
 * reproduced in one dimension (THEORY.md §2).
 *
 * <p>A frozen score model — the exact score of N(0, 1) data under VE noise, {@code s(x, t) = −x/(1 + σ_t²)} —
 * and a data distribution {@code p_φ = N(μ, s²)} whose parameters are optimised, by
 * <ul>
 *   <li>DSM: {@code L_DSM(φ) = L_ESM(φ) + C3 − C2(φ)}, so minimising it also maximises the score norm
 *       {@code C2 = E ½‖∇log q_φ(x_t)‖²}: p_φ collapses (s → 0);</li>
 *   <li>ESM against the exact score of {@code q_φ}: converges to the truth, μ = 0, s = 1;</li>
 *   <li>bias-aware DSM: DSM plus the envelope-theorem estimate of C2 with an auxiliary score of q_φ (here the
 *       exact one, held fixed in its parameters) — the ESM gradient without knowing the data score.</li>
 * </ul>
 * Prints a table of the final parameters and score norms and writes parameters.png (μ, s and C2 over steps).
 *
 * <pre>bin/jbang samples/ScoreNormBias.java [--steps N] [--out DIR] [--full] [--backend NAME]</pre>
 */
public class ScoreNormBias {
    private static final String USAGE = "usage: bin/jbang samples/ScoreNormBias.java [--steps N] [--out DIR] [--full] [--backend NAME]";

    /** Where plans run: {@code --backend reference|simd|simd:N|tornado} (default simd, every core). */
    static Backend BACKEND = Backend.simd();

    record Run(String name, List<Double> steps, List<Double> mu, List<Double> s, List<Double> c2) {
    }

    public static void main(String[] args) throws Exception {
        int steps = 1500;
        Path out = Path.of("out/score-norm-bias");
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--steps" -> steps = Integer.parseInt(args[++i]);
                case "--out" -> out = Path.of(args[++i]);
                case "--backend" -> BACKEND = Backend.named(args[++i]);
                case "--full" -> steps = 6000;
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
        VarianceExploding sde = new VarianceExploding(0.2, 2.0);
        ScoreFunction frozen = (x, t) -> x.div(sde.std(t).square().add(1)).neg();

        List<Run> runs = new ArrayList<>();
        for (String name : List.of("DSM", "ESM", "bias-aware DSM")) {
            Tensor mu = Tensor.parameter("mu", NdArray.of(new double[] {1.0}));
            Tensor logS = Tensor.parameter("log_s", NdArray.of(new double[] {Math.log(1.5)}));
            Tensor sd = logS.exp();
            // the exact score of q_φ = N(μ, s² + σ_t²), differentiable in φ (ESM's target)
            ScoreFunction trueQ = (y, t) -> y.sub(mu).div(sd.square().add(sde.std(t).square())).neg();
            // the same function held fixed in φ: a perfect auxiliary model for the bias correction
            ScoreFunction aux = (y, t) -> y.sub(mu.stopGradient())
                    .div(sd.stopGradient().square().add(sde.std(t).square())).neg();
            Objectives.Dsm dsm = Objectives.dsm(sde).weighting(Weighting.uniform());
            Objective objective = switch (name) {
                case "DSM" -> dsm;
                case "ESM" -> Objectives.esm(sde, trueQ::apply, Weighting.uniform());
                default -> BiasCorrection.biasAware(dsm, aux, Objectives.Divergence.EXACT);
            };
            Run run = new Run(name, new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
            Trainer.of(frozen, List.of(mu, logS), objective).adam(1e-2).batch(2048).steps(steps).logEvery(25)
                    .backend(BACKEND)
                    .callback((step, loss) -> {
                        double m = mu.value().getFlat(0);
                        double s = Math.exp(logS.value().getFlat(0));
                        run.steps().add(step + 1.0); // steps done
                        run.mu().add(m);
                        run.s().add(s);
                        run.c2().add(scoreNorm(sde, s));
                    })
                    .fit((key, b) -> key.normal(Shape.of(b, 1)).mul(sd).add(mu), Key.of(7));
            runs.add(run);
        }

        System.out.println("p_φ = N(μ, s²) fitted against the frozen exact score of N(0, 1); truth μ = 0, s = 1");
        System.out.println();
        System.out.println("| objective       |      μ |      s | score norm C2 |");
        System.out.println("|-----------------|--------|--------|---------------|");
        System.out.printf("| (truth)         | %6.3f | %6.3f | %13.3f |%n", 0.0, 1.0, scoreNorm(sde, 1.0));
        for (Run r : runs) {
            int last = r.mu().size() - 1;
            System.out.printf("| %-15s | %6.3f | %6.3f | %13.3f |%n", r.name(), r.mu().get(last), r.s().get(last),
                    r.c2().get(last));
        }

        XYChart mu = chart("mean μ (DSM under bias-aware DSM: same μ path)", "μ");
        XYChart s = chart("scale s (DSM collapses: s → 0)", "s");
        XYChart c2 = chart("score norm C2 = E_t ½/(s² + σ_t²)", "C2");
        for (Run r : runs) {
            mu.addSeries(r.name(), r.steps(), r.mu()).setMarker(SeriesMarkers.NONE);
            s.addSeries(r.name(), r.steps(), r.s()).setMarker(SeriesMarkers.NONE);
            c2.addSeries(r.name(), r.steps(), r.c2()).setMarker(SeriesMarkers.NONE);
        }
        BitmapEncoder.saveBitmap(List.of(mu, s, c2), 1, 3, out.resolve("parameters.png").toString(),
                BitmapEncoder.BitmapFormat.PNG);
        System.out.println("\nplots written to " + out.toAbsolutePath() + " (parameters.png)");
    }

    /** C2 = E_t ½/(s² + σ_t²) for t ~ U(t_min, 1) (the exact score norm of q_φ, THEORY.md §2), by the midpoint rule. */
    static double scoreNorm(VarianceExploding sde, double s) {
        int n = 400;
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double t = Objectives.T_MIN + (1 - Objectives.T_MIN) * (i + 0.5) / n;
            double sigma = sde.std(t);
            sum += 0.5 / (s * s + sigma * sigma);
        }
        return sum / n;
    }

    static XYChart chart(String title, String y) {
        XYChart c = new XYChartBuilder().width(560).height(460).title(title).xAxisTitle("step").yAxisTitle(y).build();
        // the legend below the plot, never over a curve; step ticks without thousands separators, about every 250
        c.getStyler().setLegendPosition(Styler.LegendPosition.OutsideS).setLegendLayout(Styler.LegendLayout.Horizontal);
        c.getStyler().setXAxisDecimalPattern("#").setXAxisTickMarkSpacingHint(110).setXAxisMin(0.0);
        return c;
    }
}
