package dev.nabla.dsl.optim;

import dev.nabla.core.Autodiff;
import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Plan;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The optimizers against hand-written recurrences. The gradient is fed through a placeholder {@code G}: the
 * loss {@code Σ θ·G} has gradient exactly {@code G}, so each step's update can be recomputed on the host.
 */
class OptimizerTest {
    static final double[] P0 = {0.5, -1.25, 2.0, 0.0};
    static final double[][] GRADS = {{0.1, -0.3, 2.5, 1e-3}, {-0.2, 0.4, 1.5, -2e-3}, {0.05, 0.0, -3.0, 7.0}};

    /** A plan that applies {@code opt} to parameter "p" with gradient placeholder "G" (loss Σ p·G). */
    record Rig(Tensor p, Tensor g, Plan plan) {
        void step(double[] grad) {
            plan.set(g, grad).execute();
        }

        double[] value() {
            return p.value().toDoubleArray();
        }
    }

    static Rig rig(Optimizer opt, double[] p0, Ema ema) {
        Tensor p = Tensor.parameter("p", NdArray.of(p0));
        Tensor g = Tensor.placeholder("G", Shape.of(p0.length));
        Tensor loss = p.mul(g).sum();
        List<Tensor> ps = List.of(p);
        Map<Tensor, Tensor> ups = opt.updates(ps, Autodiff.grad(loss, ps));
        Plan.Builder b = Plan.builder().output(loss);
        ups.forEach(b::update);
        if (ema != null) {
            ema.apply(b, ups);
        }
        return new Rig(p, g, b.build());
    }

    static void assertClose(double[] expect, double[] actual, double rel) {
        assertEquals(expect.length, actual.length);
        for (int i = 0; i < expect.length; i++) {
            assertEquals(expect[i], actual[i], rel * Math.max(1, Math.abs(expect[i])), "element " + i);
        }
    }

    @Test
    void adamStepsEqualHandComputedSteps() {
        for (double wd : new double[] {0, 0.1}) {
            double lr = 0.01;
            double b1 = 0.9;
            double b2 = 0.999;
            double eps = 1e-8;
            Adam adam = new Adam(lr).betas(b1, b2).eps(eps).weightDecay(wd);
            Rig r = rig(adam, P0, null);
            double[] p = P0.clone();
            double[] m = new double[P0.length];
            double[] v = new double[P0.length];
            for (int t = 1; t <= GRADS.length; t++) {
                double[] g = GRADS[t - 1];
                r.step(g);
                for (int i = 0; i < p.length; i++) {
                    m[i] = b1 * m[i] + (1 - b1) * g[i];
                    v[i] = b2 * v[i] + (1 - b2) * g[i] * g[i];
                    double mHat = m[i] / (1 - Math.pow(b1, t));
                    double vHat = v[i] / (1 - Math.pow(b2, t));
                    p[i] = p[i] - lr * (mHat / (Math.sqrt(vHat) + eps) + wd * p[i]);
                }
                assertClose(p, r.value(), 1e-15);
                assertClose(m, adam.firstMoment(0).value().toDoubleArray(), 1e-15);
                assertClose(v, adam.secondMoment(0).value().toDoubleArray(), 1e-15);
                assertEquals(t, adam.steps());
            }
        }
    }

    @Test
    void adamMinimisesAQuadratic() {
        double[] a = {1, 10, 0.1, 3};
        double[] c = {1, -2, 0.5, 3};
        Tensor p = Tensor.parameter("theta", NdArray.of(new double[4]));
        Tensor loss = p.sub(Tensor.of(c)).square().mul(Tensor.of(a)).sum().mul(0.5);
        Adam adam = new Adam(Schedule.cosine(0.1, 3000, 1e-4));
        Plan.Builder b = Plan.builder().output(loss);
        adam.apply(b, List.of(p), Autodiff.grad(loss, List.of(p)));
        Plan plan = b.build();
        for (int s = 0; s < 3000; s++) {
            plan.execute();
        }
        assertClose(c, p.value().toDoubleArray(), 1e-4);
        assertTrue(plan.execute().get(loss).item() < 1e-8);
    }

    @Test
    void adamOnFloat32Parameters() {
        Tensor p = Tensor.parameter("w", NdArray.of(new float[] {1f, -2f}));
        Tensor loss = p.square().sum();
        Adam adam = new Adam(0.1);
        Plan.Builder b = Plan.builder().output(loss);
        adam.apply(b, List.of(p), Autodiff.grad(loss, List.of(p)));
        Plan plan = b.build();
        for (int s = 0; s < 300; s++) {
            plan.execute();
        }
        assertEquals(DType.F32, adam.firstMoment(0).dtype());
        assertTrue(Math.abs(p.value().getFlat(0)) < 0.05 && Math.abs(p.value().getFlat(1)) < 0.05, p.value().toString());
    }

