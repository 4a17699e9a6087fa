package dev.nabla.core.backend.simd;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import org.junit.jupiter.api.Test;

/**
 * {@link Gemm} against a naive triple loop in double.
 *
 * <p>Tolerance: every element of C is β·C₀ plus a sum of K = k·(products summed into it) terms,
 * computed by fma chains and a few additions, so in working precision with unit roundoff u = ε/2
 * the standard bound (Higham, Accuracy and Stability, §3.1) is
 * |ĉ − c| ≤ γ_{K+1}·(|β·C₀| + Σ|a||b|) with γ_n = n·u/(1 − n·u) ≤ 1.01·n·u. The double reference
 * has the same bound in float64. We allow 2·(K+2)·ε·(|β·C₀| + Σ|a||b|), which is more than twice
 * the sum of both bounds (float32: ε of float, the double reference error is negligible), plus a
 * denormal-sized floor.
 */
class GemmTest {

  /** One random problem: layout of all three operands inside larger arrays, with offsets and gaps. */
  private record Problem(int batch, int m, int n, int k, boolean transA, boolean transB,
      int aOff, int aBs, int bOff, int bBs, int cOff, int cBs, boolean accumulate,
      double[] a, double[] b, double[] c0) {

    static Problem random(long seed, int batch, int m, int n, int k, boolean transA,
        boolean transB, boolean shareA, boolean shareB, boolean shareC, boolean accumulate) {
      Random r = new Random(seed);
      int aOff = r.nextInt(5);
      int bOff = r.nextInt(5);
      int cOff = r.nextInt(5);
      int aBs = shareA ? 0 : m * k + r.nextInt(4);
      int bBs = shareB ? 0 : k * n + r.nextInt(4);
      int cBs = shareC ? 0 : m * n + r.nextInt(4);
      double[] a = fill(r, aOff + (batch - 1) * aBs + m * k + r.nextInt(3));
      double[] b = fill(r, bOff + (batch - 1) * bBs + k * n + r.nextInt(3));
      double[] c0 = fill(r, cOff + (batch - 1) * cBs + m * n + r.nextInt(3));
      return new Problem(batch, m, n, k, transA, transB, aOff, aBs, bOff, bBs, cOff, cBs,
          accumulate, a, b, c0);
    }

    private static double[] fill(Random r, int size) {
      double[] x = new double[size];
      for (int i = 0; i < size; i++) x[i] = r.nextDouble() * 2 - 1;
      return x;
    }

    float[] f(double[] x) {
      float[] y = new float[x.length];
      for (int i = 0; i < x.length; i++) y[i] = (float) x[i];
      return y;
    }

    double[] d(float[] x) {
      double[] y = new double[x.length];
      for (int i = 0; i < x.length; i++) y[i] = x[i];
      return y;
    }

    double[] runDouble(int threads, long minParallelFlops) {
      double[] c = c0.clone();
      Gemm.gemm(batch, m, n, k, a, aOff, aBs, transA, b, bOff, bBs, transB, c, cOff, cBs,
          accumulate, threads, minParallelFlops);
      return c;
    }

    float[] runFloat(int threads, long minParallelFlops) {
      float[] c = f(c0);
      Gemm.gemm(batch, m, n, k, f(a), aOff, aBs, transA, f(b), bOff, bBs, transB, c, cOff, cBs,
          accumulate, threads, minParallelFlops);
      return c;
    }

    /** The naive reference; inputs are taken as given (float inputs: after rounding to float). */
    void check(double[] got, boolean inFloat) {
      double[] av = inFloat ? d(f(a)) : a;
      double[] bv = inFloat ? d(f(b)) : b;
      double[] cv = inFloat ? d(f(c0)) : c0;
      double eps = inFloat ? Math.ulp(1.0f) : Math.ulp(1.0);
      boolean sharedC = cBs == 0 && batch > 1;
      double[] want = cv.clone();
      double[] mag = new double[cv.length];
      for (int bi = 0; bi < batch; bi++) {
        int cb = cOff + bi * cBs;
        boolean overwrite = !accumulate && (bi == 0 || !sharedC);
        for (int i = 0; i < m; i++) {
          for (int j = 0; j < n; j++) {
            double s = 0;
            double sa = 0;
            for (int p = 0; p < k; p++) {
              double x = transA ? av[aOff + bi * aBs + p * m + i] : av[aOff + bi * aBs + i * k + p];
              double y = transB ? bv[bOff + bi * bBs + j * k + p] : bv[bOff + bi * bBs + p * n + j];
              s += x * y;
              sa += Math.abs(x * y);
            }
            int ci = cb + i * n + j;
            if (overwrite) {
              want[ci] = s;
              mag[ci] = sa;
            } else {
              mag[ci] += (mag[ci] == 0 ? Math.abs(want[ci]) : 0) + sa;
              want[ci] += s;
            }
          }
        }
      }
      long terms = (long) k * (sharedC ? batch : 1);
      boolean[] inC = new boolean[cv.length];
      for (int bi = 0; bi < (sharedC ? 1 : batch); bi++) {
        for (int e = 0; e < m * n; e++) inC[cOff + bi * cBs + e] = true;
      }
      for (int e = 0; e < cv.length; e++) {
        int at = e;
        if (!inC[e]) {
          assertEquals(cv[e], got[e], 0.0, () -> "element outside C changed at " + at + " in " + this);
          continue;
        }
        double tol = 2.0 * (terms + 2) * eps * mag[e] + 1e-300;
        double err = Math.abs(got[e] - want[e]);
        assertTrue(err <= tol, "element " + e + ": got " + got[e] + ", want " + want[e] + ", |err| "
            + err + " > tol " + tol + " in " + this);
      }
    }

    @Override
    public String toString() {
      return "batch=" + batch + " m=" + m + " n=" + n + " k=" + k + " transA=" + transA
          + " transB=" + transB + " aOff=" + aOff + " aBs=" + aBs + " bOff=" + bOff + " bBs=" + bBs
          + " cOff=" + cOff + " cBs=" + cBs + " accumulate=" + accumulate;
    }
  }

