package dev.nabla.dsl.sde;

/**
 * Argument checks shared by the SDEs and diffusion schedules: the one checker of the times (and integrated
 * noise levels) at which a schedule is evaluated on the host, and positive parameters.
 *
 * <p>An SDE is defined on {@code [0, T]}; a schedule without a horizon ({@link Diffusion#constant},
 * {@link Diffusion#linearBeta}, {@link Diffusion#exponential}) on {@code [0, ∞)}. A time outside, or NaN, is
 * an {@link IllegalArgumentException} naming the object, the method, the value and the range — outside the
 * range the closed forms silently return nonsense (VE's {@code std(1.5)} is 111.8 for σ_max = 5, VP's
 * {@code std(−0.5)} is 0.955). Round-off is forgiven: a time within {@code ROUND_OFF · T} of the range
 * ({@code ROUND_OFF} absolute for {@code [0, ∞)}) is clamped to its end, so {@code n · (T/n)} or a time grid
 * summed step by step from 0 (error a few ulps per step, far below {@code 10⁻¹² T} for any practical number
 * of steps) is accepted, and evaluates exactly at the end point.
 */
final class Times {
    /** Relative distance beyond [0, T] taken as round-off and clamped. */
    static final double ROUND_OFF = 1e-12;

    private Times() {
    }

    /** {@code t} checked against {@code [0, sde.horizon()]} for {@code sde.method(t)}, clamped if round-off. */
    static double check(Sde sde, String method, double t) {
        return check(sde, method, "t", t, sde.horizon());
    }

    /**
     * {@code value} checked against {@code [0, upper]} ({@code upper} may be +∞, which is excluded: values must
     * be finite) for {@code owner.method},
     * clamped to the range if within {@code ROUND_OFF · upper} (or {@code ROUND_OFF} when {@code upper} is
     * infinite) of it. A finite range of a time ({@code name} "t" or "s") is named as the horizon.
     *
     * @param name the argument's name in the message ({@code t}, {@code s}, {@code u})
     */
    static double check(Object owner, String method, String name, double value, double upper) {
        String range = upper == Double.POSITIVE_INFINITY ? "[0, ∞)"
                : name.equals("u") ? "[0, " + upper + "]" : "the horizon [0, T] = [0, " + upper + "]";
        return check(owner, method, name, value, upper, range);
    }

    /** {@link #check(Object, String, String, double, double)} with the range described as {@code range}. */
    static double check(Object owner, String method, String name, double value, double upper, String range) {
        if (value >= 0 && value <= upper && value != Double.POSITIVE_INFINITY) {
            return value;
        }
        boolean unbounded = upper == Double.POSITIVE_INFINITY;
        double slack = ROUND_OFF * (unbounded ? 1 : upper);
        if (value < 0 && value >= -slack) {
            return 0;
        }
        if (value > upper && value <= upper + slack) {
            return upper;
        }
        throw new IllegalArgumentException(owner + "." + method + ": " + name + " = " + value + " is outside "
                + range + ", expected a value in it (within " + ROUND_OFF + (unbounded ? "" : " × " + upper)
                + " of it counts as round-off)");
    }

    /** {@code s} and {@code t} checked for {@code sde.method(s, t)}, and {@code s <= t}; clamped if round-off. */
    static double[] checkPair(Sde sde, String method, double s, double t) {
        double cs = check(sde, method, "s", s, sde.horizon());
        double ct = check(sde, method, "t", t, sde.horizon());
        if (cs > ct) {
            throw new IllegalArgumentException(sde + "." + method + ": s = " + s + " > t = " + t + ", expected s <= t");
        }
        return new double[] {cs, ct};
    }

    static void positive(String what, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(what + " = " + v + ", expected a finite number > 0");
        }
    }
}
