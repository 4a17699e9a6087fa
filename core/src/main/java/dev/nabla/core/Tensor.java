package dev.nabla.core;

import dev.nabla.core.random.Key;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;

/**
 * An immutable, lazy node of a computation graph: a primitive {@link Op} applied to input tensors, with a
 * static {@link Shape} and {@link DType}. Building a tensor computes nothing; {@link Plan} compiles graphs
 * and backends run them. Shapes are checked when the graph is built: a mismatch fails at once, naming the
 * operation and both shapes.
 *
 * <p>The methods below are the user-facing op set. Those that are not primitives (sub, div, pow, tanh-based
 * sigmoid, silu, softplus, logsumexp, mean, variance, norm, normal sampling, …) are compositions of
 * primitives, so {@link Autodiff} differentiates them — to any order — without a rule of their own.
 * Binary ops broadcast as in NumPy. Their dtypes follow JAX's rule for weak types: a Java scalar, and a constant
 * made from Java doubles ({@link #of(double...)}, {@link #scalar(double)}, {@link #arange}, …), is <em>weakly
 * typed</em> and takes the other operand's dtype, so {@code x.mul(2)} and {@code x.add(Tensor.of(1, 2))} stay
 * float32 when x is float32; two strongly typed tensors of different dtypes (a float32 placeholder and a float64
 * parameter, say) are an error until one is {@link #cast} explicitly. An op whose inputs are all weak gives a weak
 * result ({@code Tensor.scalar(2).exp()} is still weak); {@link #cast} gives a strong one.
 *
 * <p>Node ids grow with creation, so inputs always have smaller ids than their users: sorting by id is a
 * topological order.
 */
public final class Tensor {
    private static final AtomicLong IDS = new AtomicLong();
    private static volatile boolean recordSites;

    final long id;
    final Op op;
    final Tensor[] inputs;
    final Shape shape;
    final DType dtype;
    final Object attr;
    /** Weakly typed: a Java number's constant, or computed from such alone (see the class Javadoc). */
    final boolean weak;
    private String name;
    private String site;
    /** The public Tensor method the user called that created this node (div for a div's reciprocal), or null. */
    private String userOp;
    /** The forward node whose backward rule created this node (set by {@link Autodiff}), or null. */
    private Tensor gradientOf;

    private Tensor(Op op, Shape shape, DType dtype, Object attr, Tensor[] inputs, boolean weak) {
        this.id = IDS.incrementAndGet();
        this.op = op;
        this.shape = shape;
        this.dtype = dtype;
        this.attr = attr;
        this.inputs = inputs;
        this.weak = weak;
        if (recordSites && COMPILING.get() == 0) {
            String[] where = callSite();
            this.site = where[0];
            this.userOp = where[1];
        }
    }

    /**
     * Creates a node of a primitive op; shapes must already be valid (callers check them). The node is weakly
     * typed when it has inputs, all of them are weak and it is not a cast.
     */
    static Tensor node(Op op, Shape shape, DType dtype, Object attr, Tensor... inputs) {
        boolean weak = inputs.length > 0 && op != Op.CAST;
        for (Tensor in : inputs) {
            weak &= in.weak;
        }
        return new Tensor(op, shape, dtype, attr, inputs, weak);
    }

    /** A weakly typed constant holding {@code value} (not copied). */
    private static Tensor weakConstant(NdArray value) {
        return new Tensor(Op.CONSTANT, value.shape(), value.dtype(), value, new Tensor[0], true);
    }

    /**
     * The dtype of a binary op on {@code a} and {@code b}: a weakly typed operand takes the other's dtype; two
     * weak ones promote float32 with float64 to float64; two strong ones must agree.
     */
    static DType join(String what, Tensor a, Tensor b) {
        if (a.dtype == b.dtype) {
            return a.dtype;
        }
        DType.promote(a.dtype, b.dtype); // rejects keys
        if (a.weak && !b.weak) {
            return b.dtype;
        }
        if (b.weak && !a.weak) {
            return a.dtype;
        }
        if (a.weak) {
            return DType.promote(a.dtype, b.dtype);
        }
        throw new IllegalArgumentException(what + ": operands of different dtypes, " + a.dtype + " " + a.shape
                + describe(a) + " and " + b.dtype + " " + b.shape + describe(b)
                + "; nabla does not promote silently: cast one of them explicitly, e.g. x.cast(DType." + a.dtype + ")");
    }

    private static String describe(Tensor t) {
        return t.name != null ? " ('" + t.name + "')" : " (" + t.op + ")";
    }

    /** Whether this tensor is weakly typed (see the class Javadoc). */
    public boolean isWeaklyTyped() {
        return weak;
    }

    /**
     * When on, every new node remembers the source line that created it, and debug-mode plans name it
     * when they find a NaN or infinity. Off by default (it costs a stack walk per node).
     */
    public static void recordCreationSites(boolean on) {
        recordSites = on;
    }

    /**
     * Copies the user-facing metadata (name, creation site, user-level op, gradient origin) of {@code origin} onto
     * this node, which the compiler built in its place.
     */
    Tensor inheritFrom(Tensor origin) {
        if (name == null) {
            name = origin.name;
        }
        if (origin.site != null) {
            site = origin.site;
            userOp = origin.userOp;
        }
        if (gradientOf == null && origin.gradientOf != this) {
            gradientOf = origin.gradientOf;
        }
        return this;
    }

