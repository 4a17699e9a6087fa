package dev.nabla.core;

import java.util.Arrays;

/**
 * A dense row-major array of float64 ({@code double[]}) or float32 ({@code float[]}) values with a shape:
 * the concrete values that flow into and out of compiled plans. Unlike {@link Tensor} (a lazy graph node)
 * it holds numbers. Arrays returned by a plan are views of the plan's buffers and are overwritten by its
 * next run; copy them ({@link #copy()}) to keep them.
 *
 * <p><b>Device residency.</b> A backend that keeps an array on an accelerator (parameters and optimizer state
 * of a training step stay there between runs) marks it with {@link #residesOn}. Every accessor first calls
 * {@link #toHost()}, which brings the device's newer values back once and clears the mark; the backend then
 * uploads the host values again before its next run. So host code never sees stale values, and device code
 * never misses a host write. Views made with {@link #reshape} share the mark with the array they view.
 */
public final class NdArray {
    private final Shape shape;
    private final DType dtype;
    private final double[] f64;
    private final float[] f32;
    private final Residence residence;

    /** A newer copy of an array's values held by a device, see {@link #residesOn}. */
    public interface DeviceCopy {
        /** Copies the device's values into the host array (the one marked with {@link #residesOn}). */
        void toHost();
    }

    /** Where the newest values are: shared by an array and its reshaped views. */
    private static final class Residence {
        DeviceCopy device;
    }

    private NdArray(Shape shape, DType dtype, double[] f64, float[] f32, Residence residence) {
        this.shape = shape;
        this.dtype = dtype;
        this.f64 = f64;
        this.f32 = f32;
        this.residence = residence;
    }

    private NdArray(Shape shape, DType dtype, double[] f64, float[] f32) {
        this(shape, dtype, f64, f32, new Residence());
    }

    /**
     * Marks the device copy {@code copy} as newer than the host values (called by device backends after a run
     * that may have updated this array on the device); {@code null} clears the mark without copying.
     */
    public void residesOn(DeviceCopy copy) {
        residence.device = copy;
    }

    /** The device copy newer than the host values, or {@code null} when the host values are current. */
    public DeviceCopy residence() {
        return residence.device;
    }

    /** Brings a newer device copy's values back into the host array, if there is one, and clears the mark. */
    public void toHost() {
        DeviceCopy d = residence.device;
        if (d != null) {
            residence.device = null;
            d.toHost();
        }
    }

    /** Wraps (does not copy) {@code data} as float64 with the given shape. */
    public static NdArray wrap(double[] data, Shape shape) {
        checkLength("NdArray.wrap", data.length, shape);
        return new NdArray(shape, DType.F64, data, null);
    }

    /** Wraps (does not copy) {@code data} as float32 with the given shape. */
    public static NdArray wrap(float[] data, Shape shape) {
        checkLength("NdArray.wrap", data.length, shape);
        return new NdArray(shape, DType.F32, null, data);
    }

    /** A float64 copy of {@code data} with shape {@code dims} (a vector when no dims are given). */
    public static NdArray of(double[] data, int... dims) {
        return wrap(data.clone(), dims.length == 0 ? Shape.of(data.length) : Shape.of(dims));
    }

    /** A float32 copy of {@code data} with shape {@code dims} (a vector when no dims are given). */
    public static NdArray of(float[] data, int... dims) {
        return wrap(data.clone(), dims.length == 0 ? Shape.of(data.length) : Shape.of(dims));
    }

    /** A float64 matrix copied from rows of equal length. */
    public static NdArray of(double[][] rows) {
        int n = rows.length;
        int m = n == 0 ? 0 : rows[0].length;
        double[] d = new double[n * m];
        for (int i = 0; i < n; i++) {
            if (rows[i].length != m) {
                throw new IllegalArgumentException("NdArray.of: row " + i + " has length " + rows[i].length
                        + ", expected " + m + " like row 0");
            }
            System.arraycopy(rows[i], 0, d, i * m, m);
        }
        return wrap(d, Shape.of(n, m));
    }

    /** A float64 scalar. */
    public static NdArray scalar(double v) {
        return wrap(new double[] {v}, Shape.scalar());
    }

    /** Zeros of the given shape and dtype. */
    public static NdArray zeros(Shape shape, DType dtype) {
        return switch (dtype) {
            case F64 -> new NdArray(shape, dtype, new double[shape.size()], null);
            case F32 -> new NdArray(shape, dtype, null, new float[shape.size()]);
            case KEY -> throw new IllegalArgumentException("NdArray.zeros: dtype KEY holds no numbers");
        };
    }

    private static void checkLength(String what, int length, Shape shape) {
        if (length != shape.size()) {
            throw new IllegalArgumentException(what + ": data has " + length + " elements but shape " + shape
                    + " needs " + shape.size());
        }
    }

