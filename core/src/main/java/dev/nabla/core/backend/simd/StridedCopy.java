package dev.nabla.core.backend.simd;

import dev.nabla.core.plan.Instr;
import dev.nabla.core.plan.View;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The CPU step of {@link Instr.Strided}: each part is a loop nest over its shape with the axes of extent 1
 * dropped and neighbouring axes that both views step through evenly merged (a permute of two blocks becomes a
 * two-axis loop, a slice of rows one {@code arraycopy}); the innermost axis is an {@code arraycopy} when both
 * strides are 1, a fill when the source stride is 0, and a strided loop otherwise. Nothing is allocated per run.
 */
final class StridedCopy implements Runnable {
    /** One part's loop nest: extents and the source and target strides of each remaining axis. */
    record Loop(int in, int srcOffset, int dstOffset, int[] dims, int[] src, int[] dst, int[] index) {
    }

    private final Object[] buf;
    private final int out;
    private final int size;
    private final boolean zero;
    private final Loop[] loops;

    StridedCopy(Instr.Strided s, Object[] buf) {
        this.buf = buf;
        this.out = s.out();
        this.size = s.size();
        this.zero = s.zero();
        loops = new Loop[s.in().length];
        for (int p = 0; p < loops.length; p++) {
            loops[p] = loop(s.in()[p], s.from()[p], s.to()[p]);
        }
    }

    /** The collapsed loop nest copying view {@code from} of buffer {@code in} into view {@code to}. */
    static Loop loop(int in, View from, View to) {
        List<int[]> axes = new ArrayList<>(); // {dim, src stride, dst stride}
        for (int a = 0; a < from.shape().rank(); a++) {
            int d = from.shape().dim(a);
            if (d == 1) {
                continue;
            }
            int[] prev = axes.isEmpty() ? null : axes.get(axes.size() - 1);
            if (prev != null && prev[1] == from.stride(a) * d && prev[2] == to.stride(a) * d) {
                prev[0] *= d; // the previous axis steps over whole runs of this one in both views
                prev[1] = from.stride(a);
                prev[2] = to.stride(a);
            } else {
                axes.add(new int[] {d, from.stride(a), to.stride(a)});
            }
        }
        if (axes.isEmpty() || from.size() == 0) {
            axes.clear();
            axes.add(new int[] {from.size(), 0, 0}); // one element (or none)
        }
        int r = axes.size();
        int[] dims = new int[r];
        int[] src = new int[r];
        int[] dst = new int[r];
        for (int a = 0; a < r; a++) {
            dims[a] = axes.get(a)[0];
            src[a] = axes.get(a)[1];
            dst[a] = axes.get(a)[2];
        }
        return new Loop(in, from.offset(), to.offset(), dims, src, dst, new int[r]);
    }

    @Override
    public void run() {
        Object o = buf[out];
        if (zero) {
            if (o instanceof double[] d) {
                Arrays.fill(d, 0, size, 0.0);
            } else {
                Arrays.fill((float[]) o, 0, size, 0f);
            }
        }
        for (Loop l : loops) {
            if (o instanceof double[] d) {
                copy((double[]) buf[l.in()], d, l);
            } else {
                copy((float[]) buf[l.in()], (float[]) o, l);
            }
        }
    }

    private static void copy(double[] x, double[] y, Loop l) {
        int[] dims = l.dims();
        int[] src = l.src();
        int[] dst = l.dst();
        int[] idx = l.index();
        int r = dims.length;
        int n = dims[r - 1];
        int si = src[r - 1];
        int di = dst[r - 1];
        int outer = 1;
        for (int a = 0; a < r - 1; a++) {
            outer *= dims[a];
        }
        Arrays.fill(idx, 0);
        int so = l.srcOffset();
        int dof = l.dstOffset();
        for (int o = 0; o < outer; o++) {
            if (si == 1 && di == 1) {
                System.arraycopy(x, so, y, dof, n);
            } else if (si == 0 && di == 1) {
                Arrays.fill(y, dof, dof + n, x[so]);
            } else {
                for (int k = 0; k < n; k++) {
                    y[dof + k * di] = x[so + k * si];
                }
            }
            for (int a = r - 2; a >= 0; a--) {
                so += src[a];
                dof += dst[a];
                if (++idx[a] < dims[a]) {
                    break;
                }
                so -= src[a] * dims[a];
                dof -= dst[a] * dims[a];
                idx[a] = 0;
            }
        }
    }

    private static void copy(float[] x, float[] y, Loop l) {
        int[] dims = l.dims();
        int[] src = l.src();
        int[] dst = l.dst();
        int[] idx = l.index();
        int r = dims.length;
        int n = dims[r - 1];
        int si = src[r - 1];
        int di = dst[r - 1];
        int outer = 1;
        for (int a = 0; a < r - 1; a++) {
            outer *= dims[a];
        }
        Arrays.fill(idx, 0);
        int so = l.srcOffset();
        int dof = l.dstOffset();
        for (int o = 0; o < outer; o++) {
            if (si == 1 && di == 1) {
                System.arraycopy(x, so, y, dof, n);
            } else if (si == 0 && di == 1) {
                Arrays.fill(y, dof, dof + n, x[so]);
            } else {
                for (int k = 0; k < n; k++) {
                    y[dof + k * di] = x[so + k * si];
                }
            }
            for (int a = r - 2; a >= 0; a--) {
                so += src[a];
                dof += dst[a];
                if (++idx[a] < dims[a]) {
                    break;
                }
                so -= src[a] * dims[a];
                dof -= dst[a] * dims[a];
                idx[a] = 0;
            }
        }
    }
}
