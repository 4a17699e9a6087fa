/**
 * The backend-neutral program a {@link dev.nabla.core.Plan} compiles to: buffer slots, fused elementwise
 * expressions ({@link dev.nabla.core.plan.Expr}), instructions ({@link dev.nabla.core.plan.Instr}) and strided
 * layouts ({@link dev.nabla.core.plan.View}). Backends read it; users rarely need it, except to inspect what a plan
 * does.
 */
package dev.nabla.core.plan;
