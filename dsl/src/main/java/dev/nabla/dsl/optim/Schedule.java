package dev.nabla.dsl.optim;

import dev.nabla.core.DType;
import dev.nabla.core.Tensor;

/**
 * A learning rate {@code η_s} as a function of the step counter {@code s = 0, 1, 2, …} (the number of updates
 * done before the current one). {@link #at(Tensor)} builds it as graph code on the optimizer's step-counter
 * parameter, so a compiled training step follows the schedule without recompiling; {@link #at(long)} is the
 * same function on the host (same operations in the same order).
 */
public interface Schedule {
    /** {@code η_s} on the host. */
    double at(long step);

    /** {@code η_s} as a float64 scalar tensor of the float64 scalar step counter {@code step}. */
    Tensor at(Tensor step);

    /** {@code η_s = η}. */
    static Schedule constant(double lr) {
        checkRate("constant", "lr", lr);
        return new Schedule() {
            @Override
            public double at(long step) {
                return lr;
            }

            @Override
            public Tensor at(Tensor step) {
                return Tensor.scalar(lr, DType.F64);
            }

            @Override
            public String toString() {
                return "constant(" + lr + ")";
            }
        };
    }

    /** Linear warmup to {@code peak}: {@code η_s = peak · min(1, (s+1)/W)}. */
    static Schedule linearWarmup(double peak, long warmupSteps) {
        checkRate("linearWarmup", "peak", peak);
        checkSteps("linearWarmup", "warmupSteps", warmupSteps);
        double inv = 1.0 / warmupSteps;
        return new Schedule() {
            @Override
            public double at(long step) {
                return Math.min((step + 1.0) * inv, 1.0) * peak;
            }

            @Override
            public Tensor at(Tensor step) {
                return step.add(1).mul(inv).minimum(1).mul(peak);
            }

            @Override
            public String toString() {
                return "linearWarmup(" + peak + ", " + warmupSteps + ")";
            }
        };
    }

    /**
     * Cosine decay (Loshchilov and Hutter 2017, without restarts) from {@code peak} to {@code floor} over
     * {@code T} steps, then constant: {@code η_s = floor + (peak − floor) · ½ (1 + cos(π · min(s, T)/T))}.
     */
    static Schedule cosine(double peak, long decaySteps, double floor) {
        checkRate("cosine", "peak", peak);
        checkSteps("cosine", "decaySteps", decaySteps);
        checkFloor("cosine", peak, floor);
        return warmupCosine0(peak, 0, decaySteps, floor, "cosine(" + peak + ", " + decaySteps + ", " + floor + ")");
    }

    /**
     * Linear warmup for {@code W} steps, then cosine decay to {@code floor} at step {@code total}:
     * {@code η_s = peak (s+1)/W} for {@code s < W}, else
     * {@code floor + (peak − floor) · ½ (1 + cos(π · min(s − W, T − W)/(T − W)))}.
     */
    static Schedule warmupCosine(double peak, long warmupSteps, long totalSteps, double floor) {
        checkRate("warmupCosine", "peak", peak);
        checkSteps("warmupCosine", "warmupSteps", warmupSteps);
        if (totalSteps <= warmupSteps) {
            throw new IllegalArgumentException("warmupCosine: totalSteps = " + totalSteps
                    + ", expected more than warmupSteps = " + warmupSteps);
        }
        checkFloor("warmupCosine", peak, floor);
        return warmupCosine0(peak, warmupSteps, totalSteps, floor,
                "warmupCosine(" + peak + ", " + warmupSteps + ", " + totalSteps + ", " + floor + ")");
    }

    private static Schedule warmupCosine0(double peak, long w, long total, double floor, String name) {
        double span = total - w;
        double piOverSpan = Math.PI / span;
        double half = 0.5 * (peak - floor);
        double invW = w > 0 ? 1.0 / w : 0;
        return new Schedule() {
            @Override
            public double at(long step) {
                if (step < w) {
                    return (step + 1.0) * invW * peak;
                }
                double x = Math.min(step - (double) w, span) * piOverSpan;
                return (Math.cos(x) + 1) * half + floor;
            }

            @Override
            public Tensor at(Tensor step) {
                Tensor decay = step.sub(w).minimum(span).mul(piOverSpan).cos().add(1).mul(half).add(floor);
                if (w == 0) {
                    return decay;
                }
                Tensor warm = step.add(1).mul(invW).mul(peak);
                return Tensor.where(step.lt(w), warm, decay);
            }

            @Override
            public String toString() {
                return name;
            }
        };
    }

    private static void checkRate(String what, String arg, double v) {
        if (!(v >= 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(what + ": " + arg + " = " + v + ", expected a finite number >= 0");
        }
    }

    private static void checkSteps(String what, String arg, long n) {
        if (n < 1) {
            throw new IllegalArgumentException(what + ": " + arg + " = " + n + ", expected >= 1");
        }
    }

    private static void checkFloor(String what, double peak, double floor) {
        if (!(floor >= 0 && floor <= peak)) {
            throw new IllegalArgumentException(what + ": floor = " + floor + ", expected 0 <= floor <= peak = " + peak);
        }
    }
}
