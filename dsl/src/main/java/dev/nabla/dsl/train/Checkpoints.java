package dev.nabla.dsl.train;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Op;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.dsl.nn.Module;
import dev.nabla.dsl.optim.Optimizer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.CharBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Saves and loads parameters — a model's, an optimizer's state, an {@link dev.nabla.dsl.optim.Ema}'s — in the
 * <a href="https://github.com/huggingface/safetensors">safetensors</a> format, readable by PyTorch, JAX and
 * NumPy tools:
 * <pre>
 *   8 bytes      N, the header length, unsigned little-endian
 *   N bytes      UTF-8 JSON: {"__metadata__": {...}, "name": {"dtype": "F64"|"F32", "shape": [d0, ...],
 *                                                           "data_offsets": [begin, end]}, ...}
 *   rest         the tensors' raw little-endian data; tensor bytes [begin, end) relative to this section
 * </pre>
 * Writing is atomic: the file is written and synced under a temporary name in the same directory, then moved
 * over {@code path} ({@link StandardCopyOption#ATOMIC_MOVE}), so a crash never leaves a half-written
 * checkpoint. Loading validates everything — header length, JSON, dtypes, shapes, offsets within the file and
 * not overlapping, every requested tensor present with the expected dtype and shape — and reads all data
 * before writing any parameter, so a bad file ({@link CheckpointException}) leaves the parameters untouched.
 * Tensors in the file that were not asked for are ignored.
 */
public final class Checkpoints {
    /** The largest header accepted (the format's own limit is 100 MB). */
    static final long MAX_HEADER = 100L << 20;
    private static final String METADATA = "__metadata__";

    private Checkpoints() {
    }

    /**
     * Saves {@code model}'s parameters and {@link Module#buffers() buffers} and each optimizer's state (which
     * must exist: the optimizer has stepped or been {@link Optimizer#init initialised}).
     */
    public static void save(Path path, Module model, Optimizer... optimizers) throws IOException {
        save(path, gather("save", model, optimizers, false));
    }

    /**
     * Loads {@code model}'s parameters and buffers and each optimizer's state, creating the optimizers' state for the
     * model's parameters first if they have none ({@link Optimizer#init}).
     */
    public static void load(Path path, Module model, Optimizer... optimizers) throws IOException {
        load(path, gather("load", model, optimizers, true));
    }

    private static List<Tensor> gather(String what, Module model, Optimizer[] optimizers, boolean init) {
        Objects.requireNonNull(model, what + ": model");
        List<Tensor> all = new ArrayList<>(model.parameters());
        all.addAll(model.buffers());
        for (int i = 0; i < optimizers.length; i++) {
            Optimizer o = Objects.requireNonNull(optimizers[i], what + ": optimizers[" + i + "]");
            if (init) {
                o.init(model.parameters());
            } else if (o.state().isEmpty()) {
                throw new IllegalArgumentException(what + ": optimizers[" + i + "] = " + o
                        + " has no state yet, expected an optimizer that has stepped (or init(params))");
            }
            all.addAll(o.state());
        }
        return all;
    }

    /** Saves {@code tensors} (parameters with unique names, F64 or F32) atomically to {@code path}. */
    public static void save(Path path, List<Tensor> tensors) throws IOException {
        Objects.requireNonNull(path, "save: path");
        checkTensors("save", tensors);
        StringBuilder h = new StringBuilder("{").append(Json.quote(METADATA)).append(":{\"format\":\"nabla\"}");
        long offset = 0;
        for (Tensor t : tensors) {
            long bytes = (long) t.size() * width(t.dtype());
            h.append(',').append(Json.quote(t.name())).append(":{\"dtype\":\"").append(t.dtype().name())
                    .append("\",\"shape\":[");
            for (int a = 0; a < t.rank(); a++) {
                h.append(a == 0 ? "" : ",").append(t.shape().dim(a));
            }
            h.append("],\"data_offsets\":[").append(offset).append(',').append(offset + bytes).append("]}");
            offset += bytes;
        }
        h.append('}');
        while ((h.toString().getBytes(StandardCharsets.UTF_8).length % 8) != 0) {
            h.append(' '); // pad so that the data section starts 8-byte aligned, as the reference writer does
        }
        byte[] header = h.toString().getBytes(StandardCharsets.UTF_8);

        Path target = path.toAbsolutePath();
        Path dir = target.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        Path tmp = Files.createTempFile(dir, "." + target.getFileName() + ".", ".tmp");
        boolean moved = false;
        try {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
                buf.putLong(header.length);
                flip(ch, buf);
                writeAll(ch, ByteBuffer.wrap(header));
                for (Tensor t : tensors) {
                    NdArray v = t.value();
                    int n = v.size();
                    if (v.dtype() == DType.F64) {
                        double[] d = v.f64();
                        for (int k = 0; k < n; k++) {
                            if (buf.remaining() < 8) {
                                flip(ch, buf);
                            }
                            buf.putDouble(d[k]);
                        }
                    } else {
                        float[] f = v.f32();
                        for (int k = 0; k < n; k++) {
                            if (buf.remaining() < 4) {
                                flip(ch, buf);
                            }
                            buf.putFloat(f[k]);
                        }
                    }
                }
                flip(ch, buf);
                ch.force(true);
            }
            try {
                Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
            moved = true;
        } finally {
            if (!moved) {
                Files.deleteIfExists(tmp);
            }
        }
    }

    private static void flip(FileChannel ch, ByteBuffer buf) throws IOException {
        buf.flip();
        writeAll(ch, buf);
        buf.clear();
    }

    private static void writeAll(FileChannel ch, ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            ch.write(b);
        }
    }

    /**
     * Loads every tensor of {@code tensors} (parameters with unique names) from {@code path}, by name: the
     * file must hold each with the same dtype and shape. All-or-nothing: on any error no parameter changes.
     */
    public static void load(Path path, List<Tensor> tensors) throws IOException {
        Objects.requireNonNull(path, "load: path");
        checkTensors("load", tensors);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            Header header = readHeader(path, ch);
            List<NdArray> values = new ArrayList<>(tensors.size());
            for (Tensor t : tensors) {
                Entry e = header.entries.get(t.name());
                if (e == null) {
                    throw new CheckpointException(path, "tensor '" + t.name() + "' (" + t.dtype() + " " + t.shape()
                            + ") is missing; the file holds " + header.entries.keySet());
                }
                if (e.dtype != t.dtype() || !e.shape.equals(t.shape())) {
                    throw new CheckpointException(path, "tensor '" + t.name() + "': expected " + t.dtype() + " "
                            + t.shape() + ", found " + e.dtype + " " + e.shape);
                }
                values.add(readData(path, ch, header, e));
            }
            for (int i = 0; i < tensors.size(); i++) {
                tensors.get(i).value().copyFrom(values.get(i));
            }
        }
    }

    /** Every tensor in the file, by name in file order (validated as {@link #load} does). */
    public static Map<String, NdArray> read(Path path) throws IOException {
        Objects.requireNonNull(path, "read: path");
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            Header header = readHeader(path, ch);
            Map<String, NdArray> out = new LinkedHashMap<>();
            for (Entry e : header.entries.values()) {
                out.put(e.name, readData(path, ch, header, e));
            }
            return out;
        }
    }

    private static void checkTensors(String what, List<Tensor> tensors) {
        Objects.requireNonNull(tensors, what + ": tensors");
        Set<String> names = new HashSet<>();
        for (int i = 0; i < tensors.size(); i++) {
            Tensor t = Objects.requireNonNull(tensors.get(i), what + ": tensors[" + i + "]");
            if (t.op() != Op.PARAMETER) {
                throw new IllegalArgumentException(what + ": tensors[" + i + "] = " + t + ", expected a parameter");
            }
            if (t.dtype() == DType.KEY) {
                throw new IllegalArgumentException(what + ": tensors[" + i + "] = " + t + ", expected F64 or F32");
            }
            if (t.name() == null || t.name().isEmpty() || t.name().equals(METADATA)) {
                throw new IllegalArgumentException(what + ": tensors[" + i + "] has name '" + t.name()
                        + "', expected a non-empty name other than " + METADATA);
            }
            if (!names.add(t.name())) {
                throw new IllegalArgumentException(what + ": tensors[" + i + "]: name '" + t.name()
                        + "' appears twice, expected unique names");
            }
        }
    }

    private static int width(DType d) {
        return d == DType.F64 ? 8 : 4;
    }

    private record Entry(String name, DType dtype, Shape shape, long begin, long end) {
    }

    private record Header(long dataStart, long dataSize, Map<String, Entry> entries) {
    }

    private static Header readHeader(Path path, FileChannel ch) throws IOException {
        long size = ch.size();
        if (size < 8) {
            throw new CheckpointException(path, "the file has " + size
                    + " bytes, fewer than the 8-byte header length; it is truncated or not a safetensors file");
        }
        ByteBuffer lenBuf = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
        readFully(path, ch, lenBuf, 0);
        long n = lenBuf.getLong(0);
        if (n < 2 || n > MAX_HEADER) {
            throw new CheckpointException(path, "header length " + Long.toUnsignedString(n)
                    + " is out of range [2, " + MAX_HEADER + "]; the file is corrupt or not a safetensors file");
        }
        if (8 + n > size) {
            throw new CheckpointException(path, "header length " + n + " exceeds the file size " + size
                    + " bytes; the file is truncated");
        }
        ByteBuffer hb = ByteBuffer.allocate((int) n);
        readFully(path, ch, hb, 8);
        hb.flip();
        String text;
        try {
            CharBuffer cb = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(hb);
            text = cb.toString();
        } catch (CharacterCodingException e) {
            throw new CheckpointException(path, "the header is not valid UTF-8; the file is corrupt", e);
        }
        Object doc;
        try {
            doc = Json.parse(text);
        } catch (Json.ParseException e) {
            throw new CheckpointException(path, "the header is not valid JSON (" + e.getMessage()
                    + "); the file is corrupt", e);
        }
        if (!(doc instanceof Map<?, ?> top)) {
            throw new CheckpointException(path, "the header is a JSON " + kind(doc) + ", expected an object");
        }
        long dataStart = 8 + n;
        long dataSize = size - dataStart;
        Map<String, Entry> entries = new LinkedHashMap<>();
        for (Map.Entry<?, ?> me : top.entrySet()) {
            String name = (String) me.getKey();
            if (name.equals(METADATA)) {
                if (!(me.getValue() instanceof Map<?, ?>)) {
                    throw new CheckpointException(path, METADATA + " is a JSON " + kind(me.getValue())
                            + ", expected an object");
                }
                continue;
            }
            entries.put(name, entry(path, name, me.getValue(), dataSize));
        }
        // tensors must not overlap
        List<Entry> sorted = new ArrayList<>(entries.values());
        sorted.sort((a, b) -> Long.compare(a.begin, b.begin));
        for (int i = 1; i < sorted.size(); i++) {
            Entry a = sorted.get(i - 1);
            Entry b = sorted.get(i);
            if (b.begin < a.end) {
                throw new CheckpointException(path, "tensors '" + a.name + "' [" + a.begin + ", " + a.end + ") and '"
                        + b.name + "' [" + b.begin + ", " + b.end + ") overlap; the file is corrupt");
            }
        }
        return new Header(dataStart, dataSize, entries);
    }

    private static Entry entry(Path path, String name, Object v, long dataSize) throws CheckpointException {
        if (!(v instanceof Map<?, ?> m)) {
            throw new CheckpointException(path, "tensor '" + name + "': header entry is a JSON " + kind(v)
                    + ", expected an object with dtype, shape and data_offsets");
        }
        if (!(m.get("dtype") instanceof String ds)) {
            throw new CheckpointException(path, "tensor '" + name + "': dtype is " + kind(m.get("dtype"))
                    + ", expected a string");
        }
        DType dtype = switch (ds) {
            case "F64" -> DType.F64;
            case "F32" -> DType.F32;
            default -> throw new CheckpointException(path, "tensor '" + name + "': dtype \"" + ds
                    + "\" is not supported, expected \"F64\" or \"F32\"");
        };
        if (!(m.get("shape") instanceof List<?> sl)) {
            throw new CheckpointException(path, "tensor '" + name + "': shape is " + kind(m.get("shape"))
                    + ", expected an array of extents");
        }
        int[] dims = new int[sl.size()];
        long count = 1;
        for (int a = 0; a < dims.length; a++) {
            if (!(sl.get(a) instanceof Long d) || d < 0 || d > Integer.MAX_VALUE) {
                throw new CheckpointException(path, "tensor '" + name + "': shape " + sl
                        + " has a bad extent at axis " + a + ", expected integers in [0, " + Integer.MAX_VALUE + "]");
            }
            dims[a] = (int) (long) d;
            count *= d;
            if (count > Integer.MAX_VALUE) {
                throw new CheckpointException(path, "tensor '" + name + "': shape " + sl + " has more than "
                        + Integer.MAX_VALUE + " elements");
            }
        }
        if (!(m.get("data_offsets") instanceof List<?> ol) || ol.size() != 2 || !(ol.get(0) instanceof Long b)
                || !(ol.get(1) instanceof Long e)) {
            throw new CheckpointException(path, "tensor '" + name + "': data_offsets is " + m.get("data_offsets")
                    + ", expected [begin, end] integers");
        }
        if (b < 0 || e < b) {
            throw new CheckpointException(path, "tensor '" + name + "': data_offsets [" + b + ", " + e
                    + "], expected 0 <= begin <= end");
        }
        long bytes = count * width(dtype);
        if (e - b != bytes) {
            throw new CheckpointException(path, "tensor '" + name + "': data_offsets [" + b + ", " + e + "] span "
                    + (e - b) + " bytes, but " + ds + " " + sl + " needs " + bytes);
        }
        if (e > dataSize) {
            throw new CheckpointException(path, "tensor '" + name + "': data_offsets [" + b + ", " + e
                    + "] extend past the data section of " + dataSize + " bytes; the file is truncated");
        }
        return new Entry(name, dtype, Shape.of(dims), b, e);
    }

    private static String kind(Object o) {
        return switch (o) {
            case null -> "null";
            case Map<?, ?> m -> "object";
            case List<?> l -> "array";
            case String s -> "string";
            case Boolean bo -> "boolean";
            default -> "number";
        };
    }

    private static NdArray readData(Path path, FileChannel ch, Header h, Entry e) throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(path, ch, buf, h.dataStart + e.begin);
        buf.flip();
        int n = e.shape.size();
        if (e.dtype == DType.F64) {
            double[] d = new double[n];
            buf.asDoubleBuffer().get(d);
            return NdArray.wrap(d, e.shape);
        }
        float[] f = new float[n];
        buf.asFloatBuffer().get(f);
        return NdArray.wrap(f, e.shape);
    }

    private static void readFully(Path path, FileChannel ch, ByteBuffer buf, long position) throws IOException {
        long pos = position;
        while (buf.hasRemaining()) {
            int r = ch.read(buf, pos);
            if (r < 0) {
                throw new CheckpointException(path, "unexpected end of file at byte " + pos + "; the file is truncated");
            }
            pos += r;
        }
    }
}
