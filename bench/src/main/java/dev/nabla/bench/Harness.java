package dev.nabla.bench;

import dev.nabla.core.Autodiff;
import dev.nabla.core.DType;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.backend.Backend;
import dev.nabla.core.backend.simd.Gemm;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.Objective;
import dev.nabla.dsl.data.Datasets;
import dev.nabla.dsl.exact.GaussianMixture;
import dev.nabla.dsl.nn.Activation;
import dev.nabla.dsl.nn.Mlp;
import dev.nabla.dsl.nn.TimeInput;
import dev.nabla.dsl.objectives.Objectives;
import dev.nabla.dsl.optim.Adam;
import dev.nabla.dsl.sde.Diffusion;
import dev.nabla.dsl.sde.LangevinSde;
import dev.nabla.dsl.sde.LinearizedTransition;
import dev.nabla.dsl.sde.TimePairs;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * nabla's side of the benchmark of issue #5 (the PyTorch side is {@code bench/peer/peer_bench.py}; both are run
 * by {@code bin/bench-all}, which pairs their lines into {@code RESULT} lines).
 *
 * <p>Workloads, each in float64 and float32 on {@code Backend.simd(threads)} for every thread count asked:
 * <ul>
 *   <li>{@code dsm}: one compiled training step — data a 2-D Gaussian mixture (8 modes on a circle of radius 4,
 *       std 0.1) drawn in the step, batch 512, σ log-uniform in [0.01, 10], an MLP 3 → 128 → 128 → 128 → 2 with
 *       SiLU on (x, y, log σ), loss {@code mean(σ² ‖s(x + σε) + ε/σ‖²)}, Adam lr 1e-3; data, noise and σ fresh
 *       each step (a new Philox key per step);</li>
 *   <li>{@code ism}: the same model and data, loss {@code mean(σ² (½‖s(x_t)‖² + vᵀ ∂s/∂x v))} with one
 *       Rademacher probe v ({@code Autodiff.vjp} for {@code vᵀ ∂s/∂x}, then the gradient through it);</li>
 *   <li>{@code local-dsm}: the same model on the nonlinear Langevin SDE of samples/NonlinearLocalDsm.java
 *       ({@code dy = ½β∇log π dt + √β dW}, β linear 0.1 → 20, π a 4-mode mixture) with the drift's full
 *       Jacobian, {@code ∫_s^t β = 0.05}, {@code y_s} simulated in {@code --local-sim} Euler–Maruyama steps;</li>
 *   <li>{@code matmul}: {@link Gemm} C = A·B for 512×512×512 and 512×128×128, timed in a plain loop (the same
 *       call as {@link MatmulBench}, without JMH): rounds of {@code --mm-seconds}, median GFLOP/s;</li>
 *   <li>{@code peak}: the FMA peak of one core, {@link FmaPeakBench}'s kernels timed in the same kind of loop.</li>
 * </ul>
 * A step workload is timed after a warm-up of at least {@code --warmup} steps and at least
 * {@code --warmup-seconds} (default 3: the JIT compiles a new plan's kernels in the background, and until it has,
 * their vector operations allocate), then {@code --rounds} rounds of {@code --round-steps} steps; the value is the
 * median rate. Reported besides, from the same rounds: bytes allocated per step (by
 * this thread, and by all threads: the worker pool included) and collections. For {@code dsm f64 threads=1}
 * a long window of {@code --alloc-steps} steps (default 10⁵) measures allocation and GC count after warm-up,
 * and the plan's compile time (graph, gradient, optimizer, {@code Plan.build}) and first-step latency are
 * those of the first plan this JVM compiles.
 *
 * <p>Lines printed (machine-readable; {@code bin/bench-all} reads them):
 * <pre>
 * NABLA &lt;workload&gt; &lt;dtype&gt; threads=&lt;n&gt; value=&lt;v&gt; unit=&lt;steps/s|GFLOP/s&gt; rounds=&lt;r&gt; min=&lt;v&gt; max=&lt;v&gt; [last_round_loss=&lt;l&gt;]
 * NABLA-ALLOC &lt;workload&gt; &lt;dtype&gt; threads=&lt;n&gt; steps=&lt;s&gt; bytes_per_step=&lt;b&gt; all_threads_bytes_per_step=&lt;b&gt; gc_count=&lt;c&gt; gc_ms=&lt;ms&gt;
 * NABLA-COMPILE &lt;workload&gt; &lt;dtype&gt; threads=&lt;n&gt; compile_ms=&lt;ms&gt; first_step_ms=&lt;ms&gt; second_step_ms=&lt;ms&gt;
 * NABLA-PEAK &lt;dtype&gt; value=&lt;GFLOP/s of one core&gt;
 * </pre>
 *
 * <pre>java --add-modules jdk.incubator.vector -cp bench/target/benchmarks.jar dev.nabla.bench.Harness [--quick]
 *      [--workloads dsm,ism,local-dsm,matmul] [--dtypes f64,f32] [--threads 1,2] [--warmup N]
 *      [--warmup-seconds S] [--rounds N]
 *      [--round-steps N] [--alloc-steps N] [--mm-warmup S] [--mm-seconds S] [--local-sim N] [--batch N]
 *      [--backend NAME]</pre>
 * {@code --backend tornado} (with nabla-gpu built where TornadoVM is installed, and java started with
 * {@code @$TORNADOVM_HOME/tornado-argfile}) times the step workloads on a TornadoVM device; the thread count
 * then only labels the lines.
 */
