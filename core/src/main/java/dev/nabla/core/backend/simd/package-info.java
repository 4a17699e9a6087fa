/**
 * The Vector API backend ({@code Backend.simd()}): {@code SimdBackend} runs each instruction with the kernels of
 * {@code SimdF64}/{@code SimdF32} (generated at build time from {@code Simd-X.java.template}), fused elementwise
 * loops compiled to bytecode by {@code SimdCodegen}, strided copies as merged loop nests ({@code StridedCopy}),
 * the packed register-tiled GEMM ({@code Gemm}, generated from its template), transcendentals as fixed IEEE
 * sequences ({@code VectorMath}, the lane-wise twins of {@code backend.ScalarMath}) and the Philox streams
 * ({@code SimdRandom}). Results are bit-identical run to run and to the scalar definitions where those are exact.
 * Loading this package needs {@code --add-modules jdk.incubator.vector}; nothing outside it does.
 */
package dev.nabla.core.backend.simd;
