package dev.nabla.gpu.tornado;

import dev.nabla.core.Op;
import dev.nabla.core.plan.Expr;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An elementwise expression tree compiled to the register program {@link Kernels#fusedF64} runs: instructions of
 * {@link Kernels#WIDTH} ints {@code (op, dst, x, y, z)}, the result in register 0. Registers are assigned in
 * Sethi–Ullman order (the child needing most registers is evaluated first), so a tree needing r registers uses
 * registers 0 … r−1. Leaves become {@code LOAD dst, buffer, div, mod}; literals {@code CONST dst, index}.
 *
 * @param code    the instructions, flattened
 * @param length  number of instructions
 * @param buffers the slots read, in buffer order (at most {@link Kernels#INPUTS})
 * @param consts  the literals
 */
record FusedCode(int[] code, int length, int[] buffers, double[] consts) {

    /** Registers {@code e} needs (Sethi–Ullman number). */
    static int registers(Expr e) {
        if (!(e instanceof Expr.Apply a)) {
            return 1;
        }
        int[] needs = new int[a.args().length];
        for (int j = 0; j < needs.length; j++) {
            needs[j] = registers(a.args()[j]);
        }
        Arrays.sort(needs);
        int r = 1;
        for (int j = 0; j < needs.length; j++) {
            r = Math.max(r, needs[needs.length - 1 - j] + j);
        }
        return r;
    }

    /** The distinct buffer slots {@code e} reads. */
    static List<Integer> slots(Expr e) {
        List<Integer> out = new ArrayList<>();
        collect(e, out);
        return out;
    }

    private static void collect(Expr e, List<Integer> out) {
        switch (e) {
            case Expr.Leaf l -> {
                if (!out.contains(l.slot())) {
                    out.add(l.slot());
                }
            }
            case Expr.Strided l -> throw strided(l);
            case Expr.Const c -> {
            }
            case Expr.Apply a -> {
                for (Expr x : a.args()) {
                    collect(x, out);
                }
            }
        }
    }

    /** Whether {@code e} fits one fused kernel (registers and input buffers). */
    static boolean fits(Expr e) {
        return registers(e) <= Kernels.REGISTERS && slots(e).size() <= Kernels.INPUTS;
    }

    static FusedCode compile(Expr e) {
        if (!fits(e)) {
            throw new IllegalArgumentException("expression needs " + registers(e) + " registers and "
                    + slots(e).size() + " buffers, more than a fused kernel has (" + Kernels.REGISTERS + ", "
                    + Kernels.INPUTS + "); split it first");
        }
        Builder b = new Builder();
        b.emit(e, 0);
        int[] code = new int[b.code.size()];
        for (int i = 0; i < code.length; i++) {
            code[i] = b.code.get(i);
        }
        int[] buffers = b.buffers.keySet().stream().mapToInt(Integer::intValue).toArray();
        double[] consts = b.consts.stream().mapToDouble(Double::doubleValue).toArray();
        return new FusedCode(code, code.length / Kernels.WIDTH, buffers, consts);
    }

    private static final class Builder {
        final List<Integer> code = new ArrayList<>();
        final Map<Integer, Integer> buffers = new LinkedHashMap<>();
        final List<Double> consts = new ArrayList<>();

        void put(int op, int d, int x, int y, int z) {
            code.addAll(List.of(op, d, x, y, z));
        }

        /** Evaluates {@code e} into register {@code t}, using registers t and above. */
        void emit(Expr e, int t) {
            switch (e) {
                case Expr.Leaf l -> {
                    int buf = buffers.computeIfAbsent(l.slot(), k -> buffers.size());
                    put(Kernels.LOAD, t, buf, l.div(), l.mod());
                }
                case Expr.Strided l -> throw strided(l);
                case Expr.Const c -> {
                    int at = consts.indexOf(c.value());
                    if (at < 0 || Double.doubleToRawLongBits(consts.get(at)) != Double.doubleToRawLongBits(c.value())) {
                        at = consts.size();
                        consts.add(c.value());
                    }
                    put(Kernels.CONST, t, at, 0, 0);
                }
                case Expr.Apply a -> {
                    Expr[] args = a.args();
                    Integer[] order = new Integer[args.length];
                    int[] need = new int[args.length];
                    for (int j = 0; j < args.length; j++) {
                        order[j] = j;
                        need[j] = registers(args[j]);
                    }
                    Arrays.sort(order, (p, q) -> Integer.compare(need[q], need[p]));
                    int[] reg = new int[args.length];
                    for (int pos = 0; pos < args.length; pos++) {
                        reg[order[pos]] = t + pos;
                        emit(args[order[pos]], t + pos);
                    }
                    int x = reg[0];
                    int y = args.length > 1 ? reg[1] : 0;
                    int z = args.length > 2 ? reg[2] : 0;
                    put(opcode(a.op()), t, x, y, z);
                }
            }
        }
    }

    /** A strided leaf has no LOAD form here: {@code TornadoExecutable} copies its view out first. */
    private static IllegalArgumentException strided(Expr.Strided l) {
        return new IllegalArgumentException("strided leaf " + l.view() + " of slot " + l.slot()
                + " in a fused kernel; copy the view out first");
    }

    static int opcode(Op op) {
        return switch (op) {
            case NEG -> Kernels.NEG;
            case EXP -> Kernels.EXP;
            case LOG -> Kernels.LOG;
            case SIN -> Kernels.SIN;
            case COS -> Kernels.COS;
            case SQRT -> Kernels.SQRT;
            case RECIPROCAL -> Kernels.RECIPROCAL;
            case EXPM1 -> Kernels.EXPM1;
            case LOG1P -> Kernels.LOG1P;
            case TANH -> Kernels.TANH;
            case LOGISTIC -> Kernels.LOGISTIC;
            case CAST, STOP_GRADIENT -> Kernels.MOVE;
            case ADD -> Kernels.ADD;
            case MUL -> Kernels.MUL;
            case MAX -> Kernels.MAX;
            case LESS -> Kernels.LESS;
            case WHERE -> Kernels.WHERE;
            // no device code yet: the plan fails to load, naming the op, instead of computing something else
            case ERF -> throw new UnsupportedOperationException(op.name().toLowerCase()
                    + " has no device code on the tornado backend; run this plan on simd or reference");
            // exhaustive on purpose: javac names this switch when a new primitive has no device code
            case CONSTANT, PLACEHOLDER, PARAMETER, KEY_INPUT, KEY_CONSTANT, KEY_FOLD, RANDOM_UNIFORM, RANDOM_NORMAL, SUM,
                 REDUCE_MAX, RESHAPE, EXPAND, PERMUTE, SLICE, PAD, CONCAT, MATMUL ->
                    throw new IllegalArgumentException(op + " is not an elementwise op");
        };
    }
}
