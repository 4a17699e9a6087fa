package dev.nabla.dsl.sample;

/**
 * The adaptive Dormand–Prince 5(4) method (Dormand and Prince 1980; the coefficients of Hairer, Nørsett and
 * Wanner, Solving ODEs I, Table 5.2) with the standard step-size control: the error of the embedded
 * fourth-order solution, scaled by {@code atol + rtol·max(|y|, |y_new|)}, is kept at RMS ≤ 1 and the step
 * follows {@code h ← h · min(5, max(0.2, 0.9·err^{−1/5}))}. Integrates in either direction of time.
 */
public final class Ode {
    private Ode() {
    }

    /** {@code out = F(t, y)}. */
    @FunctionalInterface
    public interface Field {
        void eval(double t, double[] y, double[] out);
    }

    /** The state at the end, with the number of accepted and rejected steps and of field evaluations. */
    public record Result(double[] state, int accepted, int rejected, int evaluations) {
    }

    private static final double[] C = {0, 1.0 / 5, 3.0 / 10, 4.0 / 5, 8.0 / 9, 1, 1};
    private static final double[][] A = {
            {},
            {1.0 / 5},
            {3.0 / 40, 9.0 / 40},
            {44.0 / 45, -56.0 / 15, 32.0 / 9},
            {19372.0 / 6561, -25360.0 / 2187, 64448.0 / 6561, -212.0 / 729},
            {9017.0 / 3168, -355.0 / 33, 46732.0 / 5247, 49.0 / 176, -5103.0 / 18656},
            {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84}};
    private static final double[] B5 = {35.0 / 384, 0, 500.0 / 1113, 125.0 / 192, -2187.0 / 6784, 11.0 / 84, 0};
    private static final double[] B4 = {5179.0 / 57600, 0, 7571.0 / 16695, 393.0 / 640, -92097.0 / 339200,
            187.0 / 2100, 1.0 / 40};

    /** Integrates {@code dy/dt = F(t, y)} from {@code t0} to {@code t1}; {@code y0} is not modified. */
    public static Result dormandPrince(Field f, double[] y0, double t0, double t1, double rtol, double atol) {
        int n = y0.length;
        double[] y = y0.clone();
        double[][] k = new double[7][n];
        double[] tmp = new double[n];
        double[] yNew = new double[n];
        double dir = Math.signum(t1 - t0);
        double span = Math.abs(t1 - t0);
        double h = span / 100;
        double t = t0;
        int accepted = 0;
        int rejected = 0;
        int evals = 0;
        f.eval(t, y, k[0]);
        evals++;
        while (dir * (t1 - t) > 1e-14 * span) {
            h = Math.min(h, Math.abs(t1 - t));
            for (int s = 1; s < 7; s++) {
                for (int i = 0; i < n; i++) {
                    double acc = 0;
                    for (int j = 0; j < s; j++) {
                        acc += A[s][j] * k[j][i];
                    }
                    tmp[i] = y[i] + dir * h * acc;
                }
                f.eval(t + dir * C[s] * h, tmp, k[s]);
                evals++;
            }
            double err = 0;
            for (int i = 0; i < n; i++) {
                double y5 = 0;
                double y4 = 0;
                for (int j = 0; j < 7; j++) {
                    y5 += B5[j] * k[j][i];
                    y4 += B4[j] * k[j][i];
                }
                yNew[i] = y[i] + dir * h * y5;
                double sc = atol + rtol * Math.max(Math.abs(y[i]), Math.abs(yNew[i]));
                double e = h * (y5 - y4) / sc;
                err += e * e;
            }
            err = Math.sqrt(err / n);
            if (!Double.isFinite(err)) {
                throw new ArithmeticException("Dormand–Prince: non-finite error estimate at t = " + t
                        + " (the field returned NaN or infinity)");
            }
            if (err <= 1) {
                t += dir * h;
                System.arraycopy(yNew, 0, y, 0, n);
                System.arraycopy(k[6], 0, k[0], 0, n); // first-same-as-last
                accepted++;
            } else {
                rejected++;
            }
            h *= Math.min(5, Math.max(0.2, 0.9 * Math.pow(Math.max(err, 1e-10), -0.2)));
            if (h < 1e-14 * span) {
                throw new ArithmeticException("Dormand–Prince: step size underflow at t = " + t);
            }
        }
        return new Result(y, accepted, rejected, evals);
    }
}
