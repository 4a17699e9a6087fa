/**
 * The graph and its transforms — start here. A {@link dev.nabla.core.Tensor} is a lazy node of a graph of
 * primitive ops ({@link dev.nabla.core.Op}, each with its definition and backward rule in its entry) with a static
 * {@link dev.nabla.core.Shape} and {@link dev.nabla.core.DType}; {@link dev.nabla.core.Autodiff} differentiates
 * graphs into graphs ({@code grad}, {@code vjp}, {@code jvp}, {@code hvp}, {@code jacobian}, divergences), to any
 * order; a {@link dev.nabla.core.Plan} compiles roots to a program and runs it on a backend, with inputs set and
 * outputs read as {@link dev.nabla.core.NdArray}s.
 *
 * <pre>{@code
 * Tensor x = Tensor.placeholder("x", Shape.of(3), DType.F64);
 * Tensor y = x.tanh().square().sum();
 * Plan p = Plan.compile(List.of(y, Autodiff.grad(y, x)), Backend.simd());
 * p.set(x, NdArray.of(new double[] {0.1, 0.2, 0.3}, 3)).execute();
 * }</pre>
 *
 * The data flow through the code (graph, transforms, compiler, backends, random) is described in
 * {@code docs/core.md}.
 */
package dev.nabla.core;
