package dev.nabla.proofs;

import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

/**
 * Opens a {@link Report} row before each property and closes it with the number of tries and the verdict
 * after it; registered on every properties class with {@code @AddLifecycleHook(ReportHook.class)}.
 */
public final class ReportHook implements AroundPropertyHook {
    /** Applies to every property below the annotated class (nested containers included). */
    @Override
    public PropagationMode propagateTo() {
        return PropagationMode.ALL_DESCENDANTS;
    }

    @Override
    public PropertyExecutionResult aroundProperty(PropertyLifecycleContext context, PropertyExecutor property) {
        String name = context.containerClass().getSimpleName() + "." + context.targetMethod().getName();
        Report.begin(name);
        PropertyExecutionResult result = property.execute();
        boolean passed = result.status() == PropertyExecutionResult.Status.SUCCESSFUL;
        Report.end(result.countTries(), passed, result.throwable().map(Throwable::getMessage).orElse(null));
        return result;
    }
}
