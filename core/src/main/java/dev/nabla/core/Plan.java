package dev.nabla.core;

import dev.nabla.core.backend.Backend;
import dev.nabla.core.backend.Executable;
import dev.nabla.core.plan.Program;
import dev.nabla.core.random.Key;

import java.lang.ref.WeakReference;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A compiled graph: compile once, run many times with fresh inputs.
 *
 * <pre>{@code
 * Tensor x = Tensor.placeholder("x", Shape.of(3));
 * Tensor f = x.sin().mul(x).sum();
 * Tensor g = Autodiff.grad(f, x);
 * Plan plan = Plan.compile(List.of(f, g));
 * plan.set(x, 0.1, 0.2, 0.3).execute();
 * double[] grad = plan.get(g).toDoubleArray();
 * }</pre>
 *
 * <p>Compilation simplifies the graph (common subexpressions, symbolic zeros, constant folding), fuses
 * elementwise chains, and assigns buffers once by liveness ({@link Simplifier}, then {@link Lowering}); running allocates nothing.
 * A plan may also update parameters in place ({@link Builder#update}): every update value is computed from
 * the parameters' old values, then all are written — one optimizer step per run.
 *
 * <p>Compiled programs are cached by graph structure: compiling a re-traced graph of the same shape (same ops,
 * shapes, constants and parameters; placeholders matched by position and name) reuses the compiled program.
 * The state of a run — bound inputs, outputs, scratch buffers — belongs to one plan alone: two equal plans
 * (a train-loss and a test-loss plan over one model, say) never see each other's inputs or outputs. A plan
 * that has become unreachable hands its buffers to the next equal plan compiled, so re-tracing and compiling
 * the same graph in a loop does not allocate them again.
 *
 * <p>Arrays returned by {@link #get} are views of this plan's buffers, valid until this plan runs again; if
 * you keep such a view but drop the plan, a later equal plan may take over the buffers, so copy
 * ({@link NdArray#copy}) what you keep beyond the plan's life.
 *
 * <p>Threads: a plan is not thread-safe (its inputs are bound by {@code set} and read by {@code execute}), so
 * use one plan per thread; distinct plans, equal or not, may run at the same time. Parameters are shared by
 * every plan that reads them: a plan that updates a parameter ({@link Builder#update}) must not run while
 * another plan reads or updates that parameter.
 */
public final class Plan {
    private static volatile Backend defaultBackend = parseBackend(System.getProperty("nabla.backend", "simd"));
    private static final Map<List<Object>, Compiled> CACHE = Collections.synchronizedMap(
            new LinkedHashMap<>(16, 0.75f, true) {
                @Override
                protected boolean removeEldestEntry(Map.Entry<List<Object>, Compiled> e) {
                    return size() > 64;
                }
            });

    /**
     * A cached program and the executables loaded for it, each owned by at most one live plan. An executable
     * whose owner has been collected is handed to the next plan that asks for one.
     */
    private static final class Compiled {
        private final Program program;
        private final Backend backend;
        private final NdArray[] storage;
        private final boolean debug;
        private final List<Executable> executables = new ArrayList<>();
        private final List<WeakReference<Plan>> owners = new ArrayList<>();

        Compiled(Program program, Backend backend, NdArray[] storage, boolean debug) {
            this.program = program;
            this.backend = backend;
            this.storage = storage;
            this.debug = debug;
        }

        /** An executable of its own for {@code plan}: a free one if an earlier owner is gone, else a new one. */
        synchronized Executable acquire(Plan plan) {
            for (int i = 0; i < owners.size(); i++) {
                if (owners.get(i).refersTo(null)) {
                    owners.set(i, new WeakReference<>(plan));
                    return executables.get(i);
                }
            }
            Executable e = backend.load(program, storage, debug);
            executables.add(e);
            owners.add(new WeakReference<>(plan));
            return e;
        }
    }

    private final Compiled compiled;
    private final Executable executable;
    private final Set<Tensor> traced;
    private final Backend backend;
    private final Map<Tensor, Integer> inputIndex = new IdentityHashMap<>();
    private final Map<Tensor, Integer> keyIndex = new IdentityHashMap<>();
    private final Map<Tensor, Integer> outputIndex = new IdentityHashMap<>();
    private final List<Tensor> placeholders;
    private final List<Tensor> parameters;
    private final boolean[] bound;

    private Plan(Compiled compiled, Backend backend, Simplifier.Canonical c, List<Tensor> outputs) {
        this.compiled = compiled;
        this.backend = backend;
        this.placeholders = List.copyOf(c.placeholders);
        this.parameters = List.copyOf(c.parameters);
        for (int i = 0; i < c.placeholders.size(); i++) {
            inputIndex.put(c.placeholders.get(i), i);
        }
        for (int i = 0; i < c.keyInputs.size(); i++) {
            keyIndex.put(c.keyInputs.get(i), i);
        }
        for (int i = 0; i < outputs.size(); i++) {
            outputIndex.putIfAbsent(outputs.get(i), i);
        }
        this.bound = new boolean[c.placeholders.size() + c.keyInputs.size()];
        this.traced = c.traced;
        this.executable = compiled.acquire(this);
    }

    // ------------------------------------------------------------------ construction

    /** Compiles {@code outputs} for the default backend ({@link #defaultBackend()}). */
    public static Plan compile(List<Tensor> outputs) {
        return builder().outputs(outputs).build();
    }

    /** Compiles {@code outputs} for {@code backend}. */
    public static Plan compile(List<Tensor> outputs, Backend backend) {
        return builder().outputs(outputs).backend(backend).build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /**
     * The backend used when none is named: {@code simd} unless {@code -Dnabla.backend=reference|simd|simd:N}. In
     * a JVM started without {@code --add-modules jdk.incubator.vector} it is the reference backend, and one
     * warning names the flag.
     */
    public static Backend defaultBackend() {
        return defaultBackend;
    }

    public static void setDefaultBackend(Backend backend) {
        defaultBackend = Objects.requireNonNull(backend, "setDefaultBackend: backend");
    }

    private static Backend parseBackend(String s) {
        if (s.equals("reference")) {
            return Backend.reference();
        }
        if (s.startsWith("simd") && !Backend.vectorApiAvailable()) {
            System.getLogger("dev.nabla").log(System.Logger.Level.WARNING, "nabla: running on the scalar reference "
                    + "backend, much slower: the default backend simd " + Backend.VECTOR_API_MISSING);
            return Backend.reference();
        }
        if (s.equals("simd")) {
            return Backend.simd();
        }
        if (s.startsWith("simd:")) {
            return Backend.simd(Integer.parseInt(s.substring(5)));
        }
        throw new IllegalArgumentException("nabla.backend = '" + s + "', expected reference, simd or simd:<threads>");
    }

    /** Empties the cache of compiled programs. */
    public static void clearCache() {
        CACHE.clear();
    }

    /** Options of a plan: outputs, in-place parameter updates, backend, debug mode. */
    public static final class Builder {
        private final List<Tensor> outputs = new ArrayList<>();
        private final List<Tensor> updateParams = new ArrayList<>();
        private final List<Tensor> updateValues = new ArrayList<>();
        private final List<Tensor> inputs = new ArrayList<>();
        private Backend backend;
        private boolean debug;
        private boolean cache = true;

        private Builder() {
        }

        public Builder outputs(List<Tensor> ts) {
            for (Tensor t : ts) {
                output(t);
            }
            return this;
        }

        public Builder output(Tensor t) {
            Objects.requireNonNull(t, "output");
            if (t.dtype == DType.KEY) {
                throw new IllegalArgumentException("output: " + t + " is a PRNG key, not an array");
            }
            outputs.add(t);
            return this;
        }

        /**
         * Declares placeholders (or key inputs) as inputs of the plan even where its graph does not read them —
         * a gradient that does not depend on x, say — so that one binding loop can serve several plans;
         * binding any other placeholder the graph does not read is an error.
         */
        public Builder inputs(Tensor... placeholders) {
            for (Tensor p : placeholders) {
                if (p.op != Op.PLACEHOLDER && p.op != Op.KEY_INPUT) {
                    throw new IllegalArgumentException("inputs: " + p + " is not a placeholder or key input");
                }
                inputs.add(p);
            }
            return this;
        }

        /** After each run, {@code parameter} takes the value {@code value} had in that run. */
        public Builder update(Tensor parameter, Tensor value) {
            if (parameter.op != Op.PARAMETER) {
                throw new IllegalArgumentException("update: " + parameter + " is not a parameter");
            }
            if (!value.shape.equals(parameter.shape) || value.dtype != parameter.dtype) {
                throw new IllegalArgumentException("update of parameter '" + parameter.name() + "': value has "
                        + value.shape + " " + value.dtype + ", parameter has " + parameter.shape + " " + parameter.dtype);
            }
            if (updateParams.contains(parameter)) {
                throw new IllegalArgumentException("update: parameter '" + parameter.name() + "' is updated twice");
            }
            updateParams.add(parameter);
            updateValues.add(value);
            return this;
        }

        public Builder backend(Backend b) {
            this.backend = Objects.requireNonNull(b, "backend");
            return this;
        }

        /**
         * Debug mode: no fusion, no sharing of compiled programs, and every op's output is checked; the first NaN
         * or infinity throws an {@link ArithmeticException} naming the primitive op; with
         * {@link Tensor#recordCreationSites} on while the graph was built, also the user-level op that made it
         * ({@code div} for the reciprocal inside {@code a.div(b)}), the user's line, and whether it is in the
         * forward pass or in the gradient of which forward op.
         */
        public Builder debug(boolean on) {
            this.debug = on;
            return this;
        }

        /** Whether to share compiled programs between plans of equal structure (default true). */
        public Builder cache(boolean on) {
            this.cache = on;
            return this;
        }

        public Plan build() {
            if (outputs.isEmpty() && updateParams.isEmpty()) {
                throw new IllegalArgumentException("Plan: nothing to compute (no outputs and no updates)");
            }
            Backend b = backend != null ? backend : defaultBackend;
            List<Tensor> roots = new ArrayList<>(outputs);
            roots.addAll(updateValues);
            roots.addAll(updateParams); // so that every updated parameter has storage in the program
            Simplifier.Canonical c = Tensor.compiling(() -> Simplifier.simplify(roots));
            // the trailing parameter roots were only there to register the parameters
            c.roots.subList(outputs.size() + updateValues.size(), c.roots.size()).clear();
            List<Object> key = new ArrayList<>(c.signature);
            key.add(b.name());
            key.add(debug);
            key.add(outputs.size());
            key.addAll(updateParams);
            // a debug plan is compiled afresh: its messages name this graph's nodes, not an equal earlier graph's
            boolean cached = cache && !debug;
            Compiled comp = cached ? CACHE.get(key) : null;
            if (comp == null) {
                Program p = Tensor.compiling(() -> Lowering.lower(c, outputs.size(), updateParams,
                        b.fusesElementwise() && !debug));
                NdArray[] storage = new NdArray[c.parameters.size()];
                for (int i = 0; i < storage.length; i++) {
                    storage[i] = (NdArray) c.parameters.get(i).attr;
                }
                comp = new Compiled(p, b, storage, debug);
                if (cached) {
                    CACHE.put(key, comp);
                }
            }
            c.traced.addAll(inputs);
            return new Plan(comp, b, c, outputs);
        }
    }

    // ------------------------------------------------------------------ running

    /**
     * Binds placeholder {@code x} to a copy of {@code value} (any float dtype; converted to x's). Binding a
     * placeholder that occurs in the plan's graph but that simplification removed (multiplied by zero, say) is
     * allowed and does nothing.
     *
     * @throws IllegalArgumentException if {@code x} does not occur in the graph this plan was compiled from
     *                                  (a typo, or another graph's placeholder) and was not declared by
     *                                  {@link Builder#inputs}, or its shape differs
     */
    public Plan set(Tensor x, NdArray value) {
        if (x.op != Op.PLACEHOLDER) {
            throw new IllegalArgumentException("set: " + x + " is not a placeholder; this plan's inputs are "
                    + names(placeholders));
        }
        if (!value.shape().equals(x.shape)) {
            throw new IllegalArgumentException("set: placeholder '" + x.name() + "' has shape " + x.shape
                    + ", the value has shape " + value.shape());
        }
        Integer i = inputIndex.get(x);
        if (i == null) {
            if (!traced.contains(x)) {
                throw new IllegalArgumentException("set: placeholder '" + x.name() + "' " + x.shape
                        + " does not occur in the graph of this plan; its inputs are " + names(placeholders)
                        + " (declare placeholders a plan may be given but does not read with Plan.Builder.inputs)");
            }
            return this; // in the graph, but simplified away: binding it is harmless
        }
        executable.setInput(i, value);
        bound[i] = true;
        return this;
    }

    /** Binds placeholder {@code x} to {@code values} (row-major, x's number of elements). */
    public Plan set(Tensor x, double... values) {
        if (values.length != x.size()) {
            throw new IllegalArgumentException("set: placeholder '" + x.name() + "' of shape " + x.shape + " needs "
                    + x.size() + " values, got " + values.length);
        }
        return set(x, NdArray.wrap(values, x.shape));
    }

    /** Binds placeholder {@code x} to float32 {@code values}. */
    public Plan set(Tensor x, float... values) {
        if (values.length != x.size()) {
            throw new IllegalArgumentException("set: placeholder '" + x.name() + "' of shape " + x.shape + " needs "
                    + x.size() + " values, got " + values.length);
        }
        return set(x, NdArray.wrap(values, x.shape));
    }

    /** Binds key input {@code k}. */
    public Plan set(Tensor k, Key key) {
        if (k.op != Op.KEY_INPUT) {
            throw new IllegalArgumentException("set: " + k + " is not a key input (Tensor.keyInput)");
        }
        Integer i = keyIndex.get(k);
        if (i == null) {
            if (!traced.contains(k)) {
                throw new IllegalArgumentException("set: key input '" + k.name()
                        + "' does not occur in the graph of this plan");
            }
            return this;
        }
        executable.setKey(i, Objects.requireNonNull(key, "set: key"));
        bound[placeholders.size() + i] = true;
        return this;
    }

    /** Runs the plan on the bound inputs (and updates parameters, if it was built with updates). */
    public Plan execute() {
        for (int i = 0; i < bound.length; i++) {
            if (!bound[i]) {
                throw new IllegalStateException(i < placeholders.size()
                        ? "execute: placeholder '" + placeholders.get(i).name() + "' " + placeholders.get(i).shape
                        + " has no value; bind it with set(...)"
                        : "execute: a key input has no key; bind it with set(keyInput, Key.of(...))");
            }
        }
        synchronized (this) {
            executable.run();
        }
        return this;
    }

    /** The value of {@code output} from the last run: a view, overwritten by this plan's next run (see the class Javadoc). */
    public NdArray get(Tensor output) {
        Integer i = outputIndex.get(output);
        if (i == null) {
            throw new IllegalArgumentException("get: " + output + " is not an output of this plan");
        }
        return executable.output(i);
    }

    /** Binds every entry ({@link NdArray}, double[], float[] or {@link Key}), runs, and returns the outputs. */
    public Results run(Map<Tensor, ?> inputs) {
        for (Map.Entry<Tensor, ?> e : inputs.entrySet()) {
            Object v = e.getValue();
            switch (v) {
                case NdArray a -> set(e.getKey(), a);
                case double[] d -> set(e.getKey(), d);
                case float[] f -> set(e.getKey(), f);
                case Key k -> set(e.getKey(), k);
                default -> throw new IllegalArgumentException("run: value for " + e.getKey() + " is a "
                        + v.getClass().getSimpleName() + ", expected NdArray, double[], float[] or Key");
            }
        }
        execute();
        return new Results(this);
    }

    /** The outputs of one run (views; see {@link #get}). */
    public record Results(Plan plan) {
        public NdArray get(Tensor output) {
            return plan.get(output);
        }
    }

    /** The placeholders this plan reads, in binding order. */
    public List<Tensor> placeholders() {
        return placeholders;
    }

    /** The parameters this plan reads or updates. */
    public List<Tensor> parameters() {
        return parameters;
    }

    /** The compiled program (for inspection and for other backends). */
    public Program program() {
        return compiled.program;
    }

    public Backend backend() {
        return backend;
    }

    private static String names(List<Tensor> ts) {
        List<String> n = new ArrayList<>();
        for (Tensor t : ts) {
            n.add("'" + t.name() + "' " + t.shape);
        }
        return n.toString();
    }
}