  @Property(tries = 300)
  void matchesNaiveLoop(
      @ForAll @IntRange(min = 1, max = 3) int batch,
      @ForAll @IntRange(min = 1, max = 70) int m,
      @ForAll @IntRange(min = 1, max = 70) int n,
      @ForAll @IntRange(min = 1, max = 70) int k,
      @ForAll boolean transA, @ForAll boolean transB,
      @ForAll boolean shareA, @ForAll boolean shareB, @ForAll boolean shareC,
      @ForAll boolean accumulate, @ForAll @IntRange(min = 1, max = 2) int threads,
      @ForAll boolean forceSplit, @ForAll long seed) {
    Problem p = Problem.random(seed, batch, m, n, k, transA, transB, shareA, shareB, shareC,
        accumulate);
    long minFlops = forceSplit ? 0 : Gemm.PARALLEL_MIN_FLOPS;
    p.check(p.runDouble(threads, minFlops), false);
    p.check(p.d(p.runFloat(threads, minFlops)), true);
  }

  /** Skinny shapes (n below a vector, or k or m of a few) take the unpacked loops; the same bound applies. */
  @Property(tries = 200)
  void skinnyShapesMatchNaiveLoop(
      @ForAll @IntRange(min = 0, max = 2) int thin,
      @ForAll @IntRange(min = 1, max = 9) int small,
      @ForAll @IntRange(min = 1, max = 300) int big1,
      @ForAll @IntRange(min = 1, max = 300) int big2,
      @ForAll boolean transA, @ForAll boolean transB, @ForAll boolean accumulate,
      @ForAll @IntRange(min = 1, max = 2) int threads, @ForAll long seed) {
    int m = thin == 0 ? small : big1;
    int n = thin == 1 ? small : thin == 0 ? big1 : big2;
    int k = thin == 2 ? small : big2;
    Problem p = Problem.random(seed, 1, m, n, k, transA, transB, false, false, false, accumulate);
    p.check(p.runDouble(threads, 0), false);
    p.check(p.d(p.runFloat(threads, 0)), true);
  }