public final class Harness {
  /** Minibatch rows of the step workloads ({@code --batch}; the workloads use 512). */
  static int BATCH = 512;
  /** The backend of the step workloads ({@code --backend NAME}, as {@code Backend.named}); default simd:threads. */
  static String backendSpec;
  static final double SIGMA_MIN = 0.01;
  static final double SIGMA_MAX = 10;
  static final double LR = 1e-3;

  private static final com.sun.management.ThreadMXBean THREADS =
      (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();

  /** Sink for loss values, so no step's result is dead. */
  static volatile double sink;

  private Harness() {}

  /** Settings; every count can be set on the command line. */
  static final class Options {
    List<String> workloads = List.of("dsm", "ism", "local-dsm", "matmul");
    List<String> dtypes = List.of("f64", "f32");
    int[] threads = {1, 2};
    int warmup = 500;
    double warmupSeconds = 3;
    int rounds = 7;
    int roundSteps = 200;
    long allocSteps = 100_000;
    double mmWarmup = 2;
    double mmSeconds = 1;
    int localSim = 100;
    int localRoundSteps = -1; // default: roundSteps / 4 (a local-DSM step is several times slower)

    static Options parse(String[] args) {
      Options o = new Options();
      for (int i = 0; i < args.length; i++) {
        String a = args[i];
        switch (a) {
          case "--quick" -> {
            o.warmup = 100;
            o.warmupSeconds = 0.5;
            o.rounds = 3;
            o.roundSteps = 40;
            o.allocSteps = 2_000;
            o.mmWarmup = 0.5;
            o.mmSeconds = 0.3;
            o.localSim = 100;
          }
          case "--workloads" -> o.workloads = List.of(args[++i].split(","));
          case "--dtypes" -> o.dtypes = List.of(args[++i].split(","));
          case "--threads" -> o.threads = Arrays.stream(args[++i].split(",")).mapToInt(Integer::parseInt).toArray();
          case "--warmup" -> o.warmup = Integer.parseInt(args[++i]);
          case "--warmup-seconds" -> o.warmupSeconds = Double.parseDouble(args[++i]);
          case "--rounds" -> o.rounds = Integer.parseInt(args[++i]);
          case "--round-steps" -> o.roundSteps = Integer.parseInt(args[++i]);
          case "--local-round-steps" -> o.localRoundSteps = Integer.parseInt(args[++i]);
          case "--alloc-steps" -> o.allocSteps = Long.parseLong(args[++i]);
          case "--mm-warmup" -> o.mmWarmup = Double.parseDouble(args[++i]);
          case "--mm-seconds" -> o.mmSeconds = Double.parseDouble(args[++i]);
          case "--local-sim" -> o.localSim = Integer.parseInt(args[++i]);
          case "--batch" -> BATCH = Integer.parseInt(args[++i]);
          case "--backend" -> backendSpec = args[++i];
          default -> throw new IllegalArgumentException("unknown argument " + a + "; see the class comment of "
              + Harness.class.getName());
        }
      }
      return o;
    }
  }

  public static void main(String[] args) {
    Options o = Options.parse(args);
    System.out.printf("NABLA-INFO java=%s vm=%s cores=%d species=%s args=%s%n", System.getProperty("java.version"),
        System.getProperty("java.vm.name").replace(' ', '_'), Runtime.getRuntime().availableProcessors(),
        jdk.incubator.vector.DoubleVector.SPECIES_PREFERRED.vectorBitSize() + "bit", String.join(" ", args));
    boolean first = true;
    for (String w : o.workloads) {
      if (w.equals("matmul")) {
        continue;
      }
      for (String dt : o.dtypes) {
        for (int t : o.threads) {
          stepWorkload(o, w, dt, t, first);
          first = false;
        }
      }
    }
    if (o.workloads.contains("matmul")) {
      for (String dt : o.dtypes) {
        double peak = fmaPeak(dt.equals("f64"), o);
        System.out.printf("NABLA-PEAK %s value=%.2f unit=GFLOP/s%n", dt, peak);
      }
      for (String dt : o.dtypes) {
        for (int t : o.threads) {
          for (int[] mnk : new int[][] {{512, 512, 512}, {512, 128, 128}}) {
            matmul(o, mnk[0], mnk[1], mnk[2], dt.equals("f64"), t);
          }
        }
      }
    }
  }

  // ------------------------------------------------------------------ training steps

  /** A compiled training step and its key input; {@link #run} runs step {@code s} with the key {@code fold(s)}. */
  static final class Step {
    final Plan plan;
    final Tensor keyIn;
    final Tensor loss;
    final long keyBase = Key.of(7).value();
    long s;

    Step(Plan plan, Tensor keyIn, Tensor loss) {
      this.plan = plan;
      this.keyIn = keyIn;
      this.loss = loss;
    }

    double run() {
      plan.set(keyIn, new Key(Key.fold(keyBase, s++)));
      plan.execute();
      return plan.get(loss).getFlat(0);
    }

    /** Runs {@code n} steps; returns the sum of the losses (checked finite). */
    double run(long n) {
      double sum = 0;
      for (long i = 0; i < n; i++) {
        sum += run();
      }
      if (!Double.isFinite(sum)) {
        throw new IllegalStateException("non-finite loss before step " + s);
      }
      sink = sum;
      return sum;
    }
  }

  static Mlp model(DType dtype) {
    return Mlp.builder(2).hidden(128, 128, 128).activation(Activation.SILU).timeInput(TimeInput.LOG)
        .dtype(dtype).key(Key.of(1)).build();
  }

  /** Builds and compiles the step of {@code workload}; the graph, its gradients and the Adam update. */
  static Step build(String workload, DType dt, int threads, int localSim) {
    Mlp model = model(dt);
    Tensor key = Tensor.keyInput("key");
    GaussianMixture ring = Datasets.gaussianRingMixture(8, 4.0, 0.1);
    Tensor x = ring.sample(key.fold(0), BATCH).cast(dt);
    Tensor loss;
    switch (workload) {
      case "dsm", "ism" -> {
        Tensor sigma = key.fold(1).uniform(Shape.of(BATCH, 1), Math.log(SIGMA_MIN), Math.log(SIGMA_MAX), dt).exp();
        Tensor eps = key.fold(2).normal(Shape.of(BATCH, 2), dt);
        Tensor xt = x.add(sigma.mul(eps));
        Tensor s = model.apply(xt, sigma); // TimeInput.LOG: the input is (x, y, log σ)
        Tensor w = sigma.square().reshape(BATCH);
        if (workload.equals("dsm")) {
          loss = s.add(eps.div(sigma)).square().sum(-1).mul(w).mean();
        } else {
          Tensor v = key.fold(3).rademacher(Shape.of(BATCH, 2), dt);
          Tensor vJ = Autodiff.vjp(s, xt, v); // row b: vᵀ ∂s(x_b)/∂x_b (rows are independent)
          loss = s.square().sum(-1).mul(0.5).add(vJ.mul(v).sum(-1)).mul(w).mean();
        }
      }
      case "local-dsm" -> {
        GaussianMixture pi = GaussianMixture.isotropic(new double[] {0.25, 0.25, 0.25, 0.25},
            new double[][] {{-1.5, -1.5}, {-1.5, 1.5}, {1.5, -1.5}, {1.5, 1.5}}, 0.6);
        Diffusion beta = Diffusion.linearBeta(0.1, 20);
        LangevinSde sde = new LangevinSde(beta, 1, pi.asPrior());
        Objective obj = Objectives.localDsm(sde, TimePairs.integral(beta, 0.05),
            LinearizedTransition.Jacobian.FULL, localSim, null);
        loss = obj.loss(model, x, key.fold(1));
      }
      default -> throw new IllegalArgumentException("unknown workload " + workload
          + "; expected dsm, ism, local-dsm or matmul");
    }
    List<Tensor> params = model.parameters();
    List<Tensor> grads = Autodiff.grad(loss, params);
    Map<Tensor, Tensor> updates = new Adam(LR).updates(params, grads);
    Backend backend = backendSpec == null ? Backend.simd(threads) : Backend.named(backendSpec);
    Plan.Builder pb = Plan.builder().output(loss).backend(backend);
    for (Map.Entry<Tensor, Tensor> e : updates.entrySet()) {
      pb.update(e.getKey(), e.getValue());
    }
    return new Step(pb.build(), key, loss);
  }

  static void stepWorkload(Options o, String workload, String dtype, int threads, boolean firstInJvm) {
    DType dt = dtype.equals("f64") ? DType.F64 : DType.F32;
    long c0 = System.nanoTime();
    Step step = build(workload, dt, threads, o.localSim);
    long c1 = System.nanoTime();
    step.run();
    long c2 = System.nanoTime();
    step.run();
    long c3 = System.nanoTime();
    if (workload.equals("dsm") || firstInJvm) {
      System.out.printf("NABLA-COMPILE %s %s threads=%d compile_ms=%.1f first_step_ms=%.1f second_step_ms=%.2f"
              + " first_in_jvm=%b%n", workload, dtype, threads, (c1 - c0) / 1e6, (c2 - c1) / 1e6, (c3 - c2) / 1e6,
          firstInJvm);
    }
    int perRound = workload.equals("local-dsm")
        ? (o.localRoundSteps > 0 ? o.localRoundSteps : Math.max(1, o.roundSteps / 4)) : o.roundSteps;
    int warm = workload.equals("local-dsm") ? Math.max(1, o.warmup / 4) : o.warmup;
    // at least `warm` steps and at least warmupSeconds: the JIT compiles a new plan's kernels in the background,
    // and until C2 has them their vector operations are boxed (allocate) and slow
    long warmEnd = System.nanoTime() + (long) (o.warmupSeconds * 1e9);
    step.run(warm);
    while (System.nanoTime() < warmEnd) {
      step.run(10);
    }

    long tid = Thread.currentThread().threadId();
    long gc0 = gcCount();
    long gcMs0 = gcMillis();
    long b0 = THREADS.getThreadAllocatedBytes(tid);
    long all0 = THREADS.getTotalThreadAllocatedBytes();
    double[] rates = new double[o.rounds];
    double lastLoss = Double.NaN;
    for (int r = 0; r < o.rounds; r++) {
      long t0 = System.nanoTime();
      lastLoss = step.run(perRound) / perRound;
      rates[r] = perRound / ((System.nanoTime() - t0) / 1e9);
    }
    long b1 = THREADS.getThreadAllocatedBytes(tid);
    long all1 = THREADS.getTotalThreadAllocatedBytes();
    long n = (long) o.rounds * perRound;
    System.out.printf("NABLA %s %s threads=%d value=%.6g unit=steps/s rounds=%d min=%.6g max=%.6g"
        + " last_round_loss=%.6g%n", workload, dtype, threads, median(rates), o.rounds, min(rates), max(rates), lastLoss);
    System.out.printf("NABLA-ALLOC %s %s threads=%d steps=%d bytes_per_step=%.1f all_threads_bytes_per_step=%.1f"
            + " gc_count=%d gc_ms=%d window=rounds%n", workload, dtype, threads, n, (b1 - b0) / (double) n,
        (all1 - all0) / (double) n, gcCount() - gc0, gcMillis() - gcMs0);

    if (workload.equals("dsm") && dt == DType.F64 && threads == 1 && o.allocSteps > 0) {
      gc0 = gcCount();
      gcMs0 = gcMillis();
      b0 = THREADS.getThreadAllocatedBytes(tid);
      all0 = THREADS.getTotalThreadAllocatedBytes();
      long t0 = System.nanoTime();
      step.run(o.allocSteps);
      long t1 = System.nanoTime();
      b1 = THREADS.getThreadAllocatedBytes(tid);
      all1 = THREADS.getTotalThreadAllocatedBytes();
      System.out.printf("NABLA-ALLOC %s %s threads=%d steps=%d bytes_per_step=%.3f all_threads_bytes_per_step=%.3f"
              + " gc_count=%d gc_ms=%d window=long steps_per_s=%.1f%n", workload, dtype, threads, o.allocSteps,
          (b1 - b0) / (double) o.allocSteps, (all1 - all0) / (double) o.allocSteps, gcCount() - gc0,
          gcMillis() - gcMs0, o.allocSteps / ((t1 - t0) / 1e9));
    }
  }

  static long gcCount() {
    long c = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      c += Math.max(0, gc.getCollectionCount());
    }
    return c;
  }

