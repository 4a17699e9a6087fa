package dev.nabla.dsl.train;

import dev.nabla.core.DType;
import dev.nabla.core.NdArray;
import dev.nabla.core.Shape;
import dev.nabla.core.Tensor;
import dev.nabla.core.random.Key;
import dev.nabla.dsl.nn.Mlp;
import dev.nabla.dsl.optim.Adam;
import dev.nabla.dsl.optim.Clip;
import dev.nabla.dsl.optim.Optimizer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** Safetensors round trips, resuming, and the errors of bad files. */
class CheckpointsTest {
    @TempDir
    Path dir;

    static Mlp model(long seed) {
        return Mlp.builder(2).hidden(8).timeEmbedding(2).key(Key.of(seed)).build();
    }

    static List<NdArray> values(List<Tensor> ts) {
        List<NdArray> out = new ArrayList<>();
        for (Tensor t : ts) {
            out.add(t.value().copy());
        }
        return out;
    }

    @Test
    void roundTripIsBitIdenticalAndTrainingContinuesIdentically() throws IOException {
        NdArray data = TrainerTest.gaussianData(400);
        // reference: 80 steps in one go
        Mlp ref = model(1);
        Trainer.of(ref, TrainerTest.dsm()).optimizer(Clip.byGlobalNorm(5, new Adam(1e-3))).batch(32).steps(80)
                .progress(false).fit(data, Key.of(4));

        // 40 steps, checkpoint, then 40 more in a fresh model and optimizer loaded from the file
        Mlp a = model(1);
        Optimizer optA = Clip.byGlobalNorm(5, new Adam(1e-3));
        Trainer.of(a, TrainerTest.dsm()).optimizer(optA).batch(32).steps(40).progress(false).fit(data, Key.of(4));
        Path file = dir.resolve("ckpt.safetensors");
        Checkpoints.save(file, a, optA);

        Mlp b = model(2); // other initial weights: all overwritten
        Optimizer optB = Clip.byGlobalNorm(5, new Adam(1e-3));
        Checkpoints.load(file, b, optB);
        assertEquals(values(a.parameters()), values(b.parameters()));
        assertEquals(values(a.buffers()), values(b.buffers()), "the Fourier frequencies come from the file");
        assertEquals(values(optA.state()), values(optB.state()));
        assertEquals(40, optB.steps());

        Trainer.of(b, TrainerTest.dsm()).optimizer(optB).batch(32).steps(40).progress(false).fit(data, Key.of(4));
        assertEquals(values(ref.parameters()), values(b.parameters()));

        Map<String, NdArray> all = Checkpoints.read(file);
        assertEquals(a.parameters().size() + 1 + optA.state().size(), all.size());
        assertTrue(all.containsKey("time_embedding.frequencies"));
        assertEquals(List.of("layer0.weight", "layer0.bias"), new ArrayList<>(all.keySet()).subList(0, 2));
        try (var files = Files.list(dir)) {
            assertEquals(List.of(file), files.toList(), "no temporary files left behind");
        }
    }

    @Test
    void fileLayoutIsSafetensors() throws IOException {
        Tensor x = Tensor.parameter("x", NdArray.of(new double[] {1.5, -2}, 2));
        Tensor y = Tensor.parameter("y.f32", NdArray.of(new float[] {3f, 4f, 5f}, 3, 1));
        Path file = dir.resolve("t.safetensors");
        Checkpoints.save(file, List.of(x, y));
        byte[] bytes = Files.readAllBytes(file);
        ByteBuffer bb = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        long n = bb.getLong(0);
        assertEquals(0, n % 8);
        assertEquals(8 + n + 16 + 12, bytes.length);
        String header = new String(bytes, 8, (int) n, StandardCharsets.UTF_8).strip();
        assertTrue(header.contains("\"x\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}"), header);
        assertTrue(header.contains("\"y.f32\":{\"dtype\":\"F32\",\"shape\":[3,1],\"data_offsets\":[16,28]}"), header);
        assertEquals(1.5, bb.getDouble((int) (8 + n)));
        assertEquals(5f, bb.getFloat((int) (8 + n + 16 + 8)));

        Tensor x2 = Tensor.parameter("x", NdArray.of(new double[2], 2));
        Tensor y2 = Tensor.parameter("y.f32", NdArray.of(new float[3], 3, 1));
        Checkpoints.load(file, List.of(y2, x2)); // by name, in any order
        assertEquals(x.value(), x2.value());
        assertEquals(y.value(), y2.value());
        // saving again replaces the file
        x.value().setFlat(0, 9);
        Checkpoints.save(file, List.of(x, y));
        Checkpoints.load(file, List.of(x2));
        assertEquals(9, x2.value().getFlat(0));
    }

