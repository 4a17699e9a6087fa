package dev.nabla.dsl.nn;

import dev.nabla.core.Tensor;

import java.util.List;

/** Something with trainable parameters ({@link Tensor#parameter} nodes), in a fixed order with unique names. */
public interface Module {
    List<Tensor> parameters();
}
