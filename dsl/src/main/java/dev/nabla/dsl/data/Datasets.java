package dev.nabla.dsl.data;

import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.exact.GaussianMixture;

import java.util.Objects;

/**
 * Seeded synthetic 2-D datasets, {@code [n, 2]} float64 arrays, the toy benchmarks of score-based diffusion
 * papers. Every sample is drawn through core's counter-based RNG (a graph built on {@code Tensor.key(key)} and
 * evaluated), so the same key gives the same data (up to an ulp of the transcendental functions) on every
 * backend. Where the data law is a Gaussian mixture ({@link #gaussianRing}, {@link #gaussianGrid}), the exact
 * mixture is available too, for exact scores and expectations ({@link GaussianMixture}).
 */
public final class Datasets {
    private Datasets() {
    }

    private static void checkN(String what, int n) {
        if (n < 1) {
            throw new IllegalArgumentException(what + ": n = " + n + ", expected n >= 1");
        }
    }

    private static void checkStd(String what, String name, double v, boolean allowZero) {
        if (!Double.isFinite(v) || !(allowZero ? v >= 0 : v > 0)) {
            throw new IllegalArgumentException(what + ": " + name + " = " + v + ", expected a finite number "
                    + (allowZero ? ">= 0" : "> 0"));
        }
    }

    private static Tensor keyTensor(String what, Key key) {
        Objects.requireNonNull(key, what + ": key");
        return Tensor.key(key);
    }

    /**
     * The mixture of {@code modes} equally weighted isotropic Gaussians {@code N(μ_k, std² I)} with
     * {@code μ_k = radius (cos 2πk/modes, sin 2πk/modes)}. The benchmark data is {@code (8, 4.0, 0.1)}.
     *
     * @param modes  ≥ 1
     * @param radius finite, ≥ 0
     * @param std    finite, &gt; 0
     */
    public static GaussianMixture gaussianRingMixture(int modes, double radius, double std) {
        if (modes < 1) {
            throw new IllegalArgumentException("gaussianRingMixture: modes = " + modes + ", expected modes >= 1");
        }
        checkStd("gaussianRingMixture", "radius", radius, true);
        checkStd("gaussianRingMixture", "std", std, false);
        double[] w = new double[modes];
        double[][] mu = new double[modes][];
        for (int k = 0; k < modes; k++) {
            w[k] = 1.0 / modes;
            double a = 2 * Math.PI * k / modes;
            mu[k] = new double[] {radius * Math.cos(a), radius * Math.sin(a)};
        }
        return GaussianMixture.isotropic(w, mu, std);
    }

    /** {@code n} samples of {@link #gaussianRingMixture(int, double, double)}, {@code [n, 2]}. */
    public static NdArray gaussianRing(int n, int modes, double radius, double std, Key key) {
        checkN("gaussianRing", n);
        GaussianMixture m = gaussianRingMixture(modes, radius, std);
        return m.sample(keyTensor("gaussianRing", key), n).eval();
    }

    /**
     * The mixture of {@code side²} equally weighted isotropic Gaussians {@code N(μ_ij, std² I)} on a square grid
     * centred at the origin: {@code μ_ij = spacing (i − (side−1)/2, j − (side−1)/2)}, {@code 0 ≤ i, j < side}.
     *
     * @param side    ≥ 1
     * @param spacing finite, &gt; 0
     * @param std     finite, &gt; 0
     */
    public static GaussianMixture gaussianGridMixture(int side, double spacing, double std) {
        if (side < 1) {
            throw new IllegalArgumentException("gaussianGridMixture: side = " + side + ", expected side >= 1");
        }
        checkStd("gaussianGridMixture", "spacing", spacing, false);
        checkStd("gaussianGridMixture", "std", std, false);
        int k = side * side;
        double[] w = new double[k];
        double[][] mu = new double[k][];
        double c = (side - 1) / 2.0;
        for (int i = 0; i < side; i++) {
            for (int j = 0; j < side; j++) {
                w[i * side + j] = 1.0 / k;
                mu[i * side + j] = new double[] {spacing * (i - c), spacing * (j - c)};
            }
        }
        return GaussianMixture.isotropic(w, mu, std);
    }

