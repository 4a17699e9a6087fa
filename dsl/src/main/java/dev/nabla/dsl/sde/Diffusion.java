package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

import java.util.Optional;
import java.util.function.DoubleUnaryOperator;
import java.util.function.Function;

/**
 * A diffusion coefficient {@code g(t)} with its integral {@code G(t) = ∫_0^t g(τ)² dτ} and the inverse of
 * {@code G}, both as closed forms on numbers and on tensors. The inverse gives the time-pair scheduler of
 * 2407.07998 (§3) in closed form: {@code s(t) = G⁻¹(G(t) − λ)}, so that {@code ∫_s^t g² = λ}.
 */
public interface Diffusion {
    /**
     * {@code g(t)}. The methods on numbers check their argument against the schedule's domain — {@code [0, T]}
     * for a schedule with a horizon ({@link #numeric}), {@code [0, ∞)} for the closed forms — and throw
     * {@link IllegalArgumentException} naming the schedule, the method, the value and the range (values within
     * 10⁻¹² of an end, relative to T, are round-off and are clamped to it); {@link #inverseIntegral(double)}
     * checks {@code u} against {@code [0, G(T)]} or {@code [0, ∞)}.
     */
    double at(double t);

    /** {@code g(t)} on a tensor of times. */
    Tensor at(Tensor t);

    /** {@code G(t) = ∫_0^t g²}. */
    double integral(double t);

    /** {@code G(t)} on a tensor. */
    Tensor integral(Tensor t);

    /** {@code G⁻¹(u)} for {@code u ≥ 0} on a tensor. */
    Tensor inverseIntegral(Tensor u);

    /** {@code G⁻¹(u)} on a number. */
    double inverseIntegral(double u);

    /**
     * The closed form {@code g(τ)² = p + qτ + a e^{bτ}}, when this schedule has it exactly ({@link #constant},
     * {@link #linearBeta}, {@link #exponential}); empty otherwise. {@link LinearizedTransition} uses it to
     * integrate {@code ∫_s^t e^{J(t−τ)} g(τ)² e^{Jᵀ(t−τ)} dτ} in closed form.
     */
    default Optional<ExpLinear> expLinear() {
        return Optional.empty();
    }

    /** Coefficients of {@code g(τ)² = p + qτ + a e^{bτ}}. */
    record ExpLinear(double p, double q, double a, double b) {
        /** {@code g(τ)²} at one time. */
        public double at(double tau) {
            return p + q * tau + (a == 0 ? 0 : a * Math.exp(b * tau));
        }
    }

    /** {@code g(t) = c}: {@code G = c² t}. */
    static Diffusion constant(double c) {
        positive("Diffusion.constant: c", c);
        return new Diffusion() {
            public double at(double t) {
                Times.check(name(), "at", "t", t, Double.POSITIVE_INFINITY);
                return c;
            }

            public Tensor at(Tensor t) {
                return t.mul(0).add(c);
            }

            public double integral(double t) {
                return c * c * Times.check(name(), "integral", "t", t, Double.POSITIVE_INFINITY);
            }

            public Tensor integral(Tensor t) {
                return t.mul(c * c);
            }

            public Tensor inverseIntegral(Tensor u) {
                return u.div(c * c);
            }

            public double inverseIntegral(double u) {
                return Times.check(name(), "inverseIntegral", "u", u, Double.POSITIVE_INFINITY) / (c * c);
            }

            private String name() {
                return "Diffusion.constant(" + c + ")";
            }

            public Optional<ExpLinear> expLinear() {
                return Optional.of(new ExpLinear(c * c, 0, 0, 0));
            }

            public String toString() {
                return "g = " + c;
            }
        };
    }

