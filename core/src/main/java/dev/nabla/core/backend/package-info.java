/**
 * Where programs run. {@link dev.nabla.core.backend.Backend#reference()} interprets each instruction with scalar
 * loops in double precision and defines the semantics; {@link dev.nabla.core.backend.Backend#simd()} runs the
 * JDK Vector API kernels (fused elementwise loops compiled to bytecode, the packed GEMM of
 * {@code backend.simd}), bit-identical run to run; {@code Backend.named("tornado")} reaches the GPU module where
 * TornadoVM is installed. The float64/float32 kernels are generated from templates at build time
 * ({@code docs/dtype-templates.md}).
 */
package dev.nabla.core.backend;
