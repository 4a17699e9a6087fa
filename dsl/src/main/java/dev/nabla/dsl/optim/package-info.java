/** Optimisers compiled into the training step: Adam, SGD, gradient clipping, learning-rate schedules, EMA. */
package dev.nabla.dsl.optim;
