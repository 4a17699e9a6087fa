package dev.nabla.proofs;

import dev.nabla.core.Autodiff;
import dev.nabla.core.Tensor;
import dev.nabla.dsl.objectives.BiasCorrection;
import dev.nabla.proofs.Fixtures.Kernel;
import dev.nabla.proofs.Fixtures.Model;
import dev.nabla.proofs.Fixtures.Rule;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.DoubleRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AddLifecycleHook;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Function;

/**
 * THEORY.md §2 — the score-norm bias of optimising DSM's input (2511.11727, Theorem 2 and Corollary 1).
 * With a condition c and the chain c → x → xt,
 *
 * <pre>
 *   L_DSM(θ, c) = L_ESM(θ, c) + C3 − C2(c),   C2(c) = E_{q(xt|c)} ½‖∇log q(xt|c)‖²,   ∇_c C3 = 0,
 * </pre>
 *
 * so {@code ∇_c L_DSM = ∇_c L_ESM − ∇_c C2}: minimising DSM over c also maximises the score norm.
 * Here {@code p(x|c) = N(μ_c, diag(std_c²))} with {@code μ_c = M c + m0}, {@code log std_c = B c + b0}
 * (random M, B), so every quantity is an exact quadrature and its c-gradient is {@code Autodiff.grad}
 * through the reparameterised nodes.
 */
@AddLifecycleHook(ReportHook.class)
class InputBiasProperties {
    static final String SECTION = "2511.11727 Thm 2, Cor 1 (THEORY §2)";

    /** The quadrature losses as graphs of the condition {@code c} (a leaf tensor). */
    record Conditional(Tensor c, Tensor dsm, Tensor esm, Tensor c3, Tensor c2Quadrature, Tensor c2Closed, Tensor sNorm) {
    }

    /**
     * The losses of a conditional Gaussian p(x|c) (diagonal) under the kernel k, integrated with xt first
     * per coordinate: {@code xt = αμ + √S z1}, {@code ε = (σ z1 + α std z2)/√S}, {@code S = α²std² + σ²}
     * — the exact joint law of (xt, ε); z1 on n points, z2 on 2 points per axis (exact in ε).
     */
    static Conditional conditional(SplittableRandom r, int d, Kernel k, boolean mlp, int n1) {
        double a = k.alpha();
        double sg = k.sigma();
        Tensor c = Fixtures.randomMatrix(r, 1, 2, 1.0).reshape(2);
        Tensor mu = c.matmul(Fixtures.randomMatrix(r, 2, d, 1.0)).add(Fixtures.randomMatrix(r, 1, d, 1.5).reshape(d));
        Tensor std = c.matmul(Fixtures.randomMatrix(r, 2, d, 0.3)).add(Fixtures.randomMatrix(r, 1, d, 0.5).reshape(d)).exp();
        double scale = Math.sqrt(a * a + sg * sg);
        Model base = Fixtures.model(r, mlp, d, new double[d], scale);
        Tensor cond = c.matmul(Fixtures.randomMatrix(r, 2, d, 0.5)).div(scale);
        Function<Tensor, Tensor> model = x -> base.apply(x).add(cond); // s_θ(xt, c)
        Rule z1 = Fixtures.standardNormal(d, n1);
        Rule joint = Fixtures.product(z1, Fixtures.standardNormal(d, 2));
        Tensor zz = joint.x();
        Tensor u1 = zz.slice(1, 0, d);
        Tensor u2 = zz.slice(1, d, 2 * d);
        Tensor sVar = std.square().mul(a * a).add(sg * sg);
        Tensor sStd = sVar.sqrt();
        Tensor xt = mu.mul(a).add(u1.mul(sStd));
        Tensor eps = u1.mul(sg).add(u2.mul(std).mul(a)).div(sStd);
        Tensor condScore = eps.div(-sg);
        Tensor dsm = joint.expect(model.apply(xt).sub(condScore).square().sum(-1).mul(0.5));
        Tensor c3 = joint.expect(condScore.square().sum(-1).mul(0.5));
        Tensor y = mu.mul(a).add(z1.x().mul(sStd));
        Tensor score = y.sub(mu.mul(a)).div(sVar).neg();
        Tensor sy = model.apply(y);
        Tensor esm = z1.expect(sy.sub(score).square().sum(-1).mul(0.5));
        Tensor c2q = z1.expect(score.square().sum(-1).mul(0.5));
        Tensor sNorm = z1.expect(sy.square().sum(-1).mul(0.5));
        return new Conditional(c, dsm, esm, c3, c2q, BiasCorrection.c2Gaussian(std, a, sg), sNorm);
    }

