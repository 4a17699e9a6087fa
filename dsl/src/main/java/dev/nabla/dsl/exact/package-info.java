/**
 * Exact references to test against: Gaussian mixtures with their noised marginal scores and densities
 * ({@link dev.nabla.dsl.exact.GaussianMixture#marginalScore}), Fisher traces and optimal weights, Gauss–Hermite
 * quadrature, Kolmogorov moments.
 */
package dev.nabla.dsl.exact;
