/** Toy datasets (rings, grids, moons, checkerboard, swiss roll) and NPY/CSV input and output. */
package dev.nabla.dsl.data;
