/** Score models: MLPs with time embeddings ({@link dev.nabla.dsl.nn.Mlp}), layers, activations, initialisers. */
package dev.nabla.dsl.nn;