    /**
     * Theorem 2: {@code L_DSM(θ,c) − L_ESM(θ,c) = C3 − C2(c)} with C2 from {@code BiasCorrection.c2Gaussian}
     * (closed form) and from quadrature; {@code ∇_c L_DSM = ∇_c L_ESM − ∇_c C2}; {@code ∇_c C3 = 0}.
     * D ∈ {1, 2}, VE/VP, frozen linear or MLP models that also take c. Tolerance 1e-10 relative (+ the
     * C3 rounding allowance of {@link VincentProperties#ROUNDING}): the rule is exact in ε and both losses
     * share the xt nodes, so only rounding remains.
     */
    @Property(tries = 15)
    void dsmInConditionIsEsmMinusScoreNorm(@ForAll long seed, @ForAll boolean vp,
            @ForAll @DoubleRange(min = 0, max = 1) double u, @ForAll @IntRange(min = 1, max = 2) int d,
            @ForAll boolean mlp) {
        SplittableRandom r = new SplittableRandom(seed);
        Kernel k = Fixtures.kernel(vp, u);
        Conditional q = conditional(r, d, k, mlp, d == 1 ? 60 : 24);
        List<Tensor> outs = new ArrayList<>(List.of(q.dsm(), q.esm(), q.c3(), q.c2Quadrature(), q.c2Closed(), q.sNorm()));
        outs.add(Autodiff.grad(q.dsm(), q.c()));
        outs.add(Autodiff.grad(q.esm(), q.c()));
        outs.add(Autodiff.grad(q.c2Closed(), q.c()));
        outs.add(Autodiff.grad(q.c3(), q.c()));
        double[][] v = Fixtures.eval(outs);
        double c3 = d / (2 * k.sigma() * k.sigma());
        double scale = v[5][0] + v[4][0];
        String what = k + (mlp ? " mlp" : " linear") + " D=" + d;
        Report.check(SECTION, "L_DSM(c) − L_ESM(c) = C3 − C2(c)",
                Math.abs((v[0][0] - c3) - (v[1][0] - v[4][0])) / scale,
                1e-10 + VincentProperties.ROUNDING * c3 / scale, "value " + what);
        Report.check(SECTION, "C2(c) = ½ tr (α²Σ_c + σ²I)⁻¹ (BiasCorrection.c2Gaussian = quadrature)",
                Math.abs(v[3][0] - v[4][0]) / v[4][0], 1e-12, "C2 " + what);
        double[] gd = v[6];
        double[] ge = v[7];
        double[] gc2 = v[8];
        double[] diff = new double[gd.length];
        for (int i = 0; i < gd.length; i++) {
            diff[i] = gd[i] - (ge[i] - gc2[i]);
        }
        double gScale = Fixtures.norm(ge) + Fixtures.norm(gc2) + Fixtures.norm(gd);
        Report.check(SECTION, "∇_c L_DSM = ∇_c L_ESM − ∇_c C2(c)",
                Fixtures.norm(diff) / gScale, 1e-10 + VincentProperties.ROUNDING * c3 / gScale, "gradient " + what);
        Report.check(SECTION, "∇_c C3 = 0", Fixtures.norm(v[9]) / c3, 1e-13, "∇C3 " + what);
    }

