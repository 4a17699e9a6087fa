package dev.nabla.dsl.exact;

import dev.nabla.core.Autodiff;
import dev.nabla.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DiagonalMixtureTest {
    static final double[] W = {0.2, 0.5, 0.3};
    static final double[][] MU = {{-1.0, 0.5}, {0.7, -0.2}, {1.5, 1.1}};
    static final double[][] S = {{0.4, 0.9}, {0.7, 0.5}, {1.2, 0.6}};
    static final double[][] Y = {{0.1, 0.2}, {-1.3, 0.9}, {2.0, -0.5}, {0.6, 1.4}};

    static GaussianMixture doubles(double[] w, double[][] mu, double[][] s) {
        double[][][] cov = new double[w.length][][];
        for (int k = 0; k < w.length; k++) {
            cov[k] = new double[][] {{s[k][0] * s[k][0], 0}, {0, s[k][1] * s[k][1]}};
        }
        double sum = 0;
        for (double v : w) {
            sum += v;
        }
        double[] pi = new double[w.length];
        for (int k = 0; k < w.length; k++) {
            pi[k] = w[k] / sum;
        }
        return new GaussianMixture(pi, mu, cov);
    }

    private static Tensor flat(double[][] a) {
        double[] f = new double[a.length * a[0].length];
        for (int i = 0; i < a.length; i++) {
            System.arraycopy(a[i], 0, f, i * a[0].length, a[0].length);
        }
        return Tensor.of(f, a.length, a[0].length);
    }

    /** Against {@link GaussianMixture}'s double versions: the same formulas, 1e-12 relative (a few roundings). */
    @Test
    void matchesTheDoubleMixture() {
        GaussianMixture g = doubles(W, MU, S);
        double[] lp = DiagonalMixture.logDensity(flat(Y), Tensor.of(W), flat(MU), flat(S)).eval().toDoubleArray();
        double[] sc = DiagonalMixture.score(flat(Y), Tensor.of(W), flat(MU), flat(S)).eval().toDoubleArray();
        for (int b = 0; b < Y.length; b++) {
            double want = g.logDensity(Y[b]);
            assertEquals(want, lp[b], 1e-12 * Math.abs(want));
            double[] ws = g.score(Y[b]);
            for (int i = 0; i < 2; i++) {
                assertEquals(ws[i], sc[2 * b + i], 1e-12 * (1 + Math.abs(ws[i])));
            }
        }
        // isotropic stds [K, 1] against GaussianMixture.isotropic
        GaussianMixture iso = GaussianMixture.isotropic(W, MU, 0.8);
        double[] li = DiagonalMixture.logDensity(flat(Y), Tensor.of(W), flat(MU), Tensor.full(dev.nabla.core.Shape.of(3, 1), 0.8))
                .eval().toDoubleArray();
        for (int b = 0; b < Y.length; b++) {
            assertEquals(iso.logDensity(Y[b]), li[b], 1e-12 * Math.abs(iso.logDensity(Y[b])));
        }
    }

    /** {@code L = Σ_b log p(y_b) + Σ_b c·∇log p(y_b)} with c = (0.3, −0.7). */
    private static double loss(double[] w, double[][] mu, double[][] s) {
        GaussianMixture g = doubles(w, mu, s);
        double l = 0;
        for (double[] y : Y) {
            double[] sc = g.score(y);
            l += g.logDensity(y) + 0.3 * sc[0] - 0.7 * sc[1];
        }
        return l;
    }

    /**
     * Derivatives in the weights, means and standard deviations (through both the log-density and the score) by
     * autodiff against central differences of the double version (step 1e-5: truncation ~h²|L'''| ≈ 1e-9,
     * rounding ~1e-16·|L|/h ≈ 1e-10; tolerance 1e-7·(1 + |g|)).
     */
    @Test
    void derivativesInTheParametersMatchFiniteDifferences() {
        Tensor w = Tensor.of(W);
        Tensor mu = flat(MU);
        Tensor s = flat(S);
        Tensor y = flat(Y);
        Tensor l = DiagonalMixture.logDensity(y, w, mu, s).sum()
                .add(DiagonalMixture.score(y, w, mu, s).mul(Tensor.of(0.3, -0.7)).sum());
        List<Tensor> g = Autodiff.grad(l, List.of(w, mu, s));
        double[] gw = g.get(0).eval().toDoubleArray();
        double[] gm = g.get(1).eval().toDoubleArray();
        double[] gs = g.get(2).eval().toDoubleArray();
        double h = 1e-5;
        for (int k = 0; k < 3; k++) {
            double[] wp = W.clone();
            double[] wm = W.clone();
            wp[k] += h;
            wm[k] -= h;
            double fd = (loss(wp, MU, S) - loss(wm, MU, S)) / (2 * h);
            assertEquals(fd, gw[k], 1e-7 * (1 + Math.abs(fd)), "∂/∂w" + k);
            for (int i = 0; i < 2; i++) {
                double[][] mp = deep(MU);
                double[][] mm = deep(MU);
                mp[k][i] += h;
                mm[k][i] -= h;
                fd = (loss(W, mp, S) - loss(W, mm, S)) / (2 * h);
                assertEquals(fd, gm[2 * k + i], 1e-7 * (1 + Math.abs(fd)), "∂/∂μ" + k + i);
                double[][] sp = deep(S);
                double[][] sm = deep(S);
                sp[k][i] += h;
                sm[k][i] -= h;
                fd = (loss(W, MU, sp) - loss(W, MU, sm)) / (2 * h);
                assertEquals(fd, gs[2 * k + i], 1e-7 * (1 + Math.abs(fd)), "∂/∂s" + k + i);
            }
        }
    }

    private static double[][] deep(double[][] a) {
        double[][] c = new double[a.length][];
        for (int i = 0; i < a.length; i++) {
            c[i] = a[i].clone();
        }
        return c;
    }

    @Test
    void badShapesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DiagonalMixture.logDensity(flat(Y), Tensor.of(0.5, 0.5), flat(MU), flat(S)));
        assertTrue(e.getMessage().contains("weights have shape"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> DiagonalMixture.score(flat(Y), Tensor.of(W), flat(MU), Tensor.ones(3, 3)));
        assertTrue(e.getMessage().contains("stds have shape"), e.getMessage());
    }
}
