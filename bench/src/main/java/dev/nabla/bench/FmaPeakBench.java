package dev.nabla.bench;

import java.util.concurrent.TimeUnit;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.openjdk.jmh.annotations.AuxCounters;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The FMA peak of one core through the Vector API: {@value #CHAINS} independent accumulators
 * {@code acc ← x·y + acc} on the preferred species, enough to cover the FMA latency on every FMA
 * port (latency 4 × 2 ports = 8 needed on current x86), with x·y tiny so no value overflows.
 * Each fma is 2·lanes flops; the secondary score {@code flop} is flop per second.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = {"--add-modules", "jdk.incubator.vector",
    "--sun-misc-unsafe-memory-access=allow"})
public class FmaPeakBench {

  static final int CHAINS = 12;
  static final int STEPS = 4096;
  private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;

  public double x = 1.0000001;
  public double y = 1e-9;

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

  @Benchmark
  public double fmaDouble(Flops flops) {
    DoubleVector vx = DoubleVector.broadcast(DS, x);
    DoubleVector vy = DoubleVector.broadcast(DS, y);
    DoubleVector a0 = DoubleVector.broadcast(DS, 1.0);
    DoubleVector a1 = a0.add(vy);
    DoubleVector a2 = a1.add(vy);
    DoubleVector a3 = a2.add(vy);
    DoubleVector a4 = a3.add(vy);
    DoubleVector a5 = a4.add(vy);
    DoubleVector a6 = a5.add(vy);
    DoubleVector a7 = a6.add(vy);
    DoubleVector a8 = a7.add(vy);
    DoubleVector a9 = a8.add(vy);
    DoubleVector a10 = a9.add(vy);
    DoubleVector a11 = a10.add(vy);
    for (int i = 0; i < STEPS; i++) {
      a0 = vx.fma(vy, a0);
      a1 = vx.fma(vy, a1);
      a2 = vx.fma(vy, a2);
      a3 = vx.fma(vy, a3);
      a4 = vx.fma(vy, a4);
      a5 = vx.fma(vy, a5);
      a6 = vx.fma(vy, a6);
      a7 = vx.fma(vy, a7);
      a8 = vx.fma(vy, a8);
      a9 = vx.fma(vy, a9);
      a10 = vx.fma(vy, a10);
      a11 = vx.fma(vy, a11);
    }
    flops.flop += 2L * CHAINS * STEPS * DS.length();
    return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10)
        .add(a11).reduceLanes(VectorOperators.ADD);
  }

  @Benchmark
  public float fmaFloat(Flops flops) {
    FloatVector vx = FloatVector.broadcast(FS, (float) x);
    FloatVector vy = FloatVector.broadcast(FS, (float) y);
    FloatVector a0 = FloatVector.broadcast(FS, 1.0f);
    FloatVector a1 = a0.add(vy);
    FloatVector a2 = a1.add(vy);
    FloatVector a3 = a2.add(vy);
    FloatVector a4 = a3.add(vy);
    FloatVector a5 = a4.add(vy);
    FloatVector a6 = a5.add(vy);
    FloatVector a7 = a6.add(vy);
    FloatVector a8 = a7.add(vy);
    FloatVector a9 = a8.add(vy);
    FloatVector a10 = a9.add(vy);
    FloatVector a11 = a10.add(vy);
    for (int i = 0; i < STEPS; i++) {
      a0 = vx.fma(vy, a0);
      a1 = vx.fma(vy, a1);
      a2 = vx.fma(vy, a2);
      a3 = vx.fma(vy, a3);
      a4 = vx.fma(vy, a4);
      a5 = vx.fma(vy, a5);
      a6 = vx.fma(vy, a6);
      a7 = vx.fma(vy, a7);
      a8 = vx.fma(vy, a8);
      a9 = vx.fma(vy, a9);
      a10 = vx.fma(vy, a10);
      a11 = vx.fma(vy, a11);
    }
    flops.flop += 2L * CHAINS * STEPS * FS.length();
    return a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).add(a10)
        .add(a11).reduceLanes(VectorOperators.ADD);
  }
}