    public Shape shape() {
        return shape;
    }

    public DType dtype() {
        return dtype;
    }

    public int size() {
        return shape.size();
    }

    /** The backing {@code double[]} (float64 only); writes go straight into the array. */
    public double[] f64() {
        toHost();
        if (f64 == null) {
            throw new IllegalStateException("this array is " + dtype + ", not F64");
        }
        return f64;
    }

    /** The backing {@code float[]} (float32 only); writes go straight into the array. */
    public float[] f32() {
        toHost();
        if (f32 == null) {
            throw new IllegalStateException("this array is " + dtype + ", not F32");
        }
        return f32;
    }

    /** Element at flat row-major index {@code i}, as a double. */
    public double getFlat(int i) {
        if (residence.device != null) {
            toHost();
        }
        return f64 != null ? f64[i] : f32[i];
    }

    /** Sets the element at flat index {@code i} (rounded to float32 for F32 arrays). */
    public void setFlat(int i, double v) {
        if (residence.device != null) {
            toHost();
        }
        if (f64 != null) {
            f64[i] = v;
        } else {
            f32[i] = (float) v;
        }
    }

    /** Element at a multi-index. */
    public double get(int... index) {
        if (index.length != shape.rank()) {
            throw new IllegalArgumentException("NdArray.get: " + index.length + " indices for shape " + shape);
        }
        int flat = 0;
        int[] st = shape.strides();
        for (int a = 0; a < index.length; a++) {
            if (index[a] < 0 || index[a] >= shape.dim(a)) {
                throw new IndexOutOfBoundsException("NdArray.get: index " + index[a] + " on axis " + a
                        + " of shape " + shape);
            }
            flat += index[a] * st[a];
        }
        return getFlat(flat);
    }

    /** The single value of a one-element array. */
    public double item() {
        if (size() != 1) {
            throw new IllegalStateException("item(): array of shape " + shape + " has " + size() + " elements, expected 1");
        }
        return getFlat(0);
    }

    /** A new {@code double[]} with all values. */
    public double[] toDoubleArray() {
        toHost();
        if (f64 != null) {
            return f64.clone();
        }
        double[] d = new double[f32.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = f32[i];
        }
        return d;
    }

    /** A new {@code float[]} with all values (rounded for float64 arrays). */
    public float[] toFloatArray() {
        toHost();
        if (f32 != null) {
            return f32.clone();
        }
        float[] d = new float[f64.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = (float) f64[i];
        }
        return d;
    }

    /** A deep copy. */
    public NdArray copy() {
        toHost();
        return new NdArray(shape, dtype, f64 == null ? null : f64.clone(), f32 == null ? null : f32.clone());
    }

    /** A copy converted to {@code to}. */
    public NdArray astype(DType to) {
        if (to == dtype) {
            return copy();
        }
        return to == DType.F64 ? wrap(toDoubleArray(), shape) : wrap(toFloatArray(), shape);
    }

    /** The same data viewed with another shape of equal size. */
    public NdArray reshape(int... dims) {
        Shape s = Shape.of(dims);
        checkLength("NdArray.reshape", size(), s);
        return new NdArray(s, dtype, f64, f32, residence);
    }

    /** Copies {@code src}'s values (same shape, any float dtype) into this array. */
    public void copyFrom(NdArray src) {
        if (!src.shape.equals(shape)) {
            throw new IllegalArgumentException("copyFrom: shape " + src.shape + " does not match " + shape);
        }
        for (int i = 0; i < size(); i++) {
            setFlat(i, src.getFlat(i));
        }
    }

    /** Index of the first NaN or infinite value, or -1. */
    public int firstNonFinite() {
        for (int i = 0; i < size(); i++) {
            if (!Double.isFinite(getFlat(i))) {
                return i;
            }
        }
        return -1;
    }

    /** Content equality (same dtype, shape and bit patterns). */
    @Override
    public boolean equals(Object o) {
        toHost();
        if (o instanceof NdArray a) {
            a.toHost();
        }
        return o instanceof NdArray a && a.dtype == dtype && a.shape.equals(shape)
                && (f64 != null ? Arrays.equals(f64, a.f64) : Arrays.equals(f32, a.f32));
    }

    @Override
    public int hashCode() {
        toHost();
        return 31 * shape.hashCode() + (f64 != null ? Arrays.hashCode(f64) : Arrays.hashCode(f32));
    }

    @Override
    public String toString() {
        toHost();
        String body = f64 != null ? Arrays.toString(size() > 16 ? Arrays.copyOf(f64, 16) : f64)
                : Arrays.toString(size() > 16 ? Arrays.copyOf(f32, 16) : f32);
        return "NdArray" + shape + " " + dtype + " " + (size() > 16 ? body.replace("]", ", …]") : body);
    }
}
