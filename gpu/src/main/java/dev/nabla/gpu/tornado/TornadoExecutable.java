package dev.nabla.gpu.tornado;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Op;
import dev.nabla.core.Shape;
import dev.nabla.core.backend.Executable;
import dev.nabla.core.plan.Expr;
import dev.nabla.core.plan.Instr;
import dev.nabla.core.plan.Program;
import dev.nabla.core.plan.View;
import dev.nabla.core.random.Key;
import uk.ac.manchester.tornado.api.GridScheduler;
import uk.ac.manchester.tornado.api.ImmutableTaskGraph;
import uk.ac.manchester.tornado.api.KernelContext;
import uk.ac.manchester.tornado.api.TaskGraph;
import uk.ac.manchester.tornado.api.TornadoExecutionPlan;
import uk.ac.manchester.tornado.api.TornadoExecutionResult;
import uk.ac.manchester.tornado.api.WorkerGrid;
import uk.ac.manchester.tornado.api.WorkerGrid1D;
import uk.ac.manchester.tornado.api.WorkerGrid3D;
import uk.ac.manchester.tornado.api.common.TornadoDevice;
import uk.ac.manchester.tornado.api.enums.DataTransferMode;
import uk.ac.manchester.tornado.api.enums.TornadoVMBackendType;
import uk.ac.manchester.tornado.api.types.arrays.DoubleArray;
import uk.ac.manchester.tornado.api.types.arrays.FloatArray;
import uk.ac.manchester.tornado.api.types.arrays.IntArray;
import uk.ac.manchester.tornado.api.types.arrays.LongArray;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashMap;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A program on a TornadoVM device. Every buffer slot is one device array ({@code DoubleArray} or
 * {@code FloatArray}); every instruction becomes one task (a fused elementwise kernel, a tiled matmul, a
 * local-memory reduction, a strided copy, a cast, a copy or a Philox kernel) of one task graph, executed once per
 * {@link #run()}.
 *
 * <p>Data movement: inputs and the run's PRNG keys go to the device at every run; constants and work buffers
 * once; outputs come back only when {@link #output} asks for them. Parameters (and the optimizer state, which
 * the plan holds as parameters too) live on the device: a second task graph uploads them, and runs only when the
 * host copy changed, which {@link NdArray#residesOn} tracks: after each run every parameter is marked as held
 * here, any host access brings it back first, and the next run uploads it again.
 */
final class TornadoExecutable implements Executable {
    private static final AtomicLong IDS = new AtomicLong();

    private final Program program;
    private final boolean debug;
    private final Object[] dev;
    private final long[] keys;
    private final LongArray deviceKeys;
    private final NdArray[] parameters;
    private final Object[] parameterArrays;
    private final NdArray.DeviceCopy[] residences;
    private final NdArray[] outputs;
    private final boolean[] fetched;
    private final TornadoExecutionPlan plan;
    /** Index of the first graph of the step (1 when graph 0 uploads the parameters). */
    private final int firstStepGraph;
    /** The latest result of each graph. */
    private TornadoExecutionResult[] results;
    /** For each device array, the graph whose result brings it back (the last one that touched it). */
    private final Map<Object, Integer> home = new IdentityHashMap<>();
    /** Tasks per task graph, and distinct buffers: well inside TornadoVM's 1024 nodes per graph. */
    static int MAX_TASKS_PER_GRAPH = Integer.getInteger("nabla.tornado.tasksPerGraph", 32);
    static final int MAX_BUFFERS_PER_GRAPH = 160;
    private final List<Set<Object>> taskArgs = new ArrayList<>();
    private final List<String> taskIds = new ArrayList<>();
    private final Map<String, WorkerGrid> taskGrids = new HashMap<>();

    private final GridScheduler grids = new GridScheduler();
    /** The task-graph calls, made after the transfers are declared. */
    private final List<Consumer<TaskGraph>> pending = new ArrayList<>();
    /** Every array some task reads or writes. */
    private final Set<Object> used = Collections.newSetFromMap(new IdentityHashMap<>());
    private final String stepName;

    TornadoExecutable(Program program, NdArray[] parameters, boolean debug, TornadoDevice device) {
        this.program = program;
        this.debug = debug;
        long id = IDS.incrementAndGet();
        stepName = "nabla" + id;
        String loadName = "nabla" + id + "load";
        List<Program.Slot> slots = program.slots();
        dev = new Object[slots.size()];
        for (int s = 0; s < dev.length; s++) {
            dev[s] = allocate(slots.get(s).dtype(), slots.get(s).capacity());
        }
        for (Program.ConstantSlot c : program.constants()) {
            upload(c.value(), dev[c.slot()]);
        }
        keys = program.initialKeys();
        deviceKeys = new LongArray(Math.max(1, keys.length));

        this.parameters = new NdArray[program.parameters().size()];
        parameterArrays = new Object[this.parameters.length];
        residences = new NdArray.DeviceCopy[this.parameters.length];
        Set<Object> paramSet = Collections.newSetFromMap(new IdentityHashMap<>());
        for (int i = 0; i < this.parameters.length; i++) {
            Program.ParameterSlot p = program.parameters().get(i);
            NdArray host = parameters[p.index()];
            this.parameters[i] = host;
            Object arr = dev[p.slot()];
            parameterArrays[i] = arr;
            paramSet.add(arr);
            residences[i] = () -> {
                fetch(arr);
                download(arr, host);
            };
        }
        Set<Object> inputSet = Collections.newSetFromMap(new IdentityHashMap<>());
        for (Program.InputSlot in : program.inputs()) {
            inputSet.add(dev[in.slot()]);
        }

        for (Instr in : program.instrs()) {
            lower(in);
        }
        pool();
        if (pending.isEmpty()) {
            IntArray nothing = new IntArray(1);
            String t = nextTask();
            pending.add(gg -> gg.task(t, Kernels::noop, nothing));
            use(nothing);
        }
        // TornadoVM wants every declared buffer used by a task: declare only what the tasks read or write
        List<Object> devParams = new ArrayList<>();
        for (int i = 0; i < parameterArrays.length; i++) {
            if (used.contains(parameterArrays[i])) {
                devParams.add(parameterArrays[i]);
            } else {
                residences[i] = null; // never on the device: the host values are always current
            }
        }
        Object[] resident = devParams.toArray();

        // TornadoVM caps one task graph (1024 graph nodes, 8 KiB of task descriptions): a long program runs as a
        // chain of task graphs. A buffer lives on in the device from the graph that first uses it to the last; every
        // graph in between consumes it from the one before and persists it again (TornadoVM finds a persisted
        // buffer only through an unbroken chain of graphs).
        List<int[]> ranges = new ArrayList<>();
        int start = 0;
        while (start < pending.size()) {
            Set<Object> objects = Collections.newSetFromMap(new IdentityHashMap<>());
            int end = start;
            while (end < pending.size() && end - start < MAX_TASKS_PER_GRAPH) {
                Set<Object> more = Collections.newSetFromMap(new IdentityHashMap<>());
                more.addAll(objects);
                more.addAll(taskArgs.get(end));
                if (end > start && more.size() > MAX_BUFFERS_PER_GRAPH) {
                    break;
                }
                objects = more;
                end++;
            }
            ranges.add(new int[] {start, end});
            start = end;
        }
        int chunks = ranges.size();
        Map<Object, int[]> span = new IdentityHashMap<>(); // first and last chunk that use a buffer
        for (int c = 0; c < chunks; c++) {
            for (int t = ranges.get(c)[0]; t < ranges.get(c)[1]; t++) {
                for (Object o : taskArgs.get(t)) {
                    int cc = c;
                    span.computeIfAbsent(o, k -> new int[] {cc, cc})[1] = c;
                }
            }
        }
        Set<Object> residentSet = Collections.newSetFromMap(new IdentityHashMap<>());
        residentSet.addAll(Arrays.asList(resident));
        for (Object o : resident) {
            // on the device through every graph: the first consumes it from the upload graph or, on later runs,
            // from the last graph of the previous run (TornadoVM syncs from the graph executed just before)
            span.get(o)[0] = 0;
            span.get(o)[1] = chunks - 1;
        }
        List<TaskGraph> graphs = new ArrayList<>();
        Map<Object, String> lastGraph = new IdentityHashMap<>();
        for (Object o : resident) {
            lastGraph.put(o, loadName);
        }
        for (int c = 0; c < chunks; c++) {
            String name = stepName + "_" + c;
            TaskGraph g = new TaskGraph(name);
            List<Object> consume = new ArrayList<>();
            List<Object> every = new ArrayList<>();
            List<Object> once = new ArrayList<>();
            List<Object> live = new ArrayList<>();
            String previous = c == 0 ? loadName : stepName + "_" + (c - 1);
            for (Map.Entry<Object, int[]> e : span.entrySet()) {
                Object o = e.getKey();
                int[] fl = e.getValue();
                if (fl[0] > c || fl[1] < c) {
                    continue;
                }
                live.add(o);
                if (fl[0] < c || residentSet.contains(o)) {
                    consume.add(o);
                } else if (inputSet.contains(o) || o == deviceKeys) {
                    every.add(o);
                } else {
                    once.add(o);
                }
            }
            if (!consume.isEmpty()) {
                g.consumeFromDevice(previous, consume.toArray());
            }
            if (!every.isEmpty()) {
                g.transferToDevice(DataTransferMode.EVERY_EXECUTION, every.toArray());
            }
            if (!once.isEmpty()) {
                g.transferToDevice(DataTransferMode.FIRST_EXECUTION, once.toArray());
            }
            for (int t = ranges.get(c)[0]; t < ranges.get(c)[1]; t++) {
                pending.get(t).accept(g);
                WorkerGrid w = taskGrids.get(taskIds.get(t));
                if (w != null) {
                    grids.addWorkerGrid(name + "." + taskIds.get(t), w);
                }
            }
            g.persistOnDevice(live.toArray());
            if (Boolean.getBoolean("nabla.tornado.trace")) { // -Dnabla.tornado.trace=true: the chain, for diagnosis
                System.err.println(name + " tasks " + ranges.get(c)[0] + ".." + ranges.get(c)[1] + " consume " + ids(consume)
                        + " every " + ids(every) + " once " + ids(once));
                for (int t = ranges.get(c)[0]; t < ranges.get(c)[1]; t++) {
                    System.err.println("   " + taskIds.get(t) + " " + ids(new ArrayList<>(taskArgs.get(t))));
                }
            }
            for (Object o : live) {
                lastGraph.put(o, name);
            }
            graphs.add(g);
        }
        // outputs and parameters come back from the last graph that touched them, when asked
        int first = resident.length > 0 ? 1 : 0;
        Map<String, Integer> index = new HashMap<>();
        for (int c = 0; c < graphs.size(); c++) {
            index.put(graphs.get(c).getTaskGraphName(), first + c);
        }
        outputs = new NdArray[program.outputs().size()];
        fetched = new boolean[outputs.length];
        Map<String, Set<Object>> back = new LinkedHashMap<>();
        for (int i = 0; i < outputs.length; i++) {
            Program.OutputSlot o = program.outputs().get(i);
            Object arr = dev[o.slot()];
            if (used.contains(arr)) {
                back.computeIfAbsent(lastGraph.get(arr), k -> Collections.newSetFromMap(new IdentityHashMap<>())).add(arr);
            }
            outputs[i] = NdArray.zeros(o.shape(), o.dtype());
        }
        for (Object o : resident) {
            back.computeIfAbsent(lastGraph.get(o), k -> Collections.newSetFromMap(new IdentityHashMap<>())).add(o);
        }
        back.forEach((name, os) -> graphs.get(index.get(name) - first).transferToHost(DataTransferMode.UNDER_DEMAND, os.toArray()));
        for (Object o : used) {
            String g = lastGraph.get(o);
            if (g != null && index.containsKey(g)) {
                home.put(o, index.get(g));
            }
        }
        List<ImmutableTaskGraph> snapshots = new ArrayList<>();
        if (resident.length > 0) {
            TaskGraph load = new TaskGraph(loadName);
            load.transferToDevice(DataTransferMode.EVERY_EXECUTION, resident);
            for (int i = 0; i < resident.length; i++) {
                if (resident[i] instanceof DoubleArray d) {
                    load.task("k" + i, Kernels::keepF64, d);
                } else {
                    load.task("k" + i, Kernels::keepF32, (FloatArray) resident[i]);
                }
            }
            load.persistOnDevice(resident);
            snapshots.add(load.snapshot());
        }
        for (TaskGraph g : graphs) {
            snapshots.add(g.snapshot());
        }
        firstStepGraph = first;
        results = new TornadoExecutionResult[snapshots.size()];
        plan = new TornadoExecutionPlan(snapshots.toArray(new ImmutableTaskGraph[0]));
        plan.withDevice(device);
        if (!taskGrids.isEmpty()) { // TornadoVM rejects a scheduler without grids
            plan.withGridScheduler(grids);
        }
        if (device.getTornadoVMBackend() == TornadoVMBackendType.OPENCL) {
            plan.withCompilerFlags(TornadoVMBackendType.OPENCL, System.getProperty("tornado.opencl.compiler.flags", "-w"));
        }
    }

    // ---- lowering ---------------------------------------------------------------------------------------------

    private String ids(List<Object> os) {
        StringBuilder b = new StringBuilder("[");
        for (Object o : os) {
            int slot = Arrays.asList(dev).indexOf(o);
            b.append(slot >= 0 ? "s" + slot : o == deviceKeys ? "keys" : o == allCode ? "code" : o.getClass().getSimpleName() + "@" + System.identityHashCode(o) % 1000).append(' ');
        }
        return b.append(']').toString();
    }

    /** Records the arrays of the task just added to {@code pending} (the one {@link #nextTask} named). */
    private void use(Object... arrays) {
        used.addAll(Arrays.asList(arrays));
        Set<Object> args = Collections.newSetFromMap(new IdentityHashMap<>());
        args.addAll(Arrays.asList(arrays));
        taskArgs.add(args);
    }

    /** The id of the next task; each is followed by its {@code pending} call and {@link #use}. */
    private String nextTask() {
        String id = "t" + taskIds.size();
        taskIds.add(id);
        return id;
    }

    private void grid(String task, WorkerGrid g) {
        taskGrids.put(task, g);
    }

    private static Object allocate(DType dtype, int n) {
        return dtype == DType.F64 ? new DoubleArray(Math.max(1, n)) : new FloatArray(Math.max(1, n));
    }

    private void lower(Instr instr) {
        switch (instr) {
            case Instr.Elementwise e -> fused(e.expr(), dev[e.out()], e.size(), e.dtype());
            case Instr.Cast c -> {
                String t = nextTask();
                if (c.dtype() == DType.F32) {
                    pending.add(gg -> gg.task(t, Kernels::castF64F32, (FloatArray) dev[c.out()], (DoubleArray) dev[c.in()], c.size()));
                } else {
                    pending.add(gg -> gg.task(t, Kernels::castF32F64, (DoubleArray) dev[c.out()], (FloatArray) dev[c.in()], c.size()));
                }
                use(dev[c.out()], dev[c.in()]);
            }
            case Instr.Copy c -> {
                String t = nextTask();
                if (c.dtype() == DType.F64) {
                    pending.add(gg -> gg.task(t, Kernels::copyF64, (DoubleArray) dev[c.out()], (DoubleArray) dev[c.in()], c.size()));
                } else {
                    pending.add(gg -> gg.task(t, Kernels::copyF32, (FloatArray) dev[c.out()], (FloatArray) dev[c.in()], c.size()));
                }
                use(dev[c.out()], dev[c.in()]);
            }
            case Instr.Strided st -> strided(st);
            case Instr.Random r -> {
                String t = nextTask();
                int normal = r.normal() ? 1 : 0;
                if (r.dtype() == DType.F64) {
                    pending.add(gg -> gg.task(t, Kernels::randomF64, (DoubleArray) dev[r.out()], deviceKeys, r.keySlot(), normal, r.size()));
                } else {
                    pending.add(gg -> gg.task(t, Kernels::randomF32, (FloatArray) dev[r.out()], deviceKeys, r.keySlot(), normal, r.size()));
                }
                use(dev[r.out()], deviceKeys);
            }
            case Instr.Matmul m -> matmul(m);
            case Instr.Reduce r -> reduce(r);
        }
    }

    /**
     * A strided copy on the device: a zero fill of the whole output where the instruction asks for one (a pad),
     * then one {@code strided} kernel per part, which copies the part's source view into its target view (a
     * concatenation's part into its slice). Each kernel's arguments are the part's loop nest, a few words in the
     * program's int array; no index map.
     */
    private void strided(Instr.Strided st) {
        Object out = buffer(st.out());
        if (st.zero()) {
            String t = nextTask();
            int n = st.size();
            if (st.dtype() == DType.F64) {
                pending.add(gg -> gg.task(t, Kernels::zeroF64, (DoubleArray) out, n));
            } else {
                pending.add(gg -> gg.task(t, Kernels::zeroF32, (FloatArray) out, n));
            }
            use(out);
        }
        for (int p = 0; p < st.in().length; p++) {
            View from = st.from()[p];
            View to = st.to()[p];
            int n = from.size();
            if (n == 0) {
                continue;
            }
            int[][] nest = merged(from.shape().dims(), from.strides(), to.strides());
            int at = codeWords.size();
            int r = nest[0].length;
            codeWords.add(r);
            codeWords.add(from.offset());
            codeWords.add(to.offset());
            for (int[] row : nest) {
                for (int w : row) {
                    codeWords.add(w);
                }
            }
            Object in = buffer(st.in()[p]);
            String t = nextTask();
            if (st.dtype() == DType.F64) {
                pending.add(gg -> gg.task(t, Kernels::stridedF64, (DoubleArray) out, (DoubleArray) in, allCode, at, n));
            } else {
                pending.add(gg -> gg.task(t, Kernels::stridedF32, (FloatArray) out, (FloatArray) in, allCode, at, n));
            }
            use(out, in, CODE);
        }
    }

    /**
     * The loop nest over {@code dims} that reads through each of {@code strides} (one array per view): axes of
     * extent 1 dropped, and an axis merged into the one before it where every view steps over whole runs of it
     * (the earlier stride = extent · the later, in each view), which keeps the row-major order of the elements.
     * Row 0 of the result holds the extents, row 1 + v the strides of view v.
     */
    static int[][] merged(int[] dims, int[]... strides) {
        List<int[]> axes = new ArrayList<>(); // {extent, stride in each view}
        for (int a = 0; a < dims.length; a++) {
            int d = dims[a];
            if (d == 1) {
                continue;
            }
            int[] prev = axes.isEmpty() ? null : axes.get(axes.size() - 1);
            boolean even = prev != null;
            for (int v = 0; even && v < strides.length; v++) {
                even = prev[1 + v] == strides[v][a] * d;
            }
            if (even) {
                prev[0] *= d;
                for (int v = 0; v < strides.length; v++) {
                    prev[1 + v] = strides[v][a];
                }
            } else {
                int[] axis = new int[1 + strides.length];
                axis[0] = d;
                for (int v = 0; v < strides.length; v++) {
                    axis[1 + v] = strides[v][a];
                }
                axes.add(axis);
            }
        }
        int[][] nest = new int[1 + strides.length][axes.size()];
        for (int a = 0; a < axes.size(); a++) {
            for (int row = 0; row < nest.length; row++) {
                nest[row][a] = axes.get(a)[row];
            }
        }
        return nest;
    }

    /** Total length of the int arrays the tasks read (fused programs and loop nests): a diagnostic for tests. */
    int intWords() {
        int n = 0;
        for (Object o : used) {
            if (o instanceof IntArray a) {
                n += a.getSize();
            }
        }
        return n;
    }

    /**
     * One fused kernel for {@code e}, after copying out the views it reads in place ({@link Expr.Strided}) by the
     * strided-copy path into temporaries read as plain leaves, and moving subtrees into their own kernels until it
     * fits.
     */
    private void fused(Expr e, Object out, int size, DType dtype) {
        Expr fit = split(viewsCopied(e, dtype, new HashMap<>()), size, dtype);
        FusedCode code = FusedCode.compile(fit);
        int codeAt = codeWords.size();
        for (int w : code.code()) {
            codeWords.add(w);
        }
        List<Double> pool = dtype == DType.F64 ? constsF64 : constsF32;
        int constAt = pool.size();
        for (double c : code.consts()) {
            pool.add(c);
        }
        Object[] ins = new Object[Kernels.INPUTS];
        for (int b = 0; b < Kernels.INPUTS; b++) {
            ins[b] = b < code.buffers().length ? buffer(code.buffers()[b]) : unused(dtype, b);
        }
        String t = nextTask();
        int n = size;
        int len = code.length();
        if (dtype == DType.F64) {
            pending.add(gg -> gg.task(t, Kernels::fusedF64, (DoubleArray) out, (DoubleArray) ins[0], (DoubleArray) ins[1],
                    (DoubleArray) ins[2], (DoubleArray) ins[3], (DoubleArray) ins[4], (DoubleArray) ins[5],
                    (DoubleArray) ins[6], (DoubleArray) ins[7], allCode, (DoubleArray) allConstsF64, n, len, codeAt, constAt));
        } else {
            pending.add(gg -> gg.task(t, Kernels::fusedF32, (FloatArray) out, (FloatArray) ins[0], (FloatArray) ins[1],
                    (FloatArray) ins[2], (FloatArray) ins[3], (FloatArray) ins[4], (FloatArray) ins[5],
                    (FloatArray) ins[6], (FloatArray) ins[7], allCode, (FloatArray) allConstsF32, n, len, codeAt, constAt));
        }
        use(out, ins[0], ins[1], ins[2], ins[3], ins[4], ins[5], ins[6], ins[7], CODE,
                dtype == DType.F64 ? CONSTS_F64 : CONSTS_F32);
    }

    /**
     * The register programs of all fused kernels and the loop nests of strided copies and reductions, one array
     * (and one literal pool per dtype) for the whole program: fewer buffers per task graph, whose size TornadoVM
     * caps.
     */
    private final List<Integer> codeWords = new ArrayList<>();
    private final List<Double> constsF64 = new ArrayList<>();
    private final List<Double> constsF32 = new ArrayList<>();
    /** Stand-ins, in the tasks' argument sets, for the pooled arrays made once lowering is done. */
    private static final Object CODE = new Object();
    private static final Object CONSTS_F64 = new Object();
    private static final Object CONSTS_F32 = new Object();
    private IntArray allCode;
    private Object allConstsF64;
    private Object allConstsF32;

    /** Fills the pooled code and literal arrays once every kernel is lowered. */
    private void pool() {
        int[] words = new int[Math.max(1, codeWords.size())];
        for (int i = 0; i < codeWords.size(); i++) {
            words[i] = codeWords.get(i);
        }
        allCode = IntArray.fromArray(words);
        double[] d = new double[Math.max(1, constsF64.size())];
        for (int i = 0; i < constsF64.size(); i++) {
            d[i] = constsF64.get(i);
        }
        allConstsF64 = DoubleArray.fromArray(d);
        float[] f = new float[Math.max(1, constsF32.size())];
        for (int i = 0; i < constsF32.size(); i++) {
            f[i] = (float) (double) constsF32.get(i);
        }
        allConstsF32 = FloatArray.fromArray(f);
        Map<Object, Object> real = new IdentityHashMap<>();
        real.put(CODE, allCode);
        real.put(CONSTS_F64, allConstsF64);
        real.put(CONSTS_F32, allConstsF32);
        for (Set<Object> args : taskArgs) {
            for (Map.Entry<Object, Object> e : real.entrySet()) {
                if (args.remove(e.getKey())) {
                    args.add(e.getValue());
                }
            }
        }
        for (Map.Entry<Object, Object> e : real.entrySet()) {
            if (used.remove(e.getKey())) {
                used.add(e.getValue());
            }
        }
    }

    private final Object[][] unused = new Object[2][Kernels.INPUTS];

    /** A one-element array standing for input {@code b} of fused kernels that read fewer buffers. */
    private Object unused(DType dtype, int b) {
        int d = dtype == DType.F64 ? 0 : 1;
        if (unused[d][b] == null) {
            unused[d][b] = allocate(dtype, 1);
        }
        return unused[d][b];
    }

    /** Slots above the program's own are the split parts' temporaries. */
    private final List<Object> splitBuffers = new ArrayList<>();

    private Object buffer(int slot) {
        return slot < dev.length ? dev[slot] : splitBuffers.get(slot - dev.length);
    }

    /**
     * {@code e} with each strided leaf replaced by a direct leaf of a temporary that a strided copy fills (one copy
     * per distinct leaf of {@code e}, in {@code copied}).
     */
    private Expr viewsCopied(Expr e, DType dtype, Map<Expr.Strided, Expr> copied) {
        return switch (e) {
            case Expr.Strided l -> copied.computeIfAbsent(l, k -> {
                int n = l.view().size();
                splitBuffers.add(allocate(dtype, n));
                int slot = dev.length + splitBuffers.size() - 1;
                strided(new Instr.Strided(slot, new int[] {l.slot()}, new View[] {l.view()},
                        new View[] {View.contiguous(l.view().shape())}, n, false, dtype, "view read by a fused kernel"));
                return new Expr.Leaf(slot, 1, n);
            });
            case Expr.Apply a -> {
                Expr[] args = new Expr[a.args().length];
                for (int j = 0; j < args.length; j++) {
                    args[j] = viewsCopied(a.args()[j], dtype, copied);
                }
                yield new Expr.Apply(a.op(), args);
            }
            default -> e;
        };
    }

    /**
     * {@code e} with its biggest argument subtrees computed by kernels of their own (into temporaries read as
     * plain leaves) until the rest fits one fused kernel.
     */
    private Expr split(Expr e, int size, DType dtype) {
        if (FusedCode.fits(e) || !(e instanceof Expr.Apply a)) {
            return e;
        }
        Expr[] args = a.args().clone();
        int worst = -1;
        int worstCost = -1;
        for (int j = 0; j < args.length; j++) {
            if (args[j] instanceof Expr.Apply) {
                int cost = FusedCode.registers(args[j]) + FusedCode.slots(args[j]).size();
                if (cost > worstCost) {
                    worstCost = cost;
                    worst = j;
                }
            }
        }
        Object t = allocate(dtype, size);
        splitBuffers.add(t);
        int slot = dev.length + splitBuffers.size() - 1;
        fused(args[worst], t, size, dtype);
        args[worst] = new Expr.Leaf(slot, 1, size);
        return split(new Expr.Apply(a.op(), args), size, dtype);
    }

    /** A matmul whose operands the kernel reads in place, at their offsets and batch strides. */
    private void matmul(Instr.Matmul m) {
        int mm = m.m();
        int nn = m.n();
        int kk = m.k();
        int aO = m.offsetA();
        int aB = m.strideA();
        int aR = m.transA() ? 1 : kk;
        int aC = m.transA() ? mm : 1;
        int bO = m.offsetB();
        int bB = m.strideB();
        int bR = m.transB() ? 1 : nn;
        int bC = m.transB() ? kk : 1;
        Object a = dev[m.a()];
        Object b = dev[m.b()];
        String t = nextTask();
        KernelContext ctx = new KernelContext();
        if (m.dtype() == DType.F64) {
            pending.add(gg -> gg.task(t, Kernels::matmulF64, ctx, (DoubleArray) dev[m.out()], (DoubleArray) a,
                    (DoubleArray) b, mm, nn, kk, aO, aB, aR, aC, bO, bB, bR, bC));
        } else {
            pending.add(gg -> gg.task(t, Kernels::matmulF32, ctx, (FloatArray) dev[m.out()], (FloatArray) a,
                    (FloatArray) b, mm, nn, kk, aO, aB, aR, aC, bO, bB, bR, bC));
        }
        use(dev[m.out()], a, b);
        int ts = Kernels.TILE;
        WorkerGrid3D w = new WorkerGrid3D(round(nn, ts), round(mm, ts), m.batch());
        w.setLocalWork(ts, ts, 1);
        grid(t, w);
    }

    private static int round(int n, int to) {
        return (n + to - 1) / to * to;
    }

    /**
     * A reduction read through its view: the kernel finds each output's inputs from the view's offset, the kept
     * axes' extents and strides and the reduced axes' (each merged where they step evenly), so a permuted,
     * sliced or broadcast input and reduced axes that are not one block need no copy. Each output sums its
     * inputs in row-major order of the reduced axes, as the kernel always did.
     */
    private void reduce(Instr.Reduce r) {
        View v = r.view();
        Shape in = v.shape();
        boolean[] reduced = new boolean[in.rank()];
        for (int a : r.axes()) {
            reduced[a] = true;
        }
        int[] strides = v.strides();
        int[][] kept = axes(in, strides, reduced, false);
        int[][] red = axes(in, strides, reduced, true);
        int outSize = 1;
        int len = 1;
        for (int a = 0; a < in.rank(); a++) {
            if (reduced[a]) {
                len *= in.dim(a);
            } else {
                outSize *= in.dim(a);
            }
        }
        int at = codeWords.size();
        codeWords.add(v.offset());
        codeWords.add(kept[0].length);
        for (int[] row : kept) {
            for (int w : row) {
                codeWords.add(w);
            }
        }
        codeWords.add(red[0].length);
        for (int[] row : red) {
            for (int w : row) {
                codeWords.add(w);
            }
        }
        String t = nextTask();
        int max = r.op() == Op.REDUCE_MAX ? 1 : 0;
        KernelContext ctx = new KernelContext();
        Object from = dev[r.in()];
        int n = len;
        if (r.dtype() == DType.F64) {
            pending.add(gg -> gg.task(t, Kernels::reduceF64, ctx, (DoubleArray) dev[r.out()], (DoubleArray) from,
                    allCode, at, n, max));
        } else {
            pending.add(gg -> gg.task(t, Kernels::reduceF32, ctx, (FloatArray) dev[r.out()], (FloatArray) from,
                    allCode, at, n, max));
        }
        use(dev[r.out()], from, CODE);
        WorkerGrid1D w = new WorkerGrid1D(outSize * Kernels.REDUCE_GROUP);
        w.setLocalWork(Kernels.REDUCE_GROUP, 1, 1);
        grid(t, w);
    }

    /**
     * The merged loop nest (extents, strides) of the axes of {@code shape} whose {@code reduced} flag is
     * {@code which}.
     */
    private static int[][] axes(Shape shape, int[] strides, boolean[] reduced, boolean which) {
        int n = 0;
        for (boolean f : reduced) {
            n += f == which ? 1 : 0;
        }
        int[] d = new int[n];
        int[] s = new int[n];
        int j = 0;
        for (int a = 0; a < shape.rank(); a++) {
            if (reduced[a] == which) {
                d[j] = shape.dim(a);
                s[j] = strides[a];
                j++;
            }
        }
        return merged(d, s);
    }

    // ---- running ----------------------------------------------------------------------------------------------

    @Override
    public void setInput(int index, NdArray value) {
        Program.InputSlot in = program.inputs().get(index);
        upload(value, dev[in.slot()]);
    }

    @Override
    public void setKey(int index, Key key) {
        program.bindKey(keys, index, key);
    }

    @Override
    public void run() {
        program.foldKeys(keys);
        for (int k = 0; k < keys.length; k++) {
            deviceKeys.set(k, keys[k]);
        }
        boolean stale = false;
        for (int i = 0; i < parameters.length; i++) {
            stale |= residences[i] != null && parameters[i].residence() != residences[i];
        }
        if (stale) {
            for (int i = 0; i < parameters.length; i++) {
                if (residences[i] != null) {
                    parameters[i].toHost();
                    upload(parameters[i], parameterArrays[i]);
                }
            }
            plan.withGraph(0).execute();
        }
        for (int g = firstStepGraph; g < results.length; g++) {
            try {
                results[g] = plan.withGraph(g).execute();
            } catch (RuntimeException e) {
                throw new IllegalStateException("TornadoVM failed in task graph " + g + " of " + results.length + ": " + e, e);
            }
        }
        for (int i = 0; i < parameters.length; i++) {
            if (residences[i] != null) {
                parameters[i].residesOn(residences[i]);
            }
        }
        Arrays.fill(fetched, false);
        if (debug) {
            for (int i = 0; i < outputs.length; i++) {
                int bad = output(i).firstNonFinite();
                if (bad >= 0) {
                    throw new ArithmeticException("debug: output " + i + " has " + outputs[i].getFlat(bad)
                            + " at flat index " + bad + " (TornadoVM backend; run the plan on Backend.reference() "
                            + "with debug to find the op that produced it)");
                }
            }
        }
    }

    @Override
    public NdArray output(int index) {
        if (!fetched[index]) {
            Object arr = dev[program.outputs().get(index).slot()];
            if (home.containsKey(arr)) { // else an input or constant, whose host copy is current
                fetch(arr);
            }
            download(arr, outputs[index]);
            fetched[index] = true;
        }
        return outputs[index];
    }

    /**
     * Copies {@code arr} from the device into its host side. A result's {@code transferToHost} acts on the graphs
     * the plan has selected, so the graph that last wrote {@code arr} is selected first.
     */
    private void fetch(Object arr) {
        int g = home.get(arr);
        plan.withGraph(g);
        results[g].transferToHost(arr);
    }

    // ---- host copies ------------------------------------------------------------------------------------------

    /** Host values of {@code a} (any float dtype) into the host side of device array {@code arr}. */
    private static void upload(NdArray a, Object arr) {
        int n = a.size();
        if (arr instanceof DoubleArray d) {
            MemorySegment seg = d.getSegment();
            if (a.dtype() == DType.F64) {
                MemorySegment.copy(a.f64(), 0, seg, ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, n);
            } else {
                float[] f = a.f32();
                for (int i = 0; i < n; i++) {
                    d.set(i, f[i]);
                }
            }
        } else {
            FloatArray d = (FloatArray) arr;
            MemorySegment seg = d.getSegment();
            if (a.dtype() == DType.F32) {
                MemorySegment.copy(a.f32(), 0, seg, ValueLayout.JAVA_FLOAT_UNALIGNED, 0, n);
            } else {
                double[] f = a.f64();
                for (int i = 0; i < n; i++) {
                    d.set(i, (float) f[i]);
                }
            }
        }
    }

    /** The host side of device array {@code arr} into {@code a} (same dtype). */
    private static void download(Object arr, NdArray a) {
        int n = a.size();
        if (arr instanceof DoubleArray d) {
            MemorySegment.copy(d.getSegment(), ValueLayout.JAVA_DOUBLE_UNALIGNED, 0, a.f64(), 0, n);
        } else {
            MemorySegment.copy(((FloatArray) arr).getSegment(), ValueLayout.JAVA_FLOAT_UNALIGNED, 0, a.f32(), 0, n);
        }
    }
}
