package dev.nabla.dsl.nn;

import dev.nabla.core.Tensor;
import dev.nabla.dsl.ScoreFunction;
import dev.nabla.dsl.sde.LinearSde;
import dev.nabla.dsl.sde.Sde;

import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * A score model conditioned on, and scaled by, the noise level: {@code s(y, t) = net(y, σ_t) / σ_t}
 * (score_sde's {@code scale_by_sigma}; the output scaling of Karras et al. 2022). The true score of a
 * perturbed density is of order {@code 1/σ_t} near the data, so the raw network only has to produce values of
 * order one, and it sees the noise level — not the time — so the many decades of σ near t = 0 are resolved
 * (build the net with {@link TimeInput#LOG} to feed it {@code log σ_t}).
 *
 * <p>{@code σ_t} is the standard deviation {@code std(t)} of the SDE's {@link Sde#gaussianKernel() Gaussian
 * kernel} (every {@link LinearSde}'s) and, for an SDE without one, the noise injected up to t,
 * {@code σ_t = √(∫_0^t g²)} — the transition's scale at small t for the nonlinear processes of 2407.07998 as
 * well (their drift adds no noise).
 *
 * <p>{@link #residual} adds the prior's score, {@code s(y, t) = ∇log π(y) + net(y, σ_t)/σ_t}, for forward
 * processes that converge to a non-Gaussian prior π (the Langevin diffusions of 2407.07998 §4). Their
 * probability-flow ODE {@code dy/dt = ½g²(∇log π − s)} run backwards expands at the rate of π's curvature
 * (e.g. {@code ½g²/s_k²} inside a mixture component of std {@code s_k}) unless s cancels ∇log π; with the
 * residual form the cancellation is exact, the network learns only {@code ∇log q_t − ∇log π}, which vanishes
 * as {@code q_t → π}, and a sample that strays from the data is not thrown to infinity by a small error in
 * the network's extrapolation.
 *
 * @param <M> the wrapped network
 */
public final class ScaledScore<M extends ScoreFunction & Module> implements ScoreFunction, Module {
    private final Sde sde;
    private final M net;
    private final boolean residual;

    private ScaledScore(Sde sde, M net, boolean residual) {
        this.sde = Objects.requireNonNull(sde, "ScaledScore: sde");
        this.net = Objects.requireNonNull(net, "ScaledScore: net");
        this.residual = residual;
        net.inputDimension().ifPresent(d -> sde.checkDimension("ScaledScore: the net's input", d));
    }

    /** Wraps {@code net}, a network {@code (y, σ) → R^D}, as the score {@code net(y, σ_t)/σ_t} of {@code sde}. */
    public static <M extends ScoreFunction & Module> ScaledScore<M> of(Sde sde, M net) {
        return new ScaledScore<>(sde, net, false);
    }

    /** Wraps {@code net} as the score {@code ∇log π(y) + net(y, σ_t)/σ_t}, π the SDE's prior. */
    public static <M extends ScoreFunction & Module> ScaledScore<M> residual(Sde sde, M net) {
        return new ScaledScore<>(sde, net, true);
    }

    /** {@code σ_t} for times {@code t [B, 1]}. */
    public Tensor sigma(Tensor t) {
        return sde.gaussianKernel().map(k -> k.std(t)).orElseGet(() -> sde.integratedG2(t.mul(0), t).sqrt());
    }

    @Override
    public Tensor apply(Tensor y, Tensor t) {
        Tensor sigma = sigma(t);
        Tensor scaled = net.apply(y, sigma).div(sigma);
        return residual ? scaled.add(sde.prior().score(y)) : scaled;
    }

    /** The wrapped network. */
    public M net() {
        return net;
    }

    @Override
    public List<Tensor> parameters() {
        return net.parameters();
    }

    @Override
    public List<Tensor> buffers() {
        return net.buffers();
    }

    @Override
    public OptionalInt inputDimension() {
        return net.inputDimension();
    }

    @Override
    public String toString() {
        return "ScaledScore(" + (residual ? "∇log π + " : "") + net + ", σ_t of " + sde + ")";
    }
}
