package dev.nabla.dsl.data;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * NumPy's {@code .npy} format (format versions 1.0 and 2.0, NEP 1,
 * <a href="https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html">numpy.lib.format</a>):
 * the magic {@code \x93NUMPY}, a version, a little-endian header length (2 bytes in 1.0, 4 in 2.0), an ASCII
 * Python-literal header {@code {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }} padded with spaces
 * and {@code \n} so the data starts at a multiple of 64 bytes, then the raw values.
 *
 * <p>Supported: little-endian float64 ({@code '<f8'}) and float32 ({@code '<f4'}) in C order, any shape
 * (including scalars {@code ()}), read to and written from {@link NdArray} of the same dtype. Anything else — a
 * bad magic, another version, another dtype, Fortran order, a malformed header, data shorter or longer than the
 * shape needs — is an {@link IOException} naming the file and what is wrong. Writes go to a temporary file in
 * the same directory that is then moved over the target (atomically where the file system can), so a reader
 * never sees a half-written file ({@link AtomicFiles}). A missing file or a directory is reported naming the
 * path and that a {@code .npy} array was being loaded ({@link InputFiles}).
 */
public final class Npy {
    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};

    private Npy() {
    }

    /**
     * Reads a {@code .npy} file.
     *
     * @return a float64 or float32 array with the file's shape
     * @throws IOException if the file cannot be read or is not a supported {@code .npy} file
     */
    public static NdArray read(Path file) throws IOException {
        Objects.requireNonNull(file, "Npy.read: file");
        String what = "a .npy array (Npy.read)";
        InputFiles.checkReadable(file, what);
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw InputFiles.explain(e, file, what);
        }
        if (bytes.length < 10) {
            throw error(file, "is " + bytes.length + " bytes long, too short for a .npy header");
        }
        for (int i = 0; i < MAGIC.length; i++) {
            if (bytes[i] != MAGIC[i]) {
                throw error(file, "does not start with the .npy magic \\x93NUMPY");
            }
        }
        int major = bytes[6] & 0xff;
        int minor = bytes[7] & 0xff;
        long headerLen;
        int start;
        if (major == 1 && minor == 0) {
            headerLen = (bytes[8] & 0xff) | (bytes[9] & 0xff) << 8;
            start = 10;
        } else if (major == 2 && minor == 0) {
            if (bytes.length < 12) {
                throw error(file, "is truncated inside its version 2.0 header length");
            }
            headerLen = ByteBuffer.wrap(bytes, 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt() & 0xffffffffL;
            start = 12;
        } else {
            throw error(file, "has format version " + major + "." + minor + ", expected 1.0 or 2.0");
        }
        if (start + headerLen > bytes.length) {
            throw error(file, "is truncated: header of " + headerLen + " bytes but only " + (bytes.length - start)
                    + " bytes follow");
        }
        String header = new String(bytes, start, (int) headerLen, StandardCharsets.ISO_8859_1);
        Map<String, Object> dict;
        try {
            dict = new HeaderParser(header).parse();
        } catch (IllegalArgumentException e) {
            throw error(file, "has a malformed header (" + e.getMessage() + "): " + header.strip());
        }
        if (!dict.keySet().equals(Set.of("descr", "fortran_order", "shape"))) {
            throw error(file, "has header keys " + dict.keySet() + ", expected exactly descr, fortran_order, shape");
        }
        if (!(dict.get("descr") instanceof String descr)) {
            throw error(file, "has descr " + dict.get("descr") + ", expected a string");
        }
        DType dtype = switch (descr) {
            case "<f8" -> DType.F64;
            case "<f4" -> DType.F32;
            default -> throw error(file, "has dtype '" + descr + "', expected '<f8' (float64) or '<f4' (float32)");
        };
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw error(file, "has fortran_order " + dict.get("fortran_order") + ", expected True or False");
        }
        if (fortran) {
            throw error(file, "is in Fortran (column-major) order, expected C order");
        }
        if (!(dict.get("shape") instanceof List<?> dims)) {
            throw error(file, "has shape " + dict.get("shape") + ", expected a tuple of integers");
        }
        int[] shape = new int[dims.size()];
        long count = 1;
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long v) || v < 0) {
                throw error(file, "has shape entry " + dims.get(i) + ", expected an integer >= 0");
            }
            count *= v;
            if (v > Integer.MAX_VALUE || count > Integer.MAX_VALUE) {
                throw error(file, "has shape " + dims + " with more elements than a Java array holds");
            }
            shape[i] = (int) (long) v;
        }
        int item = dtype == DType.F64 ? 8 : 4;
        long dataStart = start + headerLen;
        long available = bytes.length - dataStart;
        if (available != count * item) {
            throw error(file, (available < count * item ? "is truncated" : "has trailing bytes") + ": shape " + dims
                    + " of " + descr + " needs " + count * item + " data bytes, the file has " + available);
        }
        ByteBuffer data = ByteBuffer.wrap(bytes, (int) dataStart, (int) available).order(ByteOrder.LITTLE_ENDIAN);
        if (dtype == DType.F64) {
            double[] d = new double[(int) count];
            data.asDoubleBuffer().get(d);
            return NdArray.wrap(d, Shape.of(shape));
        }
        float[] f = new float[(int) count];
        data.asFloatBuffer().get(f);
        return NdArray.wrap(f, Shape.of(shape));
    }

    /**
     * Writes {@code array} as a {@code .npy} file ({@code '<f8'} or {@code '<f4'} by its dtype, C order; format
     * 1.0, or 2.0 if the header would not fit in 65535 bytes), atomically replacing any existing file.
     */
    public static void write(Path file, NdArray array) throws IOException {
        Objects.requireNonNull(file, "Npy.write: file");
        Objects.requireNonNull(array, "Npy.write: array");
        String descr = switch (array.dtype()) {
            case F64 -> "<f8";
            case F32 -> "<f4";
            case KEY -> throw new IllegalArgumentException("Npy.write: array has dtype KEY, expected F64 or F32");
        };
        int[] dims = array.shape().dims();
        StringBuilder shape = new StringBuilder("(");
        for (int i = 0; i < dims.length; i++) {
            shape.append(i > 0 ? ", " : "").append(dims[i]);
        }
        shape.append(dims.length == 1 ? ",)" : ")");
        String dict = "{'descr': '" + descr + "', 'fortran_order': False, 'shape': " + shape + ", }";
        int major = dict.length() + 1 + 10 <= 65535 ? 1 : 2;
        int prefix = major == 1 ? 10 : 12;
        int total = prefix + dict.length() + 1;
        int pad = (64 - total % 64) % 64;
        String header = dict + " ".repeat(pad) + "\n";
        byte[] h = header.getBytes(StandardCharsets.ISO_8859_1);
        int item = array.dtype() == DType.F64 ? 8 : 4;
        ByteBuffer buf = ByteBuffer.allocate(prefix + h.length + array.size() * item).order(ByteOrder.LITTLE_ENDIAN);
        buf.put(MAGIC).put((byte) major).put((byte) 0);
        if (major == 1) {
            buf.putShort((short) h.length);
        } else {
            buf.putInt(h.length);
        }
        buf.put(h);
        if (array.dtype() == DType.F64) {
            buf.asDoubleBuffer().put(array.f64());
        } else {
            buf.asFloatBuffer().put(array.f32());
        }
        writeAtomically(file, buf.array());
    }

    /** Writes {@code content} atomically to {@code file} ({@link AtomicFiles}). */
    static void writeAtomically(Path file, byte[] content) throws IOException {
        AtomicFiles.write(file, content);
    }

    private static IOException error(Path file, String what) {
        return new IOException("Npy: " + file + " " + what);
    }

    /** A parser for the Python dict literal of a .npy header: strings, True/False, integers and tuples. */
    private static final class HeaderParser {
        private final String s;
        private int i;

        HeaderParser(String s) {
            this.s = s;
        }

        Map<String, Object> parse() {
            Map<String, Object> out = new HashMap<>();
            skip();
            expect('{');
            skip();
            while (peek() != '}') {
                Object key = value();
                if (!(key instanceof String k)) {
                    throw new IllegalArgumentException("dict key " + key + " at offset " + i + " is not a string");
                }
                skip();
                expect(':');
                skip();
                if (out.put(k, value()) != null) {
                    throw new IllegalArgumentException("key '" + k + "' appears twice");
                }
                skip();
                if (peek() == ',') {
                    i++;
                    skip();
                } else if (peek() != '}') {
                    throw new IllegalArgumentException("expected ',' or '}' at offset " + i);
                }
            }
            i++;
            skip();
            if (i != s.length()) {
                throw new IllegalArgumentException("unexpected text after the dict at offset " + i);
            }
            return out;
        }

        private Object value() {
            char c = peek();
            if (c == '\'' || c == '"') {
                int end = s.indexOf(c, i + 1);
                if (end < 0) {
                    throw new IllegalArgumentException("unterminated string at offset " + i);
                }
                String v = s.substring(i + 1, end);
                i = end + 1;
                return v;
            }
            if (c == '(') {
                i++;
                List<Object> items = new ArrayList<>();
                skip();
                while (peek() != ')') {
                    items.add(value());
                    skip();
                    if (peek() == ',') {
                        i++;
                        skip();
                    } else if (peek() != ')') {
                        throw new IllegalArgumentException("expected ',' or ')' at offset " + i);
                    }
                }
                i++;
                return items;
            }
            if (s.startsWith("True", i)) {
                i += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("False", i)) {
                i += 5;
                return Boolean.FALSE;
            }
            int st = i;
            if (c == '-') {
                i++;
            }
            while (i < s.length() && Character.isDigit(s.charAt(i))) {
                i++;
            }
            if (s.startsWith("L", i)) { // Python 2 long literal
                i++;
            }
            String num = s.substring(st, i).replace("L", "");
            if (num.isEmpty() || num.equals("-")) {
                throw new IllegalArgumentException("unexpected character '" + c + "' at offset " + st);
            }
            try {
                return Long.parseLong(num);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("integer " + num + " out of range");
            }
        }

        private void skip() {
            while (i < s.length() && Character.isWhitespace(s.charAt(i))) {
                i++;
            }
        }

        private char peek() {
            if (i >= s.length()) {
                throw new IllegalArgumentException("header ends early");
            }
            return s.charAt(i);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("expected '" + c + "' at offset " + i + ", found '" + peek() + "'");
            }
            i++;
        }
    }
}
