package dev.nabla.proofs;

import dev.nabla.core.Autodiff;
import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.exact.GaussianMixture;
import dev.nabla.dsl.exact.MixturePosterior;
import dev.nabla.proofs.Fixtures.Kernel;
import dev.nabla.proofs.Fixtures.Model;
import dev.nabla.proofs.Fixtures.Rule;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * Score-matching basics used throughout THEORY.md (§4's ISM baseline, §3's Tweedie): Hyvärinen's identity
 * (Hyvärinen 2005, Theorem 1), Hutchinson's trace estimator (Hutchinson 1990), and Tweedie's formula for the
 * posterior mean (Efron 2011; Song et al. 2021).
 */
@AddLifecycleHook(ReportHook.class)
class ScoreMatchingBasicsProperties {
    static final String SECTION = "Hyvärinen 2005 Thm 1; Hutchinson 1990; Tweedie (THEORY §4, §3)";

    /**
     * Hyvärinen: {@code L_ESM(θ) = L_ISM(θ) + C2} with {@code L_ISM = E_q[½‖s‖² + div s]} (integration by parts;
     * {@code C2 = E½‖∇log q‖²}), and {@code ∇_θ L_ESM = ∇_θ L_ISM} — the latter differentiates a graph that
     * already contains {@code Autodiff.divergence} (a gradient of a gradient). 1-D mixtures perturbed by a
     * VE/VP kernel on the trapezoidal rule (tolerance 1e-10: the rule's error is below 1e-20, rounding of the
     * ~10³-term sums ~1e-13); Gaussians in D = 2 with an MLP and D = 3 with a linear model (exact Gauss–Hermite,
     * 4 nodes per axis). The 2-D MLP integrand is not a polynomial and its tanh poles can lie only a ≈ 0.5
     * standard deviations off the real axis, where Gauss–Hermite converges like {@code e^{−2a√(2n)}} (2e-7 was
     * measured at n = 80); it uses the trapezoidal rule in whitened coordinates instead (h = 0.08 over
     * [−9.5, 9.5]², error ~{@code e^{−2πa/h}} ≈ 1e-17 plus tails e^{−45}). Tolerance 1e-9 in D ≥ 2 (1e-10 in 1-D),
     * relative to {@code E½‖s‖² + C2}; gradients 10× looser.
     */
    @Property(tries = 16)
    void esmEqualsIsmPlusConstant(@ForAll long seed, @ForAll boolean vp, @ForAll @DoubleRange(min = 0, max = 1) double u,
            @ForAll @IntRange(min = 1, max = 3) int d, @ForAll boolean mlp) {
        SplittableRandom r = new SplittableRandom(seed);
        Kernel k = Fixtures.kernel(vp, u);
        Rule rule;
        Function<Tensor, Tensor> score;
        double scale;
        double[] shift;
        boolean useMlp = mlp;
        if (d == 1) {
            GaussianMixture q = Fixtures.randomMixture(r, 1, 1 + r.nextInt(3)).perturbed(k.alpha(), k.sigma());
            rule = Fixtures.trapezoid(q);
            score = q::score;
            scale = Math.sqrt(q.mixtureCovariance()[0][0]);
            shift = q.mixtureMean();
        } else {
            double[] mu = new double[d];
            for (int i = 0; i < d; i++) {
                mu[i] = 2 * r.nextDouble() - 1;
            }
            double[][] cov = Fixtures.scaledPlusIdentity(Fixtures.randomSpd(r, d, 0.1, 2), k.alpha() * k.alpha(),
                    k.sigma() * k.sigma());
            GaussianMixture q = GaussianMixture.gaussian(mu, cov);
            rule = d == 2 ? Fixtures.trapezoidGaussian(mu, cov, 0.08, 9.5)
                    : Rule.of(dev.nabla.dsl.exact.GaussHermite.gaussianGrid(mu, cov, 4));
            score = q::score;
            scale = Math.sqrt(Fixtures.trace(cov) / d);
            shift = mu;
            useMlp = d == 2 && mlp;
        }
        Model model = Fixtures.model(r, useMlp, d, shift, scale);
        Tensor x = rule.x();
        Tensor s = model.apply(x);
        Tensor sc = score.apply(x);
        Tensor esm = rule.expect(s.sub(sc).square().sum(-1).mul(0.5));
        Tensor ism = rule.expect(s.square().sum(-1).mul(0.5).add(Autodiff.divergence(s, x)));
        Tensor c2 = rule.expect(sc.square().sum(-1).mul(0.5));
        Tensor sNorm = rule.expect(s.square().sum(-1).mul(0.5));
        List<Tensor> outs = new ArrayList<>(List.of(esm, ism, c2, sNorm));
        List<Tensor> ge = Autodiff.grad(esm, model.params());
        List<Tensor> gi = Autodiff.grad(ism, model.params());
        outs.addAll(ge);
        outs.addAll(gi);
        double[][] v = Fixtures.eval(outs);
        double tol = d == 1 ? 1e-10 : 1e-9;
        String what = k + " D=" + d + " " + model.describe();
        Report.check(SECTION, "L_ESM = L_ISM + E½‖∇log q‖² and ∇_θ L_ESM = ∇_θ L_ISM (ISM with exact divergence)",
                Math.abs(v[0][0] - v[1][0] - v[2][0]) / (v[3][0] + v[2][0]), tol, "value " + what);
        int n = ge.size();
        double[] a = Fixtures.flatten(Arrays.copyOfRange(v, 4, 4 + n));
        double[] b = Fixtures.flatten(Arrays.copyOfRange(v, 4 + n, 4 + 2 * n));
        double[] diff = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            diff[i] = a[i] - b[i];
        }
        Report.check(SECTION, "L_ESM = L_ISM + E½‖∇log q‖² and ∇_θ L_ESM = ∇_θ L_ISM (ISM with exact divergence)",
                Fixtures.norm(diff) / (Fixtures.norm(a) + Fixtures.norm(b)), tol * 10, "gradient " + what);
    }

    /**
     * Hutchinson's estimator {@code vᵀ(∂s/∂x)v} ({@code Autodiff.divergenceHutchinson}) is unbiased for
     * {@code div s} ({@code Autodiff.divergence}): exactly, by averaging over all 2^D Rademacher probes and over
     * the 2^D-node Gauss–Hermite rule for Gaussian probes (exact for the quadratic form), at 6 random points of
     * a random MLP, D = 1–4 (tolerance 1e-12 relative to the largest |∂s_i/∂x_i| sum); and statistically, with
     * 20000 Rademacher probes from the framework's RNG (fixed key): the sample mean must lie within 5 standard
     * errors of the exact divergence (two-sided failure probability 6e-7 under the CLT). The statistical check is
     * recorded as |mean − div|/(5 se) against tolerance 1.
     */
    @Property(tries = 12)
    void hutchinsonIsUnbiased(@ForAll long seed, @ForAll @IntRange(min = 1, max = 4) int d) {
        SplittableRandom r = new SplittableRandom(seed);
        int b = 6;
        Model model = Fixtures.mlp(r, d, 8, new double[d], 1);
        double[] pts = new double[b * d];
        for (int i = 0; i < pts.length; i++) {
            pts[i] = 3 * r.nextDouble() - 1.5;
        }
        int probes = 1 << d;
        // rows: every point × every probe
        double[] xs = new double[b * probes * d];
        double[] vRad = new double[b * probes * d];
        double[] vGauss = new double[b * probes * d];
        for (int p = 0; p < b; p++) {
            for (int j = 0; j < probes; j++) {
                for (int i = 0; i < d; i++) {
                    int row = p * probes + j;
                    xs[row * d + i] = pts[p * d + i];
                    vRad[row * d + i] = ((j >> i) & 1) == 1 ? 1 : -1;
                    vGauss[row * d + i] = vRad[row * d + i]; // 2-point Gauss–Hermite nodes are ±1, weights ½
                }
            }
        }
        Tensor x = Tensor.of(xs, b * probes, d);
        Tensor s = model.apply(x);
        Tensor hut = Autodiff.divergenceHutchinson(s, x, Tensor.of(vRad, b * probes, d));
        Tensor hutGauss = Autodiff.divergenceHutchinson(s, x, Tensor.of(vGauss, b * probes, d));
        Tensor div = Autodiff.divergence(s, x);
        double[][] v = Fixtures.eval(List.of(hut, hutGauss, div));
        double err = 0;
        double size = 0;
        for (int p = 0; p < b; p++) {
            double meanR = 0, meanG = 0;
            for (int j = 0; j < probes; j++) {
                meanR += v[0][p * probes + j] / probes;
                meanG += v[1][p * probes + j] / probes;
            }
            double exact = v[2][p * probes];
            size = Math.max(size, Math.abs(exact) + 1);
            err = Math.max(err, Math.max(Math.abs(meanR - exact), Math.abs(meanG - exact)));
        }
        String st = "E_v[vᵀ(∂s/∂x)v] = div s (Rademacher and Gaussian probes; exact enumeration and 20000-probe CLT check)";
        Report.check(SECTION, st, err / size, 1e-12, "exact enumeration D=" + d);
        // statistical: the framework's Rademacher probes at the first point
        int n = 20000;
        double[] first = Arrays.copyOf(pts, d);
        Tensor xr = Tensor.of(first).reshape(1, d).broadcastTo(Shape.of(n, d)).mul(1.0);
        Tensor sr = model.apply(xr);
        Tensor probe = Tensor.key(Key.of(seed)).rademacher(Shape.of(n, d));
        double[][] w = Fixtures.eval(List.of(Autodiff.divergenceHutchinson(sr, xr, probe), Autodiff.divergence(sr, xr)));
        double[] ms = WeightingProperties.meanAndSe(w[0]);
        double exact = w[1][0];
        // in D = 1 every probe gives the exact value (v² = 1): the standard error is rounding, hence the floor
        double z = Math.abs(ms[0] - exact) / (5 * ms[1] + 1e-12 * size);
        Report.check(SECTION, st, z, 1, "Monte Carlo D=" + d + " mean " + ms[0] + " ± " + ms[1] + " vs " + exact);
    }

    /**
     * Tweedie's formula {@code E[x0|xt] = (xt + σ²∇log q(xt))/α} for Gaussian-mixture data under VE and VP
     * kernels, D = 1–3, at 10 random points: the left side from the closed-form posterior
     * ({@code GaussianMixture.posterior(...).mean()}), the right with {@code Autodiff.grad} of the perturbed
     * log-density. Error relative to {@code (|xt| + σ²|∇log q|)/α} (the terms that cancel when α is small);
     * tolerance 1e-12.
     */
    @Property(tries = 20)
    void tweedieMean(@ForAll long seed, @ForAll boolean vp, @ForAll @DoubleRange(min = 0, max = 1) double u,
            @ForAll @IntRange(min = 1, max = 3) int d, @ForAll @IntRange(min = 1, max = 3) int components) {
        SplittableRandom r = new SplittableRandom(seed);
        GaussianMixture p = Fixtures.randomMixture(r, d, components);
        Kernel k = Fixtures.kernel(vp, u);
        int b = 10;
        double[] xt = new double[b * d];
        for (int i = 0; i < xt.length; i++) {
            xt[i] = k.alpha() * (5 * r.nextDouble() - 2.5) + k.sigma() * (2 * r.nextDouble() - 1);
        }
        MixturePosterior post = p.posterior(NdArray.of(xt, b, d), k.alpha(), k.sigma());
        double[] mean = post.mean().toDoubleArray();
        Tensor y = Tensor.of(xt, b, d);
        double[] score = Fixtures.eval(List.of(Autodiff.grad(p.perturbed(k.alpha(), k.sigma()).logDensity(y).sum(), y)))[0];
        double err = 0;
        double s2 = k.sigma() * k.sigma();
        for (int i = 0; i < xt.length; i++) {
            double rhs = (xt[i] + s2 * score[i]) / k.alpha();
            double size = (Math.abs(xt[i]) + s2 * Math.abs(score[i])) / k.alpha();
            err = Math.max(err, Math.abs(mean[i] - rhs) / size);
        }
        Report.check(SECTION, "E[x0|xt] = (xt + σ²∇log q(xt))/α (Tweedie)", err, 1e-12, k + " D=" + d);
    }
}