    /** Asserts that loading {@code bytes} into a fresh model fails with a message containing {@code expect} and changes nothing. */
    void assertRejected(byte[] bytes, String expect) throws IOException {
        Path bad = dir.resolve("bad.safetensors");
        Files.write(bad, bytes);
        Mlp m = model(3);
        Adam opt = new Adam(1e-3);
        List<NdArray> before = values(m.parameters());
        CheckpointException e = assertThrows(CheckpointException.class, () -> Checkpoints.load(bad, m, opt));
        assertTrue(e.getMessage().contains(expect), "expected '" + expect + "' in: " + e.getMessage());
        assertTrue(e.getMessage().startsWith(bad.toString()), e.getMessage());
        assertEquals(before, values(m.parameters()), "the model is untouched");
        assertTrue(opt.state().stream().allMatch(t -> t.name().endsWith("_power")
                ? t.value().item() == 1 : t.value().firstNonFinite() < 0 && isZero(t.value())));
    }

    static boolean isZero(NdArray a) {
        for (int i = 0; i < a.size(); i++) {
            if (a.getFlat(i) != 0) {
                return false;
            }
        }
        return true;
    }

    byte[] goodFile() throws IOException {
        Mlp m = model(0);
        Adam opt = new Adam(1e-3);
        opt.init(m.parameters());
        m.parameters().getFirst().value().setFlat(0, 42);
        Path f = dir.resolve("good.safetensors");
        Checkpoints.save(f, m, opt);
        return Files.readAllBytes(f);
    }

    static byte[] withHeader(String json, byte[] data) {
        byte[] h = json.getBytes(StandardCharsets.UTF_8);
        ByteBuffer bb = ByteBuffer.allocate(8 + h.length + data.length).order(ByteOrder.LITTLE_ENDIAN);
        bb.putLong(h.length).put(h).put(data);
        return bb.array();
    }

    @Test
    void truncatedFilesAreRejected() throws IOException {
        byte[] good = goodFile();
        long n = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        assertRejected(new byte[0], "fewer than the 8-byte header length");
        assertRejected(Arrays.copyOf(good, 5), "fewer than the 8-byte header length");
        assertRejected(Arrays.copyOf(good, 8 + (int) n / 2), "exceeds the file size");
        assertRejected(Arrays.copyOf(good, good.length - 1), "the file is truncated");
        assertRejected(Arrays.copyOf(good, (int) (8 + n + 10)), "the file is truncated");
        // the intact file loads, and carries the marked value
        Path ok = dir.resolve("ok.safetensors");
        Files.write(ok, good);
        Mlp m = model(3);
        Checkpoints.load(ok, m, new Adam(1e-3));
        assertEquals(42, m.parameters().getFirst().value().getFlat(0));
    }

