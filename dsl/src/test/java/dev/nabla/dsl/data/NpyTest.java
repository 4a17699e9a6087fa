package dev.nabla.dsl.data;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Base64;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NpyTest {
    // Written by NumPy 2.4 (np.save / np.lib.format.write_array(version=(2, 0))) for
    // a = np.arange(6.).reshape(2, 3) * 0.5 - 1, its float32 cast, np.float64(2.5) and np.zeros((0, 3)).
    private static final String V1_F8 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADwvwAAAAAAAOC/AAAAAAAAAAAAAAAAAADgPwAAAAAAAPA/AAAAAAAA+D8=";
    private static final String V2_F8 = "k05VTVBZAgB0AAAAeydkZXNjcic6ICc8ZjgnLCAnZm9ydHJhbl9vcmRlcic6IEZhbHNlLCAnc2hhcGUnOiAoMiwgMyksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAADwvwAAAAAAAOC/AAAAAAAAAAAAAAAAAADgPwAAAAAAAPA/AAAAAAAA+D8=";
    private static final String V1_F4 = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY0JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDIsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAIC/AAAAvwAAAAAAAAA/AACAPwAAwD8=";
    private static final String SCALAR = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKCksIH0gICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAoAAAAAAAAEQA==";
    private static final String EMPTY = "k05VTVBZAQB2AHsnZGVzY3InOiAnPGY4JywgJ2ZvcnRyYW5fb3JkZXInOiBGYWxzZSwgJ3NoYXBlJzogKDAsIDMpLCB9ICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgICAgIAo=";
    private static final double[] A = {-1, -0.5, 0, 0.5, 1, 1.5};

    @TempDir
    Path dir;

    private Path file(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        Files.write(p, content);
        return p;
    }

    private static byte[] b64(String s) {
        return Base64.getDecoder().decode(s);
    }

    @Test
    void readsFilesWrittenByNumPy() throws IOException {
        NdArray v1 = Npy.read(file("v1.npy", b64(V1_F8)));
        assertEquals(Shape.of(2, 3), v1.shape());
        assertEquals(DType.F64, v1.dtype());
        assertArrayEquals(A, v1.f64(), 0.0);
        assertEquals(v1, Npy.read(file("v2.npy", b64(V2_F8))));
        NdArray f4 = Npy.read(file("f4.npy", b64(V1_F4)));
        assertEquals(DType.F32, f4.dtype());
        assertArrayEquals(A, f4.toDoubleArray(), 0.0);
        NdArray s = Npy.read(file("s.npy", b64(SCALAR)));
        assertEquals(Shape.scalar(), s.shape());
        assertEquals(2.5, s.item(), 0.0);
        assertEquals(Shape.of(0, 3), Npy.read(file("e.npy", b64(EMPTY))).shape());
    }

    @Test
    void writesTheBytesNumPyWrites() throws IOException {
        Path p = dir.resolve("out.npy");
        Npy.write(p, NdArray.of(A, 2, 3));
        assertArrayEquals(b64(V1_F8), Files.readAllBytes(p));
        Npy.write(p, NdArray.of(A, 2, 3).astype(DType.F32));
        assertArrayEquals(b64(V1_F4), Files.readAllBytes(p));
        Npy.write(p, NdArray.scalar(2.5));
        assertArrayEquals(b64(SCALAR), Files.readAllBytes(p));
    }

    @Test
    void roundTripsAnyShapeBitForBit() throws IOException {
        int[][] shapes = {{}, {0}, {1}, {7}, {3, 4}, {2, 3, 4}, {1, 1, 1, 5}};
        int seed = 1;
        for (int[] dims : shapes) {
            Shape s = Shape.of(dims);
            double[] d = new double[s.size()];
            for (int i = 0; i < d.length; i++) {
                d[i] = Math.sin(seed++ * 1.7) * Math.pow(10, (i % 7) - 3);
            }
            NdArray a = NdArray.wrap(d, s);
            Path p = dir.resolve("a" + Arrays.toString(dims) + ".npy");
            Npy.write(p, a);
            assertEquals(a, Npy.read(p));
            assertEquals(0, (Files.size(p) - 8L * s.size()) % 64, "data starts at a multiple of 64 bytes");
            NdArray f = a.astype(DType.F32);
            Npy.write(p, f);
            assertEquals(f, Npy.read(p));
        }
        // Special values survive too.
        NdArray sp = NdArray.of(new double[] {Double.NaN, Double.POSITIVE_INFINITY, -0.0, Double.MIN_VALUE});
        Npy.write(dir.resolve("sp.npy"), sp);
        assertEquals(sp, Npy.read(dir.resolve("sp.npy")));
    }

    @Test
    void writesAtomicallyAndLeavesNoTemporaryFiles() throws IOException {
        Path p = dir.resolve("sub/x.npy");
        Npy.write(p, NdArray.of(A, 2, 3));
        Npy.write(p, NdArray.of(new double[] {1, 2}));
        assertEquals(NdArray.of(new double[] {1, 2}), Npy.read(p));
        try (Stream<Path> s = Files.list(p.getParent())) {
            assertEquals(1, s.count(), "only the target file remains");
        }
    }

    @Test
    void missingFilesAndDirectoriesNameThePath() {
        Path none = dir.resolve("none.npy");
        var e = assertThrows(NoSuchFileException.class, () -> Npy.read(none));
        assertTrue(e.getMessage().contains(none.toString()) && e.getMessage().contains(".npy array")
                && e.getMessage().contains("no such file"), e.getMessage());
        var d = assertThrows(FileSystemException.class, () -> Npy.read(dir));
        assertTrue(d.getMessage().contains(dir.toString()) && d.getMessage().contains(".npy array")
                && d.getMessage().contains("directory"), d.getMessage());
    }

    /** Written files get the umask's mode, as any new file (Files.createTempFile made them 0600). */
    @Test
    void writtenFilesGetTheUmasksPermissions() throws IOException {
        org.junit.jupiter.api.Assumptions.assumeTrue(
                dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path plain = Files.createFile(dir.resolve("plain"));
        Path p = dir.resolve("x.npy");
        Npy.write(p, NdArray.of(A, 2, 3));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(p));
        Path c = dir.resolve("x.csv");
        Csv.write(c, NdArray.of(A, 2, 3));
        assertEquals(Files.getPosixFilePermissions(plain), Files.getPosixFilePermissions(c));
    }

    private void corrupt(String name, byte[] content, String... fragments) throws IOException {
        Path p = file(name, content);
        IOException e = assertThrows(IOException.class, () -> Npy.read(p));
        assertTrue(e.getMessage().contains(p.toString()), "message names the file: " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should contain '" + f + "'");
        }
    }

    private static byte[] withHeader(String dict, int dataBytes) {
        String h = dict;
        int total = 10 + h.length() + 1;
        h = h + " ".repeat((64 - total % 64) % 64) + "\n";
        byte[] hb = h.getBytes(StandardCharsets.ISO_8859_1);
        byte[] out = new byte[10 + hb.length + dataBytes];
        byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0, (byte) hb.length, (byte) (hb.length >> 8)};
        System.arraycopy(magic, 0, out, 0, 10);
        System.arraycopy(hb, 0, out, 10, hb.length);
        return out;
    }

    @Test
    void corruptOrUnsupportedFilesGiveClearErrors() throws IOException {
        byte[] good = b64(V1_F8);
        byte[] badMagic = good.clone();
        badMagic[1] = 'X';
        corrupt("magic.npy", badMagic, "magic");
        corrupt("short.npy", new byte[] {1, 2, 3}, "too short");
        corrupt("truncated.npy", Arrays.copyOf(good, good.length - 3), "truncated", "needs 48 data bytes", "has 45");
        byte[] longer = Arrays.copyOf(good, good.length + 8);
        corrupt("trailing.npy", longer, "trailing bytes");
        corrupt("header-truncated.npy", Arrays.copyOf(good, 40), "truncated");
        byte[] v3 = good.clone();
        v3[6] = 3;
        corrupt("v3.npy", v3, "version 3.0", "expected 1.0 or 2.0");
        corrupt("fortran.npy", withHeader("{'descr': '<f8', 'fortran_order': True, 'shape': (2, 3), }", 48),
                "Fortran");
        corrupt("int.npy", withHeader("{'descr': '<i8', 'fortran_order': False, 'shape': (2, 3), }", 48),
                "dtype '<i8'", "'<f8'");
        corrupt("bigendian.npy", withHeader("{'descr': '>f8', 'fortran_order': False, 'shape': (2, 3), }", 48),
                "dtype '>f8'");
        corrupt("mismatch.npy", withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (3, 3), }", 48),
                "shape [3, 3]", "needs 72");
        corrupt("malformed.npy", withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 3 }", 48),
                "malformed header");
        corrupt("keys.npy", withHeader("{'descr': '<f8', 'shape': (6,), }", 48), "header keys");
        corrupt("negative.npy", withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", 48),
                "shape entry -1");
    }
}
