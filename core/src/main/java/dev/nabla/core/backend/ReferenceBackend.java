package dev.nabla.core.backend;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Op;
import dev.nabla.core.Shape;
import dev.nabla.core.plan.Expr;
import dev.nabla.core.plan.Instr;
import dev.nabla.core.plan.Program;
import dev.nabla.core.plan.View;
import dev.nabla.core.random.Philox;

import java.util.Arrays;

/**
 * The reference backend: one scalar loop per primitive, the meaning of each elementwise op taken from
 * {@link ScalarOps}, sums and products accumulated in double and rounded once to the output dtype. It is
 * written to be obviously correct, not fast; every other backend is tested against it.
 */
final class ReferenceBackend implements Backend {
    static final ReferenceBackend INSTANCE = new ReferenceBackend();

    @Override
    public String name() {
        return "reference";
    }

    @Override
    public boolean fusesElementwise() {
        return false;
    }

    @Override
    public Executable load(Program program, NdArray[] parameters, boolean debug) {
        return new CpuExecutable(program, parameters, debug, ReferenceBackend::step);
    }

    static double get(Object buffer, int i) {
        return buffer instanceof double[] d ? d[i] : ((float[]) buffer)[i];
    }

    static void set(Object buffer, int i, double v) {
        if (buffer instanceof double[] d) {
            d[i] = v;
        } else {
            ((float[]) buffer)[i] = (float) v;
        }
    }

    private static double eval(Expr e, Object[] buf, int i, DType dt) {
        return switch (e) {
            case Expr.Const c -> c.value();
            case Expr.Leaf l -> get(buf[l.slot()], (i / l.div()) % l.mod());
            case Expr.Strided l -> get(buf[l.slot()], l.view().offsetOf(i));
            case Expr.Apply a -> {
                Expr[] x = a.args();
                double p = eval(x[0], buf, i, dt);
                double q = x.length > 1 ? eval(x[1], buf, i, dt) : 0;
                double r = x.length > 2 ? eval(x[2], buf, i, dt) : 0;
                yield ScalarOps.round(dt, ScalarOps.apply(a.op(), p, q, r));
            }
        };
    }

    static Runnable step(Instr instr, Object[] buf, long[] keys) {
        return switch (instr) {
            case Instr.Elementwise e -> () -> {
                Object out = buf[e.out()];
                for (int i = 0; i < e.size(); i++) {
                    set(out, i, eval(e.expr(), buf, i, e.dtype()));
                }
            };
            case Instr.Cast c -> () -> {
                for (int i = 0; i < c.size(); i++) {
                    set(buf[c.out()], i, get(buf[c.in()], i));
                }
            };
            case Instr.Copy c -> () -> System.arraycopy(buf[c.in()], 0, buf[c.out()], 0, c.size());
            case Instr.Strided s -> () -> {
                Object out = buf[s.out()];
                if (s.zero()) {
                    for (int i = 0; i < s.size(); i++) {
                        set(out, i, 0);
                    }
                }
                for (int p = 0; p < s.in().length; p++) {
                    Object in = buf[s.in()[p]];
                    View from = s.from()[p];
                    View to = s.to()[p];
                    for (int i = 0; i < from.size(); i++) {
                        set(out, to.offsetOf(i), get(in, from.offsetOf(i)));
                    }
                }
            };
            case Instr.Reduce r -> {
                Shape reduced = Instrs.reducedShape(r.inShape(), r.axes());
                int n = reduced.size();
                double[] acc = new double[n];
                boolean max = r.op() == Op.REDUCE_MAX;
                yield () -> {
                    Arrays.fill(acc, max ? Double.NEGATIVE_INFINITY : 0.0);
                    Object in = buf[r.in()];
                    View v = r.view();
                    for (int i = 0; i < v.size(); i++) {
                        double x = get(in, v.offsetOf(i));
                        int o = Instrs.reducedIndex(v.shape(), reduced, i);
                        acc[o] = max ? Math.max(acc[o], x) : acc[o] + x;
                    }
                    for (int i = 0; i < n; i++) {
                        set(buf[r.out()], i, acc[i]);
                    }
                };
            }
            case Instr.Matmul m -> () -> {
                Object a = buf[m.a()];
                Object b = buf[m.b()];
                Object c = buf[m.out()];
                int mm = m.m();
                int nn = m.n();
                int kk = m.k();
                for (int t = 0; t < m.batch(); t++) {
                    int ao = m.offsetA() + t * m.strideA();
                    int bo = m.offsetB() + t * m.strideB();
                    int co = t * mm * nn;
                    for (int i = 0; i < mm; i++) {
                        for (int j = 0; j < nn; j++) {
                            double s = 0;
                            for (int p = 0; p < kk; p++) {
                                double x = get(a, ao + (m.transA() ? p * mm + i : i * kk + p));
                                double y = get(b, bo + (m.transB() ? j * kk + p : p * nn + j));
                                s += x * y;
                            }
                            set(c, co + i * nn + j, s);
                        }
                    }
                }
            };
            case Instr.Random r -> () -> {
                Object out = buf[r.out()];
                long key = keys[r.keySlot()];
                if (out instanceof double[] d) {
                    if (r.normal()) {
                        Philox.normal(key, 0, d, 0, r.size());
                    } else {
                        Philox.uniform(key, 0, d, 0, r.size());
                    }
                } else if (r.normal()) {
                    Philox.normal(key, 0, (float[]) out, 0, r.size());
                } else {
                    Philox.uniform(key, 0, (float[]) out, 0, r.size());
                }
            };
        };
    }
}