  /** Depths beyond one packed block (KC) and widths beyond one panel (NC) take the other loops. */
  @Property(tries = 20)
  void matchesNaiveLoopAcrossBlocks(
      @ForAll @IntRange(min = 1, max = 40) int m,
      @ForAll @IntRange(min = 1, max = 40) int n,
      @ForAll @IntRange(min = 250, max = 800) int k,
      @ForAll boolean transA, @ForAll boolean transB, @ForAll boolean accumulate,
      @ForAll long seed) {
    Problem p = Problem.random(seed, 2, m, n, k, transA, transB, false, true, false, accumulate);
    p.check(p.runDouble(2, 0), false);
    p.check(p.d(p.runFloat(2, 0)), true);
  }

  @Test
  void widePanelsAndTallBlocks() {
    int n = Math.max(Gemm.NC_D, Gemm.NC_F) + 37;
    int m = Math.max(Gemm.MC_D, Gemm.MC_F) + 11;
    for (int t = 0; t < 4; t++) {
      Problem p = Problem.random(t, 1, m, n, 9, (t & 1) != 0, (t & 2) != 0, false, false, false,
          t == 3);
      p.check(p.runDouble(2, 0), false);
      p.check(p.d(p.runFloat(2, 0)), true);
    }
  }

  @Test
  void tinyAndDegenerateShapes() {
    Problem one = Problem.random(1, 1, 1, 1, 1, false, false, false, false, false, false);
    double[] c = one.runDouble(1, Gemm.PARALLEL_MIN_FLOPS);
    assertEquals(one.a()[one.aOff()] * one.b()[one.bOff()], c[one.cOff()], 0.0);

    double[] cz = {5, 5, 5, 5};
    Gemm.gemm(1, 2, 2, 0, new double[0], 0, 0, false, new double[0], 0, 0, false, cz, 0, 0,
        false, 1);
    assertArrayEquals(new double[] {0, 0, 0, 0}, cz, "k = 0 without accumulate writes zeros");
    float[] cf = {5, 5, 5, 5};
    Gemm.gemm(1, 2, 2, 0, new float[0], 0, 0, false, new float[0], 0, 0, false, cf, 0, 0,
        true, 1);
    assertArrayEquals(new float[] {5, 5, 5, 5}, cf, "k = 0 with accumulate leaves C");
    Gemm.gemm(0, 2, 2, 2, new double[0], 0, 0, false, new double[0], 0, 0, false, cz, 0, 0,
        false, 1);
    Gemm.gemm(3, 0, 2, 2, new double[0], 0, 0, false, new double[4], 0, 0, false, cz, 0, 0,
        false, 1);
  }

  @Test
  void resultsAreBitIdenticalForEveryThreadCount() {
    int[][] shapes = {{300, 200, 300}, {512, 128, 128}, {97, 131, 523}, {64, 3, 128}};
    for (int[] s : shapes) {
      for (int t = 0; t < 4; t++) {
        for (boolean shareC : new boolean[] {false, true}) {
          Problem p = Problem.random(s[0] + t, 3, s[0], s[1], s[2], (t & 1) != 0, (t & 2) != 0,
              false, t == 1, shareC, t == 2);
          double[] d1 = p.runDouble(1, 0);
          float[] f1 = p.runFloat(1, 0);
          for (int threads : new int[] {2, 3, 7}) {
            assertArrayEquals(d1, p.runDouble(threads, 0), () -> "f64 threads " + threads + " " + p);
            assertArrayEquals(f1, p.runFloat(threads, 0), () -> "f32 threads " + threads + " " + p);
          }
          assertArrayEquals(d1, p.runDouble(2, Gemm.PARALLEL_MIN_FLOPS), "public threshold, f64");
          p.check(d1, false);
        }
      }
    }
  }

  @Test
  void badArgumentsFailFastNamingTheArgument() {
    double[] x = new double[4];
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Gemm.gemm(1, -1, 2, 2, x, 0, 0, false, x, 0, 0, false, x, 0, 0, false, 1));
    assertTrue(e.getMessage().contains("m must be >= 0 but was -1"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Gemm.gemm(2, 2, 2, 2, x, 0, 4, false, x, 0, 0, false, x, 0, 0, false, 1));
    assertTrue(e.getMessage().contains("array a has length 4 but needs 8"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class,
        () -> Gemm.gemm(1, 2, 2, 2, x, 0, 0, false, x, 0, 0, false, x, 0, 0, false, 0));
    assertTrue(e.getMessage().contains("threads must be >= 1"), e.getMessage());
  }
}
