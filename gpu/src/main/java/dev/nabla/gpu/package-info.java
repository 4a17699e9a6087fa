/**
 * The TornadoVM backend ({@link dev.nabla.gpu.Gpu#tornado()}, {@code Backend.named("tornado")}), built where
 * TornadoVM is installed; elsewhere selecting it says what to install.
 */
package dev.nabla.gpu;