    /**
     * Corollary 1's one-dimensional closed forms (THEORY §2, losses without the ½): frozen model
     * {@code s(xt) = −a xt}, {@code a = 1/(1+σ²)}, optimised {@code p_φ = N(μ, s²)}, {@code v = s² + σ²}:
     * {@code DSM = a²(μ²+v) − 2a + 1/σ²}, {@code ESM = a²(μ²+v) − 2a + 1/v}, and their φ-gradients
     * {@code (2a²μ, 2a²s)} and {@code (2a²μ, 2a²s − 2s/v²)} — all against the quadrature losses (×2) and
     * {@code Autodiff.grad}. VE kernel σ ∈ [1.5e-3, 1e2]. Tolerance 1e-11 relative (+ rounding allowance):
     * the rule is exact for these quadratics.
     */
    @Property(tries = 20)
    void corollaryOneClosedFormsInOneDimension(@ForAll @DoubleRange(min = 0, max = 1) double u,
            @ForAll @DoubleRange(min = -3, max = 3) double mu, @ForAll @DoubleRange(min = 0.05, max = 3) double s) {
        Kernel k = Fixtures.kernel(false, u);
        double sg = k.sigma();
        double a = 1 / (1 + sg * sg);
        Tensor phi = Tensor.of(mu, s);
        Tensor[] l = frozenGaussianLosses(phi, sg, false);
        double[][] v = Fixtures.eval(List.of(l[0], l[1], Autodiff.grad(l[0], phi), Autodiff.grad(l[1], phi)));
        double var = s * s + sg * sg;
        double dsm = a * a * (mu * mu + var) - 2 * a + 1 / (sg * sg);
        double esm = a * a * (mu * mu + var) - 2 * a + 1 / var;
        double scale = a * a * (mu * mu + var) + 2 * a + 1 / var;
        double tol = 1e-11 + VincentProperties.ROUNDING / (sg * sg) / scale;
        String st = "DSM(μ,s) = a²(μ²+v) − 2a + 1/σ², ESM(μ,s) = a²(μ²+v) − 2a + 1/v and their gradients";
        Report.check(SECTION, st, Math.abs((2 * v[0][0] - 1 / (sg * sg)) - (dsm - 1 / (sg * sg))) / scale, tol,
                "DSM " + k);
        Report.check(SECTION, st, Math.abs(2 * v[1][0] - esm) / scale, tol, "ESM " + k);
        double[] gd = {2 * a * a * mu, 2 * a * a * s};
        double[] ge = {2 * a * a * mu, 2 * a * a * s - 2 * s / (var * var)};
        double gs = Fixtures.norm(gd) + Fixtures.norm(ge) + 2 * s / (var * var);
        Report.check(SECTION, st, Math.max(Fixtures.maxAbsDiff(scaled(v[2], 2), gd), Fixtures.maxAbsDiff(scaled(v[3], 2), ge)) / gs,
                1e-11 + VincentProperties.ROUNDING / (sg * sg) / gs, "gradients " + k);
    }

    /**
     * Item 3, the bias direction, over {@code p_φ = N(μ, s²)} with the frozen exact model of N(0,1):
     * (i) ESM is minimised at the true distribution: {@code ∇_φ ESM(0, 1) = 0} and its Hessian
     * ({@code Autodiff.hessian}) is positive definite; (ii) DSM keeps falling as s → 0 ({@code ∂DSM/∂s > 0}
     * at every s), so its minimiser over {@code s ≥ s_lo} is {@code s_lo} — and the expected score norm
     * {@code C2} there is strictly higher than at the ESM minimiser; (iii) the bias-aware objective
     * {@code L_DSM + Ĉ2}, {@code Ĉ2(φ) = E_{q_φ}[−½‖s_aux‖² − div s_aux]} with an auxiliary score held fixed at
     * the DSM optimum for q_φ (the exact score, parameters stop-gradient; div by {@code Autodiff.divergence}),
     * has the ESM gradient at every φ (envelope theorem), hence the ESM minimiser. Errors: relative gradient
     * mismatch, tolerance 1e-10 (+ rounding allowance); the inequalities are checked with their margins
     * recorded as "error = −margin".
     */
    @Property(tries = 20)
    void dsmMinimiserCollapsesAndBiasAwareRecoversEsm(@ForAll @DoubleRange(min = 0, max = 1) double u,
            @ForAll @DoubleRange(min = -3, max = 3) double mu, @ForAll @DoubleRange(min = 0.05, max = 3) double s) {
        Kernel k = Fixtures.kernel(false, u);
        double sg = k.sigma();
        String st = "ESM minimised at (0,1); ∂DSM/∂s > 0 (collapse, higher C2); ∇(DSM + Ĉ2) = ∇ESM";
        // (i) at the truth
        Tensor truth = Tensor.of(0.0, 1.0);
        Tensor[] lt = frozenGaussianLosses(truth, sg, true);
        Tensor hess = Autodiff.hessian(lt[1], truth);
        double[][] v0 = Fixtures.eval(List.of(Autodiff.grad(lt[1], truth), hess, lt[3]));
        double curvature = Math.max(Math.abs(v0[1][0]), Math.abs(v0[1][3]));
        Report.check(SECTION, st, Fixtures.norm(v0[0]) / curvature, 1e-10, "∇ESM(0,1) " + k);
        double det = v0[1][0] * v0[1][3] - v0[1][1] * v0[1][2];
        Report.check(SECTION, st, v0[1][0] > 0 && det > 0 ? 0 : 1, 0.5, "Hessian of ESM at (0,1) not PD " + k);
        // (ii) DSM keeps falling with s, and the collapsed distribution has the larger score norm
        Tensor phi = Tensor.of(mu, s);
        Tensor[] l = frozenGaussianLosses(phi, sg, true);
        double[][] v = Fixtures.eval(List.of(Autodiff.grad(l[0], phi), Autodiff.grad(l[1], phi), Autodiff.grad(l[2], phi),
                l[3], lt[3]));
        double dDsmDs = v[0][1];
        Report.check(SECTION, st, dDsmDs > 0 ? 0 : 1, 0.5, "∂DSM/∂s = " + dDsmDs + " not > 0 at s=" + s + " " + k);
        double c2Collapsed = 0.5 / (0.05 * 0.05 + sg * sg);
        double c2Truth = v0[2][0];
        Report.check(SECTION, st, c2Collapsed > c2Truth ? 0 : 1, 0.5, "C2(s_lo) <= C2(1) " + k);
        // (iii) bias-aware gradient = ESM gradient
        double[] diff = new double[2];
        for (int i = 0; i < 2; i++) {
            diff[i] = v[2][i] - v[1][i];
        }
        double gs = Fixtures.norm(v[1]) + Fixtures.norm(v[0]);
        Report.check(SECTION, st, Fixtures.norm(diff) / gs, 1e-10 + VincentProperties.ROUNDING / (sg * sg) / gs,
                "∇biasAware vs ∇ESM " + k);
    }