    @Test
    void badHeadersAreRejected() throws IOException {
        byte[] good = goodFile();
        byte[] huge = good.clone();
        ByteBuffer.wrap(huge).order(ByteOrder.LITTLE_ENDIAN).putLong(0, -1L);
        assertRejected(huge, "header length 18446744073709551615 is out of range");
        byte[] garbage = good.clone();
        garbage[8] = 'x';
        assertRejected(garbage, "the header is not valid JSON");
        assertRejected(withHeader("{\"a\": [1, 2", new byte[0]), "not valid JSON");
        assertRejected(withHeader("[1, 2]", new byte[0]), "the header is a JSON array, expected an object");
        assertRejected(withHeader("{\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"a\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]}}", new byte[16]), "appears twice");
        byte[] badUtf8 = withHeader("{\"a\":1}", new byte[0]);
        badUtf8[10] = (byte) 0xff;
        assertRejected(badUtf8, "not valid UTF-8");
        assertRejected(withHeader("{\"layer0.weight\":{\"dtype\":\"I64\",\"shape\":[1],\"data_offsets\":[0,8]}}",
                new byte[8]), "dtype \"I64\" is not supported");
        assertRejected(withHeader("{\"layer0.weight\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,8]}}",
                new byte[8]), "span 8 bytes, but F64 [2] needs 16");
        assertRejected(withHeader("{\"layer0.weight\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}",
                new byte[8]), "extend past the data section of 8 bytes");
        assertRejected(withHeader("{\"p\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"q\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[8,16]}}", new byte[16]), "overlap");
        assertRejected(withHeader("{\"layer0.weight\":{\"dtype\":\"F64\",\"shape\":[-1],\"data_offsets\":[0,8]}}",
                new byte[8]), "bad extent at axis 0");
        assertRejected(withHeader("{\"layer0.weight\":{\"dtype\":\"F64\",\"shape\":[1]}}", new byte[8]),
                "data_offsets is null");
    }

    @Test
    void mismatchedTensorsAreRejected() throws IOException {
        // a model of another width: the first tensor's shape differs
        Mlp wide = Mlp.builder(2).hidden(9).timeEmbedding(2).key(Key.of(0)).build();
        Path f = dir.resolve("wide.safetensors");
        Checkpoints.save(f, wide);
        assertRejected(Files.readAllBytes(f), "tensor 'layer0.weight': expected F64 [6, 8], found F64 [6, 9]");
        // float32 weights where float64 are expected
        Mlp f32 = Mlp.builder(2).hidden(8).timeEmbedding(2).dtype(DType.F32).build();
        Checkpoints.save(f, f32);
        assertRejected(Files.readAllBytes(f), "expected F64 [6, 8], found F32 [6, 8]");
        // model only: the optimizer's state is missing
        Checkpoints.save(f, model(0));
        assertRejected(Files.readAllBytes(f), "tensor 'adam.step' (F64 []) is missing");
    }

    /**
     * Bytes flipped inside a tensor's data keep the file structurally valid, so only the checksum can catch
     * them: 16 flipped bytes in the first weight matrix, one flipped bit in the last tensor, one changed digit
     * of a stored checksum.
     */
    @Test
    void flippedDataBytesAreCaughtByTheChecksum() throws IOException {
        byte[] good = goodFile();
        int at = 8 + (int) ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0); // layer0.weight's data
        byte[] flipped = good.clone();
        for (int k = 0; k < 16; k++) {
            flipped[at + 8 * k + 6] ^= (byte) 0x15; // exponent and high mantissa bits of 16 doubles
        }
        // what loading without a checksum would have put in the weights: the flips matter
        ByteBuffer was = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN);
        ByteBuffer now = ByteBuffer.wrap(flipped).order(ByteOrder.LITTLE_ENDIAN);
        double worst = 0;
        for (int k = 0; k < 16; k++) {
            worst = Math.max(worst, Math.abs(now.getDouble(at + 8 * k) - was.getDouble(at + 8 * k)));
        }
        assertTrue(worst > 1, "the flips change a weight by " + worst);
        assertRejected(flipped, "tensor 'layer0.weight': its data");
        assertRejected(flipped, "has CRC-32C");
        // a single flipped bit in the last tensor, too
        byte[] oneBit = good.clone();
        oneBit[oneBit.length - 1] ^= 1;
        assertRejected(oneBit, "the file is corrupt");
        // and a checksum in the header that does not match the data
        String text = new String(good, StandardCharsets.ISO_8859_1);
        int key = text.indexOf("\"crc32c.layer0.bias\":\"") + "\"crc32c.layer0.bias\":\"".length();
        byte[] badSum = good.clone();
        badSum[key] = (byte) (badSum[key] == '0' ? '1' : '0');
        assertRejected(badSum, "tensor 'layer0.bias'");
    }

    @Test
    void metadataIsAStringMapWithOneChecksumPerTensor() throws IOException, Json.ParseException {
        byte[] good = goodFile();
        long n = ByteBuffer.wrap(good).order(ByteOrder.LITTLE_ENDIAN).getLong(0);
        Map<?, ?> header = (Map<?, ?>) Json.parse(new String(good, 8, (int) n, StandardCharsets.UTF_8));
        Map<?, ?> meta = (Map<?, ?>) header.get("__metadata__");
        assertTrue(meta.values().stream().allMatch(v -> v instanceof String), "string values only: " + meta);
        assertEquals("crc32c", meta.get("checksum"));
        for (Object name : header.keySet()) {
            if (!name.equals("__metadata__")) {
                assertTrue(((String) meta.get("crc32c." + name)).matches("[0-9a-f]{8}"), name + " in " + meta);
            }
        }
        Path f = dir.resolve("good.safetensors");
        Checkpoints.Loaded loaded = Checkpoints.load(f, model(3), new Adam(1e-3));
        assertTrue(loaded.verified());
        assertEquals(header.size() - 1, loaded.tensors());
        assertEquals(f, loaded.path());
    }

    /** A file without checksums (an earlier nabla's, or another writer's) loads, and says it was not verified. */
    @Test
    void filesWithoutChecksumsLoadUnverified() throws IOException {
        byte[] data = ByteBuffer.allocate(24).order(ByteOrder.LITTLE_ENDIAN).putDouble(1.5).putDouble(-2)
                .putDouble(7).array();
        Path old = dir.resolve("old.safetensors");
        Files.write(old, withHeader("{\"__metadata__\":{\"format\":\"nabla\"},"
                + "\"x\":{\"dtype\":\"F64\",\"shape\":[2],\"data_offsets\":[0,16]},"
                + "\"y\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[16,24]}}", data));
        Tensor x = Tensor.parameter("x", NdArray.of(new double[2], 2));
        Tensor y = Tensor.parameter("y", NdArray.scalar(0));
        Checkpoints.Loaded loaded = Checkpoints.load(old, List.of(x, y));
        assertTrue(!loaded.verified(), "no checksums: not verified");
        assertEquals(2, loaded.tensors());
        assertEquals(NdArray.of(new double[] {1.5, -2}, 2), x.value());
        assertEquals(7, y.value().item());
        // no __metadata__ at all
        Path bare = dir.resolve("bare.safetensors");
        Files.write(bare, withHeader("{\"y\":{\"dtype\":\"F64\",\"shape\":[],\"data_offsets\":[0,8]}}",
                Arrays.copyOfRange(data, 16, 24)));
        assertTrue(!Checkpoints.load(bare, List.of(y)).verified());
        // a file that declares checksums must carry one for every tensor
        assertRejected(withHeader("{\"__metadata__\":{\"checksum\":\"crc32c\"},"
                + "\"layer0.weight\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]),
                "crc32c.layer0.weight is null");
        assertRejected(withHeader("{\"__metadata__\":{\"checksum\":\"md5\"},"
                + "\"layer0.weight\":{\"dtype\":\"F64\",\"shape\":[1],\"data_offsets\":[0,8]}}", new byte[8]),
                "checksum is \"md5\"");
    }

    @Test
    void nonFiniteValuesAreRefusedUnlessAllowed() throws IOException {
        Tensor x = Tensor.parameter("x", NdArray.of(new double[] {1, Double.NaN, 3}, 3));
        Tensor f = Tensor.parameter("f", NdArray.of(new float[] {Float.NEGATIVE_INFINITY}, 1));
        Path file = dir.resolve("nan.safetensors");
        var e = assertThrows(IllegalArgumentException.class, () -> Checkpoints.save(file, List.of(x)));
        assertTrue(e.getMessage().contains("'x' [3] has element [1] = NaN")
                && e.getMessage().contains("saveAllowingNonFinite"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> Checkpoints.save(file, List.of(f)));
        assertTrue(e.getMessage().contains("element [0] = -Infinity"), e.getMessage());
        assertTrue(!Files.exists(file), "nothing written");

        Checkpoints.saveAllowingNonFinite(file, List.of(x, f));
        Tensor x2 = Tensor.parameter("x", NdArray.of(new double[3], 3));
        var c = assertThrows(CheckpointException.class, () -> Checkpoints.load(file, List.of(x2)));
        assertTrue(c.getMessage().contains("tensor 'x' [3] has element [1] = NaN")
                && c.getMessage().contains("loadAllowingNonFinite"), c.getMessage());
        assertEquals(NdArray.of(new double[3], 3), x2.value(), "untouched");
        assertThrows(CheckpointException.class, () -> Checkpoints.read(file));
        assertTrue(Checkpoints.loadAllowingNonFinite(file, List.of(x2)).verified());
        assertEquals(x.value(), x2.value());
        assertEquals(f.value(), Checkpoints.readAllowingNonFinite(file).get("f"));
    }

    /**
     * The file gets the mode any new file gets under the process's umask (Files.createTempFile made it 0600),
     * and temporary files of saves that were killed are removed by the next save; those that may belong to a
     * save in progress are kept.
     */
    @Test
    void savesUseTheUmaskAndRemoveStaleTemporaryFiles() throws IOException, InterruptedException {
        assumeTrue(dir.getFileSystem().supportedFileAttributeViews().contains("posix"), "POSIX permissions");
        Path file = dir.resolve("m.safetensors");
        Path plain = Files.createFile(dir.resolve("plain"));
        Set<PosixFilePermission> expected = Files.getPosixFilePermissions(plain);

        Process done = new ProcessBuilder("true").start();
        done.waitFor();
        long deadPid = done.pid();
        long livePid = ProcessHandle.current().parent().orElseThrow().pid();
        Path dead = Files.write(dir.resolve(".m.safetensors.tmp-" + deadPid + "-3"), new byte[10]);
        Path live = Files.write(dir.resolve(".m.safetensors.tmp-" + livePid + "-1"), new byte[10]);
        Path sameDeadPid = Files.write(dir.resolve(".m.safetensors.tmp-" + ProcessHandle.current().pid() + "-999999"),
                new byte[10]); // a process before this one with the same id (a container's first process)
        Path legacyOld = Files.write(dir.resolve(".m.safetensors.8123456789.tmp"), new byte[10]);
        Files.setLastModifiedTime(legacyOld, FileTime.from(Instant.now().minus(Duration.ofHours(2))));
        Path legacyNew = Files.write(dir.resolve(".m.safetensors.8123456790.tmp"), new byte[10]);
        Path other = Files.write(dir.resolve(".m.safetensors.notes"), new byte[10]);
        Path otherTarget = Files.write(dir.resolve(".n.safetensors.tmp-" + deadPid + "-1"), new byte[10]);

        Checkpoints.save(file, model(0));
        assertEquals(expected, Files.getPosixFilePermissions(file), "the umask's mode");
        assertTrue(!Files.exists(dead) && !Files.exists(sameDeadPid) && !Files.exists(legacyOld), "stale ones removed");
        assertTrue(Files.exists(live) && Files.exists(legacyNew) && Files.exists(other) && Files.exists(otherTarget),
                "those of live processes, of recent legacy saves, and other files are kept");
        Checkpoints.load(file, model(1));
    }

    @Test
    void loadErrorsNameThePathAndWhatWasLoaded() {
        Tensor a = Tensor.parameter("a", NdArray.scalar(1));
        Path none = dir.resolve("none.safetensors");
        var e = assertThrows(NoSuchFileException.class, () -> Checkpoints.load(none, List.of(a)));
        assertTrue(e.getMessage().contains(none.toString()) && e.getMessage().contains("checkpoint")
                && e.getMessage().contains("no such file"), e.getMessage());
        var d = assertThrows(FileSystemException.class, () -> Checkpoints.load(dir, model(0)));
        assertTrue(d.getMessage().contains(dir.toString()) && d.getMessage().contains("checkpoint")
                && d.getMessage().contains("directory"), d.getMessage());
        var r = assertThrows(FileSystemException.class, () -> Checkpoints.read(dir));
        assertTrue(r.getMessage().contains(dir.toString()) && r.getMessage().contains("directory"), r.getMessage());
    }

    @Test
    void badArgumentsFailFast() {
        Tensor a = Tensor.parameter("a", NdArray.scalar(1));
        Tensor a2 = Tensor.parameter("a", NdArray.scalar(2));
        var e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoints.save(dir.resolve("x"), List.of(a, a2)));
        assertTrue(e.getMessage().contains("'a' appears twice"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoints.save(dir.resolve("x"), List.of(Tensor.placeholder("p", Shape.of(1)))));
        assertTrue(e.getMessage().contains("expected a parameter"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Checkpoints.save(dir.resolve("x"), model(0), new Adam(1e-3)));
        assertTrue(e.getMessage().contains("has no state yet"), e.getMessage());
        assertThrows(NoSuchFileException.class, () -> Checkpoints.load(dir.resolve("none"), List.of(a)));
        assertNotEquals(a.value(), a2.value());
    }
}
