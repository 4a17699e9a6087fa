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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
        assertThrows(java.nio.file.NoSuchFileException.class, () -> Checkpoints.load(dir.resolve("none"), List.of(a)));
        assertNotEquals(a.value(), a2.value());
    }
}
