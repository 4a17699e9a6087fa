/**
 * {@link dev.nabla.dsl.train.Trainer}: one compiled step (loss, gradient, optimiser update) run over minibatches,
 * with progress, callbacks, NaN rollback and safetensors checkpoints ({@link dev.nabla.dsl.train.Checkpoints}).
 */
package dev.nabla.dsl.train;
