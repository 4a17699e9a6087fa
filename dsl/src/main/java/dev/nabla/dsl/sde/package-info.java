/**
 * Forward SDEs {@code dy = f(y, t) dt + g(t) dW}: the linear ones with closed-form Gaussian kernels
 * ({@link dev.nabla.dsl.sde.VarianceExploding}, {@link dev.nabla.dsl.sde.VariancePreserving},
 * {@link dev.nabla.dsl.sde.SubVariancePreserving}, {@link dev.nabla.dsl.sde.OrnsteinUhlenbeck}), nonlinear ones
 * ({@link dev.nabla.dsl.sde.LangevinSde}, {@link dev.nabla.dsl.sde.CustomSde}) with transitions linearised by
 * autodiff ({@link dev.nabla.dsl.sde.LinearizedTransition}), diffusion schedules and time-pair schedulers.
 */
package dev.nabla.dsl.sde;
