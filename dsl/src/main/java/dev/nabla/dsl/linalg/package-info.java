/**
 * Small dense matrices written with core ops (products, solves, the matrix exponential, Cholesky), so they compile
 * into plans and can be differentiated like everything else.
 */
package dev.nabla.dsl.linalg;
