package dev.nabla.dsl.linalg;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;

/**
 * Graph functions on batches of small square matrices {@code [B, n, n]} (n up to ~10): identity, matrix
 * exponential, Cholesky factor and triangular solves. They are written with core ops, so they compile into
 * plans and can be differentiated like everything else.
 */
public final class SmallMatrices {
    private SmallMatrices() {
    }

    /** Number of squarings of the scaling-and-squaring exponential; see {@link #expm}. */
    public static final int SQUARINGS = 8;
    /** Degree of the Taylor polynomial of {@link #expm}. */
    public static final int TAYLOR_DEGREE = 12;

    /** The identity, broadcastable against {@code [B, n, n]}. */
    public static Tensor eye(int n, DType dtype) {
        NdArray a = NdArray.zeros(Shape.of(n, n), dtype);
        for (int i = 0; i < n; i++) {
            a.setFlat(i * n + i, 1);
        }
        return Tensor.constant(a);
    }

    /**
     * {@code e^M} by scaling and squaring (Moler and Van Loan 2003, method 3): the degree-12 Taylor polynomial
     * of {@code M/2^8}, squared 8 times. The truncation error is below {@code ‖M/256‖^13/13!}, i.e. under
     * 1e-15 relative for {@code ‖M‖ ≤ 128}; local-DSM's matrices ({@code J·U} with a small clock U) are far
     * smaller.
     */
    public static Tensor expm(Tensor m) {
        int n = m.shape().dim(-1);
        Tensor x = m.div(1 << SQUARINGS);
        Tensor eye = eye(n, m.dtype());
        // Horner: I + X(I + X/2(I + X/3(… (I + X/N))))
        Tensor e = eye.add(x.div(TAYLOR_DEGREE)).broadcastTo(m.shape());
        for (int k = TAYLOR_DEGREE - 1; k >= 1; k--) {
            e = eye.add(x.matmul(e).div(k));
        }
        for (int i = 0; i < SQUARINGS; i++) {
            e = e.matmul(e);
        }
        return e;
    }

    /** Element {@code (i, j)} of each matrix in the batch, shape {@code [B]}. */
    public static Tensor at(Tensor m, int i, int j) {
        return m.index(-2, i).index(-1, j);
    }

    /**
     * The lower Cholesky factor {@code L} with {@code L Lᵀ = S} of each symmetric positive-definite matrix in
     * {@code [B, n, n]}, by the Cholesky–Banachiewicz recurrence, returned as {@code [B, n, n]}.
     */
    public static Tensor cholesky(Tensor s) {
        int n = s.shape().dim(-1);
        Tensor[][] l = choleskyEntries(s);
        Tensor zero = at(s, 0, 0).zerosLike();
        Tensor[] rows = new Tensor[n];
        for (int i = 0; i < n; i++) {
            Tensor[] row = new Tensor[n];
            for (int j = 0; j < n; j++) {
                row[j] = j <= i ? l[i][j] : zero;
            }
            rows[i] = Tensor.stack(-1, row);
        }
        return Tensor.stack(-2, rows);
    }

    static Tensor[][] choleskyEntries(Tensor s) {
        int n = s.shape().dim(-1);
        Tensor[][] l = new Tensor[n][n];
        for (int j = 0; j < n; j++) {
            Tensor d = at(s, j, j);
            for (int k = 0; k < j; k++) {
                d = d.sub(l[j][k].square());
            }
            l[j][j] = d.sqrt();
            for (int i = j + 1; i < n; i++) {
                Tensor v = at(s, i, j);
                for (int k = 0; k < j; k++) {
                    v = v.sub(l[i][k].mul(l[j][k]));
                }
                l[i][j] = v.div(l[j][j]);
            }
        }
        return l;
    }

    /** {@code L x} for lower-triangular {@code L [B, n, n]} and rows {@code x [B, n]}. */
    public static Tensor lowerTimes(Tensor l, Tensor x) {
        return l.matmul(x.unsqueeze(-1)).reshape(x.shape().dims());
    }

    /** {@code x = L⁻¹ b} by forward substitution. */
    public static Tensor solveLower(Tensor l, Tensor b) {
        int n = b.shape().dim(-1);
        Tensor[] x = new Tensor[n];
        for (int i = 0; i < n; i++) {
            Tensor v = b.index(-1, i);
            for (int k = 0; k < i; k++) {
                v = v.sub(at(l, i, k).mul(x[k]));
            }
            x[i] = v.div(at(l, i, i));
        }
        return Tensor.stack(-1, x);
    }

    /** {@code x = L⁻ᵀ b} by back substitution. */
    public static Tensor solveLowerTransposed(Tensor l, Tensor b) {
        int n = b.shape().dim(-1);
        Tensor[] x = new Tensor[n];
        for (int i = n - 1; i >= 0; i--) {
            Tensor v = b.index(-1, i);
            for (int k = i + 1; k < n; k++) {
                v = v.sub(at(l, k, i).mul(x[k]));
            }
            x[i] = v.div(at(l, i, i));
        }
        return Tensor.stack(-1, x);
    }
}