    /** {@code n} samples of {@link #gaussianGridMixture(int, double, double)}, {@code [n, 2]}. */
    public static NdArray gaussianGrid(int n, int side, double spacing, double std, Key key) {
        checkN("gaussianGrid", n);
        GaussianMixture m = gaussianGridMixture(side, spacing, std);
        return m.sample(keyTensor("gaussianGrid", key), n).eval();
    }

    /**
     * Two interleaving half circles (as scikit-learn's {@code make_moons}, with random instead of evenly spaced
     * angles): each row picks a moon with probability ½ ({@code key.fold(0)}), an angle {@code θ ~ U[0, π)}
     * ({@code key.fold(1)}), and adds {@code noise · N(0, I)} ({@code key.fold(2)}):
     * upper moon {@code (cos θ, sin θ)}, lower moon {@code (1 − cos θ, ½ − sin θ)}.
     *
     * @param noise finite, ≥ 0
     */
    public static NdArray twoMoons(int n, double noise, Key key) {
        checkN("twoMoons", n);
        checkStd("twoMoons", "noise", noise, true);
        Tensor k = keyTensor("twoMoons", key);
        Tensor upper = k.fold(0).bernoulli(0.5, Shape.of(n, 1), dev.nabla.core.DType.F64); // 1: upper moon
        Tensor theta = k.fold(1).uniform(Shape.of(n, 1)).mul(Math.PI);
        Tensor c = theta.cos();
        Tensor s = theta.sin();
        Tensor xUpper = Tensor.concat(1, c, s);
        Tensor xLower = Tensor.concat(1, c.rsub(1), s.rsub(0.5));
        Tensor x = upper.mul(xUpper).add(upper.rsub(1).mul(xLower));
        return x.add(k.fold(2).normal(Shape.of(n, 2)).mul(noise)).eval();
    }

    /**
     * The checkerboard of FFJORD (Grathwohl et al. 2019): uniform on the 8 "black" squares of a 4 × 4 board
     * covering {@code [−4, 4]²}, i.e. on the union of {@code [−4 + 2i, −2 + 2i) × [−4 + 2j, −2 + 2j)} over
     * {@code 0 ≤ i, j < 4} with {@code i + j} even. The square is drawn by {@code key.fold(0)} (categorical,
     * equal weights) and the point within it by {@code key.fold(1)} (uniform).
     */
    public static NdArray checkerboard(int n, Key key) {
        checkN("checkerboard", n);
        Tensor k = keyTensor("checkerboard", key);
        double[] corners = new double[16];
        int m = 0;
        for (int i = 0; i < 4; i++) {
            for (int j = 0; j < 4; j++) {
                if ((i + j) % 2 == 0) {
                    corners[2 * m] = -4 + 2 * i;
                    corners[2 * m + 1] = -4 + 2 * j;
                    m++;
                }
            }
        }
        Tensor oneHot = k.fold(0).categorical(Tensor.zeros(n, 8));
        Tensor corner = oneHot.matmul(Tensor.of(corners, 8, 2));
        return corner.add(k.fold(1).uniform(Shape.of(n, 2)).mul(2)).eval();
    }

    /**
     * The 2-D Swiss roll (the {@code (x, z)} plane of scikit-learn's {@code make_swiss_roll}):
     * {@code t = 1.5π (1 + 2u)}, {@code u ~ U[0, 1)} ({@code key.fold(0)}), point {@code (t cos t, t sin t)} plus
     * {@code noise · N(0, I)} ({@code key.fold(1)}). Not rescaled: coordinates lie within about ±15.
     *
     * @param noise finite, ≥ 0
     */
    public static NdArray swissRoll(int n, double noise, Key key) {
        checkN("swissRoll", n);
        checkStd("swissRoll", "noise", noise, true);
        Tensor k = keyTensor("swissRoll", key);
        Tensor t = k.fold(0).uniform(Shape.of(n, 1)).mul(2).add(1).mul(1.5 * Math.PI);
        Tensor x = Tensor.concat(1, t.mul(t.cos()), t.mul(t.sin()));
        return x.add(k.fold(1).normal(Shape.of(n, 2)).mul(noise)).eval();
    }
}
