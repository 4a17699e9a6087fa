package dev.nabla.dsl.exact;

/**
 * Dense Cholesky factorization {@code A = L Lᵀ} of small symmetric positive definite matrices in plain
 * doubles, with the triangular solves, inverse and log-determinant the exact Gaussian computations need
 * (Golub and Van Loan, <i>Matrix Computations</i>, 4th ed., Algorithm 4.2.1). Package-private helper of
 * {@link GaussianMixture} and {@link GaussHermite}.
 */
final class Cholesky {
    private Cholesky() {
    }

    /**
     * Checks that {@code a} is a finite, square, symmetric (to a relative 1e-10) and positive definite
     * {@code d × d} matrix and returns its lower Cholesky factor. A pivot not above {@code d·ε·max|a_ii|} counts
     * as not positive definite (numerically singular).
     *
     * @param a    the matrix, rows of length d
     * @param d    the expected dimension
     * @param what the argument's name for error messages, e.g. {@code "covariances[2]"}
     */
    static double[][] factor(double[][] a, int d, String what) {
        if (a == null) {
            throw new IllegalArgumentException(what + " is null, expected a " + d + "×" + d + " matrix");
        }
        if (a.length != d) {
            throw new IllegalArgumentException(what + " has " + a.length + " rows, expected " + d);
        }
        double maxDiag = 0;
        for (int i = 0; i < d; i++) {
            if (a[i] == null || a[i].length != d) {
                throw new IllegalArgumentException(what + "[" + i + "] has " + (a[i] == null ? "no" : a[i].length)
                        + " entries, expected " + d);
            }
            for (int j = 0; j < d; j++) {
                if (!Double.isFinite(a[i][j])) {
                    throw new IllegalArgumentException(what + "[" + i + "][" + j + "] = " + a[i][j]
                            + ", expected a finite number");
                }
            }
            maxDiag = Math.max(maxDiag, Math.abs(a[i][i]));
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                double tol = 1e-10 * Math.max(maxDiag, Double.MIN_NORMAL);
                if (Math.abs(a[i][j] - a[j][i]) > tol) {
                    throw new IllegalArgumentException(what + " is not symmetric: [" + i + "][" + j + "] = " + a[i][j]
                            + " but [" + j + "][" + i + "] = " + a[j][i] + ", expected a symmetric positive definite matrix");
                }
            }
        }
        double[][] l = new double[d][d];
        double floor = d * Math.ulp(1.0) * maxDiag;
        for (int j = 0; j < d; j++) {
            double s = a[j][j];
            for (int k = 0; k < j; k++) {
                s -= l[j][k] * l[j][k];
            }
            if (!(s > floor)) {
                throw new IllegalArgumentException(what + " is not positive definite (Cholesky pivot " + j + " is " + s
                        + "), expected a symmetric positive definite matrix");
            }
            l[j][j] = Math.sqrt(s);
            for (int i = j + 1; i < d; i++) {
                double t = 0.5 * (a[i][j] + a[j][i]);
                for (int k = 0; k < j; k++) {
                    t -= l[i][k] * l[j][k];
                }
                l[i][j] = t / l[j][j];
            }
        }
        return l;
    }

    /** Solves {@code L z = b} by forward substitution. */
    static double[] solveLower(double[][] l, double[] b) {
        int d = b.length;
        double[] z = new double[d];
        for (int i = 0; i < d; i++) {
            double s = b[i];
            for (int k = 0; k < i; k++) {
                s -= l[i][k] * z[k];
            }
            z[i] = s / l[i][i];
        }
        return z;
    }

    /** Solves {@code Lᵀ x = z} by back substitution. */
    static double[] solveUpperTransposed(double[][] l, double[] z) {
        int d = z.length;
        double[] x = new double[d];
        for (int i = d - 1; i >= 0; i--) {
            double s = z[i];
            for (int k = i + 1; k < d; k++) {
                s -= l[k][i] * x[k];
            }
            x[i] = s / l[i][i];
        }
        return x;
    }

    /** {@code A^{-1} = L^{-T} L^{-1}}, symmetrized. */
    static double[][] inverse(double[][] l) {
        int d = l.length;
        double[][] inv = new double[d][];
        for (int j = 0; j < d; j++) {
            double[] e = new double[d];
            e[j] = 1;
            inv[j] = solveUpperTransposed(l, solveLower(l, e)); // column j (= row j by symmetry)
        }
        for (int i = 0; i < d; i++) {
            for (int j = 0; j < i; j++) {
                double s = 0.5 * (inv[i][j] + inv[j][i]);
                inv[i][j] = s;
                inv[j][i] = s;
            }
        }
        return inv;
    }

    /** {@code log det A = 2 Σ log L_ii}. */
    static double logDet(double[][] l) {
        double s = 0;
        for (int i = 0; i < l.length; i++) {
            s += Math.log(l[i][i]);
        }
        return 2 * s;
    }

    /** {@code L x}. */
    static double[] lowerTimes(double[][] l, double[] x) {
        int d = x.length;
        double[] y = new double[d];
        for (int i = 0; i < d; i++) {
            double s = 0;
            for (int k = 0; k <= i; k++) {
                s += l[i][k] * x[k];
            }
            y[i] = s;
        }
        return y;
    }
}