    /**
     * {@code g(t)² = β(t) = β_min + t(β_max − β_min)} (the VP schedule of Song et al. 2021):
     * {@code G(t) = β_min t + ½(β_max − β_min) t²}.
     */
    static Diffusion linearBeta(double betaMin, double betaMax) {
        positive("Diffusion.linearBeta: betaMin", betaMin);
        if (!(betaMax >= betaMin) || !Double.isFinite(betaMax)) {
            throw new IllegalArgumentException("Diffusion.linearBeta: betaMax = " + betaMax
                    + ", expected a finite number >= betaMin = " + betaMin);
        }
        double d = betaMax - betaMin;
        return new Diffusion() {
            public double at(double t) {
                return Math.sqrt(betaMin + Times.check(name(), "at", "t", t, Double.POSITIVE_INFINITY) * d);
            }

            public Tensor at(Tensor t) {
                return t.mul(d).add(betaMin).sqrt();
            }

            public double integral(double t) {
                double c = Times.check(name(), "integral", "t", t, Double.POSITIVE_INFINITY);
                return betaMin * c + 0.5 * d * c * c;
            }

            public Tensor integral(Tensor t) {
                return t.mul(betaMin).add(t.square().mul(0.5 * d));
            }

            public Tensor inverseIntegral(Tensor u) {
                if (d == 0) {
                    return u.div(betaMin);
                }
                // root of ½ d s² + β_min s − u = 0, written as 2u / (β_min + √(β_min² + 2 d u)) to avoid cancellation
                return u.mul(2).div(u.mul(2 * d).add(betaMin * betaMin).sqrt().add(betaMin));
            }

            public double inverseIntegral(double u) {
                double c = Times.check(name(), "inverseIntegral", "u", u, Double.POSITIVE_INFINITY);
                return d == 0 ? c / betaMin : 2 * c / (betaMin + Math.sqrt(betaMin * betaMin + 2 * d * c));
            }

            private String name() {
                return "Diffusion.linearBeta(" + betaMin + ", " + betaMax + ")";
            }

            public Optional<ExpLinear> expLinear() {
                return Optional.of(new ExpLinear(betaMin, d, 0, 0));
            }

            public String toString() {
                return "g² = " + betaMin + " + t·" + d;
            }
        };
    }

    /**
     * The variance-exploding schedule: {@code σ(t) = σ_min (σ_max/σ_min)^t},
     * {@code g(t) = σ(t) √(2 ln(σ_max/σ_min))}, so {@code G(t) = σ(t)² − σ_min²}.
     */
    static Diffusion exponential(double sigmaMin, double sigmaMax) {
        positive("Diffusion.exponential: sigmaMin", sigmaMin);
        if (!(sigmaMax > sigmaMin) || !Double.isFinite(sigmaMax)) {
            throw new IllegalArgumentException("Diffusion.exponential: sigmaMax = " + sigmaMax
                    + ", expected a finite number > sigmaMin = " + sigmaMin);
        }
        double logRatio = Math.log(sigmaMax / sigmaMin);
        double c = Math.sqrt(2 * logRatio);
        return new Diffusion() {
            private Tensor sigma(Tensor t) {
                return t.mul(logRatio).exp().mul(sigmaMin);
            }

            public double at(double t) {
                return sigmaMin * Math.exp(Times.check(name(), "at", "t", t, Double.POSITIVE_INFINITY) * logRatio) * c;
            }

            public Tensor at(Tensor t) {
                return sigma(t).mul(c);
            }

            public double integral(double t) {
                double ct = Times.check(name(), "integral", "t", t, Double.POSITIVE_INFINITY);
                return sigmaMin * sigmaMin * Math.expm1(2 * ct * logRatio);
            }

            public Tensor integral(Tensor t) {
                return t.mul(2 * logRatio).expm1().mul(sigmaMin * sigmaMin);
            }

            public Tensor inverseIntegral(Tensor u) {
                return u.div(sigmaMin * sigmaMin).log1p().div(2 * logRatio);
            }

            public double inverseIntegral(double u) {
                double cu = Times.check(name(), "inverseIntegral", "u", u, Double.POSITIVE_INFINITY);
                return Math.log1p(cu / (sigmaMin * sigmaMin)) / (2 * logRatio);
            }

            private String name() {
                return "Diffusion.exponential(" + sigmaMin + ", " + sigmaMax + ")";
            }

            public Optional<ExpLinear> expLinear() { // g² = 2 ln(σmax/σmin) σmin² e^{2 ln(σmax/σmin) τ}
                return Optional.of(new ExpLinear(0, 0, c * c * sigmaMin * sigmaMin, 2 * logRatio));
            }

            public String toString() {
                return "g = σ(t)√(2 ln(σmax/σmin)), σ ∈ [" + sigmaMin + ", " + sigmaMax + "]";
            }
        };
    }