  static long gcMillis() {
    long c = 0;
    for (GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
      c += Math.max(0, gc.getCollectionTime());
    }
    return c;
  }

  // ------------------------------------------------------------------ matmul and peak

  static void matmul(Options o, int m, int n, int k, boolean f64, int threads) {
    Random r = new Random(42);
    double[] a = new double[m * k];
    double[] b = new double[k * n];
    double[] c = new double[m * n];
    for (int i = 0; i < a.length; i++) a[i] = r.nextDouble() - 0.5;
    for (int i = 0; i < b.length; i++) b[i] = r.nextDouble() - 0.5;
    float[] af = new float[a.length];
    float[] bf = new float[b.length];
    float[] cf = new float[c.length];
    for (int i = 0; i < a.length; i++) af[i] = (float) a[i];
    for (int i = 0; i < b.length; i++) bf[i] = (float) b[i];
    Runnable call = f64
        ? () -> Gemm.gemm(1, m, n, k, a, 0, 0, false, b, 0, 0, false, c, 0, 0, false, threads)
        : () -> Gemm.gemm(1, m, n, k, af, 0, 0, false, bf, 0, 0, false, cf, 0, 0, false, threads);
    double flop = 2.0 * m * n * k;
    double[] g = timeRounds(call, flop, o);
    System.out.printf("NABLA matmul-%dx%dx%d %s threads=%d value=%.6g unit=GFLOP/s rounds=%d min=%.6g max=%.6g%n",
        m, n, k, f64 ? "f64" : "f32", threads, median(g), o.rounds, min(g), max(g));
  }

