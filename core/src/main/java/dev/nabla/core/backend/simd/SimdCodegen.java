package dev.nabla.core.backend.simd;

import dev.nabla.core.DType;
import dev.nabla.core.Op;
import dev.nabla.core.plan.Expr;
import jdk.incubator.vector.DoubleVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.Vector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.classfile.ClassFile;
import java.lang.classfile.CodeBuilder;
import java.lang.classfile.Label;
import java.lang.constant.ClassDesc;
import java.lang.constant.ConstantDescs;
import java.lang.constant.MethodTypeDesc;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Compiles a fused elementwise kernel ({@link Expr}) to JVM bytecode: one loop over the output in steps of one
 * vector, whose body evaluates the whole expression tree in vector registers and stores the root, written with
 * the {@code java.lang.classfile} API and defined as a hidden class. C2 then compiles that loop like hand-written
 * Vector API code: a chain of n ops costs one pass over memory and no scratch traffic, against n passes through
 * L1-resident chunks for the interpreter of {@link SimdF64}/{@link SimdF32}.
 *
 * <p>The generated code performs exactly the vector operations of the interpreter's per-op loops (the same
 * operand order), so both give bit-identical results; kernels with a transcendental op (exp, log, log1p, sin, cos,
 * expm1, tanh, σ, erf) are left to the interpreter (see {@link #INLINE}); the interpreter
 * still runs the tail shorter than one vector and the kernels whose broadcasts a vector cannot read in place.
 *
 * <p>A leaf {@code src[(i / div) % mod]} is read as
 * <ul>
 *   <li>a plain vector load when {@code div = 1, mod = size};</li>
 *   <li>a broadcast scalar when {@code mod = 1};</li>
 *   <li>a vector load at a wrapping offset when {@code div = 1} and one vector never straddles the wrap
 *       ({@code mod} a multiple of the lane count): a bias row repeated down a batch;</li>
 *   <li>a broadcast of one element when one vector never straddles a change of element ({@code div} a multiple of
 *       the lane count): a per-row value repeated across columns.</li>
 * </ul>
 * Any other leaf leaves the kernel to the interpreter.
 *
 * <p>Generated classes are shared by every kernel of the same structure (ops, constants, leaf kinds): slots,
 * {@code div} and {@code mod} are run-time parameters. Set {@code -Dnabla.simd.codegen=false} to run every
 * kernel through the interpreter.
 */
final class SimdCodegen {
    private SimdCodegen() {
    }

    static final boolean ENABLED = !"false".equalsIgnoreCase(System.getProperty("nabla.simd.codegen", "true"));

    /**
     * Kernels shorter than this stay with the interpreter: there its per-chunk overhead is small in absolute terms,
     * and its per-op loops are shared by every kernel, so they are compiled by C2 early; a generated class is
     * C2-compiled only once it is hot itself, and until then (interpreted, or C1) its vector operations allocate.
     */
    static final int MIN_SIZE = 4096;

    /** A generated loop: {@code out[i] = expr(i)} for {@code from <= i < to}, {@code to - from} a multiple of the lanes. */
    interface Body {
        void run(Object[] buf, int[] params, int from, int to);
    }

    /** A compiled kernel: its shared body and its own parameters. */
    record Compiled(Body body, int[] params) {
        void run(Object[] buf, int from, int to) {
            body.run(buf, params, from, to);
        }
    }

    private static final Map<String, Body> CACHE = new ConcurrentHashMap<>();

    /**
     * The ops this class writes inline into a generated loop; a kernel with any other op runs on the interpreter's
     * per-op loops, so a new primitive is correct on this backend without a line here. The transcendental functions
     * (exp, log, log1p, sin, cos, expm1, tanh, σ, erf) stay out on purpose: {@link VectorMath}'s sequences are too long
     * for C2 to inline reliably into a generated loop (once such a method has been compiled on its own, C2 declines
     * to inline it, and the vectors passed to it are then boxed: a training step allocated), so they run as
     * {@link VectorMath}'s own array loops, through the interpreter's chunks.
     */
    private static final Set<Op> INLINE = EnumSet.of(Op.NEG, Op.SQRT, Op.RECIPROCAL, Op.ADD, Op.MUL, Op.MAX, Op.LESS,
            Op.WHERE);

    /**
     * The compiled form of {@code expr} writing {@code outSlot}, or null where the interpreter must run it: codegen
     * off, a kernel shorter than {@link #MIN_SIZE}, a leaf no vector load can read (a strided leaf among them), or an
     * op outside {@link #INLINE}.
     */
    static Compiled compile(Expr expr, int outSlot, int size, DType dtype) {
        Flavor f = dtype == DType.F64 ? Flavor.F64 : Flavor.F32;
        if (!ENABLED || size < Math.max(MIN_SIZE, f.lanes)) {
            return null;
        }
        List<Expr.Leaf> leaves = new ArrayList<>();
        StringBuilder key = new StringBuilder(dtype.name()).append(':');
        if (!describe(expr, size, f.lanes, leaves, key)) {
            return null;
        }
        int[] params = new int[1 + 3 * leaves.size()];
        params[0] = outSlot;
        for (int k = 0; k < leaves.size(); k++) {
            Expr.Leaf l = leaves.get(k);
            params[1 + 3 * k] = l.slot();
            params[2 + 3 * k] = l.div();
            params[3 + 3 * k] = l.mod();
        }
        Body body = CACHE.computeIfAbsent(key.toString(), k -> define(new Emitter(f, expr, size, leaves).bytes()));
        return new Compiled(body, params);
    }

    private enum LeafKind { DIRECT, SCALAR, ROW, COLUMN }

    private static LeafKind kind(Expr.Leaf l, int size, int lanes) {
        if (l.direct(size)) {
            return LeafKind.DIRECT;
        }
        if (l.mod() == 1) {
            return LeafKind.SCALAR;
        }
        if (l.div() == 1 && l.mod() % lanes == 0 && size % l.mod() == 0) {
            return LeafKind.ROW;
        }
        if (l.div() % lanes == 0) {
            return LeafKind.COLUMN;
        }
        return null;
    }

    /** Appends the structural key of {@code e} and collects its leaves in evaluation order; false if unsupported. */
    private static boolean describe(Expr e, int size, int lanes, List<Expr.Leaf> leaves, StringBuilder key) {
        switch (e) {
            case Expr.Const c -> key.append('#').append(Long.toHexString(Double.doubleToRawLongBits(c.value())));
            case Expr.Leaf l -> {
                LeafKind k = kind(l, size, lanes);
                if (k == null) {
                    return false;
                }
                leaves.add(l);
                key.append(k.name().charAt(0));
            }
            case Expr.Strided l -> {
                return false; // read through its view by the interpreter
            }
            case Expr.Apply a -> {
                if (!INLINE.contains(a.op())) {
                    return false;
                }
                key.append(a.op().ordinal()).append('(');
                for (Expr arg : a.args()) {
                    if (!describe(arg, size, lanes, leaves, key)) {
                        return false;
                    }
                    key.append(',');
                }
                key.append(')');
            }
        }
        return true;
    }

    private static Body define(byte[] bytes) {
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup().defineHiddenClass(bytes, true);
            return (Body) lookup.findConstructor(lookup.lookupClass(), MethodType.methodType(void.class)).invoke();
        } catch (Throwable t) {
            throw new IllegalStateException("SIMD codegen: the generated kernel class was rejected: " + t, t);
        }
    }

    // ------------------------------------------------------------------ the two element types

    /** Types and method descriptors of the Vector API for one element type, looked up once by reflection. */
    private static final class Flavor {
        static final Flavor F64 = new Flavor(DoubleVector.class, double.class, double[].class,
                DoubleVector.SPECIES_PREFERRED.length());
        static final Flavor F32 = new Flavor(FloatVector.class, float.class, float[].class,
                FloatVector.SPECIES_PREFERRED.length());

        final boolean f64;
        final int lanes;
        final ClassDesc vec;
        final ClassDesc array;
        final MethodTypeDesc fromArray;
        final MethodTypeDesc intoArray;
        final MethodTypeDesc broadcast;
        final MethodTypeDesc zero;
        final MethodTypeDesc binaryV;
        final MethodTypeDesc binaryS;
        final MethodTypeDesc unary0;
        final MethodTypeDesc lanewise;
        final MethodTypeDesc compareS;
        final MethodTypeDesc compareV;
        final MethodTypeDesc blend;

        Flavor(Class<?> vecClass, Class<?> elem, Class<?> arr, int lanes) {
            this.f64 = elem == double.class;
            this.lanes = lanes;
            this.vec = desc(vecClass);
            this.array = desc(arr);
            fromArray = type(vecClass, "fromArray", VectorSpecies.class, arr, int.class);
            intoArray = type(vecClass, "intoArray", arr, int.class);
            broadcast = type(vecClass, "broadcast", VectorSpecies.class, elem);
            zero = type(vecClass, "zero", VectorSpecies.class);
            binaryV = type(vecClass, "add", Vector.class);
            binaryS = type(vecClass, "add", elem);
            unary0 = type(vecClass, "neg");
            lanewise = type(vecClass, "lanewise", VectorOperators.Unary.class);
            compareS = type(vecClass, "compare", VectorOperators.Comparison.class, elem);
            compareV = type(vecClass, "compare", VectorOperators.Comparison.class, Vector.class);
            blend = type(vecClass, "blend", Vector.class, VectorMask.class);
        }

        private static ClassDesc desc(Class<?> c) {
            return c.describeConstable().orElseThrow();
        }

        private static MethodTypeDesc type(Class<?> owner, String name, Class<?>... params) {
            try {
                Method m = owner.getMethod(name, params);
                return MethodType.methodType(m.getReturnType(), m.getParameterTypes()).describeConstable().orElseThrow();
            } catch (NoSuchMethodException e) {
                throw new IllegalStateException("SIMD codegen: Vector API method " + owner.getSimpleName() + "."
                        + name + " not found", e);
            }
        }
    }

    // ------------------------------------------------------------------ the bytecode

    private static final ClassDesc CD_BODY = ClassDesc.of(Body.class.getName());
    private static final ClassDesc CD_OPS = VectorOperators.class.describeConstable().orElseThrow();
    private static final ClassDesc CD_UNARY = VectorOperators.Unary.class.describeConstable().orElseThrow();
    private static final ClassDesc CD_CMP = VectorOperators.Comparison.class.describeConstable().orElseThrow();
    private static final ClassDesc CD_SPECIES = VectorSpecies.class.describeConstable().orElseThrow();
    private static final MethodTypeDesc RUN = MethodTypeDesc.of(ConstantDescs.CD_void,
            ConstantDescs.CD_Object.arrayType(), ConstantDescs.CD_int.arrayType(), ConstantDescs.CD_int,
            ConstantDescs.CD_int);

    /** Writes the hidden class for one expression structure. */
    private static final class Emitter {
        // fixed locals of run(Object[] buf, int[] params, int from, int to)
        static final int BUF = 1;
        static final int PARAMS = 2;
        static final int FROM = 3;
        static final int TO = 4;
        static final int I = 5;

        final Flavor f;
        final Expr expr;
        final List<Expr.Leaf> leaves;
        final LeafKind[] kinds;
        final int[] arrayLocal;
        final int[] auxLocal; // SCALAR: the value; ROW: the wrapping offset; COLUMN: div
        final int[] modLocal; // ROW, COLUMN: mod
        int outLocal;
        int nextLocal = I + 1;
        CodeBuilder cb;
        int leafCursor;

        Emitter(Flavor f, Expr expr, int size, List<Expr.Leaf> leaves) {
            this.f = f;
            this.expr = expr;
            this.leaves = leaves;
            kinds = new LeafKind[leaves.size()];
            for (int k = 0; k < kinds.length; k++) {
                kinds[k] = kind(leaves.get(k), size, f.lanes);
            }
            arrayLocal = new int[kinds.length];
            auxLocal = new int[kinds.length];
            modLocal = new int[kinds.length];
        }

        byte[] bytes() {
            ClassDesc self = ClassDesc.of(SimdCodegen.class.getPackageName() + ".FusedKernel");
            return ClassFile.of().build(self, clb -> {
                clb.withFlags(ClassFile.ACC_FINAL | ClassFile.ACC_SYNTHETIC);
                clb.withInterfaceSymbols(CD_BODY);
                clb.withMethodBody(ConstantDescs.INIT_NAME, ConstantDescs.MTD_void, ClassFile.ACC_PUBLIC,
                        c -> c.aload(0).invokespecial(ConstantDescs.CD_Object, ConstantDescs.INIT_NAME,
                                ConstantDescs.MTD_void).return_());
                clb.withMethodBody("run", RUN, ClassFile.ACC_PUBLIC, c -> {
                    cb = c;
                    run();
                });
            });
        }

        private int local(int width) {
            int l = nextLocal;
            nextLocal += width;
            return l;
        }

        private void param(int index) {
            cb.aload(PARAMS).loadConstant(index).iaload();
        }

        private void run() {
            for (int k = 0; k < kinds.length; k++) {
                arrayLocal[k] = local(1);
                cb.aload(BUF);
                param(1 + 3 * k);
                cb.aaload().checkcast(f.array).astore(arrayLocal[k]);
                switch (kinds[k]) {
                    case SCALAR -> {
                        auxLocal[k] = local(f.f64 ? 2 : 1);
                        cb.aload(arrayLocal[k]).iconst_0();
                        if (f.f64) {
                            cb.daload().dstore(auxLocal[k]);
                        } else {
                            cb.faload().fstore(auxLocal[k]);
                        }
                    }
                    case ROW -> {
                        modLocal[k] = local(1);
                        auxLocal[k] = local(1);
                        param(3 + 3 * k);
                        cb.istore(modLocal[k]);
                        cb.iload(FROM).iload(modLocal[k]).irem().istore(auxLocal[k]);
                    }
                    case COLUMN -> {
                        auxLocal[k] = local(1);
                        modLocal[k] = local(1);
                        param(2 + 3 * k);
                        cb.istore(auxLocal[k]);
                        param(3 + 3 * k);
                        cb.istore(modLocal[k]);
                    }
                    case DIRECT -> {
                    }
                }
            }
            outLocal = local(1);
            cb.aload(BUF);
            param(0);
            cb.aaload().checkcast(f.array).astore(outLocal);
            cb.iload(FROM).istore(I);
            Label head = cb.newLabel();
            Label end = cb.newLabel();
            cb.labelBinding(head);
            cb.iload(I).iload(TO).if_icmpge(end);
            leafCursor = 0;
            emit(expr);
            cb.aload(outLocal).iload(I).invokevirtual(f.vec, "intoArray", f.intoArray);
            cb.iinc(I, f.lanes);
            for (int k = 0; k < kinds.length; k++) {
                if (kinds[k] == LeafKind.ROW) {
                    Label keep = cb.newLabel();
                    cb.iinc(auxLocal[k], f.lanes);
                    cb.iload(auxLocal[k]).iload(modLocal[k]).if_icmpne(keep);
                    cb.iconst_0().istore(auxLocal[k]);
                    cb.labelBinding(keep);
                }
            }
            cb.goto_(head);
            cb.labelBinding(end);
            cb.return_();
        }

        // ---------------------------------------------------------------- expressions (result left on the stack)

        /** Every leaf is emitted in the order {@link #describe} met it: arguments left to right, depth first. */
        private void emit(Expr e) {
            switch (e) {
                case Expr.Const c -> broadcast(c.value());
                case Expr.Leaf l -> leaf(leafCursor++);
                case Expr.Strided l -> throw new IllegalStateException("strided leaf in a compiled kernel: " + l);
                case Expr.Apply a -> apply(a.op(), a.args());
            }
        }

        private void leaf(int k) {
            species();
            switch (kinds[k]) {
                case DIRECT -> {
                    cb.aload(arrayLocal[k]).iload(I);
                    cb.invokestatic(f.vec, "fromArray", f.fromArray);
                }
                case ROW -> {
                    cb.aload(arrayLocal[k]).iload(auxLocal[k]);
                    cb.invokestatic(f.vec, "fromArray", f.fromArray);
                }
                case SCALAR -> {
                    if (f.f64) {
                        cb.dload(auxLocal[k]);
                    } else {
                        cb.fload(auxLocal[k]);
                    }
                    cb.invokestatic(f.vec, "broadcast", f.broadcast);
                }
                case COLUMN -> {
                    cb.aload(arrayLocal[k]).iload(I).iload(auxLocal[k]).idiv().iload(modLocal[k]).irem();
                    if (f.f64) {
                        cb.daload();
                    } else {
                        cb.faload();
                    }
                    cb.invokestatic(f.vec, "broadcast", f.broadcast);
                }
            }
        }

        private void apply(Op op, Expr[] args) {
            switch (op) {
                case NEG -> {
                    emit(args[0]);
                    call0("neg");
                }
                case SQRT -> lanewise(args[0], "SQRT");
                case RECIPROCAL -> {
                    broadcast(1);
                    emit(args[0]);
                    callV("div");
                }
                case ADD, MUL, MAX -> {
                    emit(args[0]);
                    emit(args[1]);
                    callV(op == Op.ADD ? "add" : op == Op.MUL ? "mul" : "max");
                }
                case LESS -> { // zero.blend(one, x < y)
                    species();
                    cb.invokestatic(f.vec, "zero", f.zero);
                    broadcast(1);
                    emit(args[0]);
                    comparison("LT");
                    emit(args[1]);
                    cb.invokevirtual(f.vec, "compare", f.compareV);
                    cb.invokevirtual(f.vec, "blend", f.blend);
                }
                case WHERE -> { // z.blend(y, x != 0), the arguments evaluated in order (leaves are numbered so)
                    emit(args[0]);
                    comparison("NE");
                    constant(0);
                    cb.invokevirtual(f.vec, "compare", f.compareS);
                    int mask = store();
                    emit(args[1]);
                    int y = store();
                    emit(args[2]);
                    cb.aload(y).aload(mask);
                    cb.invokevirtual(f.vec, "blend", f.blend);
                }
                default -> throw new AssertionError(op + " is not in INLINE, which describe() checked");
            }
        }

        // ---------------------------------------------------------------- helpers

        private int store() {
            int l = local(1);
            cb.astore(l);
            return l;
        }

        private void species() {
            cb.getstatic(f.vec, "SPECIES_PREFERRED", CD_SPECIES);
        }

        private void constant(double v) {
            if (f.f64) {
                cb.loadConstant(v);
            } else {
                cb.loadConstant((float) v);
            }
        }

        private void broadcast(double v) {
            species();
            constant(v);
            cb.invokestatic(f.vec, "broadcast", f.broadcast);
        }

        private void lanewise(Expr arg, String operator) {
            emit(arg);
            unaryOperator(operator);
            cb.invokevirtual(f.vec, "lanewise", f.lanewise);
        }

        private void unaryOperator(String name) {
            cb.getstatic(CD_OPS, name, CD_UNARY);
        }

        private void comparison(String name) {
            cb.getstatic(CD_OPS, name, CD_CMP);
        }

        private void call0(String name) {
            cb.invokevirtual(f.vec, name, f.unary0);
        }

        private void callV(String name) {
            cb.invokevirtual(f.vec, name, f.binaryV);
        }
    }
}
