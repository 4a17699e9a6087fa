package dev.nabla.proofs;

import dev.nabla.core.Autodiff;
import dev.nabla.core.Tensor;
import dev.nabla.dsl.exact.GaussianMixture;
import dev.nabla.proofs.Fixtures.Kernel;
import dev.nabla.proofs.Fixtures.Model;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * THEORY.md §1 — denoising score matching equals explicit score matching up to a constant (Vincent 2011,
 * §4.2; "Theorem 1" of 2511.11727):
 *
 * <pre>
 *   L_DSM(θ) = L_ESM(θ) + C3 − C2,   C3 = D/(2σ²),   C2 = E_q ½‖∇log q(xt)‖²,   hence ∇_θ L_DSM = ∇_θ L_ESM.
 * </pre>
 *
 * Data: 1-D Gaussian mixtures (1–3 components) and full-covariance Gaussians in 2–3 dimensions; kernels of the
 * dsl's VE SDE (σ from 1.5e-3 to 1e2) and VP SDE (σ from 1e-2 to 1); linear models and tanh MLPs in graph code.
 * Every gradient is {@code Autodiff.grad}. The error is measured relative to {@code E_q½‖s‖² + C2}, the size
 * of the terms that have to cancel (the cross terms are bounded by it, Cauchy–Schwarz); the huge C3 is not
 * in the denominator, so the check stays sharp at σ = 1e-3.
 */
@AddLifecycleHook(ReportHook.class)
class VincentProperties {
    static final String SECTION = "Vincent 2011 §4.2; 2511.11727 Thm 1 (THEORY §1)";
    /**
     * The float64 rounding allowance, relative to C3: L_DSM is a sum of N ≈ 10⁴ terms of total size ≈ C3
     * (= 2.3e5 at σ = 1.5e-3), so it carries a rounding error ~ε_mach·√N·C3 ≈ 2e-14·C3 before C3 is
     * subtracted; 1e-13·C3 allows a factor 5. This term dominates the tolerance only for σ ≲ 1e-2.
     */
    static final double ROUNDING = 1e-13;

    /**
     * {@code L_DSM(θ) − L_ESM(θ) = C3 − C2} for two independent random θ, 1-D mixture data, VE/VP.
     * Tolerance 1e-9 (relative) plus the rounding allowance {@link #ROUNDING}: the DSM side is a 160×160-point Gauss–Hermite rule over (x0, ε) of an
     * analytic integrand whose nearest complex singularity is O(1) away in the standardised variables
     * (preconditioned tanh MLP), error ~e^{−2a√(2n)} ≲ 1e-11; the ESM side is a trapezoidal rule with
     * error below 1e-20 (see {@link Fixtures#trapezoid}). Measured: up to ~5e-10 at σ ≈ 1e-3, where the rounding allowance dominates (see the report).
     */
    @Property(tries = 12)
    void dsmMinusEsmIsTheConstantC3MinusC2(@ForAll long seed, @ForAll boolean vp,
            @ForAll @DoubleRange(min = 0, max = 1) double u, @ForAll @IntRange(min = 1, max = 3) int components,
            @ForAll boolean mlp) {
        SplittableRandom r = new SplittableRandom(seed);
        GaussianMixture p = Fixtures.randomMixture(r, 1, components);
        Kernel k = Fixtures.kernel(vp, u);
        double scale = Math.sqrt(k.alpha() * k.alpha() * p.mixtureCovariance()[0][0] + k.sigma() * k.sigma());
        double[] shift = {k.alpha() * p.mixtureMean()[0]};
        for (int trial = 0; trial < 2; trial++) {
            Model model = Fixtures.model(r, mlp, 1, shift, scale);
            Losses.Terms t = Losses.mixture1d(p, k, model);
            double[][] v = Fixtures.eval(List.of(t.dsm(), t.esm(), t.c3(), t.c2(), t.sNorm()));
            double dsm = v[0][0], esm = v[1][0], c3 = v[2][0], c2 = v[3][0], sNorm = v[4][0];
            double c3Exact = 1 / (2 * k.sigma() * k.sigma());
            Report.check(SECTION, "L_DSM − L_ESM = C3 − C2 = D/(2σ²) − E½‖∇log q‖² for every θ (1-D mixtures, VE/VP)",
                    Math.abs((dsm - c3Exact) - (esm - c2)) / (sNorm + c2), 1e-9 + ROUNDING * c3Exact / (sNorm + c2),
                    k + " " + model.describe());
            Report.check(SECTION, "C3 = D/(2σ²)", Math.abs(c3 - c3Exact) / c3Exact, 1e-9, "C3 " + k);
        }
    }

