/** Sample-quality metrics: energy distance and MMD. */
package dev.nabla.dsl.metrics;
