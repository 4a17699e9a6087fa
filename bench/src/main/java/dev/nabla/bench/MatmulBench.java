package dev.nabla.bench;

import dev.nabla.core.backend.simd.Gemm;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Throughput of {@link Gemm}: C = A·B with A m×k, B k×n, 2·m·n·k flops per call. The primary score
 * is calls per second; the secondary score {@code flop} (an operations counter) is flop per second,
 * so it reads directly as GFLOP/s after dividing by 10⁹.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
    "--sun-misc-unsafe-memory-access=allow"})
public class MatmulBench {

  /** m×n×k. */
  @Param({"512x512x512", "512x128x128"})
  public String size;

  @Param({"f64", "f32"})
  public String dtype;

  @Param({"1", "2"})
  public int threads;

  private int m;
  private int n;
  private int k;
  private boolean f64;
  private long flopPerCall;
  private double[] a;
  private double[] b;
  private double[] c;
  private float[] af;
  private float[] bf;
  private float[] cf;

  /** Counts floating-point operations; JMH reports it per second. */
  @State(Scope.Thread)
  @AuxCounters(AuxCounters.Type.OPERATIONS)
  public static class Flops {
    public long flop;

    @Setup(Level.Iteration)
    public void reset() {
      flop = 0;
    }
  }

  @Setup
  public void setup() {
    String[] dims = size.split("x");
    m = Integer.parseInt(dims[0]);
    n = Integer.parseInt(dims[1]);
    k = Integer.parseInt(dims[2]);
    f64 = dtype.equals("f64");
    flopPerCall = 2L * m * n * k;
    Random r = new Random(42);
    a = new double[m * k];
    b = new double[k * n];
    c = new double[m * n];
    for (int i = 0; i < a.length; i++) a[i] = r.nextDouble() - 0.5;
    for (int i = 0; i < b.length; i++) b[i] = r.nextDouble() - 0.5;
    af = new float[a.length];
    bf = new float[b.length];
    cf = new float[c.length];
    for (int i = 0; i < a.length; i++) af[i] = (float) a[i];
    for (int i = 0; i < b.length; i++) bf[i] = (float) b[i];
  }

  @Benchmark
  public void matmul(Flops flops) {
    if (f64) {
      Gemm.gemm(1, m, n, k, a, 0, 0, false, b, 0, 0, false, c, 0, 0, false, threads);
    } else {
      Gemm.gemm(1, m, n, k, af, 0, 0, false, bf, 0, 0, false, cf, 0, 0, false, threads);
    }
    flops.flop += flopPerCall;
  }
}
