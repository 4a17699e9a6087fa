/**
 * Training objectives — DSM, ESM, ISM, sliced score matching, local-DSM, the bias correction of input optimisation —
 * and their weightings ({@link dev.nabla.dsl.objectives.Weighting}); each is an {@link dev.nabla.dsl.Objective}, and
 * a {@link dev.nabla.dsl.objectives.TimedObjective} can also be evaluated at given times.
 */
package dev.nabla.dsl.objectives;
