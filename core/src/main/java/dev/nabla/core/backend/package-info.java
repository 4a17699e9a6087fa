/**
 * Where programs run. {@link dev.nabla.core.backend.Backend#reference()} interprets each instruction with scalar
 * loops in double precision and defines the semantics; {@link dev.nabla.core.backend.Backend#simd()} runs the
 * JDK Vector API kernels of {@code backend.simd} (fused elementwise loops compiled to bytecode, the packed
 * GEMM), bit-identical run to run; {@code Backend.named("tornado")} reaches the GPU module where
 * TornadoVM is installed. The float64/float32 kernels are generated from templates at build time
 * ({@code docs/dtype-templates.md}). This package holds what the backends share: the {@code Backend} and
 * {@code Executable} interfaces, {@code CpuExecutable} (one step per instruction, no allocation per run), the
 * reference backend with the scalar definitions ({@code ScalarOps}, {@code ScalarMath}) and {@code Parallel}.
 */
package dev.nabla.core.backend;