    @Test
    void sgdWithMomentumMatchesTheRecurrence() {
        for (boolean nesterov : new boolean[] {false, true}) {
            double lr = 0.1;
            double mu = 0.8;
            double wd = 0.01;
            Sgd sgd = (nesterov ? new Sgd(lr).nesterov(mu) : new Sgd(lr).momentum(mu)).weightDecay(wd);
            Rig r = rig(sgd, P0, null);
            double[] p = P0.clone();
            double[] buf = new double[P0.length];
            for (double[] g : GRADS) {
                r.step(g);
                for (int i = 0; i < p.length; i++) {
                    double d = g[i] + wd * p[i];
                    buf[i] = mu * buf[i] + d;
                    p[i] -= lr * (nesterov ? d + mu * buf[i] : buf[i]);
                }
                assertClose(p, r.value(), 1e-15);
            }
        }
        // plain SGD has no buffer: only the step counter
        Sgd plain = new Sgd(0.5);
        Rig r = rig(plain, P0, null);
        r.step(GRADS[0]);
        assertEquals(List.of("sgd.step"), plain.state().stream().map(Tensor::name).toList());
        for (int i = 0; i < P0.length; i++) {
            assertEquals(P0[i] - 0.5 * GRADS[0][i], r.value()[i], 1e-15);
        }
    }

    @Test
    void clippingCapsTheGlobalNorm() {
        Clip clip = Clip.byGlobalNorm(1.0, new Sgd(1.0));
        Rig r = rig(clip, new double[] {0, 0}, null);
        r.step(new double[] {3, 4}); // norm 5: scaled to norm 1
        assertClose(new double[] {-0.6, -0.8}, r.value(), 1e-15);
        assertEquals(5, clip.lastNorm(), 1e-15);
        r.step(new double[] {0.3, 0.4}); // norm 0.5: unchanged
        assertClose(new double[] {-0.9, -1.2}, r.value(), 1e-15);
        assertEquals(0.5, clip.lastNorm(), 1e-15);
        assertEquals(2, clip.steps());
        assertTrue(clip.state().stream().anyMatch(t -> t.name().equals("clip.grad_norm")));

        // over several parameters the norm is global
        Tensor a = Tensor.parameter("a", NdArray.of(new double[1]));
        Tensor b = Tensor.parameter("b", NdArray.of(new double[1]));
        Tensor loss = a.mul(6).add(b.mul(8)).sum();
        Clip c2 = Clip.byGlobalNorm(2.0, new Sgd(1.0));
        Plan.Builder pb = Plan.builder().output(loss);
        c2.apply(pb, List.of(a, b), Autodiff.grad(loss, List.of(a, b)));
        pb.build().execute();
        assertEquals(-1.2, a.value().getFlat(0), 1e-15);
        assertEquals(-1.6, b.value().getFlat(0), 1e-15);
    }

    @Test
    void scheduleValues() {
        Schedule c = Schedule.constant(0.3);
        assertEquals(0.3, c.at(0));
        assertEquals(0.3, c.at(1_000_000));
        Schedule w = Schedule.linearWarmup(1.0, 4);
        assertEquals(0.25, w.at(0), 1e-16);
        assertEquals(0.5, w.at(1), 1e-16);
        assertEquals(1.0, w.at(3), 1e-16);
        assertEquals(1.0, w.at(100), 1e-16);
        Schedule cos = Schedule.cosine(1.0, 10, 0.1);
        assertEquals(1.0, cos.at(0), 1e-15);
        assertEquals(0.55, cos.at(5), 1e-15);
        assertEquals(0.1, cos.at(10), 1e-15);
        assertEquals(0.1, cos.at(50), 1e-15);
        assertEquals(0.1 + 0.45 * (1 + Math.cos(Math.PI * 0.3)), cos.at(3), 1e-15);
        Schedule wc = Schedule.warmupCosine(2.0, 4, 14, 0);
        assertEquals(0.5, wc.at(0), 1e-15);
        assertEquals(2.0, wc.at(3), 1e-15);
        assertEquals(2.0, wc.at(4), 1e-15);
        assertEquals(1.0, wc.at(9), 1e-15);
        assertEquals(0.0, wc.at(14), 1e-15);

        // the in-graph schedules agree with the host ones
        Tensor step = Tensor.placeholder("s", Shape.scalar());
        for (Schedule s : List.of(c, w, cos, wc)) {
            Tensor lr = s.at(step);
            Plan plan = Plan.builder().output(lr).inputs(step).build(); // a constant schedule does not read the step
            for (long k = 0; k < 20; k++) {
                plan.set(step, (double) k).execute();
                assertEquals(s.at(k), plan.get(lr).item(), 1e-15, s + " at " + k);
            }
        }
        assertThrows(IllegalArgumentException.class, () -> Schedule.linearWarmup(1, 0));
        assertThrows(IllegalArgumentException.class, () -> Schedule.cosine(1, 10, 2));
        assertThrows(IllegalArgumentException.class, () -> Schedule.warmupCosine(1, 10, 10, 0));
        assertThrows(IllegalArgumentException.class, () -> Schedule.constant(Double.NaN));
    }

