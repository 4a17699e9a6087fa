package dev.nabla.core.backend.simd;

import dev.nabla.core.backend.Parallel;
import java.util.Objects;
import java.util.function.IntConsumer;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * Batched dense matrix multiply on the Vector API:
 *
 * <pre>
 *   C_b[i,j]  ←  β·C_b[i,j] + Σ_{p&lt;k} op(A_b)[i,p] · op(B_b)[p,j]      for b &lt; batch, i &lt; m, j &lt; n,
 * </pre>
 *
 * with β = 1 when {@code accumulate} and β = 0 otherwise, op(X) = X or Xᵀ, all matrices row-major
 * (op(A) is m×k, op(B) is k×n, C is m×n). Operand {@code X_b} starts at {@code xOff + b·xBatchStride};
 * a batch stride of 0 shares that operand across the batch (broadcast). For C a batch stride of 0
 * with {@code batch > 1} means all products land in the one C, summed in batch order:
 * {@code C ← β·C + Σ_b op(A_b)·op(B_b)} (the shape of a weight gradient). C must not overlap A or B.
 *
 * <p>Algorithm (Goto/BLIS): op(B) is packed per k×n block into contiguous slivers {@code NR}
 * columns wide, op(A) per block into slivers {@code MR} rows high (so transposed operands cost only
 * a different packing loop), and a register-tiled micro-kernel keeps an {@code MR × NR} tile of C
 * in {@code MR·3} vector accumulators, updated by one {@code fma} per accumulator for each p (widths that are
 * multiples of two vectors and ill-fitted by 3-vector-wide tiles: a 4 × 2-vector tile, see {@code oneF42} and
 * {@code oneD42}).
 * Packing buffers are thread-local and reused, so a call allocates nothing once warm; problems
 * with {@code m·n·k} ≤ {@value #SMALL_MNK} take a plain scalar loop instead, and skinny ones (n below one
 * vector, k ≤ {@value #SKINNY}, or m ≤ {@value #SKINNY} with op(B) stored untransposed: the first and last
 * layers of a small MLP and their gradients) vector loops that read the operands in place.
 *
 * <p>Determinism: each element of C is computed by exactly one thread, in an order that depends
 * only on (m, n, k): {@code C ← ((β·C + S_0) + S_1) + …} where {@code S_q} is the fma chain over the
 * q-th block of KC (a few hundred) p values in increasing p (the scalar path: one chain over
 * all p; the skinny loops: four interleaved chains over p). Results are therefore bit-identical for every
 * {@code threads} value.
 */
public final class Gemm {

  private static final VectorSpecies<Double> DS = DoubleVector.SPECIES_PREFERRED;
  private static final VectorSpecies<Float> FS = FloatVector.SPECIES_PREFERRED;
  private static final int DVL = DS.length();
  private static final int FVL = FS.length();

  /** Rows of the register tile (micro-kernel height). */
  static final int MR = 3;
  /** Columns of the register tile: three vectors. */
  static final int DNR = 3 * DVL;
  static final int FNR = 3 * FVL;

  /** Depth of a packed block: an NR×KC sliver of B (about 24 KiB) stays in L1. */
  static final int KC_D = blockDepth(DNR * Double.BYTES);
  static final int KC_F = blockDepth(FNR * Float.BYTES);
  /** Rows of a packed A block: MC×KC (about 256 KiB) stays in L2. */
  static final int MC_D = Math.max(MR, (256 * 1024 / (KC_D * Double.BYTES)) / MR * MR);
  static final int MC_F = Math.max(MR, (256 * 1024 / (KC_F * Float.BYTES)) / MR * MR);
  /** Columns of a packed B panel: KC×NC (about 2 MiB) stays in L3. */
  static final int NC_D = Math.max(DNR, (2 * 1024 * 1024 / (KC_D * Double.BYTES)) / DNR * DNR);
  static final int NC_F = Math.max(FNR, (2 * 1024 * 1024 / (KC_F * Float.BYTES)) / FNR * FNR);

  /** A depth k (or a height m, with op(B) stored untransposed) at most this takes a skinny loop (no packing). */
  static final int SKINNY = 4;
  /** Depths per block when packing a transposed A (see packADT). */
  static final int PACK_DEPTH = 16;
  /** Problems with m·n·k at most this take the scalar loop (no packing). */
  static final long SMALL_MNK = 2048;
  /**
   * Problems under this many flops (2·m·n·k·batch) stay on the calling thread: about 0.1 ms of
   * single-core work, below which handing work to a second thread gains nothing here.
   */
  static final long PARALLEL_MIN_FLOPS = 4_000_000L;

  private static int blockDepth(int bytesPerP) {
    int kc = 24 * 1024 / bytesPerP;
    return Math.max(64, Math.min(512, kc / 8 * 8));
  }

  private Gemm() {}

  // ---------------------------------------------------------------- thread-local scratch

  private static final class Scratch {
    double[] paD = new double[0];
    double[] pbD = new double[0];
    final double[] tileD = new double[MR * DNR];
    float[] paF = new float[0];
    float[] pbF = new float[0];
    final float[] tileF = new float[MR * FNR];

    double[] paD(int size) {
      if (paD.length < size) paD = new double[size];
      return paD;
    }

    double[] pbD(int size) {
      if (pbD.length < size) pbD = new double[size];
      return pbD;
    }

    float[] paF(int size) {
      if (paF.length < size) paF = new float[size];
      return paF;
    }

    float[] pbF(int size) {
      if (pbF.length < size) pbF = new float[size];
      return pbF;
    }
  }

  private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

  private static int roundUp(int x, int to) {
    return (x + to - 1) / to * to;
  }

  // ---------------------------------------------------------------- threads

  /**
   * One parallel product, split into units (row ranges of one batch element, or of all of them when C is shared)
   * and handed to at most {@code threads} parts of {@link Parallel#run} (the caller and the resident workers that
   * also run the fused elementwise kernels, so that two pools never compete for the cores), part p taking units
   * p, p + parts, … One task per calling thread is reused, so a warm call allocates nothing.
   */
  private static final class Task implements IntConsumer {
    private static final ThreadLocal<Task> MINE = ThreadLocal.withInitial(Task::new);
    int batch, m, n, k, aOff, aBs, bOff, bBs, cOff, cBs, chunks, units, parts;
    boolean transA, transB, accumulate, sharedC, busy;
    Object a, b, c;

    /** This thread's task, or a fresh one if it is in use further up the stack. */
    static Task acquire() {
      Task t = MINE.get();
      return t.busy ? new Task() : t;
    }

    void set(int batch, int m, int n, int k, Object a, int aOff, int aBs, boolean transA, Object b, int bOff,
        int bBs, boolean transB, Object c, int cOff, int cBs, boolean accumulate, boolean sharedC, int chunks,
        int threads) {
      this.batch = batch;
      this.m = m;
      this.n = n;
      this.k = k;
      this.a = a;
      this.aOff = aOff;
      this.aBs = aBs;
      this.transA = transA;
      this.b = b;
      this.bOff = bOff;
      this.bBs = bBs;
      this.transB = transB;
      this.c = c;
      this.cOff = cOff;
      this.cBs = cBs;
      this.accumulate = accumulate;
      this.sharedC = sharedC;
      this.chunks = chunks;
      this.units = (sharedC ? 1 : batch) * chunks;
      this.parts = Math.min(threads, units);
    }

    void run() {
      busy = true;
      try {
        Parallel.run(parts, this);
      } finally {
        busy = false;
        a = null; // hold no arrays between calls
        b = null;
        c = null;
      }
    }

    @Override
    public void accept(int p) {
      for (int u = p; u < units; u += parts) {
        int r = u % chunks;
        int i0 = rowBound(m, r, chunks);
        int i1 = rowBound(m, r + 1, chunks);
        if (i0 >= i1) continue;
        int from = sharedC ? 0 : u / chunks;
        int to = sharedC ? batch : from + 1;
        for (int bi = from; bi < to; bi++) {
          boolean overwrite = !accumulate && (bi == 0 || !sharedC);
          if (a instanceof double[] ad) {
            oneD(m, n, k, ad, aOff + bi * aBs, transA, (double[]) b, bOff + bi * bBs, transB, (double[]) c,
                cOff + bi * cBs, i0, i1, overwrite);
          } else {
            oneF(m, n, k, (float[]) a, aOff + bi * aBs, transA, (float[]) b, bOff + bi * bBs, transB, (float[]) c,
                cOff + bi * cBs, i0, i1, overwrite);
          }
        }
      }
    }
  }

  /**
   * How a problem is split: {@code rowChunks} row ranges (multiples of MR) per batch element, and
   * units over the batch unless C is shared (then each unit walks the whole batch in order).
   */
  private static int rowChunks(int batch, int m, int threads, boolean sharedC) {
    if (!sharedC && (batch % threads == 0 || batch >= 4 * threads)) return 1;
    return Math.max(1, Math.min(threads, (m + MR - 1) / MR));
  }

  private static int rowBound(int m, int r, int chunks) {
    if (r >= chunks) return m;
    return (int) ((long) m * r / chunks) / MR * MR;
  }

  private static boolean useParallel(int batch, int m, int n, int k, int threads, long minParallelFlops) {
    return threads > 1
        && (long) m * n * k > SMALL_MNK
        && 2L * m * n * k * batch >= minParallelFlops;
  }

  // ---------------------------------------------------------------- validation

  private static void check(int batch, int m, int n, int k, int aLen, int aOff, int aBs, int bLen,
      int bOff, int bBs, int cLen, int cOff, int cBs, int threads) {
    nonNegative("batch", batch);
    nonNegative("m", m);
    nonNegative("n", n);
    nonNegative("k", k);
    nonNegative("aOff", aOff);
    nonNegative("bOff", bOff);
    nonNegative("cOff", cOff);
    nonNegative("aBatchStride", aBs);
    nonNegative("bBatchStride", bBs);
    nonNegative("cBatchStride", cBs);
    if (threads < 1) throw new IllegalArgumentException("gemm: threads must be >= 1 but was " + threads);
    fits("a", aLen, aOff, aBs, batch, (long) m * k);
    fits("b", bLen, bOff, bBs, batch, (long) k * n);
    fits("c", cLen, cOff, cBs, batch, (long) m * n);
  }

  private static void nonNegative(String name, int v) {
    if (v < 0) throw new IllegalArgumentException("gemm: " + name + " must be >= 0 but was " + v);
  }

  private static void fits(String name, int len, int off, int bs, int batch, long size) {
    if (batch == 0 || size == 0) return;
    long end = off + (long) (batch - 1) * bs + size;
    if (end > len) {
      throw new IllegalArgumentException("gemm: array " + name + " has length " + len + " but needs "
          + end + " (" + name + "Off=" + off + ", " + name + "BatchStride=" + bs + ", batch=" + batch
          + ", matrix size=" + size + ")");
    }
  }

  // ================================================================ double

  /**
   * C[b] (+)= op(A[b]) · op(B[b]) for b in [0,batch); row-major; op(A) is m×k, op(B) is k×n, C is
   * m×n. {@code transA}: A is stored k×m; {@code transB}: B is stored n×k. See the class comment.
   *
   * @param threads the most threads to use (1 = the calling thread only)
   */
  public static void gemm(int batch, int m, int n, int k,
      double[] a, int aOff, int aBatchStride, boolean transA,
      double[] b, int bOff, int bBatchStride, boolean transB,
      double[] c, int cOff, int cBatchStride, boolean accumulate, int threads) {
    gemm(batch, m, n, k, a, aOff, aBatchStride, transA, b, bOff, bBatchStride, transB,
        c, cOff, cBatchStride, accumulate, threads, PARALLEL_MIN_FLOPS);
  }

  /** As the public one, with the parallel threshold as a parameter (tests force the split with 0). */
  static void gemm(int batch, int m, int n, int k,
      double[] a, int aOff, int aBs, boolean transA,
      double[] b, int bOff, int bBs, boolean transB,
      double[] c, int cOff, int cBs, boolean accumulate, int threads, long minParallelFlops) {
    Objects.requireNonNull(a, "gemm: a");
    Objects.requireNonNull(b, "gemm: b");
    Objects.requireNonNull(c, "gemm: c");
    check(batch, m, n, k, a.length, aOff, aBs, b.length, bOff, bBs, c.length, cOff, cBs, threads);
    if (batch == 0 || m == 0 || n == 0) return;
    boolean sharedC = cBs == 0 && batch > 1;
    if (k == 0) {
      if (!accumulate) {
        for (int bi = 0; bi < (sharedC ? 1 : batch); bi++) {
          java.util.Arrays.fill(c, cOff + bi * cBs, cOff + bi * cBs + m * n, 0);
        }
      }
      return;
    }
    if (!useParallel(batch, m, n, k, threads, minParallelFlops)) {
      for (int bi = 0; bi < batch; bi++) {
        boolean overwrite = !accumulate && (bi == 0 || !sharedC);
        oneD(m, n, k, a, aOff + bi * aBs, transA, b, bOff + bi * bBs, transB, c, cOff + bi * cBs,
            0, m, overwrite);
      }
      return;
    }
    int chunks = rowChunks(batch, m, threads, sharedC);
    Task t = Task.acquire();
    t.set(batch, m, n, k, a, aOff, aBs, transA, b, bOff, bBs, transB, c, cOff, cBs, accumulate, sharedC, chunks,
        threads);
    t.run();
  }

  /** Rows [i0, i1) of one product; {@code overwrite}: β = 0. */
  private static void oneD(int m, int n, int k, double[] a, int aBase, boolean transA,
      double[] b, int bBase, boolean transB, double[] c, int cBase, int i0, int i1,
      boolean overwrite) {
    if ((long) m * n * k <= SMALL_MNK) {
      smallD(m, n, k, a, aBase, transA, b, bBase, transB, c, cBase, i0, i1, overwrite);
      return;
    }
    if (skinnyD(m, n, k, a, aBase, transA, b, bBase, transB, c, cBase, i0, i1, overwrite)) return;
    if (n % DNR2 == 0 && (roundUp(n, DNR) - n) * 20 > roundUp(n, DNR)) {
      oneD42(m, n, k, a, aBase, transA, b, bBase, transB, c, cBase, i0, i1, overwrite);
      return;
    }
    Scratch s = SCRATCH.get();
    int kcMax = Math.min(KC_D, k);
    double[] pa = s.paD(roundUp(Math.min(MC_D, i1 - i0), MR) * kcMax);
    double[] pb = s.pbD(roundUp(Math.min(NC_D, n), DNR) * kcMax);
    double[] tile = s.tileD;
    for (int jc = 0; jc < n; jc += NC_D) {
      int nc = Math.min(NC_D, n - jc);
      for (int pc = 0; pc < k; pc += KC_D) {
        int kc = Math.min(KC_D, k - pc);
        packBD(b, bBase, transB, n, k, jc, nc, pc, kc, pb);
        boolean ow = overwrite && pc == 0;
        for (int ic = i0; ic < i1; ic += MC_D) {
          int mc = Math.min(MC_D, i1 - ic);
          packAD(a, aBase, transA, m, k, ic, mc, pc, kc, pa);
          for (int jr = 0; jr < nc; jr += DNR) {
            int nr = Math.min(DNR, nc - jr);
            int cj = cBase + jc + jr;
            for (int ir = 0; ir < mc; ir += MR) {
              int mr = Math.min(MR, mc - ir);
              if (mr == MR && nr == DNR) {
                kernelD(kc, pa, ir * kc, pb, jr * kc, c, cj + (ic + ir) * n, n, ow);
              } else {
                kernelEdgeD(kc, pa, ir * kc, pb, jr * kc, c, cj + (ic + ir) * n, n, mr, nr, ow,
                    tile);
              }
            }
          }
        }
      }
    }
  }

  /** Plain loop for tiny problems: one fma chain per element over all p. */
  private static void smallD(int m, int n, int k, double[] a, int aBase, boolean transA,
      double[] b, int bBase, boolean transB, double[] c, int cBase, int i0, int i1,
      boolean overwrite) {
    int ars = transA ? 1 : k;
    int acs = transA ? m : 1;
    int brs = transB ? 1 : n;
    int bcs = transB ? k : 1;
    for (int i = i0; i < i1; i++) {
      int ai = aBase + i * ars;
      int ci = cBase + i * n;
      for (int j = 0; j < n; j++) {
        int bj = bBase + j * bcs;
        double sum = 0;
        for (int p = 0; p < k; p++) sum = Math.fma(a[ai + p * acs], b[bj + p * brs], sum);
        c[ci + j] = overwrite ? sum : c[ci + j] + sum;
      }
    }
  }

  // ---------------------------------------------------------------- skinny shapes (double)
  // A width below one vector (n), or a depth or height of a few (k, m), leaves the packed path mostly padding
  // and packing; these loops read the operands where they lie. Each element of C is still computed by one
  // thread in an order fixed by (m, n, k), then added to β·C: one fma chain over p in increasing order, except
  // for the narrow product with op(A) untransposed, which runs four vector chains along p (p mod 4·lanes),
  // adds them as (s0 + s1) + (s2 + s3), sums the lanes in index order, then adds the tail's four scalar chains.

  /** Which skinny loop computes the product: 0 narrow (n), 1 shallow (k), 2 short (m), or -1 for the packed path. */
  private static int skinny(int m, int n, int k, boolean transB, int lanes) {
    if (n < lanes) return 0;
    if (k <= SKINNY) return 1;
    if (m <= SKINNY && !transB) return 2;
    return -1;
  }

  /** Rows along i of the skinny scratch accumulators (narrow product, op(A) transposed). */
  private static final int SKINNY_ROWS = 256;

  /** Rows [i0, i1) of C through the skinny loop {@link #skinny} chooses; false if it chooses none. */
  private static boolean skinnyD(int m, int n, int k, double[] a, int aBase, boolean transA,
      double[] b, int bBase, boolean transB, double[] c, int cBase, int i0, int i1, boolean overwrite) {
    int kind = skinny(m, n, k, transB, DVL);
    if (kind < 0) return false;
    int ars = transA ? 1 : k;
    int acs = transA ? m : 1;
    Scratch s = SCRATCH.get();
    if (kind == 0 && transA) {
      // op(A)[i, p] = A[p·m + i] runs along i: S[j][i] = Σ_p op(B)[p, j]·A[p·m + i], streaming A once
      int brs = transB ? 1 : n;
      int bcs = transB ? k : 1;
      for (int ib = i0; ib < i1; ib += SKINNY_ROWS) {
        int rows = Math.min(SKINNY_ROWS, i1 - ib);
        double[] acc = s.pbD(n * rows);
        chainsD(n, rows, k, b, bBase, bcs, brs, a, aBase + ib, m, acc);
        for (int i = 0; i < rows; i++) {
          int ci = cBase + (ib + i) * n;
          for (int j = 0; j < n; j++) c[ci + j] = overwrite ? acc[j * rows + i] : c[ci + j] + acc[j * rows + i];
        }
      }
      return true;
    }
    if (kind == 0) {
      narrowD(n, k, a, aBase, b, bBase, transB, c, cBase, i0, i1, overwrite, s);
      return true;
    }
    if (kind == 2) {
      // a few rows: S[i][:] = Σ_p op(A)[i, p]·B[p, :], streaming B once
      int rows = i1 - i0;
      double[] acc = s.pbD(rows * n);
      chainsD(rows, n, k, a, aBase + i0 * ars, ars, acs, b, bBase, n, acc);
      for (int i = 0; i < rows; i++) addRowD(c, cBase + (i0 + i) * n, acc, i * n, n, overwrite);
      return true;
    }
    // k ≤ 4: op(B) as k rows of n, in place unless transposed (then packed: k·n is small)
    double[] y = b;
    int yBase = bBase;
    if (transB) {
      y = s.pbD(k * n);
      yBase = 0;
      for (int p = 0; p < k; p++) {
        for (int j = 0; j < n; j++) y[p * n + j] = b[bBase + j * k + p];
      }
    }
    int bound = DS.loopBound(n);
    DoubleVector zero = DoubleVector.zero(DS);
    for (int i = i0; i < i1; i++) {
      int ai = aBase + i * ars;
      int ci = cBase + i * n;
      DoubleVector x0 = DoubleVector.broadcast(DS, a[ai]);
      DoubleVector x1 = k > 1 ? DoubleVector.broadcast(DS, a[ai + acs]) : zero;
      DoubleVector x2 = k > 2 ? DoubleVector.broadcast(DS, a[ai + 2 * acs]) : zero;
      DoubleVector x3 = k > 3 ? DoubleVector.broadcast(DS, a[ai + 3 * acs]) : zero;
      int j = 0;
      for (; j < bound; j += DVL) {
        int r = yBase + j;
        DoubleVector v = x0.fma(DoubleVector.fromArray(DS, y, r), zero);
        if (k > 1) v = x1.fma(DoubleVector.fromArray(DS, y, r + n), v);
        if (k > 2) v = x2.fma(DoubleVector.fromArray(DS, y, r + 2 * n), v);
        if (k > 3) v = x3.fma(DoubleVector.fromArray(DS, y, r + 3 * n), v);
        if (!overwrite) v = DoubleVector.fromArray(DS, c, ci + j).add(v);
        v.intoArray(c, ci + j);
      }
      for (; j < n; j++) {
        double sum = 0;
        for (int p = 0; p < k; p++) sum = Math.fma(a[ai + p * acs], y[yBase + p * n + j], sum);
        c[ci + j] = overwrite ? sum : c[ci + j] + sum;
      }
    }
    return true;
  }

  /**
   * {@code acc[r·len + t] = Σ_p x[xo + r·xr + p·xp] · y[yo + p·yp + t]} for r &lt; rows, t &lt; len: one fma chain
   * per element over p in increasing order, from 0. A tile of three rows by four vectors of acc stays in registers
   * over all p, so acc is written once and y read once per three rows of x (it is the big operand here).
   */
  private static void chainsD(int rows, int len, int k, double[] x, int xo, int xr, int xp,
      double[] y, int yo, int yp, double[] acc) {
    int bound4 = len - len % (4 * DVL);
    int bound1 = DS.loopBound(len);
    int r = 0;
    for (; r + 1 < rows; r += 3) {
      // rows r, r+1, r+2 (the last two rows repeat row r+1 when only two are left): y read once per three rows
      int x0 = xo + r * xr;
      int x1 = x0 + xr;
      int x2 = r + 2 < rows ? x1 + xr : x1;
      int a0 = r * len;
      int a1 = a0 + len;
      int a2 = r + 2 < rows ? a1 + len : a1;
      for (int t = 0; t < bound4; t += 4 * DVL) {
        DoubleVector s00 = DoubleVector.zero(DS);
        DoubleVector s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        DoubleVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
        for (int p = 0; p < k; p++) {
          int yr = yo + p * yp + t;
          DoubleVector y0 = DoubleVector.fromArray(DS, y, yr);
          DoubleVector y1 = DoubleVector.fromArray(DS, y, yr + DVL);
          DoubleVector y2 = DoubleVector.fromArray(DS, y, yr + 2 * DVL);
          DoubleVector y3 = DoubleVector.fromArray(DS, y, yr + 3 * DVL);
          int xp0 = p * xp;
          DoubleVector xv = DoubleVector.broadcast(DS, x[x0 + xp0]);
          s00 = xv.fma(y0, s00);
          s01 = xv.fma(y1, s01);
          s02 = xv.fma(y2, s02);
          s03 = xv.fma(y3, s03);
          xv = DoubleVector.broadcast(DS, x[x1 + xp0]);
          s10 = xv.fma(y0, s10);
          s11 = xv.fma(y1, s11);
          s12 = xv.fma(y2, s12);
          s13 = xv.fma(y3, s13);
          xv = DoubleVector.broadcast(DS, x[x2 + xp0]);
          s20 = xv.fma(y0, s20);
          s21 = xv.fma(y1, s21);
          s22 = xv.fma(y2, s22);
          s23 = xv.fma(y3, s23);
        }
        s00.intoArray(acc, a0 + t);
        s01.intoArray(acc, a0 + t + DVL);
        s02.intoArray(acc, a0 + t + 2 * DVL);
        s03.intoArray(acc, a0 + t + 3 * DVL);
        s10.intoArray(acc, a1 + t);
        s11.intoArray(acc, a1 + t + DVL);
        s12.intoArray(acc, a1 + t + 2 * DVL);
        s13.intoArray(acc, a1 + t + 3 * DVL);
        s20.intoArray(acc, a2 + t);
        s21.intoArray(acc, a2 + t + DVL);
        s22.intoArray(acc, a2 + t + 2 * DVL);
        s23.intoArray(acc, a2 + t + 3 * DVL);
      }
      for (int q = r; q < Math.min(r + 3, rows); q++) {
        chainsTailD(len, k, x, xo + q * xr, xp, y, yo, yp, acc, q * len, bound4, bound1);
      }
    }
    for (; r < rows; r++) {
      int xr0 = xo + r * xr;
      int ar = r * len;
      int t = 0;
      for (; t < bound4; t += 4 * DVL) {
        DoubleVector s0 = DoubleVector.zero(DS);
        DoubleVector s1 = s0;
        DoubleVector s2 = s0;
        DoubleVector s3 = s0;
        for (int p = 0; p < k; p++) {
          DoubleVector xv = DoubleVector.broadcast(DS, x[xr0 + p * xp]);
          int yr = yo + p * yp + t;
          s0 = xv.fma(DoubleVector.fromArray(DS, y, yr), s0);
          s1 = xv.fma(DoubleVector.fromArray(DS, y, yr + DVL), s1);
          s2 = xv.fma(DoubleVector.fromArray(DS, y, yr + 2 * DVL), s2);
          s3 = xv.fma(DoubleVector.fromArray(DS, y, yr + 3 * DVL), s3);
        }
        s0.intoArray(acc, ar + t);
        s1.intoArray(acc, ar + t + DVL);
        s2.intoArray(acc, ar + t + 2 * DVL);
        s3.intoArray(acc, ar + t + 3 * DVL);
      }
      chainsTailD(len, k, x, xr0, xp, y, yo, yp, acc, ar, bound4, bound1);
    }
  }

  /** Columns [bound4, len) of one row of {@link #chainsD}: single vectors, then scalars. */
  private static void chainsTailD(int len, int k, double[] x, int xr0, int xp, double[] y, int yo, int yp,
      double[] acc, int ar, int bound4, int bound1) {
    int t = bound4;
    for (; t < bound1; t += DVL) {
      DoubleVector s0 = DoubleVector.zero(DS);
      for (int p = 0; p < k; p++) {
        s0 = DoubleVector.broadcast(DS, x[xr0 + p * xp]).fma(DoubleVector.fromArray(DS, y, yo + p * yp + t), s0);
      }
      s0.intoArray(acc, ar + t);
    }
    for (; t < len; t++) {
      double sum = 0;
      for (int p = 0; p < k; p++) sum = Math.fma(x[xr0 + p * xp], y[yo + p * yp + t], sum);
      acc[ar + t] = sum;
    }
  }

  private static void addRowD(double[] c, int ci, double[] acc, int ai, int n, boolean overwrite) {
    if (overwrite) {
      System.arraycopy(acc, ai, c, ci, n);
      return;
    }
    int bound = DS.loopBound(n);
    int j = 0;
    for (; j < bound; j += DVL) {
      DoubleVector.fromArray(DS, c, ci + j).add(DoubleVector.fromArray(DS, acc, ai + j)).intoArray(c, ci + j);
    }
    for (; j < n; j++) c[ci + j] += acc[ai + j];
  }

  /** The vector chains of 4 columns of the narrow product for one row of A (see narrowD). */
  private static void chains4D(double[] a, int ai, double[] cols, int bj, int k, int bound, double[] lane) {
    DoubleVector s00 = DoubleVector.zero(DS);
    DoubleVector s01 = s00;
    DoubleVector s02 = s00;
    DoubleVector s03 = s00;
    DoubleVector s10 = DoubleVector.zero(DS);
    DoubleVector s11 = s10;
    DoubleVector s12 = s10;
    DoubleVector s13 = s10;
    DoubleVector s20 = DoubleVector.zero(DS);
    DoubleVector s21 = s20;
    DoubleVector s22 = s20;
    DoubleVector s23 = s20;
    DoubleVector s30 = DoubleVector.zero(DS);
    DoubleVector s31 = s30;
    DoubleVector s32 = s30;
    DoubleVector s33 = s30;
    for (int p = 0; p < bound; p += 4 * DVL) {
      DoubleVector x0 = DoubleVector.fromArray(DS, a, ai + p);
      DoubleVector x1 = DoubleVector.fromArray(DS, a, ai + p + DVL);
      DoubleVector x2 = DoubleVector.fromArray(DS, a, ai + p + 2 * DVL);
      DoubleVector x3 = DoubleVector.fromArray(DS, a, ai + p + 3 * DVL);
      s00 = x0.fma(DoubleVector.fromArray(DS, cols, bj + p), s00);
      s01 = x1.fma(DoubleVector.fromArray(DS, cols, bj + p + DVL), s01);
      s02 = x2.fma(DoubleVector.fromArray(DS, cols, bj + p + 2 * DVL), s02);
      s03 = x3.fma(DoubleVector.fromArray(DS, cols, bj + p + 3 * DVL), s03);
      s10 = x0.fma(DoubleVector.fromArray(DS, cols, bj + 1 * k + p), s10);
      s11 = x1.fma(DoubleVector.fromArray(DS, cols, bj + 1 * k + p + DVL), s11);
      s12 = x2.fma(DoubleVector.fromArray(DS, cols, bj + 1 * k + p + 2 * DVL), s12);
      s13 = x3.fma(DoubleVector.fromArray(DS, cols, bj + 1 * k + p + 3 * DVL), s13);
      s20 = x0.fma(DoubleVector.fromArray(DS, cols, bj + 2 * k + p), s20);
      s21 = x1.fma(DoubleVector.fromArray(DS, cols, bj + 2 * k + p + DVL), s21);
      s22 = x2.fma(DoubleVector.fromArray(DS, cols, bj + 2 * k + p + 2 * DVL), s22);
      s23 = x3.fma(DoubleVector.fromArray(DS, cols, bj + 2 * k + p + 3 * DVL), s23);
      s30 = x0.fma(DoubleVector.fromArray(DS, cols, bj + 3 * k + p), s30);
      s31 = x1.fma(DoubleVector.fromArray(DS, cols, bj + 3 * k + p + DVL), s31);
      s32 = x2.fma(DoubleVector.fromArray(DS, cols, bj + 3 * k + p + 2 * DVL), s32);
      s33 = x3.fma(DoubleVector.fromArray(DS, cols, bj + 3 * k + p + 3 * DVL), s33);
    }
    s00.add(s01).add(s02.add(s03)).intoArray(lane, 0 * DVL);
    s10.add(s11).add(s12.add(s13)).intoArray(lane, 1 * DVL);
    s20.add(s21).add(s22.add(s23)).intoArray(lane, 2 * DVL);
    s30.add(s31).add(s32.add(s33)).intoArray(lane, 3 * DVL);
  }

  /** The vector chains of 3 columns of the narrow product for one row of A (see narrowD). */
  private static void chains3D(double[] a, int ai, double[] cols, int bj, int k, int bound, double[] lane) {
    DoubleVector s00 = DoubleVector.zero(DS);
    DoubleVector s01 = s00;
    DoubleVector s02 = s00;
    DoubleVector s03 = s00;
    DoubleVector s10 = DoubleVector.zero(DS);
    DoubleVector s11 = s10;
    DoubleVector s12 = s10;
    DoubleVector s13 = s10;
    DoubleVector s20 = DoubleVector.zero(DS);
    DoubleVector s21 = s20;
    DoubleVector s22 = s20;
    DoubleVector s23 = s20;
    for (int p = 0; p < bound; p += 4 * DVL) {
      DoubleVector x0 = DoubleVector.fromArray(DS, a, ai + p);
      DoubleVector x1 = DoubleVector.fromArray(DS, a, ai + p + DVL);
      DoubleVector x2 = DoubleVector.fromArray(DS, a, ai + p + 2 * DVL);
      DoubleVector x3 = DoubleVector.fromArray(DS, a, ai + p + 3 * DVL);
      s00 = x0.fma(DoubleVector.fromArray(DS, cols, bj + p), s00);
      s01 = x1.fma(DoubleVector.fromArray(DS, cols, bj + p + DVL), s01);
      s02 = x2.fma(DoubleVector.fromArray(DS, cols, bj + p + 2 * DVL), s02);
      s03 = x3.fma(DoubleVector.fromArray(DS, cols, bj + p + 3 * DVL), s03);
      s10 = x0.fma(DoubleVector.fromArray(DS, cols, bj + 1 * k + p), s10);
      s11 = x1.fma(DoubleVector.fromArray(DS, cols, bj + 1 * k + p + DVL), s11);
      s12 = x2.fma(DoubleVector.fromArray(DS, cols, bj + 1 * k + p + 2 * DVL), s12);
      s13 = x3.fma(DoubleVector.fromArray(DS, cols, bj + 1 * k + p + 3 * DVL), s13);
      s20 = x0.fma(DoubleVector.fromArray(DS, cols, bj + 2 * k + p), s20);
      s21 = x1.fma(DoubleVector.fromArray(DS, cols, bj + 2 * k + p + DVL), s21);
      s22 = x2.fma(DoubleVector.fromArray(DS, cols, bj + 2 * k + p + 2 * DVL), s22);
      s23 = x3.fma(DoubleVector.fromArray(DS, cols, bj + 2 * k + p + 3 * DVL), s23);
    }
    s00.add(s01).add(s02.add(s03)).intoArray(lane, 0 * DVL);
    s10.add(s11).add(s12.add(s13)).intoArray(lane, 1 * DVL);
    s20.add(s21).add(s22.add(s23)).intoArray(lane, 2 * DVL);
  }

  /** The vector chains of 2 columns of the narrow product for one row of A (see narrowD). */
  private static void chains2D(double[] a, int ai, double[] cols, int bj, int k, int bound, double[] lane) {
    DoubleVector s00 = DoubleVector.zero(DS);
    DoubleVector s01 = s00;
    DoubleVector s02 = s00;
    DoubleVector s03 = s00;
    DoubleVector s10 = DoubleVector.zero(DS);
    DoubleVector s11 = s10;
    DoubleVector s12 = s10;
    DoubleVector s13 = s10;
    for (int p = 0; p < bound; p += 4 * DVL) {
      DoubleVector x0 = DoubleVector.fromArray(DS, a, ai + p);
      DoubleVector x1 = DoubleVector.fromArray(DS, a, ai + p + DVL);
      DoubleVector x2 = DoubleVector.fromArray(DS, a, ai + p + 2 * DVL);
      DoubleVector x3 = DoubleVector.fromArray(DS, a, ai + p + 3 * DVL);
      s00 = x0.fma(DoubleVector.fromArray(DS, cols, bj + p), s00);
      s01 = x1.fma(DoubleVector.fromArray(DS, cols, bj + p + DVL), s01);
      s02 = x2.fma(DoubleVector.fromArray(DS, cols, bj + p + 2 * DVL), s02);
      s03 = x3.fma(DoubleVector.fromArray(DS, cols, bj + p + 3 * DVL), s03);
      s10 = x0.fma(DoubleVector.fromArray(DS, cols, bj + 1 * k + p), s10);
      s11 = x1.fma(DoubleVector.fromArray(DS, cols, bj + 1 * k + p + DVL), s11);
      s12 = x2.fma(DoubleVector.fromArray(DS, cols, bj + 1 * k + p + 2 * DVL), s12);
      s13 = x3.fma(DoubleVector.fromArray(DS, cols, bj + 1 * k + p + 3 * DVL), s13);
    }
    s00.add(s01).add(s02.add(s03)).intoArray(lane, 0 * DVL);
    s10.add(s11).add(s12.add(s13)).intoArray(lane, 1 * DVL);
  }

  /** The vector chains of 1 column of the narrow product for one row of A (see narrowD). */
  private static void chains1D(double[] a, int ai, double[] cols, int bj, int k, int bound, double[] lane) {
    DoubleVector s00 = DoubleVector.zero(DS);
    DoubleVector s01 = s00;
    DoubleVector s02 = s00;
    DoubleVector s03 = s00;
    for (int p = 0; p < bound; p += 4 * DVL) {
      DoubleVector x0 = DoubleVector.fromArray(DS, a, ai + p);
      DoubleVector x1 = DoubleVector.fromArray(DS, a, ai + p + DVL);
      DoubleVector x2 = DoubleVector.fromArray(DS, a, ai + p + 2 * DVL);
      DoubleVector x3 = DoubleVector.fromArray(DS, a, ai + p + 3 * DVL);
      s00 = x0.fma(DoubleVector.fromArray(DS, cols, bj + p), s00);
      s01 = x1.fma(DoubleVector.fromArray(DS, cols, bj + p + DVL), s01);
      s02 = x2.fma(DoubleVector.fromArray(DS, cols, bj + p + 2 * DVL), s02);
      s03 = x3.fma(DoubleVector.fromArray(DS, cols, bj + p + 3 * DVL), s03);
    }
    s00.add(s01).add(s02.add(s03)).intoArray(lane, 0 * DVL);
  }

  /** n below one vector, op(A) rows in place: dot products with vectors along p. */
  private static void narrowD(int n, int k, double[] a, int aBase, double[] b, int bBase, boolean transB,
      double[] c, int cBase, int i0, int i1, boolean overwrite, Scratch s) {
    // op(B) as n columns of k, contiguous: in place when transposed, else packed (n·k is small when n is)
    double[] cols = b;
    int colBase = bBase;
    if (!transB) {
      cols = s.pbD(k * n);
      colBase = 0;
      for (int p = 0; p < k; p++) {
        for (int j = 0; j < n; j++) cols[j * k + p] = b[bBase + p * n + j];
      }
    }
    double[] lane = s.tileD;
    int bound = k - k % (4 * DVL);
    for (int i = i0; i < i1; i++) {
      int ai = aBase + i * k;
      for (int j0 = 0; j0 < n; j0 += 4) {
        // up to four columns at once, sharing the loads of row i of A; their vector chains' sums go to lane[]
        int g = Math.min(4, n - j0);
        if (bound > 0) {
          int bj = colBase + j0 * k;
          switch (g) {
            case 4 -> chains4D(a, ai, cols, bj, k, bound, lane);
            case 3 -> chains3D(a, ai, cols, bj, k, bound, lane);
            case 2 -> chains2D(a, ai, cols, bj, k, bound, lane);
            default -> chains1D(a, ai, cols, bj, k, bound, lane);
          }
        }
        for (int j = j0; j < j0 + g; j++) {
          int bj = colBase + j * k;
          double sum = 0;
          int p = bound;
          if (bound > 0) {
            // lanes summed in index order here: reduceLanes' order may differ between C2 and the interpreter
            int lo = (j - j0) * DVL;
            for (int l = 0; l < DVL; l++) sum += lane[lo + l];
          }
          double t0 = 0;
          double t1 = 0;
          double t2 = 0;
          double t3 = 0;
          for (; p + 4 <= k; p += 4) {
            t0 = Math.fma(a[ai + p], cols[bj + p], t0);
            t1 = Math.fma(a[ai + p + 1], cols[bj + p + 1], t1);
            t2 = Math.fma(a[ai + p + 2], cols[bj + p + 2], t2);
            t3 = Math.fma(a[ai + p + 3], cols[bj + p + 3], t3);
          }
          for (; p < k; p++) t0 = Math.fma(a[ai + p], cols[bj + p], t0);
          sum += (t0 + t1) + (t2 + t3);
          int ci = cBase + i * n + j;
          c[ci] = overwrite ? sum : c[ci] + sum;
        }
      }
    }
  }

  /**
   * Packs op(A) = Aᵀ like {@link #packAD}, in blocks of {@value #PACK_DEPTH} depths: A's rows are {@code m}
   * apart (a power of two on the DSM shapes, so they crowd a few L1 sets), and a block of them stays cached while
   * every sliver copies from it, instead of one pass over all kc rows per sliver.
   */
  private static void packADT(double[] a, int aBase, int m, int ic, int mc, int pc, int kc, double[] dst) {
    int full = mc / MR * MR;
    for (int p0 = 0; p0 < kc; p0 += PACK_DEPTH) {
      int p1 = Math.min(kc, p0 + PACK_DEPTH);
      for (int ir = 0; ir < full; ir += MR) {
        int o = ir * kc + p0 * MR;
        int src = aBase + (pc + p0) * m + ic + ir;
        for (int p = p0; p < p1; p++, o += MR, src += m) {
          dst[o] = a[src];
          dst[o + 1] = a[src + 1];
          dst[o + 2] = a[src + 2];
        }
      }
    }
    if (full < mc) {
      int mr = mc - full;
      int o = full * kc;
      int src = aBase + pc * m + ic + full;
      for (int p = 0; p < kc; p++, o += MR, src += m) {
        for (int r = 0; r < MR; r++) dst[o + r] = r < mr ? a[src + r] : 0;
      }
    }
  }

  /** Packs op(A)[ic..ic+mc, pc..pc+kc] as MR-row slivers, p-major inside a sliver, zero-padded. */
  private static void packAD(double[] a, int aBase, boolean transA, int m, int k, int ic, int mc,
      int pc, int kc, double[] dst) {
    if (transA) {
      packADT(a, aBase, m, ic, mc, pc, kc, dst);
      return;
    }
    int o = 0;
    for (int ir = 0; ir < mc; ir += MR) {
      int mr = Math.min(MR, mc - ir);
      int i = ic + ir;
      int r0 = aBase + i * k + pc;
      if (mr == MR) {
        int r1 = r0 + k;
        int r2 = r1 + k;
        for (int p = 0; p < kc; p++, o += MR) {
          dst[o] = a[r0 + p];
          dst[o + 1] = a[r1 + p];
          dst[o + 2] = a[r2 + p];
        }
      } else {
        for (int p = 0; p < kc; p++, o += MR) {
          for (int r = 0; r < MR; r++) dst[o + r] = r < mr ? a[r0 + r * k + p] : 0;
        }
      }
    }
  }

  /** Packs op(B)[pc..pc+kc, jc..jc+nc] as NR-column slivers, p-major inside a sliver, zero-padded. */
  private static void packBD(double[] b, int bBase, boolean transB, int n, int k, int jc, int nc,
      int pc, int kc, double[] dst) {
    int o = 0;
    for (int jr = 0; jr < nc; jr += DNR) {
      int nr = Math.min(DNR, nc - jr);
      int j = jc + jr;
      if (!transB) {
        int src = bBase + pc * n + j;
        if (nr == DNR) {
          for (int p = 0; p < kc; p++, o += DNR, src += n) {
            DoubleVector.fromArray(DS, b, src).intoArray(dst, o);
            DoubleVector.fromArray(DS, b, src + DVL).intoArray(dst, o + DVL);
            DoubleVector.fromArray(DS, b, src + 2 * DVL).intoArray(dst, o + 2 * DVL);
          }
        } else {
          for (int p = 0; p < kc; p++, o += DNR, src += n) {
            for (int jj = 0; jj < DNR; jj++) dst[o + jj] = jj < nr ? b[src + jj] : 0;
          }
        }
      } else {
        for (int jj = 0; jj < DNR; jj++) {
          int d = o + jj;
          if (jj < nr) {
            int src = bBase + (j + jj) * k + pc;
            for (int p = 0; p < kc; p++, d += DNR) dst[d] = b[src + p];
          } else {
            for (int p = 0; p < kc; p++, d += DNR) dst[d] = 0;
          }
        }
        o += DNR * kc;
      }
    }
  }

  /**
   * The register tile, C[MR×NR at co] (β=0 if overwrite) += Σ_p packedA[:,p] ⊗ packedB[p,:]. Its
   * 3×3 accumulators, 3 B vectors and 3 broadcasts fit the 16 vector registers of AVX2: C2
   * loads all broadcasts first, and a tile needing more registers (4×3, or 5×2 in float) spills an
   * accumulator to the stack and loses up to half the speed. Kept free of edge logic so that the
   * loop's general registers do not spill either.
   */
  private static void kernelD(int kc, double[] pa, int ao, double[] pb, int bo, double[] c, int co,
      int ldc, boolean overwrite) {
    DoubleVector c00 = DoubleVector.zero(DS);
    DoubleVector c01 = c00;
    DoubleVector c02 = c00;
    DoubleVector c10 = c00;
    DoubleVector c11 = c00;
    DoubleVector c12 = c00;
    DoubleVector c20 = c00;
    DoubleVector c21 = c00;
    DoubleVector c22 = c00;
    int ai = ao;
    int bi = bo;
    for (int p = 0; p < kc; p++, ai += MR, bi += DNR) {
      DoubleVector b0 = DoubleVector.fromArray(DS, pb, bi);
      DoubleVector b1 = DoubleVector.fromArray(DS, pb, bi + DVL);
      DoubleVector b2 = DoubleVector.fromArray(DS, pb, bi + 2 * DVL);
      DoubleVector x0 = DoubleVector.broadcast(DS, pa[ai]);
      c00 = x0.fma(b0, c00);
      c01 = x0.fma(b1, c01);
      c02 = x0.fma(b2, c02);
      DoubleVector x1 = DoubleVector.broadcast(DS, pa[ai + 1]);
      c10 = x1.fma(b0, c10);
      c11 = x1.fma(b1, c11);
      c12 = x1.fma(b2, c12);
      DoubleVector x2 = DoubleVector.broadcast(DS, pa[ai + 2]);
      c20 = x2.fma(b0, c20);
      c21 = x2.fma(b1, c21);
      c22 = x2.fma(b2, c22);
    }
    storeD(c, co, overwrite, c00, c01, c02);
    storeD(c, co + ldc, overwrite, c10, c11, c12);
    storeD(c, co + 2 * ldc, overwrite, c20, c21, c22);
  }

  /** The same tile for the edges of C: computed whole, then its top-left mr×nr part is written. */
  private static void kernelEdgeD(int kc, double[] pa, int ao, double[] pb, int bo, double[] c,
      int co, int ldc, int mr, int nr, boolean overwrite, double[] tile) {
    DoubleVector c00 = DoubleVector.zero(DS);
    DoubleVector c01 = c00;
    DoubleVector c02 = c00;
    DoubleVector c10 = c00;
    DoubleVector c11 = c00;
    DoubleVector c12 = c00;
    DoubleVector c20 = c00;
    DoubleVector c21 = c00;
    DoubleVector c22 = c00;
    int ai = ao;
    int bi = bo;
    for (int p = 0; p < kc; p++, ai += MR, bi += DNR) {
      DoubleVector b0 = DoubleVector.fromArray(DS, pb, bi);
      DoubleVector b1 = DoubleVector.fromArray(DS, pb, bi + DVL);
      DoubleVector b2 = DoubleVector.fromArray(DS, pb, bi + 2 * DVL);
      DoubleVector x0 = DoubleVector.broadcast(DS, pa[ai]);
      c00 = x0.fma(b0, c00);
      c01 = x0.fma(b1, c01);
      c02 = x0.fma(b2, c02);
      DoubleVector x1 = DoubleVector.broadcast(DS, pa[ai + 1]);
      c10 = x1.fma(b0, c10);
      c11 = x1.fma(b1, c11);
      c12 = x1.fma(b2, c12);
      DoubleVector x2 = DoubleVector.broadcast(DS, pa[ai + 2]);
      c20 = x2.fma(b0, c20);
      c21 = x2.fma(b1, c21);
      c22 = x2.fma(b2, c22);
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, DVL);
    c02.intoArray(tile, 2 * DVL);
    c10.intoArray(tile, DNR);
    c11.intoArray(tile, DNR + DVL);
    c12.intoArray(tile, DNR + 2 * DVL);
    c20.intoArray(tile, 2 * DNR);
    c21.intoArray(tile, 2 * DNR + DVL);
    c22.intoArray(tile, 2 * DNR + 2 * DVL);
    for (int r = 0; r < mr; r++) {
      int ci = co + r * ldc;
      int ti = r * DNR;
      if (overwrite) {
        for (int j = 0; j < nr; j++) c[ci + j] = tile[ti + j];
      } else {
        for (int j = 0; j < nr; j++) c[ci + j] += tile[ti + j];
      }
    }
  }

  private static void storeD(double[] c, int ci, boolean overwrite, DoubleVector v0, DoubleVector v1, DoubleVector v2) {
    if (overwrite) {
      v0.intoArray(c, ci);
      v1.intoArray(c, ci + DVL);
      v2.intoArray(c, ci + 2 * DVL);
    } else {
      DoubleVector.fromArray(DS, c, ci).add(v0).intoArray(c, ci);
      DoubleVector.fromArray(DS, c, ci + DVL).add(v1).intoArray(c, ci + DVL);
      DoubleVector.fromArray(DS, c, ci + 2 * DVL).add(v2).intoArray(c, ci + 2 * DVL);
    }
  }



  // ================================================================ float

  /**
   * C[b] (+)= op(A[b]) · op(B[b]) for b in [0,batch); row-major; op(A) is m×k, op(B) is k×n, C is
   * m×n. {@code transA}: A is stored k×m; {@code transB}: B is stored n×k. See the class comment.
   *
   * @param threads the most threads to use (1 = the calling thread only)
   */
  public static void gemm(int batch, int m, int n, int k,
      float[] a, int aOff, int aBatchStride, boolean transA,
      float[] b, int bOff, int bBatchStride, boolean transB,
      float[] c, int cOff, int cBatchStride, boolean accumulate, int threads) {
    gemm(batch, m, n, k, a, aOff, aBatchStride, transA, b, bOff, bBatchStride, transB,
        c, cOff, cBatchStride, accumulate, threads, PARALLEL_MIN_FLOPS);
  }

  /** As the public one, with the parallel threshold as a parameter (tests force the split with 0). */
  static void gemm(int batch, int m, int n, int k,
      float[] a, int aOff, int aBs, boolean transA,
      float[] b, int bOff, int bBs, boolean transB,
      float[] c, int cOff, int cBs, boolean accumulate, int threads, long minParallelFlops) {
    Objects.requireNonNull(a, "gemm: a");
    Objects.requireNonNull(b, "gemm: b");
    Objects.requireNonNull(c, "gemm: c");
    check(batch, m, n, k, a.length, aOff, aBs, b.length, bOff, bBs, c.length, cOff, cBs, threads);
    if (batch == 0 || m == 0 || n == 0) return;
    boolean sharedC = cBs == 0 && batch > 1;
    if (k == 0) {
      if (!accumulate) {
        for (int bi = 0; bi < (sharedC ? 1 : batch); bi++) {
          java.util.Arrays.fill(c, cOff + bi * cBs, cOff + bi * cBs + m * n, 0);
        }
      }
      return;
    }
    if (!useParallel(batch, m, n, k, threads, minParallelFlops)) {
      for (int bi = 0; bi < batch; bi++) {
        boolean overwrite = !accumulate && (bi == 0 || !sharedC);
        oneF(m, n, k, a, aOff + bi * aBs, transA, b, bOff + bi * bBs, transB, c, cOff + bi * cBs,
            0, m, overwrite);
      }
      return;
    }
    int chunks = rowChunks(batch, m, threads, sharedC);
    Task t = Task.acquire();
    t.set(batch, m, n, k, a, aOff, aBs, transA, b, bOff, bBs, transB, c, cOff, cBs, accumulate, sharedC, chunks,
        threads);
    t.run();
  }

  /** Rows [i0, i1) of one product; {@code overwrite}: β = 0. */
  private static void oneF(int m, int n, int k, float[] a, int aBase, boolean transA,
      float[] b, int bBase, boolean transB, float[] c, int cBase, int i0, int i1,
      boolean overwrite) {
    if ((long) m * n * k <= SMALL_MNK) {
      smallF(m, n, k, a, aBase, transA, b, bBase, transB, c, cBase, i0, i1, overwrite);
      return;
    }
    if (skinnyF(m, n, k, a, aBase, transA, b, bBase, transB, c, cBase, i0, i1, overwrite)) return;
    if (n % FNR2 == 0 && (roundUp(n, FNR) - n) * 20 > roundUp(n, FNR)) {
      oneF42(m, n, k, a, aBase, transA, b, bBase, transB, c, cBase, i0, i1, overwrite);
      return;
    }
    Scratch s = SCRATCH.get();
    int kcMax = Math.min(KC_F, k);
    float[] pa = s.paF(roundUp(Math.min(MC_F, i1 - i0), MR) * kcMax);
    float[] pb = s.pbF(roundUp(Math.min(NC_F, n), FNR) * kcMax);
    float[] tile = s.tileF;
    for (int jc = 0; jc < n; jc += NC_F) {
      int nc = Math.min(NC_F, n - jc);
      for (int pc = 0; pc < k; pc += KC_F) {
        int kc = Math.min(KC_F, k - pc);
        packBF(b, bBase, transB, n, k, jc, nc, pc, kc, pb);
        boolean ow = overwrite && pc == 0;
        for (int ic = i0; ic < i1; ic += MC_F) {
          int mc = Math.min(MC_F, i1 - ic);
          packAF(a, aBase, transA, m, k, ic, mc, pc, kc, pa);
          for (int jr = 0; jr < nc; jr += FNR) {
            int nr = Math.min(FNR, nc - jr);
            int cj = cBase + jc + jr;
            for (int ir = 0; ir < mc; ir += MR) {
              int mr = Math.min(MR, mc - ir);
              if (mr == MR && nr == FNR) {
                kernelF(kc, pa, ir * kc, pb, jr * kc, c, cj + (ic + ir) * n, n, ow);
              } else {
                kernelEdgeD(kc, pa, ir * kc, pb, jr * kc, c, cj + (ic + ir) * n, n, mr, nr, ow,
                    tile);
              }
            }
          }
        }
      }
    }
  }

  // ---------------------------------------------------------------- the 4 × 2-vector tile (float)
  // With 8 float lanes a 3 × 24 tile leaves a third of its last column block empty on widths such as 128 (11 % of
  // the width); a 4 × 16 tile (8 accumulators, 2 B vectors, 4 broadcasts: 14 of the 16 registers) fits them
  // exactly. It takes the widths that are multiples of 16 where 3 × 24 tiles would leave more than 5 % empty (on
  // 512³, 3 % empty, it was slower: 72 against 83 GFLOP/s).
  // Where op(A) is read in place, row r at depth p is a[ao + r·rs + p], indexed by the loop counter itself: with a
  // second index q stepping by a stride passed as an argument (a[ao + r·rs + q], always called with stride 1),
  // 512 × 128 × 128 ran at 71-73 GFLOP/s, with the counter at 84-86. A 6 × 16 tile (12 accumulators) was no faster in place and half as fast packed.

  static final int MR4 = 4;
  static final int FNR2 = 2 * FVL;
  static final int NC_F2 = Math.max(FNR2, (2 * 1024 * 1024 / (KC_F * Float.BYTES)) / FNR2 * FNR2);

  /** Rows [i0, i1) of one product through 4 × 16 tiles; n must be a multiple of 16. */
  private static void oneF42(int m, int n, int k, float[] a, int aBase, boolean transA,
      float[] b, int bBase, boolean transB, float[] c, int cBase, int i0, int i1, boolean overwrite) {
    Scratch s = SCRATCH.get();
    int kcMax = Math.min(KC_F, k);
    float[] pa = s.paF(MR4 * kcMax); // a last sliver of fewer than 4 rows
    float[] pb = s.pbF(Math.min(NC_F2, n) * kcMax);
    float[] tile = s.tileF;
    for (int jc = 0; jc < n; jc += NC_F2) {
      int nc = Math.min(NC_F2, n - jc);
      for (int pc = 0; pc < k; pc += KC_F) {
        int kc = Math.min(KC_F, k - pc);
        packBF2(b, bBase, transB, n, k, jc, nc, pc, kc, pb);
        boolean ow = overwrite && pc == 0;
        // op(A) is read in place, row-major (row i at depth p: A[i·k + p], measured a little faster than packing
        // it) or transposed (the 4 rows of a sliver at depth p are A[p·m + i … i + 3], one cache line; then in row
        // blocks whose kc × mc panel of A, ≤ 256 KiB, stays in L2 across the column slivers); only a last sliver of
        // fewer than 4 rows is packed, zero-padded
        int mcIn = transA ? Math.max(MR4, (256 * 1024 / (kc * Float.BYTES)) / MR4 * MR4) : i1 - i0;
        for (int ic = i0; ic < i1; ic += mcIn) {
          int ie = Math.min(i1, ic + mcIn);
          int full = ic + (ie - ic) / MR4 * MR4;
          if (full < ie) packAF4(a, aBase, transA, m, k, full, ie - full, pc, kc, pa);
          for (int jr = 0; jr < nc; jr += FNR2) {
            int cj = cBase + jc + jr;
            for (int i = ic; i < full; i += MR4) {
              if (transA) {
                kernel42FT(kc, a, aBase + pc * m + i, m, pb, jr * kc, c, cj + i * n, n, ow);
              } else {
                kernel42FA(kc, a, aBase + i * k + pc, k, pb, jr * kc, c, cj + i * n, n, ow);
              }
            }
            if (full < ie) kernel42F(kc, pa, 0, pb, jr * kc, c, cj + full * n, n, ow, ie - full, tile);
          }
        }
      }
    }
  }

  /**
   * Packs the last sliver of op(A), rows [ic, ic + mc) with mc &lt; 4 (the rest is read in place), depths
   * [pc, pc + kc), p-major and zero-padded to 4 rows.
   */
  private static void packAF4(float[] a, int aBase, boolean transA, int m, int k, int ic, int mc,
      int pc, int kc, float[] dst) {
    int rs = transA ? 1 : k;
    int ps = transA ? m : 1;
    for (int p = 0, o = 0; p < kc; p++, o += MR4) {
      for (int r = 0; r < MR4; r++) dst[o + r] = r < mc ? a[aBase + (ic + r) * rs + (pc + p) * ps] : 0;
    }
  }

  /** Packs op(B)[pc..pc+kc, jc..jc+nc] as 16-column slivers, p-major inside a sliver (nc a multiple of 16). */
  private static void packBF2(float[] b, int bBase, boolean transB, int n, int k, int jc, int nc,
      int pc, int kc, float[] dst) {
    int o = 0;
    for (int jr = 0; jr < nc; jr += FNR2) {
      int j = jc + jr;
      if (!transB) {
        int src = bBase + pc * n + j;
        for (int p = 0; p < kc; p++, o += FNR2, src += n) {
          FloatVector.fromArray(FS, b, src).intoArray(dst, o);
          FloatVector.fromArray(FS, b, src + FVL).intoArray(dst, o + FVL);
        }
      } else {
        for (int jj = 0; jj < FNR2; jj++) {
          int d = o + jj;
          int src = bBase + (j + jj) * k + pc;
          for (int p = 0; p < kc; p++, d += FNR2) dst[d] = b[src + p];
        }
        o += FNR2 * kc;
      }
    }
  }

  /** The 4 × 16 register tile, op(A) read in place: row r at depth p is {@code a[ao + r·rs + p]}. */
  private static void kernel42FA(int kc, float[] a, int ao, int rs, float[] pb, int bo, float[] c, int co, int ldc,
      boolean overwrite) {
    FloatVector c00 = FloatVector.zero(FS);
    FloatVector c01 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c30 = c00;
    FloatVector c31 = c00;
    int a0 = ao;
    int a1 = ao + rs;
    int a2 = ao + 2 * rs;
    int a3 = ao + 3 * rs;
    int bi = bo;
    for (int p = 0; p < kc; p++, bi += FNR2) {
      FloatVector b0 = FloatVector.fromArray(FS, pb, bi);
      FloatVector b1 = FloatVector.fromArray(FS, pb, bi + FVL);
      FloatVector x = FloatVector.broadcast(FS, a[a0 + p]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(FS, a[a1 + p]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(FS, a[a2 + p]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(FS, a[a3 + p]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
    }
    store2F(c, co, overwrite, c00, c01);
    store2F(c, co + ldc, overwrite, c10, c11);
    store2F(c, co + 2 * ldc, overwrite, c20, c21);
    store2F(c, co + 3 * ldc, overwrite, c30, c31);
  }

  /**
   * The 4 × 16 register tile, op(A) = Aᵀ read in place: row r at depth p is {@code a[ao + p·ps + r]}, the four rows
   * of a depth in one cache line. Against packing Aᵀ first: 128 × 128 × 512 95 → 110 GFLOP/s (float), 50 → 54
   * (double), 64 × 64 × 4096 75 → 103 and 41 → 50.
   */
  private static void kernel42FT(int kc, float[] a, int ao, int ps, float[] pb, int bo, float[] c, int co, int ldc,
      boolean overwrite) {
    FloatVector c00 = FloatVector.zero(FS);
    FloatVector c01 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c30 = c00;
    FloatVector c31 = c00;
    int ap = ao;
    int bi = bo;
    for (int p = 0; p < kc; p++, bi += FNR2, ap += ps) {
      FloatVector b0 = FloatVector.fromArray(FS, pb, bi);
      FloatVector b1 = FloatVector.fromArray(FS, pb, bi + FVL);
      FloatVector x = FloatVector.broadcast(FS, a[ap]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(FS, a[ap + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(FS, a[ap + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(FS, a[ap + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
    }
    store2F(c, co, overwrite, c00, c01);
    store2F(c, co + ldc, overwrite, c10, c11);
    store2F(c, co + 2 * ldc, overwrite, c20, c21);
    store2F(c, co + 3 * ldc, overwrite, c30, c31);
  }

  /** The 4 × 16 register tile; {@code mr} rows of it are written (through {@code tile} when fewer than 4). */
  private static void kernel42F(int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co,
      int ldc, boolean overwrite, int mr, float[] tile) {
    FloatVector c00 = FloatVector.zero(FS);
    FloatVector c01 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c30 = c00;
    FloatVector c31 = c00;
    int ai = ao;
    int bi = bo;
    for (int p = 0; p < kc; p++, ai += MR4, bi += FNR2) {
      FloatVector b0 = FloatVector.fromArray(FS, pb, bi);
      FloatVector b1 = FloatVector.fromArray(FS, pb, bi + FVL);
      FloatVector x = FloatVector.broadcast(FS, pa[ai]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = FloatVector.broadcast(FS, pa[ai + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = FloatVector.broadcast(FS, pa[ai + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = FloatVector.broadcast(FS, pa[ai + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
    }
    if (mr == MR4) {
      store2F(c, co, overwrite, c00, c01);
      store2F(c, co + ldc, overwrite, c10, c11);
      store2F(c, co + 2 * ldc, overwrite, c20, c21);
      store2F(c, co + 3 * ldc, overwrite, c30, c31);
      return;
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, FVL);
    c10.intoArray(tile, FNR2);
    c11.intoArray(tile, FNR2 + FVL);
    c20.intoArray(tile, 2 * FNR2);
    c21.intoArray(tile, 2 * FNR2 + FVL);
    for (int r = 0; r < mr; r++) {
      int ci = co + r * ldc;
      int ti = r * FNR2;
      for (int j = 0; j < FNR2; j++) c[ci + j] = overwrite ? tile[ti + j] : c[ci + j] + tile[ti + j];
    }
  }

  private static void store2F(float[] c, int ci, boolean overwrite, FloatVector v0, FloatVector v1) {
    if (overwrite) {
      v0.intoArray(c, ci);
      v1.intoArray(c, ci + FVL);
    } else {
      FloatVector.fromArray(FS, c, ci).add(v0).intoArray(c, ci);
      FloatVector.fromArray(FS, c, ci + FVL).add(v1).intoArray(c, ci + FVL);
    }
  }

  // ---------------------------------------------------------------- 4 × 2-vector tiles (double; see float)
  // The same reasoning in double: 128 columns are 5⅓ tiles of 24 (the last a slow edge tile, 6 % of the work) or
  // exactly 8 tiles of 16. 512 × 128 × 128 ran at 46 GFLOP/s through 3 × 24 tiles and at 55-57 through 4 × 16
  // (the transposed-A product 40.6 → 50.8, the transposed-B one 43 → 55, of a 58 GFLOP/s peak); the DSM float64
  // step went from 336 to 384 steps/s.

  static final int DNR2 = 2 * DVL;
  static final int NC_D2 = Math.max(DNR2, (2 * 1024 * 1024 / (KC_D * Double.BYTES)) / DNR2 * DNR2);

  /** Rows [i0, i1) of one product through 4 × 16 tiles; n must be a multiple of 16. */
  private static void oneD42(int m, int n, int k, double[] a, int aBase, boolean transA,
      double[] b, int bBase, boolean transB, double[] c, int cBase, int i0, int i1, boolean overwrite) {
    Scratch s = SCRATCH.get();
    int kcMax = Math.min(KC_D, k);
    double[] pa = s.paD(MR4 * kcMax); // a last sliver of fewer than 4 rows
    double[] pb = s.pbD(Math.min(NC_D2, n) * kcMax);
    double[] tile = s.tileD;
    for (int jc = 0; jc < n; jc += NC_D2) {
      int nc = Math.min(NC_D2, n - jc);
      for (int pc = 0; pc < k; pc += KC_D) {
        int kc = Math.min(KC_D, k - pc);
        packBD2(b, bBase, transB, n, k, jc, nc, pc, kc, pb);
        boolean ow = overwrite && pc == 0;
        // op(A) is read in place, row-major (row i at depth p: A[i·k + p], measured a little faster than packing
        // it) or transposed (the 4 rows of a sliver at depth p are A[p·m + i … i + 3], one cache line; then in row
        // blocks whose kc × mc panel of A, ≤ 256 KiB, stays in L2 across the column slivers); only a last sliver of
        // fewer than 4 rows is packed, zero-padded
        int mcIn = transA ? Math.max(MR4, (256 * 1024 / (kc * Double.BYTES)) / MR4 * MR4) : i1 - i0;
        for (int ic = i0; ic < i1; ic += mcIn) {
          int ie = Math.min(i1, ic + mcIn);
          int full = ic + (ie - ic) / MR4 * MR4;
          if (full < ie) packAD4(a, aBase, transA, m, k, full, ie - full, pc, kc, pa);
          for (int jr = 0; jr < nc; jr += DNR2) {
            int cj = cBase + jc + jr;
            for (int i = ic; i < full; i += MR4) {
              if (transA) {
                kernel42DT(kc, a, aBase + pc * m + i, m, pb, jr * kc, c, cj + i * n, n, ow);
              } else {
                kernel42DA(kc, a, aBase + i * k + pc, k, pb, jr * kc, c, cj + i * n, n, ow);
              }
            }
            if (full < ie) kernel42D(kc, pa, 0, pb, jr * kc, c, cj + full * n, n, ow, ie - full, tile);
          }
        }
      }
    }
  }

  /**
   * Packs the last sliver of op(A), rows [ic, ic + mc) with mc &lt; 4 (the rest is read in place), depths
   * [pc, pc + kc), p-major and zero-padded to 4 rows.
   */
  private static void packAD4(double[] a, int aBase, boolean transA, int m, int k, int ic, int mc,
      int pc, int kc, double[] dst) {
    int rs = transA ? 1 : k;
    int ps = transA ? m : 1;
    for (int p = 0, o = 0; p < kc; p++, o += MR4) {
      for (int r = 0; r < MR4; r++) dst[o + r] = r < mc ? a[aBase + (ic + r) * rs + (pc + p) * ps] : 0;
    }
  }

  /** Packs op(B)[pc..pc+kc, jc..jc+nc] as 16-column slivers, p-major inside a sliver (nc a multiple of 16). */
  private static void packBD2(double[] b, int bBase, boolean transB, int n, int k, int jc, int nc,
      int pc, int kc, double[] dst) {
    int o = 0;
    for (int jr = 0; jr < nc; jr += DNR2) {
      int j = jc + jr;
      if (!transB) {
        int src = bBase + pc * n + j;
        for (int p = 0; p < kc; p++, o += DNR2, src += n) {
          DoubleVector.fromArray(DS, b, src).intoArray(dst, o);
          DoubleVector.fromArray(DS, b, src + DVL).intoArray(dst, o + DVL);
        }
      } else {
        for (int jj = 0; jj < DNR2; jj++) {
          int d = o + jj;
          int src = bBase + (j + jj) * k + pc;
          for (int p = 0; p < kc; p++, d += DNR2) dst[d] = b[src + p];
        }
        o += DNR2 * kc;
      }
    }
  }

  /** The 4 × 16 register tile, op(A) read in place: row r at depth p is {@code a[ao + r·rs + p]}. */
  private static void kernel42DA(int kc, double[] a, int ao, int rs, double[] pb, int bo, double[] c, int co, int ldc,
      boolean overwrite) {
    DoubleVector c00 = DoubleVector.zero(DS);
    DoubleVector c01 = c00;
    DoubleVector c10 = c00;
    DoubleVector c11 = c00;
    DoubleVector c20 = c00;
    DoubleVector c21 = c00;
    DoubleVector c30 = c00;
    DoubleVector c31 = c00;
    int a0 = ao;
    int a1 = ao + rs;
    int a2 = ao + 2 * rs;
    int a3 = ao + 3 * rs;
    int bi = bo;
    for (int p = 0; p < kc; p++, bi += DNR2) {
      DoubleVector b0 = DoubleVector.fromArray(DS, pb, bi);
      DoubleVector b1 = DoubleVector.fromArray(DS, pb, bi + DVL);
      DoubleVector x = DoubleVector.broadcast(DS, a[a0 + p]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = DoubleVector.broadcast(DS, a[a1 + p]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = DoubleVector.broadcast(DS, a[a2 + p]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = DoubleVector.broadcast(DS, a[a3 + p]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
    }
    store2D(c, co, overwrite, c00, c01);
    store2D(c, co + ldc, overwrite, c10, c11);
    store2D(c, co + 2 * ldc, overwrite, c20, c21);
    store2D(c, co + 3 * ldc, overwrite, c30, c31);
  }

  /** The 4 × 16 register tile, op(A) = Aᵀ read in place: row r at depth p is {@code a[ao + p·ps + r]}. */
  private static void kernel42DT(int kc, double[] a, int ao, int ps, double[] pb, int bo, double[] c, int co, int ldc,
      boolean overwrite) {
    DoubleVector c00 = DoubleVector.zero(DS);
    DoubleVector c01 = c00;
    DoubleVector c10 = c00;
    DoubleVector c11 = c00;
    DoubleVector c20 = c00;
    DoubleVector c21 = c00;
    DoubleVector c30 = c00;
    DoubleVector c31 = c00;
    int ap = ao;
    int bi = bo;
    for (int p = 0; p < kc; p++, bi += DNR2, ap += ps) {
      DoubleVector b0 = DoubleVector.fromArray(DS, pb, bi);
      DoubleVector b1 = DoubleVector.fromArray(DS, pb, bi + DVL);
      DoubleVector x = DoubleVector.broadcast(DS, a[ap]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = DoubleVector.broadcast(DS, a[ap + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = DoubleVector.broadcast(DS, a[ap + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = DoubleVector.broadcast(DS, a[ap + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
    }
    store2D(c, co, overwrite, c00, c01);
    store2D(c, co + ldc, overwrite, c10, c11);
    store2D(c, co + 2 * ldc, overwrite, c20, c21);
    store2D(c, co + 3 * ldc, overwrite, c30, c31);
  }
  /** The 4 × 16 register tile; {@code mr} rows of it are written (through {@code tile} when fewer than 4). */
  private static void kernel42D(int kc, double[] pa, int ao, double[] pb, int bo, double[] c, int co,
      int ldc, boolean overwrite, int mr, double[] tile) {
    DoubleVector c00 = DoubleVector.zero(DS);
    DoubleVector c01 = c00;
    DoubleVector c10 = c00;
    DoubleVector c11 = c00;
    DoubleVector c20 = c00;
    DoubleVector c21 = c00;
    DoubleVector c30 = c00;
    DoubleVector c31 = c00;
    int ai = ao;
    int bi = bo;
    for (int p = 0; p < kc; p++, ai += MR4, bi += DNR2) {
      DoubleVector b0 = DoubleVector.fromArray(DS, pb, bi);
      DoubleVector b1 = DoubleVector.fromArray(DS, pb, bi + DVL);
      DoubleVector x = DoubleVector.broadcast(DS, pa[ai]);
      c00 = x.fma(b0, c00);
      c01 = x.fma(b1, c01);
      x = DoubleVector.broadcast(DS, pa[ai + 1]);
      c10 = x.fma(b0, c10);
      c11 = x.fma(b1, c11);
      x = DoubleVector.broadcast(DS, pa[ai + 2]);
      c20 = x.fma(b0, c20);
      c21 = x.fma(b1, c21);
      x = DoubleVector.broadcast(DS, pa[ai + 3]);
      c30 = x.fma(b0, c30);
      c31 = x.fma(b1, c31);
    }
    if (mr == MR4) {
      store2D(c, co, overwrite, c00, c01);
      store2D(c, co + ldc, overwrite, c10, c11);
      store2D(c, co + 2 * ldc, overwrite, c20, c21);
      store2D(c, co + 3 * ldc, overwrite, c30, c31);
      return;
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, DVL);
    c10.intoArray(tile, DNR2);
    c11.intoArray(tile, DNR2 + DVL);
    c20.intoArray(tile, 2 * DNR2);
    c21.intoArray(tile, 2 * DNR2 + DVL);
    for (int r = 0; r < mr; r++) {
      int ci = co + r * ldc;
      int ti = r * DNR2;
      for (int j = 0; j < DNR2; j++) c[ci + j] = overwrite ? tile[ti + j] : c[ci + j] + tile[ti + j];
    }
  }

  private static void store2D(double[] c, int ci, boolean overwrite, DoubleVector v0, DoubleVector v1) {
    if (overwrite) {
      v0.intoArray(c, ci);
      v1.intoArray(c, ci + DVL);
    } else {
      DoubleVector.fromArray(DS, c, ci).add(v0).intoArray(c, ci);
      DoubleVector.fromArray(DS, c, ci + DVL).add(v1).intoArray(c, ci + DVL);
    }
  }

  /** Plain loop for tiny problems: one fma chain per element over all p. */
  private static void smallF(int m, int n, int k, float[] a, int aBase, boolean transA,
      float[] b, int bBase, boolean transB, float[] c, int cBase, int i0, int i1,
      boolean overwrite) {
    int ars = transA ? 1 : k;
    int acs = transA ? m : 1;
    int brs = transB ? 1 : n;
    int bcs = transB ? k : 1;
    for (int i = i0; i < i1; i++) {
      int ai = aBase + i * ars;
      int ci = cBase + i * n;
      for (int j = 0; j < n; j++) {
        int bj = bBase + j * bcs;
        float sum = 0;
        for (int p = 0; p < k; p++) sum = Math.fma(a[ai + p * acs], b[bj + p * brs], sum);
        c[ci + j] = overwrite ? sum : c[ci + j] + sum;
      }
    }
  }

  // ---------------------------------------------------------------- skinny shapes (float; see double)

  /** Rows [i0, i1) of C through the skinny loop {@link #skinny} chooses; false if it chooses none. */
  private static boolean skinnyF(int m, int n, int k, float[] a, int aBase, boolean transA,
      float[] b, int bBase, boolean transB, float[] c, int cBase, int i0, int i1, boolean overwrite) {
    int kind = skinny(m, n, k, transB, FVL);
    if (kind < 0) return false;
    int ars = transA ? 1 : k;
    int acs = transA ? m : 1;
    Scratch s = SCRATCH.get();
    if (kind == 0 && transA) {
      // op(A)[i, p] = A[p·m + i] runs along i: S[j][i] = Σ_p op(B)[p, j]·A[p·m + i], streaming A once
      int brs = transB ? 1 : n;
      int bcs = transB ? k : 1;
      for (int ib = i0; ib < i1; ib += SKINNY_ROWS) {
        int rows = Math.min(SKINNY_ROWS, i1 - ib);
        float[] acc = s.pbF(n * rows);
        chainsF(n, rows, k, b, bBase, bcs, brs, a, aBase + ib, m, acc);
        for (int i = 0; i < rows; i++) {
          int ci = cBase + (ib + i) * n;
          for (int j = 0; j < n; j++) c[ci + j] = overwrite ? acc[j * rows + i] : c[ci + j] + acc[j * rows + i];
        }
      }
      return true;
    }
    if (kind == 0) {
      narrowF(n, k, a, aBase, b, bBase, transB, c, cBase, i0, i1, overwrite, s);
      return true;
    }
    if (kind == 2) {
      // a few rows: S[i][:] = Σ_p op(A)[i, p]·B[p, :], streaming B once
      int rows = i1 - i0;
      float[] acc = s.pbF(rows * n);
      chainsF(rows, n, k, a, aBase + i0 * ars, ars, acs, b, bBase, n, acc);
      for (int i = 0; i < rows; i++) addRowF(c, cBase + (i0 + i) * n, acc, i * n, n, overwrite);
      return true;
    }
    // k ≤ 4: op(B) as k rows of n, in place unless transposed (then packed: k·n is small)
    float[] y = b;
    int yBase = bBase;
    if (transB) {
      y = s.pbF(k * n);
      yBase = 0;
      for (int p = 0; p < k; p++) {
        for (int j = 0; j < n; j++) y[p * n + j] = b[bBase + j * k + p];
      }
    }
    int bound = FS.loopBound(n);
    FloatVector zero = FloatVector.zero(FS);
    for (int i = i0; i < i1; i++) {
      int ai = aBase + i * ars;
      int ci = cBase + i * n;
      FloatVector x0 = FloatVector.broadcast(FS, a[ai]);
      FloatVector x1 = k > 1 ? FloatVector.broadcast(FS, a[ai + acs]) : zero;
      FloatVector x2 = k > 2 ? FloatVector.broadcast(FS, a[ai + 2 * acs]) : zero;
      FloatVector x3 = k > 3 ? FloatVector.broadcast(FS, a[ai + 3 * acs]) : zero;
      int j = 0;
      for (; j < bound; j += FVL) {
        int r = yBase + j;
        FloatVector v = x0.fma(FloatVector.fromArray(FS, y, r), zero);
        if (k > 1) v = x1.fma(FloatVector.fromArray(FS, y, r + n), v);
        if (k > 2) v = x2.fma(FloatVector.fromArray(FS, y, r + 2 * n), v);
        if (k > 3) v = x3.fma(FloatVector.fromArray(FS, y, r + 3 * n), v);
        if (!overwrite) v = FloatVector.fromArray(FS, c, ci + j).add(v);
        v.intoArray(c, ci + j);
      }
      for (; j < n; j++) {
        float sum = 0;
        for (int p = 0; p < k; p++) sum = Math.fma(a[ai + p * acs], y[yBase + p * n + j], sum);
        c[ci + j] = overwrite ? sum : c[ci + j] + sum;
      }
    }
    return true;
  }

  /**
   * {@code acc[r·len + t] = Σ_p x[xo + r·xr + p·xp] · y[yo + p·yp + t]} for r &lt; rows, t &lt; len: one fma chain
   * per element over p in increasing order, from 0. A tile of three rows by four vectors of acc stays in registers
   * over all p, so acc is written once and y read once per three rows of x (it is the big operand here).
   */
  private static void chainsF(int rows, int len, int k, float[] x, int xo, int xr, int xp,
      float[] y, int yo, int yp, float[] acc) {
    int bound4 = len - len % (4 * FVL);
    int bound1 = FS.loopBound(len);
    int r = 0;
    for (; r + 1 < rows; r += 3) {
      // rows r, r+1, r+2 (the last two rows repeat row r+1 when only two are left): y read once per three rows
      int x0 = xo + r * xr;
      int x1 = x0 + xr;
      int x2 = r + 2 < rows ? x1 + xr : x1;
      int a0 = r * len;
      int a1 = a0 + len;
      int a2 = r + 2 < rows ? a1 + len : a1;
      for (int t = 0; t < bound4; t += 4 * FVL) {
        FloatVector s00 = FloatVector.zero(FS);
        FloatVector s01 = s00, s02 = s00, s03 = s00, s10 = s00, s11 = s00, s12 = s00, s13 = s00;
        FloatVector s20 = s00, s21 = s00, s22 = s00, s23 = s00;
        for (int p = 0; p < k; p++) {
          int yr = yo + p * yp + t;
          FloatVector y0 = FloatVector.fromArray(FS, y, yr);
          FloatVector y1 = FloatVector.fromArray(FS, y, yr + FVL);
          FloatVector y2 = FloatVector.fromArray(FS, y, yr + 2 * FVL);
          FloatVector y3 = FloatVector.fromArray(FS, y, yr + 3 * FVL);
          int xp0 = p * xp;
          FloatVector xv = FloatVector.broadcast(FS, x[x0 + xp0]);
          s00 = xv.fma(y0, s00);
          s01 = xv.fma(y1, s01);
          s02 = xv.fma(y2, s02);
          s03 = xv.fma(y3, s03);
          xv = FloatVector.broadcast(FS, x[x1 + xp0]);
          s10 = xv.fma(y0, s10);
          s11 = xv.fma(y1, s11);
          s12 = xv.fma(y2, s12);
          s13 = xv.fma(y3, s13);
          xv = FloatVector.broadcast(FS, x[x2 + xp0]);
          s20 = xv.fma(y0, s20);
          s21 = xv.fma(y1, s21);
          s22 = xv.fma(y2, s22);
          s23 = xv.fma(y3, s23);
        }
        s00.intoArray(acc, a0 + t);
        s01.intoArray(acc, a0 + t + FVL);
        s02.intoArray(acc, a0 + t + 2 * FVL);
        s03.intoArray(acc, a0 + t + 3 * FVL);
        s10.intoArray(acc, a1 + t);
        s11.intoArray(acc, a1 + t + FVL);
        s12.intoArray(acc, a1 + t + 2 * FVL);
        s13.intoArray(acc, a1 + t + 3 * FVL);
        s20.intoArray(acc, a2 + t);
        s21.intoArray(acc, a2 + t + FVL);
        s22.intoArray(acc, a2 + t + 2 * FVL);
        s23.intoArray(acc, a2 + t + 3 * FVL);
      }
      for (int q = r; q < Math.min(r + 3, rows); q++) {
        chainsTailF(len, k, x, xo + q * xr, xp, y, yo, yp, acc, q * len, bound4, bound1);
      }
    }
    for (; r < rows; r++) {
      int xr0 = xo + r * xr;
      int ar = r * len;
      int t = 0;
      for (; t < bound4; t += 4 * FVL) {
        FloatVector s0 = FloatVector.zero(FS);
        FloatVector s1 = s0;
        FloatVector s2 = s0;
        FloatVector s3 = s0;
        for (int p = 0; p < k; p++) {
          FloatVector xv = FloatVector.broadcast(FS, x[xr0 + p * xp]);
          int yr = yo + p * yp + t;
          s0 = xv.fma(FloatVector.fromArray(FS, y, yr), s0);
          s1 = xv.fma(FloatVector.fromArray(FS, y, yr + FVL), s1);
          s2 = xv.fma(FloatVector.fromArray(FS, y, yr + 2 * FVL), s2);
          s3 = xv.fma(FloatVector.fromArray(FS, y, yr + 3 * FVL), s3);
        }
        s0.intoArray(acc, ar + t);
        s1.intoArray(acc, ar + t + FVL);
        s2.intoArray(acc, ar + t + 2 * FVL);
        s3.intoArray(acc, ar + t + 3 * FVL);
      }
      chainsTailF(len, k, x, xr0, xp, y, yo, yp, acc, ar, bound4, bound1);
    }
  }

  /** Columns [bound4, len) of one row of {@link #chainsF}: single vectors, then scalars. */
  private static void chainsTailF(int len, int k, float[] x, int xr0, int xp, float[] y, int yo, int yp,
      float[] acc, int ar, int bound4, int bound1) {
    int t = bound4;
    for (; t < bound1; t += FVL) {
      FloatVector s0 = FloatVector.zero(FS);
      for (int p = 0; p < k; p++) {
        s0 = FloatVector.broadcast(FS, x[xr0 + p * xp]).fma(FloatVector.fromArray(FS, y, yo + p * yp + t), s0);
      }
      s0.intoArray(acc, ar + t);
    }
    for (; t < len; t++) {
      float sum = 0;
      for (int p = 0; p < k; p++) sum = Math.fma(x[xr0 + p * xp], y[yo + p * yp + t], sum);
      acc[ar + t] = sum;
    }
  }

  private static void addRowF(float[] c, int ci, float[] acc, int ai, int n, boolean overwrite) {
    if (overwrite) {
      System.arraycopy(acc, ai, c, ci, n);
      return;
    }
    int bound = FS.loopBound(n);
    int j = 0;
    for (; j < bound; j += FVL) {
      FloatVector.fromArray(FS, c, ci + j).add(FloatVector.fromArray(FS, acc, ai + j)).intoArray(c, ci + j);
    }
    for (; j < n; j++) c[ci + j] += acc[ai + j];
  }

  /** The vector chains of 4 columns of the narrow product for one row of A (see narrowF). */
  private static void chains4F(float[] a, int ai, float[] cols, int bj, int k, int bound, float[] lane) {
    FloatVector s00 = FloatVector.zero(FS);
    FloatVector s01 = s00;
    FloatVector s02 = s00;
    FloatVector s03 = s00;
    FloatVector s10 = FloatVector.zero(FS);
    FloatVector s11 = s10;
    FloatVector s12 = s10;
    FloatVector s13 = s10;
    FloatVector s20 = FloatVector.zero(FS);
    FloatVector s21 = s20;
    FloatVector s22 = s20;
    FloatVector s23 = s20;
    FloatVector s30 = FloatVector.zero(FS);
    FloatVector s31 = s30;
    FloatVector s32 = s30;
    FloatVector s33 = s30;
    for (int p = 0; p < bound; p += 4 * FVL) {
      FloatVector x0 = FloatVector.fromArray(FS, a, ai + p);
      FloatVector x1 = FloatVector.fromArray(FS, a, ai + p + FVL);
      FloatVector x2 = FloatVector.fromArray(FS, a, ai + p + 2 * FVL);
      FloatVector x3 = FloatVector.fromArray(FS, a, ai + p + 3 * FVL);
      s00 = x0.fma(FloatVector.fromArray(FS, cols, bj + p), s00);
      s01 = x1.fma(FloatVector.fromArray(FS, cols, bj + p + FVL), s01);
      s02 = x2.fma(FloatVector.fromArray(FS, cols, bj + p + 2 * FVL), s02);
      s03 = x3.fma(FloatVector.fromArray(FS, cols, bj + p + 3 * FVL), s03);
      s10 = x0.fma(FloatVector.fromArray(FS, cols, bj + 1 * k + p), s10);
      s11 = x1.fma(FloatVector.fromArray(FS, cols, bj + 1 * k + p + FVL), s11);
      s12 = x2.fma(FloatVector.fromArray(FS, cols, bj + 1 * k + p + 2 * FVL), s12);
      s13 = x3.fma(FloatVector.fromArray(FS, cols, bj + 1 * k + p + 3 * FVL), s13);
      s20 = x0.fma(FloatVector.fromArray(FS, cols, bj + 2 * k + p), s20);
      s21 = x1.fma(FloatVector.fromArray(FS, cols, bj + 2 * k + p + FVL), s21);
      s22 = x2.fma(FloatVector.fromArray(FS, cols, bj + 2 * k + p + 2 * FVL), s22);
      s23 = x3.fma(FloatVector.fromArray(FS, cols, bj + 2 * k + p + 3 * FVL), s23);
      s30 = x0.fma(FloatVector.fromArray(FS, cols, bj + 3 * k + p), s30);
      s31 = x1.fma(FloatVector.fromArray(FS, cols, bj + 3 * k + p + FVL), s31);
      s32 = x2.fma(FloatVector.fromArray(FS, cols, bj + 3 * k + p + 2 * FVL), s32);
      s33 = x3.fma(FloatVector.fromArray(FS, cols, bj + 3 * k + p + 3 * FVL), s33);
    }
    s00.add(s01).add(s02.add(s03)).intoArray(lane, 0 * FVL);
    s10.add(s11).add(s12.add(s13)).intoArray(lane, 1 * FVL);
    s20.add(s21).add(s22.add(s23)).intoArray(lane, 2 * FVL);
    s30.add(s31).add(s32.add(s33)).intoArray(lane, 3 * FVL);
  }

  /** The vector chains of 3 columns of the narrow product for one row of A (see narrowF). */
  private static void chains3F(float[] a, int ai, float[] cols, int bj, int k, int bound, float[] lane) {
    FloatVector s00 = FloatVector.zero(FS);
    FloatVector s01 = s00;
    FloatVector s02 = s00;
    FloatVector s03 = s00;
    FloatVector s10 = FloatVector.zero(FS);
    FloatVector s11 = s10;
    FloatVector s12 = s10;
    FloatVector s13 = s10;
    FloatVector s20 = FloatVector.zero(FS);
    FloatVector s21 = s20;
    FloatVector s22 = s20;
    FloatVector s23 = s20;
    for (int p = 0; p < bound; p += 4 * FVL) {
      FloatVector x0 = FloatVector.fromArray(FS, a, ai + p);
      FloatVector x1 = FloatVector.fromArray(FS, a, ai + p + FVL);
      FloatVector x2 = FloatVector.fromArray(FS, a, ai + p + 2 * FVL);
      FloatVector x3 = FloatVector.fromArray(FS, a, ai + p + 3 * FVL);
      s00 = x0.fma(FloatVector.fromArray(FS, cols, bj + p), s00);
      s01 = x1.fma(FloatVector.fromArray(FS, cols, bj + p + FVL), s01);
      s02 = x2.fma(FloatVector.fromArray(FS, cols, bj + p + 2 * FVL), s02);
      s03 = x3.fma(FloatVector.fromArray(FS, cols, bj + p + 3 * FVL), s03);
      s10 = x0.fma(FloatVector.fromArray(FS, cols, bj + 1 * k + p), s10);
      s11 = x1.fma(FloatVector.fromArray(FS, cols, bj + 1 * k + p + FVL), s11);
      s12 = x2.fma(FloatVector.fromArray(FS, cols, bj + 1 * k + p + 2 * FVL), s12);
      s13 = x3.fma(FloatVector.fromArray(FS, cols, bj + 1 * k + p + 3 * FVL), s13);
      s20 = x0.fma(FloatVector.fromArray(FS, cols, bj + 2 * k + p), s20);
      s21 = x1.fma(FloatVector.fromArray(FS, cols, bj + 2 * k + p + FVL), s21);
      s22 = x2.fma(FloatVector.fromArray(FS, cols, bj + 2 * k + p + 2 * FVL), s22);
      s23 = x3.fma(FloatVector.fromArray(FS, cols, bj + 2 * k + p + 3 * FVL), s23);
    }
    s00.add(s01).add(s02.add(s03)).intoArray(lane, 0 * FVL);
    s10.add(s11).add(s12.add(s13)).intoArray(lane, 1 * FVL);
    s20.add(s21).add(s22.add(s23)).intoArray(lane, 2 * FVL);
  }

  /** The vector chains of 2 columns of the narrow product for one row of A (see narrowF). */
  private static void chains2F(float[] a, int ai, float[] cols, int bj, int k, int bound, float[] lane) {
    FloatVector s00 = FloatVector.zero(FS);
    FloatVector s01 = s00;
    FloatVector s02 = s00;
    FloatVector s03 = s00;
    FloatVector s10 = FloatVector.zero(FS);
    FloatVector s11 = s10;
    FloatVector s12 = s10;
    FloatVector s13 = s10;
    for (int p = 0; p < bound; p += 4 * FVL) {
      FloatVector x0 = FloatVector.fromArray(FS, a, ai + p);
      FloatVector x1 = FloatVector.fromArray(FS, a, ai + p + FVL);
      FloatVector x2 = FloatVector.fromArray(FS, a, ai + p + 2 * FVL);
      FloatVector x3 = FloatVector.fromArray(FS, a, ai + p + 3 * FVL);
      s00 = x0.fma(FloatVector.fromArray(FS, cols, bj + p), s00);
      s01 = x1.fma(FloatVector.fromArray(FS, cols, bj + p + FVL), s01);
      s02 = x2.fma(FloatVector.fromArray(FS, cols, bj + p + 2 * FVL), s02);
      s03 = x3.fma(FloatVector.fromArray(FS, cols, bj + p + 3 * FVL), s03);
      s10 = x0.fma(FloatVector.fromArray(FS, cols, bj + 1 * k + p), s10);
      s11 = x1.fma(FloatVector.fromArray(FS, cols, bj + 1 * k + p + FVL), s11);
      s12 = x2.fma(FloatVector.fromArray(FS, cols, bj + 1 * k + p + 2 * FVL), s12);
      s13 = x3.fma(FloatVector.fromArray(FS, cols, bj + 1 * k + p + 3 * FVL), s13);
    }
    s00.add(s01).add(s02.add(s03)).intoArray(lane, 0 * FVL);
    s10.add(s11).add(s12.add(s13)).intoArray(lane, 1 * FVL);
  }

  /** The vector chains of 1 column of the narrow product for one row of A (see narrowF). */
  private static void chains1F(float[] a, int ai, float[] cols, int bj, int k, int bound, float[] lane) {
    FloatVector s00 = FloatVector.zero(FS);
    FloatVector s01 = s00;
    FloatVector s02 = s00;
    FloatVector s03 = s00;
    for (int p = 0; p < bound; p += 4 * FVL) {
      FloatVector x0 = FloatVector.fromArray(FS, a, ai + p);
      FloatVector x1 = FloatVector.fromArray(FS, a, ai + p + FVL);
      FloatVector x2 = FloatVector.fromArray(FS, a, ai + p + 2 * FVL);
      FloatVector x3 = FloatVector.fromArray(FS, a, ai + p + 3 * FVL);
      s00 = x0.fma(FloatVector.fromArray(FS, cols, bj + p), s00);
      s01 = x1.fma(FloatVector.fromArray(FS, cols, bj + p + FVL), s01);
      s02 = x2.fma(FloatVector.fromArray(FS, cols, bj + p + 2 * FVL), s02);
      s03 = x3.fma(FloatVector.fromArray(FS, cols, bj + p + 3 * FVL), s03);
    }
    s00.add(s01).add(s02.add(s03)).intoArray(lane, 0 * FVL);
  }

  /** n below one vector, op(A) rows in place: dot products with vectors along p. */
  private static void narrowF(int n, int k, float[] a, int aBase, float[] b, int bBase, boolean transB,
      float[] c, int cBase, int i0, int i1, boolean overwrite, Scratch s) {
    // op(B) as n columns of k, contiguous: in place when transposed, else packed (n·k is small when n is)
    float[] cols = b;
    int colBase = bBase;
    if (!transB) {
      cols = s.pbF(k * n);
      colBase = 0;
      for (int p = 0; p < k; p++) {
        for (int j = 0; j < n; j++) cols[j * k + p] = b[bBase + p * n + j];
      }
    }
    float[] lane = s.tileF;
    int bound = k - k % (4 * FVL);
    for (int i = i0; i < i1; i++) {
      int ai = aBase + i * k;
      for (int j0 = 0; j0 < n; j0 += 4) {
        // up to four columns at once, sharing the loads of row i of A; their vector chains' sums go to lane[]
        int g = Math.min(4, n - j0);
        if (bound > 0) {
          int bj = colBase + j0 * k;
          switch (g) {
            case 4 -> chains4F(a, ai, cols, bj, k, bound, lane);
            case 3 -> chains3F(a, ai, cols, bj, k, bound, lane);
            case 2 -> chains2F(a, ai, cols, bj, k, bound, lane);
            default -> chains1F(a, ai, cols, bj, k, bound, lane);
          }
        }
        for (int j = j0; j < j0 + g; j++) {
          int bj = colBase + j * k;
          float sum = 0;
          int p = bound;
          if (bound > 0) {
            // lanes summed in index order here: reduceLanes' order may differ between C2 and the interpreter
            int lo = (j - j0) * FVL;
            for (int l = 0; l < FVL; l++) sum += lane[lo + l];
          }
          float t0 = 0;
          float t1 = 0;
          float t2 = 0;
          float t3 = 0;
          for (; p + 4 <= k; p += 4) {
            t0 = Math.fma(a[ai + p], cols[bj + p], t0);
            t1 = Math.fma(a[ai + p + 1], cols[bj + p + 1], t1);
            t2 = Math.fma(a[ai + p + 2], cols[bj + p + 2], t2);
            t3 = Math.fma(a[ai + p + 3], cols[bj + p + 3], t3);
          }
          for (; p < k; p++) t0 = Math.fma(a[ai + p], cols[bj + p], t0);
          sum += (t0 + t1) + (t2 + t3);
          int ci = cBase + i * n + j;
          c[ci] = overwrite ? sum : c[ci] + sum;
        }
      }
    }
  }

  /**
   * Packs op(A) = Aᵀ like {@link #packAF}, in blocks of {@value #PACK_DEPTH} depths: A's rows are {@code m}
   * apart (a power of two on the DSM shapes, so they crowd a few L1 sets), and a block of them stays cached while
   * every sliver copies from it, instead of one pass over all kc rows per sliver.
   */
  private static void packAFT(float[] a, int aBase, int m, int ic, int mc, int pc, int kc, float[] dst) {
    int full = mc / MR * MR;
    for (int p0 = 0; p0 < kc; p0 += PACK_DEPTH) {
      int p1 = Math.min(kc, p0 + PACK_DEPTH);
      for (int ir = 0; ir < full; ir += MR) {
        int o = ir * kc + p0 * MR;
        int src = aBase + (pc + p0) * m + ic + ir;
        for (int p = p0; p < p1; p++, o += MR, src += m) {
          dst[o] = a[src];
          dst[o + 1] = a[src + 1];
          dst[o + 2] = a[src + 2];
        }
      }
    }
    if (full < mc) {
      int mr = mc - full;
      int o = full * kc;
      int src = aBase + pc * m + ic + full;
      for (int p = 0; p < kc; p++, o += MR, src += m) {
        for (int r = 0; r < MR; r++) dst[o + r] = r < mr ? a[src + r] : 0;
      }
    }
  }

  /** Packs op(A)[ic..ic+mc, pc..pc+kc] as MR-row slivers, p-major inside a sliver, zero-padded. */
  private static void packAF(float[] a, int aBase, boolean transA, int m, int k, int ic, int mc,
      int pc, int kc, float[] dst) {
    if (transA) {
      packAFT(a, aBase, m, ic, mc, pc, kc, dst);
      return;
    }
    int o = 0;
    for (int ir = 0; ir < mc; ir += MR) {
      int mr = Math.min(MR, mc - ir);
      int i = ic + ir;
      int r0 = aBase + i * k + pc;
      if (mr == MR) {
        int r1 = r0 + k;
        int r2 = r1 + k;
        for (int p = 0; p < kc; p++, o += MR) {
          dst[o] = a[r0 + p];
          dst[o + 1] = a[r1 + p];
          dst[o + 2] = a[r2 + p];
        }
      } else {
        for (int p = 0; p < kc; p++, o += MR) {
          for (int r = 0; r < MR; r++) dst[o + r] = r < mr ? a[r0 + r * k + p] : 0;
        }
      }
    }
  }

  /** Packs op(B)[pc..pc+kc, jc..jc+nc] as NR-column slivers, p-major inside a sliver, zero-padded. */
  private static void packBF(float[] b, int bBase, boolean transB, int n, int k, int jc, int nc,
      int pc, int kc, float[] dst) {
    int o = 0;
    for (int jr = 0; jr < nc; jr += FNR) {
      int nr = Math.min(FNR, nc - jr);
      int j = jc + jr;
      if (!transB) {
        int src = bBase + pc * n + j;
        if (nr == FNR) {
          for (int p = 0; p < kc; p++, o += FNR, src += n) {
            FloatVector.fromArray(FS, b, src).intoArray(dst, o);
            FloatVector.fromArray(FS, b, src + FVL).intoArray(dst, o + FVL);
            FloatVector.fromArray(FS, b, src + 2 * FVL).intoArray(dst, o + 2 * FVL);
          }
        } else {
          for (int p = 0; p < kc; p++, o += FNR, src += n) {
            for (int jj = 0; jj < FNR; jj++) dst[o + jj] = jj < nr ? b[src + jj] : 0;
          }
        }
      } else {
        for (int jj = 0; jj < FNR; jj++) {
          int d = o + jj;
          if (jj < nr) {
            int src = bBase + (j + jj) * k + pc;
            for (int p = 0; p < kc; p++, d += FNR) dst[d] = b[src + p];
          } else {
            for (int p = 0; p < kc; p++, d += FNR) dst[d] = 0;
          }
        }
        o += FNR * kc;
      }
    }
  }

  /**
   * The register tile, C[MR×NR at co] (β=0 if overwrite) += Σ_p packedA[:,p] ⊗ packedB[p,:]. Its
   * 3×3 accumulators, 3 B vectors and 3 broadcasts fit the 16 vector registers of AVX2: C2
   * loads all broadcasts first, and a tile needing more registers (4×3, or 5×2 in float) spills an
   * accumulator to the stack and loses up to half the speed. Kept free of edge logic so that the
   * loop's general registers do not spill either.
   */
  private static void kernelF(int kc, float[] pa, int ao, float[] pb, int bo, float[] c, int co,
      int ldc, boolean overwrite) {
    FloatVector c00 = FloatVector.zero(FS);
    FloatVector c01 = c00;
    FloatVector c02 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c12 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c22 = c00;
    int ai = ao;
    int bi = bo;
    for (int p = 0; p < kc; p++, ai += MR, bi += FNR) {
      FloatVector b0 = FloatVector.fromArray(FS, pb, bi);
      FloatVector b1 = FloatVector.fromArray(FS, pb, bi + FVL);
      FloatVector b2 = FloatVector.fromArray(FS, pb, bi + 2 * FVL);
      FloatVector x0 = FloatVector.broadcast(FS, pa[ai]);
      c00 = x0.fma(b0, c00);
      c01 = x0.fma(b1, c01);
      c02 = x0.fma(b2, c02);
      FloatVector x1 = FloatVector.broadcast(FS, pa[ai + 1]);
      c10 = x1.fma(b0, c10);
      c11 = x1.fma(b1, c11);
      c12 = x1.fma(b2, c12);
      FloatVector x2 = FloatVector.broadcast(FS, pa[ai + 2]);
      c20 = x2.fma(b0, c20);
      c21 = x2.fma(b1, c21);
      c22 = x2.fma(b2, c22);
    }
    storeF(c, co, overwrite, c00, c01, c02);
    storeF(c, co + ldc, overwrite, c10, c11, c12);
    storeF(c, co + 2 * ldc, overwrite, c20, c21, c22);
  }

  /** The same tile for the edges of C: computed whole, then its top-left mr×nr part is written. */
  private static void kernelEdgeD(int kc, float[] pa, int ao, float[] pb, int bo, float[] c,
      int co, int ldc, int mr, int nr, boolean overwrite, float[] tile) {
    FloatVector c00 = FloatVector.zero(FS);
    FloatVector c01 = c00;
    FloatVector c02 = c00;
    FloatVector c10 = c00;
    FloatVector c11 = c00;
    FloatVector c12 = c00;
    FloatVector c20 = c00;
    FloatVector c21 = c00;
    FloatVector c22 = c00;
    int ai = ao;
    int bi = bo;
    for (int p = 0; p < kc; p++, ai += MR, bi += FNR) {
      FloatVector b0 = FloatVector.fromArray(FS, pb, bi);
      FloatVector b1 = FloatVector.fromArray(FS, pb, bi + FVL);
      FloatVector b2 = FloatVector.fromArray(FS, pb, bi + 2 * FVL);
      FloatVector x0 = FloatVector.broadcast(FS, pa[ai]);
      c00 = x0.fma(b0, c00);
      c01 = x0.fma(b1, c01);
      c02 = x0.fma(b2, c02);
      FloatVector x1 = FloatVector.broadcast(FS, pa[ai + 1]);
      c10 = x1.fma(b0, c10);
      c11 = x1.fma(b1, c11);
      c12 = x1.fma(b2, c12);
      FloatVector x2 = FloatVector.broadcast(FS, pa[ai + 2]);
      c20 = x2.fma(b0, c20);
      c21 = x2.fma(b1, c21);
      c22 = x2.fma(b2, c22);
    }
    c00.intoArray(tile, 0);
    c01.intoArray(tile, FVL);
    c02.intoArray(tile, 2 * FVL);
    c10.intoArray(tile, FNR);
    c11.intoArray(tile, FNR + FVL);
    c12.intoArray(tile, FNR + 2 * FVL);
    c20.intoArray(tile, 2 * FNR);
    c21.intoArray(tile, 2 * FNR + FVL);
    c22.intoArray(tile, 2 * FNR + 2 * FVL);
    for (int r = 0; r < mr; r++) {
      int ci = co + r * ldc;
      int ti = r * FNR;
      if (overwrite) {
        for (int j = 0; j < nr; j++) c[ci + j] = tile[ti + j];
      } else {
        for (int j = 0; j < nr; j++) c[ci + j] += tile[ti + j];
      }
    }
  }

  private static void storeF(float[] c, int ci, boolean overwrite, FloatVector v0, FloatVector v1, FloatVector v2) {
    if (overwrite) {
      v0.intoArray(c, ci);
      v1.intoArray(c, ci + FVL);
      v2.intoArray(c, ci + 2 * FVL);
    } else {
      FloatVector.fromArray(FS, c, ci).add(v0).intoArray(c, ci);
      FloatVector.fromArray(FS, c, ci + FVL).add(v1).intoArray(c, ci + FVL);
      FloatVector.fromArray(FS, c, ci + 2 * FVL).add(v2).intoArray(c, ci + 2 * FVL);
    }
  }



}
