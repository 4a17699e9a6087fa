package dev.nabla.proofs;

import dev.nabla.core.Tensor;
import dev.nabla.dsl.exact.GaussHermite;
import dev.nabla.dsl.exact.GaussianMixture;
import dev.nabla.proofs.Fixtures.Kernel;
import dev.nabla.proofs.Fixtures.Model;
import dev.nabla.proofs.Fixtures.Rule;

/**
 * The score-matching losses of THEORY.md, with the ½, as exact (quadrature) expectations written in graph
 * code, so that {@code Autodiff} differentiates them in the model's parameters or in the data's parameters.
 *
 * <pre>
 *   L_DSM = E_{x0 ~ p} E_{ε} ½‖s(α x0 + σ ε) + ε/σ‖²     (∇log q(xt|x0) = −ε/σ)
 *   L_ESM = E_{xt ~ q} ½‖s(xt) − ∇log q(xt)‖²
 *   C3    = E ½‖ε/σ‖² = D/(2σ²),   C2 = E_q ½‖∇log q‖²
 * </pre>
 */
final class Losses {
    private Losses() {
    }

    /** Quadrature points per axis for x0 and for ε (Gauss–Hermite) in the 1-D mixture case. */
    static final int GH_POINTS_1D = 160;

    /** The pieces of one evaluation, all scalar graphs. */
    record Terms(Tensor dsm, Tensor esm, Tensor c3, Tensor c2, Tensor sNorm) {
    }

    /**
     * 1-D mixture data. DSM: the product rule of the data's per-component Gauss–Hermite grid (x0) and a
     * Gauss–Hermite grid for ε — the definition of DSM as a double integral over (x0, ε). ESM, C2 and
     * E½s²: the trapezoidal rule over xt ({@link Fixtures#trapezoid}) on the exact perturbed density. The two
     * sides share no nodes, so agreement is not built in.
     */
    static Terms mixture1d(GaussianMixture p, Kernel k, Model model) {
        double a = k.alpha();
        double s = k.sigma();
        GaussianMixture q = p.perturbed(a, s);
        Rule joint = Fixtures.product(Rule.of(GaussHermite.mixtureGrid(p, GH_POINTS_1D)),
                Fixtures.standardNormal(1, GH_POINTS_1D));
        Tensor pts = joint.x();
        Tensor x0 = pts.slice(1, 0, 1);
        Tensor eps = pts.slice(1, 1, 2);
        Tensor xt = x0.mul(a).add(eps.mul(s));
        Tensor condScore = eps.div(-s);                              // ∇log q(xt|x0) = −ε/σ
        Tensor dsm = joint.expect(model.apply(xt).sub(condScore).square().sum(-1).mul(0.5));
        Tensor c3 = joint.expect(condScore.square().sum(-1).mul(0.5));
        Rule tr = Fixtures.trapezoid(q);
        Tensor y = tr.x();
        Tensor sy = model.apply(y);
        Tensor score = q.score(y);
        Tensor esm = tr.expect(sy.sub(score).square().sum(-1).mul(0.5));
        Tensor c2 = tr.expect(score.square().sum(-1).mul(0.5));
        Tensor sNorm = tr.expect(sy.square().sum(-1).mul(0.5));
        return new Terms(dsm, esm, c3, c2, sNorm);
    }

    /**
     * Gaussian data N(μ, Σ) in D dims. The joint law of (xt, ε) is Gaussian; it is integrated with xt first:
     * {@code xt = αμ + L_S z1}, {@code ε = σ S⁻¹ L_S z1 + L_R z2} ({@code S = α²Σ + σ²I}, {@code R = I − σ²S⁻¹}
     * = Cov(ε|xt)), z1 on an n-point and z2 on a 2-point Gauss–Hermite grid per axis. The rule is exact in z2
     * (the DSM integrand is a quadratic in ε) and, for a linear model, in z1; for an MLP both losses see the
     * same z1 nodes. ESM on the z1 grid with the exact Gaussian score.
     */
    static Terms gaussian(double[] mu, double[][] sigma, Kernel k, Model model, int n1) {
        int d = mu.length;
        double a = k.alpha();
        double s = k.sigma();
        double[][] sm = Fixtures.scaledPlusIdentity(sigma, a * a, s * s);
        double[][] ls = Fixtures.cholesky(sm);
        double[][] sInv = Fixtures.inverse(sm);
        double[][] r = Fixtures.scaledPlusIdentity(sInv, -s * s, 1);
        double[][] lr = Fixtures.cholesky(r);
        double[][] gain = Fixtures.matmul(sInv, ls); // ε mean = σ S⁻¹ L_S z1
        Rule z1 = Fixtures.standardNormal(d, n1);
        Rule joint = Fixtures.product(z1, Fixtures.standardNormal(d, 2));
        int n = joint.size();
        double[] xt = new double[n * d];
        double[] eps = new double[n * d];
        for (int j = 0; j < n; j++) {
            for (int i = 0; i < d; i++) {
                double x = a * mu[i];
                double e = 0;
                for (int l = 0; l < d; l++) {
                    double u1 = joint.points()[j * 2 * d + l];
                    double u2 = joint.points()[j * 2 * d + d + l];
                    x += ls[i][l] * u1;
                    e += s * gain[i][l] * u1 + lr[i][l] * u2;
                }
                xt[j * d + i] = x;
                eps[j * d + i] = e;
            }
        }
        Tensor xtT = Tensor.of(xt, n, d);
        Tensor condScore = Tensor.of(eps, n, d).div(-s);
        Tensor dsm = joint.expect(model.apply(xtT).sub(condScore).square().sum(-1).mul(0.5));
        Tensor c3 = joint.expect(condScore.square().sum(-1).mul(0.5));
        int m = z1.size();
        double[] y = new double[m * d];
        for (int j = 0; j < m; j++) {
            for (int i = 0; i < d; i++) {
                double x = a * mu[i];
                for (int l = 0; l < d; l++) {
                    x += ls[i][l] * z1.points()[j * d + l];
                }
                y[j * d + i] = x;
            }
        }
        Tensor yT = Tensor.of(y, m, d);
        double[] amu = new double[d];
        for (int i = 0; i < d; i++) {
            amu[i] = a * mu[i];
        }
        Tensor score = yT.sub(Tensor.of(amu)).matmul(Tensor.of(sInv)).neg(); // −S⁻¹(y − αμ), S symmetric
        Tensor sy = model.apply(yT);
        Tensor esm = z1.expect(sy.sub(score).square().sum(-1).mul(0.5));
        Tensor c2 = z1.expect(score.square().sum(-1).mul(0.5));
        Tensor sNorm = z1.expect(sy.square().sum(-1).mul(0.5));
        return new Terms(dsm, esm, c3, c2, sNorm);
    }
}
