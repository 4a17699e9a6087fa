package dev.nabla.dsl.sde;

/** Argument checks shared by the SDEs: times inside the horizon, positive parameters. */
final class Times {
    private Times() {
    }

    static double check(Sde sde, double t) {
        if (!(t >= 0 && t <= sde.horizon())) {
            throw new IllegalArgumentException(sde + ": t = " + t + " is outside the horizon [0, " + sde.horizon() + "]");
        }
        return t;
    }

    static void checkPair(Sde sde, double s, double t) {
        check(sde, s);
        check(sde, t);
        if (s > t) {
            throw new IllegalArgumentException(sde + ": s = " + s + " > t = " + t + ", expected s <= t");
        }
    }

    static void positive(String what, double v) {
        if (!(v > 0) || !Double.isFinite(v)) {
            throw new IllegalArgumentException(what + " = " + v + ", expected a finite number > 0");
        }
    }
}