    /** The id the last node created got (nodes created after it have larger ids). */
    static long lastId() {
        return IDS.get();
    }

    /** The forward node whose backward rule created this node, or null. */
    Tensor gradientOrigin() {
        return gradientOf;
    }

    /** Marks this node as made by the backward rule of {@code forward}, unless it already has an origin. */
    void markGradientOf(Tensor forward) {
        if (gradientOf == null) {
            gradientOf = forward;
        }
    }

    /**
     * How a message names this node for a user: the user-level op that made it, where, and for a node of a
     * gradient, the forward op it differentiates — e.g. {@code in div, created at Model.loss:42} or
     * {@code in the gradient of LOG 'p' (in log, created at Model.loss:40)}. Empty when nothing was recorded.
     */
    String origin() {
        StringBuilder sb = new StringBuilder(where());
        if (gradientOf != null && gradientOf != this) {
            sb.append(" (backward pass: in the gradient of ").append(gradientOf.op);
            if (gradientOf.name != null) {
                sb.append(" '").append(gradientOf.name).append('\'');
            }
            sb.append(gradientOf.where().isEmpty() ? "" : "," + gradientOf.where()).append(')');
        } else if (site != null) {
            sb.append(" (forward pass)");
        }
        return sb.toString();
    }

    /** The user-level op and creation site alone, e.g. {@code  in div, created at Model.loss:42}. */
    private String where() {
        StringBuilder sb = new StringBuilder();
        if (userOp != null && !userOp.equalsIgnoreCase(op.name())) {
            sb.append(" in ").append(userOp);
        }
        if (site != null) {
            sb.append(sb.isEmpty() ? " created at " : ", created at ").append(site);
        }
        return sb.toString();
    }

    private static final ThreadLocal<Integer> COMPILING = ThreadLocal.withInitial(() -> 0);

    /** Runs {@code body} with creation sites off (the compiler's own nodes inherit them from what they replace). */
    static <T> T compiling(Supplier<T> body) {
        COMPILING.set(COMPILING.get() + 1);
        try {
            return body.get();
        } finally {
            COMPILING.set(COMPILING.get() - 1);
        }
    }

    private static boolean engine(String cls) {
        int dollar = cls.indexOf('$');
        String top = dollar < 0 ? cls : cls.substring(0, dollar);
        return top.equals("dev.nabla.core.Tensor") || top.equals("dev.nabla.core.Autodiff")
                || top.equals("dev.nabla.core.Simplifier") || top.equals("dev.nabla.core.Lowering")
                || top.equals("dev.nabla.core.Plan")
                || top.equals("dev.nabla.core.NdArray") || cls.startsWith("dev.nabla.core.backend.")
                || cls.startsWith("dev.nabla.dsl.");
    }

    /** {site, user op}: the first frame outside the engine, and the outermost Tensor method called from there. */
    private static String[] callSite() {
        return StackWalker.getInstance().walk(frames -> {
            String userOp = null;
            for (StackWalker.StackFrame f : (Iterable<StackWalker.StackFrame>) frames::iterator) {
                String cls = f.getClassName();
                if (!engine(cls)) {
                    return new String[] {cls + "." + f.getMethodName() + ":" + f.getLineNumber(), userOp};
                }
                if (cls.equals("dev.nabla.core.Tensor") && !f.getMethodName().startsWith("<")
                        && !f.getMethodName().equals("node") && !f.getMethodName().equals("callSite")) {
                    userOp = f.getMethodName();
                }
            }
            return new String[] {null, userOp};
        });
    }

    // ------------------------------------------------------------------ accessors