    @Test
    void schedulesRunInsideThePlan() {
        Schedule s = Schedule.warmupCosine(1.0, 3, 10, 0.1);
        Sgd sgd = new Sgd(s);
        Rig r = rig(sgd, new double[] {0}, null);
        double p = 0;
        for (int k = 0; k < 12; k++) {
            r.step(new double[] {1});
            p -= s.at(k);
            assertEquals(p, r.value()[0], 1e-14, "step " + k);
        }
    }

    @Test
    void emaFollowsItsRecurrence() {
        double decay = 0.9;
        Tensor probe = Tensor.parameter("p", NdArray.of(P0));
        Ema ema = Ema.of(List.of(probe), decay);
        // Ema.of copies the initial values
        assertEquals(NdArray.of(P0), ema.value(probe));
        // a rig with its own parameter: build the Ema on it
        Sgd sgd = new Sgd(0.1).momentum(0.5);
        Tensor p = Tensor.parameter("p", NdArray.of(P0));
        Tensor g = Tensor.placeholder("G", Shape.of(P0.length));
        Tensor loss = p.mul(g).sum();
        Ema avg = Ema.of(List.of(p), decay);
        Plan.Builder b = Plan.builder().output(loss);
        Map<Tensor, Tensor> ups = sgd.updates(List.of(p), Autodiff.grad(loss, List.of(p)));
        ups.forEach(b::update);
        avg.apply(b, ups);
        Plan plan = b.build();
        double[] shadow = P0.clone();
        for (double[] grad : GRADS) {
            plan.set(g, grad).execute();
            double[] now = p.value().toDoubleArray();
            for (int i = 0; i < shadow.length; i++) {
                shadow[i] = decay * shadow[i] + (1 - decay) * now[i];
            }
            assertClose(shadow, avg.value(p).toDoubleArray(), 1e-15);
        }
        assertEquals("ema.p", avg.parameters().getFirst().name());
        Tensor target = Tensor.parameter("q", NdArray.of(new double[P0.length]));
        avg.copyTo(() -> List.of(target));
        assertEquals(avg.value(p), target.value());
        assertThrows(IllegalArgumentException.class, () -> Ema.of(List.of(p), 1.0));
    }

    @Test
    void stateNamesAndBinding() {
        Adam adam = new Adam(1e-3);
        Tensor w = Tensor.parameter("w", NdArray.of(new double[3]));
        Tensor b = Tensor.parameter("b", NdArray.of(new double[1]));
        adam.init(List.of(w, b));
        List<String> names = new ArrayList<>();
        adam.state().forEach(t -> names.add(t.name()));
        assertEquals(List.of("adam.step", "adam.beta1_power", "adam.beta2_power", "adam.m.w", "adam.m.b",
                "adam.v.w", "adam.v.b"), names);
        adam.init(List.of(w, b)); // same list: fine
        assertThrows(IllegalStateException.class, () -> adam.init(List.of(w)));
        assertThrows(IllegalStateException.class, () -> adam.betas(0.5, 0.5));
        var e = assertThrows(IllegalArgumentException.class, () -> new Adam(1e-3).betas(1.0, 0.9));
        assertTrue(e.getMessage().contains("beta1 = 1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Adam(-1));
        assertTrue(e.getMessage().contains("lr = -1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Sgd(0.1).momentum(1));
        assertTrue(e.getMessage().contains("mu = 1.0"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Clip.byGlobalNorm(0, new Sgd(1)));
        assertTrue(e.getMessage().contains("maxNorm = 0.0"), e.getMessage());
        Tensor notParam = Tensor.placeholder("x", Shape.of(1));
        e = assertThrows(IllegalArgumentException.class, () -> new Sgd(1).init(List.of(notParam)));
        assertTrue(e.getMessage().contains("params[0]"), e.getMessage());
        Tensor dup = Tensor.parameter("w", NdArray.of(new double[1]));
        e = assertThrows(IllegalArgumentException.class, () -> new Sgd(1).init(List.of(w, dup)));
        assertTrue(e.getMessage().contains("'w'"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> new Sgd(1).updates(List.of(w), List.of(Tensor.zeros(2))));
        assertTrue(e.getMessage().contains("grads[0] has shape [2]"), e.getMessage());
    }
}
