/**
 * Counter-based random numbers: {@link dev.nabla.core.random.Key} (JAX-style fold and split) and Philox4x32-10
 * streams, whose element i depends on (key, i) alone, so results are the same on every backend and thread count.
 */
package dev.nabla.core.random;
