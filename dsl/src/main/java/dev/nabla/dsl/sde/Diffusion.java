package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

/**
 * A diffusion coefficient {@code g(t)} with its integral {@code G(t) = ∫_0^t g(τ)² dτ} and the inverse of
 * {@code G}, both as closed forms on numbers and on tensors. The inverse gives the time-pair scheduler of
 * 2407.07998 (§3) in closed form: {@code s(t) = G⁻¹(G(t) − λ)}, so that {@code ∫_s^t g² = λ}.
 */
public interface Diffusion {
    /** {@code g(t)}. */
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

    /** {@code g(t) = c}: {@code G = c² t}. */
    static Diffusion constant(double c) {
        positive("Diffusion.constant: c", c);
        return new Diffusion() {
            public double at(double t) {
                return c;
            }

            public Tensor at(Tensor t) {
                return t.mul(0).add(c);
            }

            public double integral(double t) {
                return c * c * t;
            }

            public Tensor integral(Tensor t) {
                return t.mul(c * c);
            }

            public Tensor inverseIntegral(Tensor u) {
                return u.div(c * c);
            }

            public double inverseIntegral(double u) {
                return u / (c * c);
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
                return Math.sqrt(betaMin + t * d);
            }

            public Tensor at(Tensor t) {
                return t.mul(d).add(betaMin).sqrt();
            }

            public double integral(double t) {
                return betaMin * t + 0.5 * d * t * t;
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
                return d == 0 ? u / betaMin : 2 * u / (betaMin + Math.sqrt(betaMin * betaMin + 2 * d * u));
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
                return sigmaMin * Math.exp(t * logRatio) * c;
            }

            public Tensor at(Tensor t) {
                return sigma(t).mul(c);
            }

            public double integral(double t) {
                return sigmaMin * sigmaMin * Math.expm1(2 * t * logRatio);
            }

            public Tensor integral(Tensor t) {
                return t.mul(2 * logRatio).expm1().mul(sigmaMin * sigmaMin);
            }

            public Tensor inverseIntegral(Tensor u) {
                return u.div(sigmaMin * sigmaMin).log1p().div(2 * logRatio);
            }

            public double inverseIntegral(double u) {
                return Math.log1p(u / (sigmaMin * sigmaMin)) / (2 * logRatio);
            }

            public String toString() {
                return "g = σ(t)√(2 ln(σmax/σmin)), σ ∈ [" + sigmaMin + ", " + sigmaMax + "]";
            }
        };
    }

    private static void positive(String what, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(what + " = " + v + ", expected a finite number > 0");
        }
    }
}
