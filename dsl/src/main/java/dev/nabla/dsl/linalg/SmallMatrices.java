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

    /**
     * Largest number of squarings of {@link #expm}: matrices with {@code ‖M‖_∞ ≥ SCALING_THRESHOLD · 2^MAX_SQUARINGS}
     * (16384) give NaN rather than an inaccurate value.
     */
    public static final int MAX_SQUARINGS = 16;
    /** {@link #expm} scales M by {@code 2^−s} until {@code ‖M/2^s‖_∞ ≤ SCALING_THRESHOLD}. */
    public static final double SCALING_THRESHOLD = 0.25;
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
     * {@code e^M} by scaling and squaring (Moler and Van Loan 2003, method 3; Higham 2005 for the choice of s):
     * the degree-12 Taylor polynomial T of {@code X = M/2^s} (evaluated by Paterson–Stockmeyer in five matrix
     * products), squared s times, with s chosen per matrix of the
     * batch from its norm, the smallest {@code s ≥ 0} with {@code ‖X‖_∞ ≤ θ = 1/4}.
     *
     * <p>Accuracy: T(X) = e^{X + ΔX} with a backward error {@code ‖ΔX‖/‖X‖ ≈ θ¹²/13! ≈ 1e-17} (leading
     * term; below the unit round-off), and squaring preserves it: the result is {@code e^{M + 2^s ΔX}} with the same
     * relative backward error, whatever ‖M‖ (Higham 2005, §2). Rounding in the s squarings adds a forward error
     * of up to about {@code 2^s u ≤ 2‖M‖u/θ = 8‖M‖u} in the worst entries, the size of the conditioning of
     * {@code e^M} itself ({@code ‖M‖ u} for normal M): 5e-13 relative at ‖M‖ = 700 (tested).
     * The fixed 8 squarings used before were accurate only for ‖M‖ ≤ 128 (2.4 % off at ‖M‖ ≈ 600, NaN at 1000).
     *
     * <p>As a graph the number of squarings cannot depend on data, so all {@link #MAX_SQUARINGS} steps are
     * built, step k squaring only the matrices with {@code ‖M‖ > θ 2^k} (the others pass through); the scale
     * {@code 2^−s} is a product of exact halvings. Matrices with {@code ‖M‖_∞ > θ 2^MAX_SQUARINGS} (16384)
     * yield NaN — never a silently inaccurate value; a NaN or infinite entry gives NaN as well. The choice of s
     * carries no derivative (it is piecewise constant); derivatives flow through the polynomial and squarings.
     * Every step costs a batched product whether it squares or not, so the bound is a trade: 16 steps cover the
     * norms local-DSM meets (fixed-gap pairs reach ‖M‖ ≈ 10³) at 8 products more than the old fixed 8.
     */
    public static Tensor expm(Tensor m) {
        int n = m.shape().dim(-1);
        Tensor norm = m.stopGradient().abs().sumKeep(-1).maxKeep(-2); // ‖M‖_∞ per matrix, [..., 1, 1]
        Tensor[] squares = new Tensor[MAX_SQUARINGS];
        Tensor scale = norm.onesLike();
        for (int k = 0; k < MAX_SQUARINGS; k++) {
            squares[k] = norm.gt(SCALING_THRESHOLD * Math.pow(2, k));   // step k is taken iff ‖M‖ > θ 2^k
            scale = Tensor.where(squares[k], scale.mul(0.5), scale);
        }
        Tensor tooLarge = norm.gt(SCALING_THRESHOLD * Math.pow(2, MAX_SQUARINGS));
        Tensor x = m.mul(scale);
        Tensor eye = eye(n, m.dtype());
        // Paterson–Stockmeyer with blocks of 4: T = B₀ + X⁴(B₁ + X⁴ B₂), B_j = Σ_{i<4} X^i/(4j + i)! (B₂ also
        // has X⁴/12!): five products instead of Horner's eleven
        Tensor x2 = x.matmul(x);
        Tensor x3 = x2.matmul(x);
        Tensor x4 = x2.matmul(x2);
        Tensor[] powers = {x, x2, x3};
        Tensor[] blocks = new Tensor[3];
        for (int j = 0; j < 3; j++) {
            Tensor b = eye.mul(1 / factorial(4 * j));
            for (int i = 1; i < 4; i++) {
                b = b.add(powers[i - 1].mul(1 / factorial(4 * j + i)));
            }
            blocks[j] = b;
        }
        blocks[2] = blocks[2].add(x4.mul(1 / factorial(12)));
        Tensor e = blocks[0].add(x4.matmul(blocks[1].add(x4.matmul(blocks[2]))));
        for (int k = 0; k < MAX_SQUARINGS; k++) {
            e = Tensor.where(squares[k], e.matmul(e), e);
        }
        return Tensor.where(tooLarge, e.mul(Double.NaN), e);
    }

    /** {@code n!} in double (exact up to 22!). */
    public static double factorial(int n) {
        double f = 1;
        for (int i = 2; i <= n; i++) {
            f *= i;
        }
        return f;
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
