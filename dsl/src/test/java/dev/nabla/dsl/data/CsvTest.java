package dev.nabla.dsl.data;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CsvTest {
    @TempDir
    Path dir;

    private Path file(String name, String content) throws IOException {
        Path p = dir.resolve(name);
        Files.writeString(p, content);
        return p;
    }

    @Test
    void roundTripsExactlyWithAndWithoutHeader() throws IOException {
        double[] d = {1.0, -2.5, 1e-300, 6.02214076e23, Math.PI, -0.0, 1.0 / 3, Double.MIN_VALUE, Double.MAX_VALUE};
        NdArray a = NdArray.of(d, 3, 3);
        Path p = dir.resolve("a.csv");
        Csv.write(p, a, List.of("x", "y", "z"));
        assertTrue(Files.readString(p).startsWith("x,y,z\n"));
        assertEquals(a, Csv.read(p, true));
        Csv.write(p, a);
        assertEquals(a, Csv.read(p, false));
        // float32 data is written as float decimals and reads back (as float64) to the same float values.
        NdArray f = a.astype(DType.F32);
        Csv.write(p, NdArray.of(new float[] {0.1f, 1e-7f, 3.4e38f, -2f}, 2, 2));
        NdArray back = Csv.read(p, false);
        assertArrayEquals(new float[] {0.1f, 1e-7f, 3.4e38f, -2f}, back.toFloatArray(), 0f);
        assertEquals(Shape.of(3, 3), f.shape());
        // A vector is written as one column.
        Csv.write(p, NdArray.of(new double[] {1, 2, 3}));
        assertEquals(Shape.of(3, 1), Csv.read(p, false).shape());
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(1, s.count(), "atomic writes leave no temporary files");
        }
    }

    @Test
    void readsHandWrittenFiles() throws IOException {
        NdArray a = Csv.read(file("h.csv", "a, b\n 1, 2.5e1\n\n-.5 ,+3\n"), true);
        assertEquals(Shape.of(2, 2), a.shape());
        assertArrayEquals(new double[] {1, 25, -0.5, 3}, a.f64(), 0.0);
        assertEquals(Shape.of(0, 3), Csv.read(file("empty.csv", "a,b,c\n"), true).shape());
        // Windows line endings are fine (readLine strips \r\n).
        assertArrayEquals(new double[] {1, 2}, Csv.read(file("crlf.csv", "1,2\r\n"), false).f64(), 0.0);
    }

    private void bad(String content, boolean header, String... fragments) throws IOException {
        Path p = file("bad.csv", content);
        IOException e = assertThrows(IOException.class, () -> Csv.read(p, header));
        assertTrue(e.getMessage().contains(p.toString()), "names the file: " + e.getMessage());
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should contain '" + f + "'");
        }
    }

    @Test
    void nonFiniteValuesAreRejectedUnlessAllowed() throws IOException {
        bad("x,y\n1,2\n3,nan\n", true, "line 3 column 2", "'nan'", "non-finite");
        bad("1,Infinity\n", false, "line 1 column 2", "'Infinity'");
        bad("-inf,0\n", false, "line 1 column 1");
        Path p = file("nan.csv", "NaN,inf,-Infinity,1\n");
        NdArray a = Csv.read(p, false, true);
        assertTrue(Double.isNaN(a.getFlat(0)));
        assertEquals(Double.POSITIVE_INFINITY, a.getFlat(1));
        assertEquals(Double.NEGATIVE_INFINITY, a.getFlat(2));
        // Written non-finite values read back when allowed.
        Path q = dir.resolve("w.csv");
        Csv.write(q, NdArray.of(new double[] {Double.NaN, Double.NEGATIVE_INFINITY}));
        NdArray b = Csv.read(q, false, true);
        assertTrue(Double.isNaN(b.getFlat(0)));
        assertEquals(Double.NEGATIVE_INFINITY, b.getFlat(1));
    }

    /** A decimal beyond the double range parses to ±Infinity: it is rejected like "inf" unless allowed. */
    @Test
    void overflowingDecimalsAreRejectedAsNonFinite() throws IOException {
        bad("x,y\n1,2\n1e999,3\n", true, "line 3 column 1", "'1e999'", "beyond the largest double", "non-finite");
        bad("1,-2.5e400\n", false, "line 1 column 2", "'-2.5e400'");
        NdArray a = Csv.read(file("big.csv", "1e999,-1e400,1e308\n"), false, true);
        assertEquals(Double.POSITIVE_INFINITY, a.getFlat(0));
        assertEquals(Double.NEGATIVE_INFINITY, a.getFlat(1));
        assertEquals(1e308, a.getFlat(2));
    }

    @Test
    void missingFilesAndDirectoriesNameThePath() {
        Path none = dir.resolve("none.csv");
        var e = assertThrows(NoSuchFileException.class, () -> Csv.read(none, false));
        assertTrue(e.getMessage().contains(none.toString()) && e.getMessage().contains("CSV")
                && e.getMessage().contains("no such file"), e.getMessage());
        var d = assertThrows(FileSystemException.class, () -> Csv.read(dir, false));
        assertTrue(d.getMessage().contains(dir.toString()) && d.getMessage().contains("CSV")
                && d.getMessage().contains("directory"), d.getMessage());
    }

    @Test
    void malformedFilesNameLineAndColumn() throws IOException {
        bad("1,2\n3,abc\n", false, "line 2 column 2", "'abc'", "expected a number");
        bad("1,2\n3,\n", false, "line 2 column 2", "empty");
        bad("1,2\n3,4,5\n", false, "line 2", "3 columns, expected 2");
        bad("a,b\n1,2,3\n", true, "line 2", "like the header");
        bad("1,0x10\n", false, "line 1 column 2");
        bad("1,2d\n", false, "line 1 column 2");
        bad("", false, "no data line");
        bad("\n\n", true, "no header line");
    }

    @Test
    void badWriteArgumentsFailFast() {
        Path p = dir.resolve("x.csv");
        assertThrows(IllegalArgumentException.class, () -> Csv.write(p, NdArray.of(new double[8], 2, 2, 2)));
        assertThrows(IllegalArgumentException.class, () -> Csv.write(p, NdArray.of(new double[4], 2, 2), List.of("a")));
        assertThrows(IllegalArgumentException.class,
                () -> Csv.write(p, NdArray.of(new double[4], 2, 2), List.of("a", "b,c")));
    }
}