    public Op op() {
        return op;
    }

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return dtype;
    }

    public int rank() {
        return shape.rank();
    }

    /** Number of elements. */
    public int size() {
        return shape.size();
    }

    /** The inputs of this node (a copy). */
    public List<Tensor> inputs() {
        return List.of(inputs);
    }

    /** The op's attribute: axes, permutation, slice bounds, constant data, a placeholder's name, … */
    public Object attr() {
        return attr;
    }

    /** A unique id, increasing with creation order. */
    public long id() {
        return id;
    }

    /** The name given with {@link #named}, a placeholder's or parameter's name, or null. */
    public String name() {
        return name;
    }

    /** Gives this node a name for error messages and debugging; returns this. */
    public Tensor named(String name) {
        this.name = name;
        return this;
    }

    /** Where in user code this node was created, when {@link #recordCreationSites} was on; else null. */
    public String creationSite() {
        return site;
    }

    /** For constants and parameters, the array holding the value (a parameter's is live and mutable). */
    public NdArray value() {
        if (op == Op.CONSTANT || op == Op.PARAMETER) {
            return (NdArray) attr;
        }
        throw new IllegalStateException("value(): " + this + " is not a constant or parameter; use eval()");
    }

    /** Evaluates this tensor (which must have no unbound placeholders) with the default backend. */
    public NdArray eval() {
        return Plan.compile(List.of(this)).run(Map.of()).get(this).copy();
    }

    @Override
    public String toString() {
        return "Tensor#" + id + "(" + op + (name != null ? " '" + name + "'" : "") + " " + shape + " " + dtype + ")";
    }

    // ------------------------------------------------------------------ sources

    /** A constant holding a copy of {@code value}. */
    public static Tensor constant(NdArray value) {
        Objects.requireNonNull(value, "constant: value");
        return node(Op.CONSTANT, value.shape(), value.dtype(), value.copy());
    }

    /** A weakly typed float64 vector constant (it takes the dtype of a strongly typed operand). */
    public static Tensor of(double... values) {
        return weakConstant(NdArray.of(values.clone()));
    }

    /** A weakly typed float64 constant of the given shape. */
    public static Tensor of(double[] values, int... dims) {
        return weakConstant(NdArray.of(values.clone(), dims));
    }

    /** A float32 constant of the given shape. */
    public static Tensor of(float[] values, int... dims) {
        return constant(NdArray.of(values, dims));
    }

    /** A weakly typed float64 matrix constant. */
    public static Tensor of(double[][] rows) {
        return weakConstant(NdArray.of(rows));
    }

    /** A weakly typed float64 scalar constant. */
    public static Tensor scalar(double v) {
        return weakScalar(v, DType.F64);
    }

    /** A (strongly typed) scalar constant of the given dtype. */
    public static Tensor scalar(double v, DType dtype) {
        NdArray a = NdArray.zeros(Shape.scalar(), dtype);
        a.setFlat(0, v);
        return node(Op.CONSTANT, Shape.scalar(), dtype, a);
    }

    private static Tensor weakScalar(double v, DType dtype) {
        NdArray a = NdArray.zeros(Shape.scalar(), dtype);
        a.setFlat(0, v);
        return weakConstant(a);
    }

    /** {@code v} everywhere, as a broadcast scalar (no array of the full size is stored). */
    public static Tensor full(Shape shape, double v, DType dtype) {
        return scalar(v, dtype).broadcastTo(shape);
    }

    /** {@code v} everywhere, weakly typed float64. */
    public static Tensor full(Shape shape, double v) {
        return scalar(v).broadcastTo(shape);
    }

    public static Tensor zeros(Shape shape, DType dtype) {
        return full(shape, 0, dtype);
    }

    /** Zeros, weakly typed float64. */
    public static Tensor zeros(int... dims) {
        return full(Shape.of(dims), 0);
    }

    public static Tensor ones(Shape shape, DType dtype) {
        return full(shape, 1, dtype);
    }

    /** Ones, weakly typed float64. */
    public static Tensor ones(int... dims) {
        return full(Shape.of(dims), 1);
    }

    public Tensor zerosLike() {
        return zeros(shape, dtype);
    }

    public Tensor onesLike() {
        return ones(shape, dtype);
    }

    /** {@code [start, start+step, …)} below {@code stop}, float64. */
    public static Tensor arange(double start, double stop, double step) {
        if (step == 0 || !Double.isFinite(step)) {
            throw new IllegalArgumentException("arange: step = " + step + ", expected a finite nonzero number");
        }
        int n = (int) Math.max(0, Math.ceil((stop - start) / step));
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = start + i * step;
        }
        return of(d);
    }

    /** {@code 0, 1, …, n-1}, float64. */
    public static Tensor arange(int n) {
        return arange(0, n, 1);
    }

    /** {@code n} evenly spaced values from {@code a} to {@code b} inclusive, float64. */
    public static Tensor linspace(double a, double b, int n) {
        if (n < 1) {
            throw new IllegalArgumentException("linspace: n = " + n + ", expected n >= 1");
        }
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = n == 1 ? a : a + (b - a) * i / (n - 1);
        }
        if (n > 1) {
            d[n - 1] = b;
        }
        return of(d);
    }

    /** A named float64 input, supplied at each run of a plan. */
    public static Tensor placeholder(String name, Shape shape) {
        return placeholder(name, shape, DType.F64);
    }

    /** A named input of the given dtype, supplied at each run of a plan. */
    public static Tensor placeholder(String name, Shape shape, DType dtype) {
        Objects.requireNonNull(name, "placeholder: name");
        if (dtype == DType.KEY) {
            throw new IllegalArgumentException("placeholder: use keyInput(name) for PRNG keys");
        }
        return node(Op.PLACEHOLDER, shape, dtype, name).named(name);
    }

    /**
     * A named value owned by the graph (model weights, optimizer state), initialised to a copy of
     * {@code init}. Plans read it in place and may update it in place ({@link Plan.Builder#update}).
     */
    public static Tensor parameter(String name, NdArray init) {
        Objects.requireNonNull(name, "parameter: name");
        return node(Op.PARAMETER, init.shape(), init.dtype(), init.copy()).named(name);
    }

    /** A PRNG key supplied at each run (bind a {@link Key} to it). */
    public static Tensor keyInput(String name) {
        return node(Op.KEY_INPUT, Shape.scalar(), DType.KEY, name).named(name);
    }

    /** A fixed PRNG key. */
    public static Tensor key(Key key) {
        return node(Op.KEY_CONSTANT, Shape.scalar(), DType.KEY, Objects.requireNonNull(key, "key"));
    }

    // ------------------------------------------------------------------ keys and random numbers

    private void requireKey(String what) {
        if (dtype != DType.KEY) {
            throw new IllegalArgumentException(what + ": expected a PRNG key tensor, got " + this);
        }
    }

    /** A new key derived from this key and {@code data} (JAX's {@code fold_in}). */
    public Tensor fold(long data) {
        requireKey("fold");
        return node(Op.KEY_FOLD, Shape.scalar(), DType.KEY, data, this);
    }

    /** {@code n} independent keys ({@code fold(0..n-1)}, JAX's {@code split}). */
    public Tensor[] split(int n) {
        Tensor[] out = new Tensor[n];
        for (int i = 0; i < n; i++) {
            out[i] = fold(i);
        }
        return out;
    }

    /** Uniform numbers in [0, 1), one Philox counter per element. */
    public Tensor uniform(Shape shape, DType dtype) {
        requireKey("uniform");
        if (dtype == DType.KEY) {
            throw new IllegalArgumentException("uniform: dtype KEY is not a number type");
        }
        return node(Op.RANDOM_UNIFORM, shape, dtype, null, this);
    }

    public Tensor uniform(Shape shape) {
        return uniform(shape, DType.F64);
    }

    /** Uniform numbers in [lo, hi). */
    public Tensor uniform(Shape shape, double lo, double hi, DType dtype) {
        if (!(lo < hi)) {
            throw new IllegalArgumentException("uniform: lo = " + lo + ", hi = " + hi + ", expected lo < hi");
        }
        return uniform(shape, dtype).mul(hi - lo).add(lo);
    }

    /**
     * Standard normal numbers ({@link dev.nabla.core.random.Philox#normalAt}): Box–Muller on Philox words, with a
     * log and a cos written as fixed operation sequences ({@link dev.nabla.core.random.BoxMuller}), so the same key
     * gives the same bits on every CPU backend, thread count and JIT state.
     */
    public Tensor normal(Shape shape, DType dtype) {
        requireKey("normal");
        if (dtype == DType.KEY) {
            throw new IllegalArgumentException("normal: dtype KEY is not a number type");
        }
        return node(Op.RANDOM_NORMAL, shape, dtype, null, this);
    }

    public Tensor normal(Shape shape) {
        return normal(shape, DType.F64);
    }

    /** ±1 with probability ½ each (Hutchinson probes). */
    public Tensor rademacher(Shape shape, DType dtype) {
        return uniform(shape, dtype).lt(0.5).mul(2).sub(1);
    }

    public Tensor rademacher(Shape shape) {
        return rademacher(shape, DType.F64);
    }

    /** 1 with probability {@code p}, else 0. */
    public Tensor bernoulli(double p, Shape shape, DType dtype) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException("bernoulli: p = " + p + ", expected 0 <= p <= 1");
        }
        return uniform(shape, dtype).lt(p);
    }

    /**
     * One-hot samples of a categorical distribution over the last axis of {@code logits} (unnormalised log
     * probabilities), by the Gumbel-max trick: {@code onehot(argmax(logits + G))}, {@code G = −log(−log U)}.
     */
    public Tensor categorical(Tensor logits) {
        requireKey("categorical");
        Tensor u = uniform(logits.shape, logits.dtype);
        Tensor gumbel = u.neg().log1p().neg().log().neg(); // -log(-log(1-u))
        Tensor z = logits.stopGradient().add(gumbel);
        Tensor m = z.maxKeep(-1);
        return z.ge(m);
    }

    // ------------------------------------------------------------------ elementwise

    private Tensor unary(Op op) {
        if (dtype == DType.KEY) {
            throw new IllegalArgumentException(op.name().toLowerCase() + ": a PRNG key is not a number");
        }
        return node(op, shape, dtype, null, this);
    }

    public Tensor neg() {
        return unary(Op.NEG);
    }

    public Tensor exp() {
        return unary(Op.EXP);
    }

    public Tensor expm1() {
        return unary(Op.EXPM1);
    }

    public Tensor log() {
        return unary(Op.LOG);
    }

    public Tensor log1p() {
        return unary(Op.LOG1P);
    }

    public Tensor sin() {
        return unary(Op.SIN);
    }

    /** {@code cos x}, a primitive ({@link Op#COS}): accurate to a few ulps relative, near its zeros too. */
    public Tensor cos() {
        return unary(Op.COS);
    }

    public Tensor sqrt() {
        return unary(Op.SQRT);
    }

    public Tensor reciprocal() {
        return unary(Op.RECIPROCAL);
    }

    public Tensor tanh() {
        return unary(Op.TANH);
    }

    /**
     * The error function {@code erf x = (2/√π) ∫₀ˣ e^{−t²} dt}, a primitive ({@link Op#ERF}) within 1 ulp; the
     * standard normal CDF is {@code Φ(x) = ½(1 + erf(x/√2))}.
     */
    public Tensor erf() {
        return unary(Op.ERF);
    }

    /** The same values, with zero derivative (JAX's {@code stop_gradient}, PyTorch's {@code detach}). */
    public Tensor stopGradient() {
        return unary(Op.STOP_GRADIENT);
    }

    /**
     * Conversion to {@code to}, strongly typed (this tensor if it already has that dtype and is strongly typed):
     * {@code Tensor.of(1, 2).cast(DType.F64)} is a float64 constant that no longer adapts to its operands.
     */
    public Tensor cast(DType to) {
        if (to == dtype) {
            // a weakly typed tensor cast to its own dtype becomes strongly typed: the same node, made strong
            return weak ? new Tensor(op, shape, dtype, attr, inputs, false) : this;
        }
        if (to == DType.KEY || dtype == DType.KEY) {
            throw new IllegalArgumentException("cast: cannot cast " + dtype + " to " + to);
        }
        return node(Op.CAST, shape, to, null, this);
    }

    private Tensor binary(Op op, String what, Tensor b) {
        Objects.requireNonNull(b, what + ": argument");
        DType dt = join(what, this, b);
        Shape s = Shape.broadcast(what, shape, b.shape);
        return node(op, s, dt, null, weakCast(this, dt).broadcastTo(s), weakCast(b, dt).broadcastTo(s));
    }

    /** {@code t} in {@code dt}, weakly typed still if it was (an implicit conversion, not a user's cast). */
    private static Tensor weakCast(Tensor t, DType dt) {
        if (t.dtype == dt) {
            return t;
        }
        if (!t.weak) {
            return t.cast(dt);
        }
        if (t.op == Op.CONSTANT) { // fold the conversion of a literal here
            return weakConstant(((NdArray) t.attr).astype(dt));
        }
        return new Tensor(Op.CAST, t.shape, dt, null, new Tensor[] {t}, true);
    }

    /** A Java number as a weakly typed scalar of this tensor's dtype. */
    private Tensor lift(double v) {
        return weakScalar(v, dtype == DType.KEY ? DType.F64 : dtype);
    }

    public Tensor add(Tensor b) {
        return binary(Op.ADD, "add", b);
    }

    public Tensor add(double b) {
        return add(lift(b));
    }

    public Tensor mul(Tensor b) {
        return binary(Op.MUL, "mul", b);
    }

    public Tensor mul(double b) {
        return mul(lift(b));
    }

    public Tensor sub(Tensor b) {
        return add(b.neg());
    }

    public Tensor sub(double b) {
        return add(-b);
    }

    /** {@code b - this}. */
    public Tensor rsub(double b) {
        return neg().add(b);
    }

    public Tensor div(Tensor b) {
        return mul(b.reciprocal());
    }

    public Tensor div(double b) {
        return mul(1.0 / b);
    }

    /** Elementwise maximum (the derivative is split equally between tied arguments). */
    public Tensor maximum(Tensor b) {
        return binary(Op.MAX, "maximum", b);
    }

    public Tensor maximum(double b) {
        return maximum(lift(b));
    }

    /** Elementwise minimum, {@code −max(−a, −b)}. */
    public Tensor minimum(Tensor b) {
        return neg().maximum(b.neg()).neg();
    }

    public Tensor minimum(double b) {
        return minimum(lift(b));
    }

    /** {@code this < b} as 1 or 0 (no derivative). */
    public Tensor lt(Tensor b) {
        return binary(Op.LESS, "lt", b);
    }

    public Tensor lt(double b) {
        return lt(lift(b));
    }

    public Tensor gt(Tensor b) {
        return b.binary(Op.LESS, "gt", this);
    }

    public Tensor gt(double b) {
        return lift(b).lt(this);
    }

    public Tensor le(Tensor b) {
        return gt(b).rsub(1);
    }

    public Tensor ge(Tensor b) {
        return lt(b).rsub(1);
    }

    public Tensor ge(double b) {
        return lt(b).rsub(1);
    }

    /** {@code this == b} as 1 or 0. */
    public Tensor eq(Tensor b) {
        return lt(b).add(gt(b)).rsub(1);
    }

    /** {@code where(cond, a, b)}: {@code a} where {@code cond ≠ 0}, else {@code b}; all three broadcast. */
    public static Tensor where(Tensor cond, Tensor a, Tensor b) {
        DType dt = join("where", a, b);
        Shape s = Shape.broadcast("where", Shape.broadcast("where", cond.shape, a.shape), b.shape);
        // the condition is 0 or 1: its dtype never decides the result's
        return node(Op.WHERE, s, dt, null, weakCast(cond, dt).broadcastTo(s),
                weakCast(a, dt).broadcastTo(s), weakCast(b, dt).broadcastTo(s));
    }

    public Tensor square() {
        return mul(this);
    }

    public Tensor abs() {
        return maximum(neg());
    }

    /** −1, 0 or 1 (no derivative). */
    public Tensor sign() {
        return gt(0).sub(lt(0));
    }

    /**
     * {@code x^p}: repeated products for small integer {@code p} (|p| ≤ 4, a few ulp), √x for p = ½, else
     * {@code exp(p log x)} for x > 0, whose relative error grows with the exponent: about {@code |p log x|} ulp
     * (the rounding of p·log x is amplified by exp), e.g. 700 ulp where the result is near 1e±300.
     */
    public Tensor pow(double p) {
        if (p == 0) {
            return onesLike();
        }
        if (p == Math.rint(p) && Math.abs(p) <= 4) {
            Tensor r = this;
            for (int i = 1; i < Math.abs(p); i++) {
                r = r.mul(this);
            }
            return p < 0 ? r.reciprocal() : r;
        }
        if (p == 0.5) {
            return sqrt();
        }
        return log().mul(p).exp();
    }

    /** {@code x^y = exp(y log x)} for {@code x > 0}; relative error about {@code |y log x|} ulp (see {@link #pow(double)}). */
    public Tensor pow(Tensor y) {
        return log().mul(y).exp();
    }

    public Tensor rsqrt() {
        return sqrt().reciprocal();
    }

    public Tensor tan() {
        return sin().div(cos());
    }

    /**
     * Logistic sigmoid {@code 1/(1 + e^{−x})}, the primitive {@link Op#LOGISTIC}: no overflow, and finite
     * derivatives {@code σ(1 − σ)} everywhere.
     */
    public Tensor sigmoid() {
        return unary(Op.LOGISTIC);
    }

    /** {@code x·sigmoid(x)} (swish). */
    public Tensor silu() {
        return mul(sigmoid());
    }

    public Tensor relu() {
        return maximum(0);
    }

    /** {@code log(1 + eˣ) = max(x, 0) + log1p(e^{−|x|})}, stable for all x. */
    public Tensor softplus() {
        return relu().add(abs().neg().exp().log1p());
    }

    /** {@code log σ(x) = −softplus(−x)}. */
    public Tensor logSigmoid() {
        return neg().softplus().neg();
    }

    // ------------------------------------------------------------------ reductions

    private int[] axesOf(String what, int... axes) {
        if (axes.length == 0) {
            int[] all = new int[rank()];
            for (int i = 0; i < all.length; i++) {
                all[i] = i;
            }
            return all;
        }
        boolean[] seen = new boolean[rank()];
        for (int a : axes) {
            int n = shape.normalizeAxis(a, what);
            if (seen[n]) {
                throw new IllegalArgumentException(what + ": axis " + a + " given twice in " + Arrays.toString(axes));
            }
            seen[n] = true;
        }
        int[] out = new int[axes.length];
        int k = 0;
        for (int i = 0; i < seen.length; i++) {
            if (seen[i]) {
                out[k++] = i;
            }
        }
        return out;
    }

    private Shape keptShape(int[] axes) {
        int[] d = shape.dims();
        for (int a : axes) {
            d[a] = 1;
        }
        return Shape.of(d);
    }

    private Shape droppedShape(int[] axes) {
        int[] d = shape.dims();
        int[] out = new int[d.length - axes.length];
        int k = 0;
        outer:
        for (int i = 0; i < d.length; i++) {
            for (int a : axes) {
                if (a == i) {
                    continue outer;
                }
            }
            out[k++] = d[i];
        }
        return Shape.of(out);
    }

    private Tensor reduce(Op op, String what, boolean keep, int... axes) {
        int[] ax = axesOf(what, axes);
        if (dtype == DType.KEY) {
            throw new IllegalArgumentException(what + ": a PRNG key is not a number");
        }
        Tensor r = ax.length == 0 ? this : node(op, keptShape(ax), dtype, ax, this);
        return keep ? r : r.reshape(droppedShape(ax).dims());
    }

    /** Sum over {@code axes} (all when none), dropping them. */
    public Tensor sum(int... axes) {
        return reduce(Op.SUM, "sum", false, axes);
    }

    /** Sum over {@code axes}, keeping them with extent 1. */
    public Tensor sumKeep(int... axes) {
        return reduce(Op.SUM, "sum", true, axes);
    }

    /** Maximum over {@code axes} (all when none), dropping them. */
    public Tensor max(int... axes) {
        return reduce(Op.REDUCE_MAX, "max", false, axes);
    }

    public Tensor maxKeep(int... axes) {
        return reduce(Op.REDUCE_MAX, "max", true, axes);
    }

    public Tensor min(int... axes) {
        return neg().max(axes).neg();
    }

    private int count(int[] axes) {
        int n = 1;
        for (int a : axesOf("mean", axes)) {
            n *= shape.dim(a);
        }
        return n;
    }

    public Tensor mean(int... axes) {
        return sum(axes).div(count(axes));
    }

    public Tensor meanKeep(int... axes) {
        return sumKeep(axes).div(count(axes));
    }

    /** Population variance {@code mean((x − mean x)²)} over {@code axes}. */
    public Tensor variance(int... axes) {
        return sub(meanKeep(axes)).square().mean(axes);
    }

    /** Euclidean norm over {@code axes} (all when none). */
    public Tensor norm(int... axes) {
        return square().sum(axes).sqrt();
    }

    /**
     * {@code log Σ exp x} over {@code axes}, as {@code m + log1p(s)} with {@code m = max x} and
     * {@code s = Σ_{x_i < m} e^{x_i − m} + (k − 1)}, k the number of maximal elements. Leaving the maximal terms
     * {@code e⁰ = 1} out of the sum keeps the result accurate to a few ulp relative even where it is near 0
     * ({@code log(e⁰ + e^{−40})} is 4.2e-18; summing the ones first would round it to 0). The derivative reaches
     * the maximal elements through m ({@code ∂m/∂x = 1}, split on ties) and through s ({@code ∂s/∂x_max = −s}), so
     * the gradient is softmax: {@code 1/(1 + s)} at a unique maximum. Infinite maxima give ±∞.
     */
    public Tensor logsumexp(int... axes) {
        return logSumExpKeep(axes).reshape(droppedShape(axesOf("logsumexp", axes)).dims());
    }

    private Tensor logSumExpKeep(int... axes) {
        Tensor m = maxKeep(axes);
        return m.add(offMaxSum(m, axes).log1p());
    }

    /** {@code s = Σ_{x_i < m} e^{x_i − m} + (k − 1)} of {@link #logsumexp}, reduced over {@code axes} (kept). */
    private Tensor offMaxSum(Tensor m, int... axes) {
        Tensor atMax = ge(m);
        Tensor below = where(atMax, Tensor.scalar(0), sub(m).exp());
        return below.sumKeep(axes).add(atMax.sumKeep(axes).sub(1));
    }

    /**
     * {@code x − logsumexp(x)} over the last axis, as {@code (x − m) − log1p(s)} (see {@link #logsumexp}): accurate
     * to a few ulp relative also for the dominant class, where it is near 0.
     */
    public Tensor logSoftmax() {
        Tensor m = maxKeep(-1);
        return sub(m).sub(offMaxSum(m, -1).log1p());
    }

    public Tensor softmax() {
        return logSoftmax().exp();
    }

    /** Inner product over the last axis ({@code Σ_i a_i b_i}), broadcasting leading axes. */
    public Tensor dot(Tensor b) {
        return mul(b).sum(-1);
    }

    // ------------------------------------------------------------------ movement

    /** The same elements with another shape; one extent may be -1 (inferred). */
    public Tensor reshape(int... dims) {
        int[] d = dims.clone();
        int infer = -1;
        long known = 1;
        for (int i = 0; i < d.length; i++) {
            if (d[i] == -1) {
                if (infer >= 0) {
                    throw new IllegalArgumentException("reshape: more than one -1 in " + Arrays.toString(dims));
                }
                infer = i;
            } else {
                known *= d[i];
            }
        }
        if (infer >= 0) {
            if (known == 0 || size() % known != 0) {
                throw new IllegalArgumentException("reshape: cannot infer -1 in " + Arrays.toString(dims)
                        + " for shape " + shape);
            }
            d[infer] = (int) (size() / known);
        }
        Shape s = Shape.of(d);
        if (s.size() != size()) {
            throw new IllegalArgumentException("reshape: shape " + shape + " (" + size() + " elements) cannot become "
                    + s + " (" + s.size() + " elements)");
        }
        return s.equals(shape) ? this : node(Op.RESHAPE, s, dtype, null, this);
    }

    /** A flat vector of all elements. */
    public Tensor flatten() {
        return reshape(size());
    }

    /** Broadcasts to {@code target} (NumPy rules: leading axes added, extents 1 repeated). */
    public Tensor broadcastTo(Shape target) {
        if (target.equals(shape)) {
            return this;
        }
        if (target.rank() < rank() || !Shape.broadcast("broadcastTo", shape, target).equals(target)) {
            throw new IllegalArgumentException("broadcastTo: shape " + shape + " cannot broadcast to " + target);
        }
        Tensor r = reshape(shape.padLeft(target.rank()).dims());
        return r.shape.equals(target) ? r : node(Op.EXPAND, target, dtype, null, r);
    }

    /** Adds an axis of extent 1 at {@code axis}. */
    public Tensor unsqueeze(int axis) {
        int a = axis < 0 ? axis + rank() + 1 : axis;
        if (a < 0 || a > rank()) {
            throw new IllegalArgumentException("unsqueeze: axis " + axis + " out of range for shape " + shape);
        }
        int[] d = new int[rank() + 1];
        for (int i = 0, j = 0; i < d.length; i++) {
            d[i] = i == a ? 1 : shape.dim(j++);
        }
        return reshape(d);
    }

    /** Reorders axes: output axis i is input axis {@code perm[i]}. */
    public Tensor permute(int... perm) {
        if (perm.length != rank()) {
            throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " has " + perm.length
                    + " axes, shape " + shape + " has " + rank());
        }
        boolean[] seen = new boolean[rank()];
        int[] p = new int[rank()];
        boolean identity = true;
        int[] d = new int[rank()];
        for (int i = 0; i < p.length; i++) {
            p[i] = shape.normalizeAxis(perm[i], "permute");
            if (seen[p[i]]) {
                throw new IllegalArgumentException("permute: " + Arrays.toString(perm) + " is not a permutation");
            }
            seen[p[i]] = true;
            identity &= p[i] == i;
            d[i] = shape.dim(p[i]);
        }
        return identity ? this : node(Op.PERMUTE, Shape.of(d), dtype, p, this);
    }

    /** Swaps the last two axes (the matrix transpose of each batch element). */
    public Tensor transpose() {
        if (rank() < 2) {
            throw new IllegalArgumentException("transpose: shape " + shape + " has fewer than 2 axes");
        }
        int[] p = new int[rank()];
        for (int i = 0; i < p.length; i++) {
            p[i] = i;
        }
        p[rank() - 1] = rank() - 2;
        p[rank() - 2] = rank() - 1;
        return permute(p);
    }

    /** Elements {@code [start, end)} along {@code axis}; negative bounds count from the end. */
    public Tensor slice(int axis, int start, int end) {
        int a = shape.normalizeAxis(axis, "slice");
        int n = shape.dim(a);
        int s = start < 0 ? start + n : start;
        int e = end < 0 ? end + n : end;
        if (s < 0 || e > n || s > e) {
            throw new IllegalArgumentException("slice: [" + start + ", " + end + ") is out of range for axis " + axis
                    + " of extent " + n + " in shape " + shape);
        }
        if (s == 0 && e == n) {
            return this;
        }
        int[] starts = new int[rank()];
        int[] ends = shape.dims();
        starts[a] = s;
        ends[a] = e;
        int[] d = shape.dims();
        d[a] = e - s;
        return node(Op.SLICE, Shape.of(d), dtype, new int[][] {starts, ends}, this);
    }

    /** Element {@code i} along {@code axis}, dropping that axis. */
    public Tensor index(int axis, int i) {
        int a = shape.normalizeAxis(axis, "index");
        int n = shape.dim(a);
        int j = i < 0 ? i + n : i;
        Tensor s = slice(a, j, j + 1);
        int[] d = new int[rank() - 1];
        for (int k = 0, m = 0; k < rank(); k++) {
            if (k != a) {
                d[m++] = shape.dim(k);
            }
        }
        return s.reshape(d);
    }

    /** Pads {@code axis} with {@code before} and {@code after} zeros. */
    public Tensor pad(int axis, int before, int after) {
        int a = shape.normalizeAxis(axis, "pad");
        if (before < 0 || after < 0) {
            throw new IllegalArgumentException("pad: before = " + before + ", after = " + after + ", expected >= 0");
        }
        if (before == 0 && after == 0) {
            return this;
        }
        int[] b = new int[rank()];
        int[] af = new int[rank()];
        b[a] = before;
        af[a] = after;
        int[] d = shape.dims();
        d[a] += before + after;
        return node(Op.PAD, Shape.of(d), dtype, new int[][] {b, af}, this);
    }

    /**
     * Joins tensors along {@code axis}: the primitive {@link Op#CONCAT}, each part written into its slice of the
     * result. Dtypes combine as in {@link #add}: weakly typed parts take the strong parts' dtype.
     */
    public static Tensor concat(int axis, Tensor... parts) {
        if (parts.length == 0) {
            throw new IllegalArgumentException("concat: no tensors given");
        }
        Tensor first = parts[0];
        int a = first.shape.normalizeAxis(axis, "concat");
        int total = 0;
        Tensor joined = first; // stands for the dtype and weakness of the parts so far
        for (int i = 0; i < parts.length; i++) {
            Tensor p = parts[i];
            if (p.rank() != first.rank()) {
                throw new IllegalArgumentException("concat: part " + i + " has shape " + p.shape + ", part 0 has "
                        + first.shape + " (ranks differ)");
            }
            for (int k = 0; k < first.rank(); k++) {
                if (k != a && p.shape.dim(k) != first.shape.dim(k)) {
                    throw new IllegalArgumentException("concat: part " + i + " has shape " + p.shape + ", part 0 has "
                            + first.shape + "; all axes but " + axis + " must agree");
                }
            }
            total += p.shape.dim(a);
            if (i > 0) {
                DType dt = join("concat", joined, p);
                joined = new Tensor(Op.CONCAT, first.shape, dt, null, new Tensor[0], joined.weak && p.weak);
            }
        }
        if (parts.length == 1) {
            return first;
        }
        Tensor[] in = new Tensor[parts.length];
        for (int i = 0; i < in.length; i++) {
            in[i] = weakCast(parts[i], joined.dtype);
        }
        int[] d = first.shape.dims();
        d[a] = total;
        return node(Op.CONCAT, Shape.of(d), joined.dtype, a, in);
    }

    /** Stacks equally shaped tensors along a new axis. */
    public static Tensor stack(int axis, Tensor... parts) {
        Tensor[] u = new Tensor[parts.length];
        for (int i = 0; i < parts.length; i++) {
            u[i] = parts[i].unsqueeze(axis);
        }
        return concat(axis, u);
    }

    // ------------------------------------------------------------------ matmul

    /**
     * Matrix product with NumPy's {@code matmul} semantics: {@code [..., m, k] · [..., k, n] → [..., m, n]},
     * batch axes broadcast; a 1-D left operand is a row vector and a 1-D right operand a column vector
     * (their axis is dropped from the result).
     */
    public Tensor matmul(Tensor b) {
        Objects.requireNonNull(b, "matmul: argument");
        if (rank() == 0 || b.rank() == 0) {
            throw new IllegalArgumentException("matmul: operands need at least 1 axis, got " + shape + " and " + b.shape);
        }
        Tensor x = rank() == 1 ? reshape(1, size()) : this;
        Tensor y = b.rank() == 1 ? b.reshape(b.size(), 1) : b;
        int k = x.shape.dim(-1);
        if (y.shape.dim(-2) != k) {
            throw new IllegalArgumentException("matmul: inner dimensions differ: " + shape + " @ " + b.shape + " ("
                    + k + " vs " + y.shape.dim(-2) + ")");
        }
        DType dt = join("matmul", x, y);
        x = weakCast(x, dt);
        y = weakCast(y, dt);
        int[] bx = Arrays.copyOf(x.shape.dims(), x.rank() - 2);
        int[] by = Arrays.copyOf(y.shape.dims(), y.rank() - 2);
        Shape batch = Shape.broadcast("matmul", Shape.of(bx), Shape.of(by));
        int m = x.shape.dim(-2);
        int n = y.shape.dim(-1);
        int[] dx = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        dx[batch.rank()] = m;
        dx[batch.rank() + 1] = k;
        int[] dy = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        dy[batch.rank()] = k;
        dy[batch.rank() + 1] = n;
        int[] dout = Arrays.copyOf(batch.dims(), batch.rank() + 2);
        dout[batch.rank()] = m;
        dout[batch.rank() + 1] = n;
        Tensor out = node(Op.MATMUL, Shape.of(dout), dt, null, x.broadcastTo(Shape.of(dx)), y.broadcastTo(Shape.of(dy)));
        List<Integer> keep = new ArrayList<>();
        for (int i = 0; i < batch.rank(); i++) {
            keep.add(batch.dim(i));
        }
        if (rank() > 1) {
            keep.add(m);
        }
        if (b.rank() > 1) {
            keep.add(n);
        }
        return out.reshape(keep.stream().mapToInt(Integer::intValue).toArray());
    }
}
