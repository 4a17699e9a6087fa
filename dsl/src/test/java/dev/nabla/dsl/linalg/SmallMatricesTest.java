package dev.nabla.dsl.linalg;

import dev.nabla.core.Tensor;
import org.junit.jupiter.api.Test;

import java.math.BigDecimal;
import java.math.MathContext;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SmallMatricesTest {
    /**
     * {@code exp([[a, 1], [0, b]]) = [[e^a, (e^a − e^b)/(a − b)], [0, e^b]]} (the a = b limit of the corner is
     * e^a) for a, b on a grid over [−700, 700], where every entry is finite: ‖M‖_∞ reaches 701, far beyond the
     * 128 up to which the old fixed 8 squarings were accurate. Reference entries come from
     * {@code e^{max(a,b)}·(−expm1(−|a − b|))/|a − b|}, accurate to a few ulps. Tolerance 1e-12 relative per
     * entry: the polynomial's backward error is ~1e-17, and the s ≤ 12 squarings raise a rounded e^{a/2^s} to the
     * power 2^s, multiplying its relative error (≤ u = 1.1e-16) by 2^s ≤ 4096: ≤ 4.5e-13 plus a few ulps, the size
     * of the problem's own conditioning |a|·u = 7.8e-14 (measured worst 5.3e-13).
     */
    @Test
    void expmMatchesTheTriangularClosedFormUpToNorm700() {
        double[] values = {-700, -512.3, -300, -37.5, -1, -1e-3, 0, 0.7, 5, 64.2, 130, 299.9, 300, 450, 600, 699.5, 700};
        int n = values.length * values.length;
        double[] m = new double[n * 4];
        int r = 0;
        for (double a : values) {
            for (double b : values) {
                m[4 * r] = a;
                m[4 * r + 1] = 1;
                m[4 * r + 3] = b;
                r++;
            }
        }
        double[] e = SmallMatrices.expm(Tensor.of(m, n, 2, 2)).eval().toDoubleArray();
        double worst = 0;
        r = 0;
        for (double a : values) {
            for (double b : values) {
                double[] want = {Math.exp(a), corner(a, b), 0, Math.exp(b)};
                for (int i = 0; i < 4; i++) {
                    double err = want[i] == 0 ? Math.abs(e[4 * r + i]) : Math.abs(e[4 * r + i] / want[i] - 1);
                    worst = Math.max(worst, err);
                    assertTrue(err <= 1e-12, "exp([[" + a + ", 1], [0, " + b + "]]) entry " + i + " = " + e[4 * r + i]
                            + ", expected " + want[i] + " (relative error " + err + ")");
                }
                r++;
            }
        }
        System.out.println("expm worst relative error on the triangular grid: " + worst);
    }

    /** {@code (e^a − e^b)/(a − b)} without cancellation; e^a when a = b. */
    private static double corner(double a, double b) {
        double hi = Math.max(a, b);
        double d = Math.abs(a - b);
        return d == 0 ? Math.exp(hi) : Math.exp(hi) * (-Math.expm1(-d) / d);
    }

    /** The reference {@link #corner} against 60-digit arithmetic at one point, so the test's oracle is checked. */
    @Test
    void referenceCornerIsAccurate() {
        MathContext mc = new MathContext(60);
        // (e^{300} − e^{299.9})/d = e^{300}(1 − e^{−d})/d with d the double 300 − 299.9 (exact in binary), by the
        // BigDecimal series of e^{−d}
        BigDecimal dd = new BigDecimal(300 - 299.9);
        BigDecimal x = dd.negate();
        BigDecimal term = BigDecimal.ONE;
        BigDecimal sum = BigDecimal.ONE;
        for (int k = 1; k < 60; k++) {
            term = term.multiply(x, mc).divide(BigDecimal.valueOf(k), mc);
            sum = sum.add(term, mc);
        }
        double ratio = BigDecimal.ONE.subtract(sum, mc).divide(dd, mc).doubleValue();
        // Math.exp and expm1 are within 1 ulp; the product within 3 ulps: 1e-15 relative
        assertEquals(1, corner(300, 299.9) / (Math.exp(300) * ratio), 1e-15);
    }

    /** Beyond the largest scaling ({@code ‖M‖_∞ > 2.7e11}) the result is NaN, not a wrong number. */
    @Test
    void expmOfAnUnscalableNormIsNaN() {
        double[] e = SmallMatrices.expm(Tensor.of(new double[] {-1e12, 0, 0, -1}, 1, 2, 2)).eval().toDoubleArray();
        for (double v : e) {
            assertTrue(Double.isNaN(v), "expected NaN, got " + v);
        }
        // norm 1000 (NaN with the old fixed scaling) is now exact: exp(diag(−1000, −1)) = diag(0, e^{−1})
        double[] f = SmallMatrices.expm(Tensor.of(new double[] {-1000, 0, 0, -1}, 1, 2, 2)).eval().toDoubleArray();
        assertEquals(0, f[0], 0.0);
        // e^{−1/2^12} rounded (u = 1.1e-16 relative) and raised to the power 2^12 by squaring: ≤ 4096 u = 4.5e-13,
        // plus a few ulps
        assertEquals(Math.exp(-1), f[3], 1e-12 * Math.exp(-1));
    }
}
