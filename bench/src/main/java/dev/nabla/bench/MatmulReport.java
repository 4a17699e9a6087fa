package dev.nabla.bench;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import org.openjdk.jmh.infra.BenchmarkParams;
import org.openjdk.jmh.results.BenchmarkResult;
import org.openjdk.jmh.results.IterationResult;
import org.openjdk.jmh.results.Result;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs {@link FmaPeakBench} and {@link MatmulBench} through JMH and prints, per workload, dtype and
 * thread count, the median GFLOP/s over all measured iterations of all forks and the share of the
 * FMA peak (one core's peak times the thread count). About 3–4 minutes.
 *
 * <pre>java -cp bench/target/benchmarks.jar dev.nabla.bench.MatmulReport [forks]</pre>
 */
public final class MatmulReport {

  private MatmulReport() {}

  public static void main(String[] args) throws RunnerException {
    int forks = args.length > 0 ? Integer.parseInt(args[0]) : 2;
    Options options = new OptionsBuilder()
        .include("dev\\.nabla\\.bench\\.(FmaPeakBench|MatmulBench)\\.")
        .forks(forks)
        .warmupIterations(3)
        .warmupTime(TimeValue.seconds(1))
        .measurementIterations(4)
        .measurementTime(TimeValue.seconds(1))
        .jvmArgsAppend("--add-modules", "jdk.incubator.vector",
            "--sun-misc-unsafe-memory-access=allow")
        .verbosity(VerboseMode.SILENT)
        .build();
    Collection<RunResult> results = new Runner(options).run();

    double peakF64 = Double.NaN;
    double peakF32 = Double.NaN;
    for (RunResult r : results) {
      String name = r.getParams().getBenchmark();
      if (name.endsWith("fmaDouble")) peakF64 = medianGflops(r);
      if (name.endsWith("fmaFloat")) peakF32 = medianGflops(r);
    }
    System.out.printf("%nFMA peak, one core (median of %d forks x 4 iterations of 1 s): "
        + "f64 %.1f GFLOP/s, f32 %.1f GFLOP/s%n%n", forks, peakF64, peakF32);
    System.out.printf("%-13s %-5s %7s %10s %10s%n", "workload", "dtype", "threads", "GFLOP/s",
        "% of peak");
    for (RunResult r : results) {
      BenchmarkParams p = r.getParams();
      if (!p.getBenchmark().endsWith("matmul")) continue;
      String dtype = p.getParam("dtype");
      int threads = Integer.parseInt(p.getParam("threads"));
      double g = medianGflops(r);
      double peak = (dtype.equals("f64") ? peakF64 : peakF32) * threads;
      System.out.printf("%-13s %-5s %7d %10.1f %9.0f%%%n", p.getParam("size"), dtype, threads, g,
          100 * g / peak);
    }
  }

  /** Median over every measured iteration of every fork of the {@code flop} counter, in GFLOP/s. */
  private static double medianGflops(RunResult r) {
    List<Double> xs = new ArrayList<>();
    for (BenchmarkResult b : r.getBenchmarkResults()) {
      for (IterationResult it : b.getIterationResults()) {
        Result<?> flop = it.getSecondaryResults().get("flop");
        if (flop != null) xs.add(flop.getScore() / 1e9);
      }
    }
    if (xs.isEmpty()) return Double.NaN;
    Collections.sort(xs);
    int n = xs.size();
    return n % 2 == 1 ? xs.get(n / 2) : (xs.get(n / 2 - 1) + xs.get(n / 2)) / 2;
  }
}