    /**
     * Any schedule {@code g(t) > 0} on {@code [0, T]}, given as a function on numbers ({@code g}) and the same
     * function on tensors ({@code gTensor}, for the graph), with {@code G} and {@code G⁻¹} computed numerically.
     * This gives {@link TimePairs#integral} ({@code s(t) = G⁻¹(G(t) − λ)}) for a user schedule.
     *
     * <p>On the grid {@code t_i = iT/(n−1)}, {@code i = 0..n−1} ({@code n = gridPoints}),
     * {@code G(t_i) = Σ_{j<i} ∫_{t_j}^{t_{j+1}} g²} by 5-point Gauss–Legendre per cell (error per cell
     * {@code ≤ h^11 (5!)⁴/(11 (10!)³) max|(g²)^(10)|}, {@code h = T/(n−1)}: negligible for smooth g).
     * Between nodes G is the cubic Hermite interpolant H of the values {@code G(t_i)} and slopes
     * {@code G'(t_i) = g(t_i)²}; it is exact at the nodes (up to the quadrature) and in a cell
     *
     * <pre>
     *   |G(t) − H(t)| ≤ h⁴/384 · max_cell |G''''| = h⁴/384 · max_cell |(g²)'''|
     * </pre>
     *
     * (so exact for g² of degree ≤ 2, e.g. {@link #constant} and {@link #linearBeta}).
     *
     * <ul>
     *   <li>{@code integral(double)}: H(t), t ∈ [0, T] (outside: IllegalArgumentException).</li>
     *   <li>{@code inverseIntegral(double)}: the root of {@code H(s) = u}, u ∈ [0, G(T)], by safeguarded Newton in
     *       the cell found by bisection on the table (to ~1e-15 relative); {@code |s − G⁻¹(u)| ≤ |H − G|/min g²}
     *       near s.</li>
     *   <li>{@code integral(Tensor)}: the same H inside the graph (times clamped to [0, T]), written as
     *       {@code Σ_i 1[t_i ≤ t < t_{i+1}] p_i(t − t_i)} with an indicator (no derivative) and the cell's cubic
     *       {@code p_i} (derivative in t: H'(t)); costs O(n) per element.</li>
     *   <li>{@code inverseIntegral(Tensor)}: a start from cubic Hermite interpolation of G⁻¹ on the
     *       {@code (G_i, t_i)} table with slopes {@code 1/g(t_i)²} (u clamped to [0, G(T)]), then k Newton steps
     *       {@code s ← s − (H(s) − u)/H'(s)} on H inside the graph, k (0 to 8) chosen at construction as the
     *       fewest with which this algorithm agrees with {@code inverseIntegral(double)} to {@code 1e-13·T} at
     *       7 points per cell; its derivative is {@code ≈ 1/H'(s) ≈ 1/g(s)²}.</li>
     * </ul>
     *
     * @param g          g(t) on numbers, finite and {@code > 0} on [0, T] (checked at the nodes and quadrature points)
     * @param gTensor    the same g on tensors (elementwise; checked against g at up to 9 nodes, relative 1e-6)
     * @param horizon    T, finite and {@code > 0}
     * @param gridPoints n ≥ 2 nodes; the cubic must be monotone on every cell (Fritsch–Carlson
     *                   {@code (g_i²/Δ)² + (g_{i+1}²/Δ)² ≤ 9}, Δ the cell's mean of g²), otherwise more points are
     *                   needed
     * @throws IllegalArgumentException naming the argument, its value and the expectation
     */
    static Diffusion numeric(DoubleUnaryOperator g, Function<Tensor, Tensor> gTensor,
                             double horizon, int gridPoints) {
        return new NumericDiffusion(g, gTensor, horizon, gridPoints);
    }

    private static void positive(String what, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(what + " = " + v + ", expected a finite number > 0");
        }
    }
}