  /** The FMA peak of one core: {@link FmaPeakBench}'s kernel, median GFLOP/s over rounds. */
  static double fmaPeak(boolean f64, Options o) {
    FmaPeakBench bench = new FmaPeakBench();
    FmaPeakBench.Flops flops = new FmaPeakBench.Flops();
    double flopPerCall = f64
        ? 2.0 * FmaPeakBench.CHAINS * FmaPeakBench.STEPS * jdk.incubator.vector.DoubleVector.SPECIES_PREFERRED.length()
        : 2.0 * FmaPeakBench.CHAINS * FmaPeakBench.STEPS * jdk.incubator.vector.FloatVector.SPECIES_PREFERRED.length();
    Runnable call = f64 ? () -> sink = bench.fmaDouble(flops) : () -> sink = bench.fmaFloat(flops);
    return median(timeRounds(call, flopPerCall, o));
  }

  /** Warm-up for {@code mmWarmup} s, then {@code rounds} rounds of at least {@code mmSeconds} s: GFLOP/s each. */
  static double[] timeRounds(Runnable call, double flopPerCall, Options o) {
    long end = System.nanoTime() + (long) (o.mmWarmup * 1e9);
    while (System.nanoTime() < end) {
      call.run();
    }
    double[] g = new double[o.rounds];
    for (int r = 0; r < o.rounds; r++) {
      long calls = 0;
      long t0 = System.nanoTime();
      long stop = t0 + (long) (o.mmSeconds * 1e9);
      long t;
      do {
        call.run();
        calls++;
        t = System.nanoTime();
      } while (t < stop);
      g[r] = calls * flopPerCall / ((t - t0) / 1e9) / 1e9;
    }
    return g;
  }

  static double median(double[] xs) {
    double[] s = xs.clone();
    Arrays.sort(s);
    int n = s.length;
    return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  }

  static double min(double[] xs) {
    return Arrays.stream(xs).min().orElse(Double.NaN);
  }

  static double max(double[] xs) {
    return Arrays.stream(xs).max().orElse(Double.NaN);
  }
}
