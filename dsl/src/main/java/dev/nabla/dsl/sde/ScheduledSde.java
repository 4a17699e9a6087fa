package dev.nabla.dsl.sde;

import dev.nabla.core.Tensor;

import java.util.Objects;
import java.util.Optional;

/**
 * An SDE on {@code [0, T]} whose diffusion coefficient is a {@link Diffusion} schedule: {@code g(t)},
 * {@code ∫_s^t g² = G(t) − G(s)} and the schedule itself (for {@link TimePairs#integral}) come from it, with
 * times checked against the horizon.
 */
public abstract class ScheduledSde implements Sde {
    private final Diffusion g;
    private final double horizon;

    protected ScheduledSde(String what, Diffusion g, double horizon) {
        this.g = Objects.requireNonNull(g, what + ": diffusion");
        Times.positive(what + ": horizon", horizon);
        this.horizon = horizon;
    }

    @Override
    public double horizon() {
        return horizon;
    }

    @Override
    public Tensor diffusion(Tensor t) {
        return g.at(t);
    }

    @Override
    public double diffusion(double t) {
        return g.at(Times.check(this, "diffusion", t));
    }

    @Override
    public double integratedG2(double s, double t) {
        double[] st = Times.checkPair(this, "integratedG2", s, t);
        return g.integral(st[1]) - g.integral(st[0]);
    }

    @Override
    public Tensor integratedG2(Tensor s, Tensor t) {
        return g.integral(t).sub(g.integral(s));
    }

    /** The schedule g, with its integral and inverse. */
    public Diffusion schedule() {
        return g;
    }

    /** {@link #schedule()}: g is a {@link Diffusion}. */
    @Override
    public Optional<Diffusion> diffusionSchedule() {
        return Optional.of(g);
    }
}