    private static double[] scaled(double[] a, double f) {
        double[] o = a.clone();
        for (int i = 0; i < o.length; i++) {
            o[i] *= f;
        }
        return o;
    }

    /**
     * [L_DSM, L_ESM, L_DSM + Ĉ2, C2] (with the ½) of {@code p_φ = N(φ0, φ1²)} under the VE kernel σ, frozen
     * model {@code s(x) = −x/(1+σ²)}; ε and xt on exact Gauss–Hermite rules ({@code xt = μ + √v z1},
     * {@code ε = (σ z1 + s z2)/√v}).
     */
    static Tensor[] frozenGaussianLosses(Tensor phi, double sg, boolean withBiasAware) {
        double a = 1 / (1 + sg * sg);
        Tensor mu = phi.slice(0, 0, 1);
        Tensor s = phi.slice(0, 1, 2);
        Tensor var = s.square().add(sg * sg);
        Tensor sd = var.sqrt();
        Rule z1 = Fixtures.standardNormal(1, 6);
        Rule joint = Fixtures.product(z1, Fixtures.standardNormal(1, 2));
        Tensor zz = joint.x();
        Tensor xt = mu.add(zz.slice(1, 0, 1).mul(sd));
        Tensor eps = zz.slice(1, 0, 1).mul(sg).add(zz.slice(1, 1, 2).mul(s)).div(sd);
        Tensor dsm = joint.expect(xt.mul(-a).add(eps.div(sg)).square().sum(-1).mul(0.5));
        Tensor y = mu.add(z1.x().mul(sd));
        Tensor score = y.sub(mu).div(var).neg();
        Tensor esm = z1.expect(y.mul(-a).sub(score).square().sum(-1).mul(0.5));
        Tensor c2 = z1.expect(score.square().sum(-1).mul(0.5));
        Tensor biasAware = dsm;
        if (withBiasAware) {
            Tensor muFixed = mu.stopGradient();
            Tensor varFixed = var.stopGradient();
            Tensor aux = y.sub(muFixed).div(varFixed).neg();          // s_aux(y), parameters frozen
            Tensor div = Autodiff.divergence(aux, y);
            biasAware = dsm.add(z1.expect(aux.square().sum(-1).mul(-0.5).sub(div)));
        }
        return new Tensor[] {dsm, esm, biasAware, c2};
    }
}
