package dev.nabla.dsl.train;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Op;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.dsl.data.AtomicFiles;
import dev.nabla.dsl.data.InputFiles;
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
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.zip.CRC32C;

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
 *
 * <p><b>Checksums.</b> The format's {@code __metadata__} is a string-to-string map; nabla writes
 * {@code "format": "nabla"}, {@code "checksum": "crc32c"} and, for each tensor {@code name},
 * {@code "crc32c.<name>": "<8 hex digits>"}, the CRC-32C (Castagnoli) of the tensor's data bytes
 * {@code [begin, end)} as stored. Other readers ignore these entries. Loading recomputes each tensor's CRC and
 * rejects a mismatch ({@link CheckpointException} naming the tensor), so flipped bits in the data — which the
 * structural checks cannot see — are caught. CRC-32C rather than SHA-256: the threat is accidental corruption
 * (a bad disk or copy, a torn write), not an adversary (who could rewrite an unsigned hash as easily), and
 * CRC-32C detects every error burst of up to 32 bits and any other corruption with probability
 * {@code 1 − 2⁻³²} while running at memory speed ({@link CRC32C} is a hardware intrinsic in HotSpot):
 * measured on the CI machine, 43–47 GB/s against 1.0 GB/s for {@code MessageDigest("SHA-256")} (with the
 * SHA extensions), so checking a checkpoint costs nothing next to reading it. A file without checksums — saved by an earlier
 * nabla or another tool — still loads; {@link Loaded#verified()} then says its data was not verified.
 *
 * <p><b>Non-finite values.</b> NaN or infinite parameters are refused: {@link #save} throws
 * {@link IllegalArgumentException} naming the tensor and element before touching the file, and {@link #load}
 * and {@link #read} throw {@link CheckpointException}. To save or load them deliberately (to inspect a run
 * that diverged) use {@link #saveAllowingNonFinite}, {@link #loadAllowingNonFinite} and
 * {@link #readAllowingNonFinite}.
 *
 * <p>Writing is atomic ({@link AtomicFiles}): the file is written and synced under a temporary name in the
 * same directory, with the permissions the umask gives new files, then moved over {@code path}, so a crash
 * never leaves a half-written checkpoint; a temporary file left by a killed save is removed by the next save.
 * Loading validates everything — header length, JSON, dtypes, shapes, offsets within the file and not
 * overlapping, every requested tensor present with the expected dtype and shape, checksums, finiteness — and
 * reads all data before writing any parameter, so a bad file ({@link CheckpointException}) leaves the
 * parameters untouched. Tensors in the file that were not asked for are ignored. A missing file or a
 * directory is reported naming the path and that a checkpoint was being loaded ({@link InputFiles}).
 */
public final class Checkpoints {
    /** The largest header accepted (the format's own limit is 100 MB). */
    static final long MAX_HEADER = 100L << 20;
    private static final String METADATA = "__metadata__";
    /** The metadata key that says which checksum the file carries, and the prefix of each tensor's. */
    private static final String CHECKSUM = "checksum";
    private static final String CRC32C_NAME = "crc32c";
    private static final String CRC_PREFIX = "crc32c.";

    /**
     * What a load read: the file, the number of tensors loaded, and whether their data was verified against
     * checksums stored in the file. {@code verified} is false only for a file without checksums (written by
     * an earlier nabla or another tool): its data loaded as it was, unchecked. A file with checksums that do
     * not match never loads.
     */
    public record Loaded(Path path, int tensors, boolean verified) {
    }

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
     *
     * @return the file, the tensors loaded, and whether checksums verified their data
     */
    public static Loaded load(Path path, Module model, Optimizer... optimizers) throws IOException {
        return load(path, gather("load", model, optimizers, true));
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

    /**
     * Saves {@code tensors} (parameters with unique names, F64 or F32, finite) atomically to {@code path}.
     *
     * @throws IllegalArgumentException naming the tensor and element if a value is NaN or infinite (nothing is
     *                                  written; {@link #saveAllowingNonFinite} saves them)
     */
    public static void save(Path path, List<Tensor> tensors) throws IOException {
        save("save", path, tensors, false);
    }

    /** {@link #save(Path, List)} that also writes NaN and infinite values (to keep a diverged run for inspection). */
    public static void saveAllowingNonFinite(Path path, List<Tensor> tensors) throws IOException {
        save("saveAllowingNonFinite", path, tensors, true);
    }

    private static void save(String what, Path path, List<Tensor> tensors, boolean allowNonFinite) throws IOException {
        Objects.requireNonNull(path, what + ": path");
        checkTensors(what, tensors);
        if (!allowNonFinite) {
            for (int i = 0; i < tensors.size(); i++) {
                Tensor t = tensors.get(i);
                int bad = t.value().firstNonFinite();
                if (bad >= 0) {
                    throw new IllegalArgumentException(what + ": tensors[" + i + "] '" + t.name() + "' " + t.shape()
                            + " has element [" + bad + "] = " + t.value().getFlat(bad) + ", expected finite values "
                            + "(saveAllowingNonFinite saves them anyway)");
                }
            }
        }
        // The checksums are fixed-width hex, so the header's length is known before they are: the data is
        // written first, after the header's place (computing the CRCs as it goes), then the header with them.
        int[] crcs = new int[tensors.size()];
        byte[] placeholder = header(tensors, crcs);
        AtomicFiles.write(path, ch -> {
            ByteBuffer buf = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
            ch.position(8 + placeholder.length);
            CRC32C crc = new CRC32C();
            for (int i = 0; i < tensors.size(); i++) {
                crc.reset();
                NdArray v = tensors.get(i).value();
                int n = v.size();
                if (v.dtype() == DType.F64) {
                    double[] d = v.f64();
                    for (int k = 0; k < n; k++) {
                        if (buf.remaining() < 8) {
                            flip(ch, buf, crc);
                        }
                        buf.putDouble(d[k]);
                    }
                } else {
                    float[] f = v.f32();
                    for (int k = 0; k < n; k++) {
                        if (buf.remaining() < 4) {
                            flip(ch, buf, crc);
                        }
                        buf.putFloat(f[k]);
                    }
                }
                flip(ch, buf, crc);
                crcs[i] = (int) crc.getValue();
            }
            byte[] header = header(tensors, crcs);
            if (header.length != placeholder.length) {
                throw new IllegalStateException("save: the header changed length with its checksums");
            }
            buf.putLong(header.length);
            ch.position(0);
            flip(ch, buf, null);
            writeAll(ch, ByteBuffer.wrap(header));
        });
    }

    /** The header JSON (padded to a multiple of 8 bytes) for {@code tensors} with data CRCs {@code crcs}. */
    private static byte[] header(List<Tensor> tensors, int[] crcs) {
        StringBuilder h = new StringBuilder("{").append(Json.quote(METADATA)).append(":{\"format\":\"nabla\",")
                .append(Json.quote(CHECKSUM)).append(':').append(Json.quote(CRC32C_NAME));
        for (int i = 0; i < tensors.size(); i++) {
            h.append(',').append(Json.quote(CRC_PREFIX + tensors.get(i).name())).append(':')
                    .append(Json.quote(hex(crcs[i])));
        }
        h.append('}');
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
        return h.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String hex(int crc) {
        return String.format("%08x", crc);
    }

    private static void flip(FileChannel ch, ByteBuffer buf, CRC32C crc) throws IOException {
        buf.flip();
        if (crc != null) {
            crc.update(buf.duplicate());
        }
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
     * file must hold each with the same dtype and shape, data matching its checksum (if the file has
     * checksums) and finite values. All-or-nothing: on any error no parameter changes.
     *
     * @return the file, the number of tensors loaded, and whether checksums verified their data (false for a
     *         file without checksums, which loads unverified)
     */
    public static Loaded load(Path path, List<Tensor> tensors) throws IOException {
        return load("load", path, tensors, false);
    }

    /** {@link #load(Path, List)} that also accepts NaN and infinite values in the file. */
    public static Loaded loadAllowingNonFinite(Path path, List<Tensor> tensors) throws IOException {
        return load("loadAllowingNonFinite", path, tensors, true);
    }

    private static Loaded load(String what, Path path, List<Tensor> tensors, boolean allowNonFinite)
            throws IOException {
        Objects.requireNonNull(path, what + ": path");
        checkTensors(what, tensors);
        return reading(path, what, ch -> {
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
                values.add(readData(path, ch, header, e, allowNonFinite));
            }
            for (int i = 0; i < tensors.size(); i++) {
                tensors.get(i).value().copyFrom(values.get(i));
            }
            return new Loaded(path, tensors.size(), header.checksummed);
        });
    }

    /**
     * Every tensor in the file, by name in file order, validated as {@link #load} does (checksums when the file
     * has them, finite values).
     */
    public static Map<String, NdArray> read(Path path) throws IOException {
        return read("read", path, false);
    }

    /** {@link #read(Path)} that also accepts NaN and infinite values. */
    public static Map<String, NdArray> readAllowingNonFinite(Path path) throws IOException {
        return read("readAllowingNonFinite", path, true);
    }

    private static Map<String, NdArray> read(String what, Path path, boolean allowNonFinite) throws IOException {
        Objects.requireNonNull(path, what + ": path");
        return reading(path, what, ch -> {
            Header header = readHeader(path, ch);
            Map<String, NdArray> out = new LinkedHashMap<>();
            for (Entry e : header.entries.values()) {
                out.put(e.name, readData(path, ch, header, e, allowNonFinite));
            }
            return out;
        });
    }

    private interface Reader<T> {
        T read(FileChannel ch) throws IOException;
    }

    /**
     * Opens {@code path} and reads it with {@code reader}; an error of the file system (missing file, a
     * directory, no permission) is restated naming the path and that a checkpoint was being loaded.
     */
    private static <T> T reading(Path path, String what, Reader<T> reader) throws IOException {
        String loading = "a checkpoint (Checkpoints." + what + ")";
        InputFiles.checkReadable(path, loading);
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            return reader.read(ch);
        } catch (CheckpointException e) {
            throw e;
        } catch (IOException e) {
            throw InputFiles.explain(e, path, loading);
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

    /**
     * The parsed header; {@code crcs} maps tensor names to their stored CRC-32C when {@code checksummed}
     * (the metadata declares {@code "checksum": "crc32c"}).
     */
    private record Header(long dataStart, long dataSize, Map<String, Entry> entries, boolean checksummed,
                          Map<String, Integer> crcs) {
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
        Map<?, ?> metadata = Map.of();
        for (Map.Entry<?, ?> me : top.entrySet()) {
            String name = (String) me.getKey();
            if (name.equals(METADATA)) {
                if (!(me.getValue() instanceof Map<?, ?> md)) {
                    throw new CheckpointException(path, METADATA + " is a JSON " + kind(me.getValue())
                            + ", expected an object");
                }
                metadata = md;
                continue;
            }
            entries.put(name, entry(path, name, me.getValue(), dataSize));
        }
        Object declared = metadata.get(CHECKSUM);
        boolean checksummed = declared != null;
        Map<String, Integer> crcs = new LinkedHashMap<>();
        if (checksummed) {
            if (!CRC32C_NAME.equals(declared)) {
                throw new CheckpointException(path, METADATA + "." + CHECKSUM + " is " + quoted(declared)
                        + ", expected \"" + CRC32C_NAME + "\" (the only checksum this reader knows)");
            }
            for (Entry e : entries.values()) {
                Object v = metadata.get(CRC_PREFIX + e.name);
                if (!(v instanceof String hex) || !hex.matches("[0-9a-f]{8}")) {
                    throw new CheckpointException(path, "tensor '" + e.name + "': " + METADATA + "." + CRC_PREFIX
                            + e.name + " is " + quoted(v) + ", expected its CRC-32C as 8 lowercase hex digits "
                            + "(the file declares crc32c checksums); the header is corrupt");
                }
                crcs.put(e.name, Integer.parseUnsignedInt(hex, 16));
            }
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
        return new Header(dataStart, dataSize, entries, checksummed, crcs);
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

    private static NdArray readData(Path path, FileChannel ch, Header h, Entry e, boolean allowNonFinite)
            throws IOException {
        ByteBuffer buf = ByteBuffer.allocate((int) (e.end - e.begin)).order(ByteOrder.LITTLE_ENDIAN);
        readFully(path, ch, buf, h.dataStart + e.begin);
        buf.flip();
        if (h.checksummed) {
            CRC32C crc = new CRC32C();
            crc.update(buf.duplicate());
            int stored = h.crcs.get(e.name);
            int actual = (int) crc.getValue();
            if (actual != stored) {
                throw new CheckpointException(path, "tensor '" + e.name + "': its data (bytes [" + e.begin + ", "
                        + e.end + ") of the data section) has CRC-32C " + hex(actual) + ", the header records "
                        + hex(stored) + "; the file is corrupt");
            }
        }
        int n = e.shape.size();
        NdArray out;
        if (e.dtype == DType.F64) {
            double[] d = new double[n];
            buf.asDoubleBuffer().get(d);
            out = NdArray.wrap(d, e.shape);
        } else {
            float[] f = new float[n];
            buf.asFloatBuffer().get(f);
            out = NdArray.wrap(f, e.shape);
        }
        if (!allowNonFinite) {
            int bad = out.firstNonFinite();
            if (bad >= 0) {
                throw new CheckpointException(path, "tensor '" + e.name + "' " + e.shape + " has element [" + bad
                        + "] = " + out.getFlat(bad) + ", expected finite values (loadAllowingNonFinite and "
                        + "readAllowingNonFinite accept them)");
            }
        }
        return out;
    }

    private static String quoted(Object v) {
        return v instanceof String str ? Json.quote(str) : kind(v);
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
