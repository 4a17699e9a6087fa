/**
 * Sampling and likelihood from a score: reverse-SDE Euler–Maruyama, predictor–corrector, the probability-flow ODE
 * (fixed-step and adaptive RK45) and its log-likelihood ({@link dev.nabla.dsl.sample.Likelihood}).
 */
package dev.nabla.dsl.sample;