    /**
     * {@code ∇_θ L_DSM = ∇_θ L_ESM} by {@code Autodiff.grad} of both quadrature losses, 1-D mixtures, VE/VP,
     * linear and MLP models. Error {@code ‖∇DSM − ∇ESM‖ / (‖∇ESM‖ + ‖∇_θ E_q½‖s‖²‖)}; tolerance 1e-8 for the
     * same quadrature reasons as the values (gradients of the integrands are as smooth as the integrands).
     */
    @Property(tries = 12)
    void dsmAndEsmHaveTheSameParameterGradient(@ForAll long seed, @ForAll boolean vp,
            @ForAll @DoubleRange(min = 0, max = 1) double u, @ForAll @IntRange(min = 1, max = 3) int components,
            @ForAll boolean mlp) {
        SplittableRandom r = new SplittableRandom(seed);
        GaussianMixture p = Fixtures.randomMixture(r, 1, components);
        Kernel k = Fixtures.kernel(vp, u);
        double scale = Math.sqrt(k.alpha() * k.alpha() * p.mixtureCovariance()[0][0] + k.sigma() * k.sigma());
        Model model = Fixtures.model(r, mlp, 1, new double[] {k.alpha() * p.mixtureMean()[0]}, scale);
        Losses.Terms t = Losses.mixture1d(p, k, model);
        checkGradients(t, model, k + " " + model.describe(), 1e-8);
    }

    /**
     * Both statements for Gaussian data N(μ, Σ) with a random full Σ in D = 2 or 3, VE/VP, linear and MLP
     * models ({@link Losses#gaussian}: the rule is exact in ε, so the check holds to rounding, ~1e-14).
     * Tolerance 1e-10 relative.
     */
    @Property(tries = 12)
    void dsmEqualsEsmPlusConstantForGaussiansInTwoAndThreeDimensions(@ForAll long seed, @ForAll boolean vp,
            @ForAll @DoubleRange(min = 0, max = 1) double u, @ForAll @IntRange(min = 2, max = 3) int d,
            @ForAll boolean mlp) {
        SplittableRandom r = new SplittableRandom(seed);
        double[] mu = new double[d];
        for (int i = 0; i < d; i++) {
            mu[i] = 4 * r.nextDouble() - 2;
        }
        double[][] sigma = Fixtures.randomSpd(r, d, 0.1, 2.0);
        Kernel k = Fixtures.kernel(vp, u);
        double scale = Math.sqrt(k.alpha() * k.alpha() * Fixtures.trace(sigma) / d + k.sigma() * k.sigma());
        double[] shift = new double[d];
        for (int i = 0; i < d; i++) {
            shift[i] = k.alpha() * mu[i];
        }
        Model model = Fixtures.model(r, mlp, d, shift, scale);
        Losses.Terms t = Losses.gaussian(mu, sigma, k, model, d == 2 ? 24 : 12);
        double[][] v = Fixtures.eval(List.of(t.dsm(), t.esm(), t.c2(), t.sNorm()));
        double c3 = d / (2 * k.sigma() * k.sigma());
        Report.check(SECTION, "L_DSM − L_ESM = C3 − C2 and ∇_θ L_DSM = ∇_θ L_ESM (Gaussians in 2–3 D)",
                Math.abs((v[0][0] - c3) - (v[1][0] - v[2][0])) / (v[3][0] + v[2][0]),
                1e-10 + ROUNDING * c3 / (v[3][0] + v[2][0]),
                "value " + k + " " + model.describe());
        checkGradients(t, model, k + " " + model.describe(), 1e-10);
    }

    static void checkGradients(Losses.Terms t, Model model, String what, double tol) {
        List<Tensor> gd = Autodiff.grad(t.dsm(), model.params());
        List<Tensor> ge = Autodiff.grad(t.esm(), model.params());
        List<Tensor> gs = Autodiff.grad(t.sNorm(), model.params());
        List<Tensor> all = new ArrayList<>(gd);
        all.addAll(ge);
        all.addAll(gs);
        double[][] v = Fixtures.eval(all);
        int n = gd.size();
        double[] a = Fixtures.flatten(Arrays.copyOfRange(v, 0, n));
        double[] b = Fixtures.flatten(Arrays.copyOfRange(v, n, 2 * n));
        double[] c = Fixtures.flatten(Arrays.copyOfRange(v, 2 * n, 3 * n));
        double[] diff = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            diff[i] = a[i] - b[i];
        }
        Report.check(SECTION, "∇_θ L_DSM = ∇_θ L_ESM",
                Fixtures.norm(diff) / (Fixtures.norm(b) + Fixtures.norm(c)), tol, "gradient " + what);
    }
}
