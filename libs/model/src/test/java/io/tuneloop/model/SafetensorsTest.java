package io.tuneloop.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.tuneloop.model.safetensors.DType;
import io.tuneloop.model.safetensors.SafetensorsException;
import io.tuneloop.model.safetensors.SafetensorsFile;
import io.tuneloop.model.safetensors.ShardedCheckpoint;
import io.tuneloop.model.safetensors.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class SafetensorsTest {
    @TempDir
    Path dir;

    private static Tensor random(String name, long[] shape, long seed) {
        Random random = new Random(seed);
        int n = 1;
        for (long d : shape) {
            n *= (int) d;
        }
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return Tensor.ofFloats(name, shape, values);
    }

    @Test
    void writtenFilesReadBackWithNamesShapesValuesAndMetadata() throws Exception {
        Tensor a = random("model.embed_tokens.weight", new long[]{5, 3}, 1);
        Tensor b = random("lm_head.weight", new long[]{3}, 2);
        Path file = dir.resolve("model.safetensors");
        SafetensorsFile.write(file, List.of(a, b), Map.of("note", "test"));

        SafetensorsFile.Contents contents = SafetensorsFile.read(file);
        assertThat(contents.tensors()).containsOnlyKeys(a.name(), b.name());
        assertThat(contents.tensors().get(a.name())).isEqualTo(a);
        assertThat(contents.tensors().get(b.name()).toFloat32()).containsExactly(b.toFloat32());
        assertThat(contents.metadata()).containsEntry("format", "pt").containsEntry("note", "test");

        byte[] bytes = Files.readAllBytes(file);
        long headerLength = ByteBuffer.wrap(bytes, 0, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
        assertThat(headerLength % 8).isZero();
        assertThat(bytes.length).isEqualTo(8 + headerLength + (15 + 3) * 4);
    }

    @Test
    void readsAFileLaidOutByHandAsHuggingFaceWritesIt() throws Exception {
        String header = "{\"__metadata__\":{\"format\":\"pt\"},\"w\":{\"dtype\":\"BF16\",\"shape\":[2],\"data_offsets\":[0,4]},"
                + "\"h\":{\"dtype\":\"F16\",\"shape\":[3],\"data_offsets\":[4,10]}}";
        ByteBuffer file = ByteBuffer.allocate(8 + header.length() + 10).order(ByteOrder.LITTLE_ENDIAN);
        file.putLong(header.length()).put(header.getBytes(StandardCharsets.US_ASCII));
        file.putShort((short) 0x3F80).putShort((short) 0xC040);                       // bf16: 1.0, -3.0
        file.putShort((short) 0x3C00).putShort((short) 0x7BFF).putShort((short) 0x0001); // f16: 1, 65504, 2^-24
        Path path = dir.resolve("hand.safetensors");
        Files.write(path, file.array());

        Map<String, Tensor> tensors = SafetensorsFile.read(path).tensors();
        assertThat(tensors.get("w").toFloat32()).containsExactly(1.0f, -3.0f);
        assertThat(tensors.get("h").toFloat32()).containsExactly(1.0f, 65504f, 0x1p-24f);
    }

    @Test
    void halfPrecisionRoundTripsWithinItsPrecision() {
        Tensor t = random("x", new long[]{1000}, 3);
        float[] original = t.toFloat32();
        float[] viaBf16 = t.convertTo(DType.BF16).toFloat32();
        float[] viaF16 = t.convertTo(DType.F16).toFloat32();
        for (int i = 0; i < original.length; i++) {
            assertThat(viaBf16[i]).isCloseTo(original[i], within(Math.abs(original[i]) * 0x1p-8f + 1e-30f));
            assertThat(viaF16[i]).isCloseTo(original[i], within(Math.abs(original[i]) * 0x1p-11f + 0x1p-24f));
        }
        assertThat(t.convertTo(DType.BF16).convertTo(DType.F32).convertTo(DType.BF16))
                .isEqualTo(t.convertTo(DType.BF16));
    }

    @Test
    void brokenFilesFailWithTheReason() throws Exception {
        Path tiny = dir.resolve("tiny.safetensors");
        Files.write(tiny, new byte[]{1, 2, 3});
        assertThatThrownBy(() -> SafetensorsFile.read(tiny)).isInstanceOf(SafetensorsException.class)
                .hasMessageContaining("too short");

        Path bogus = dir.resolve("bogus.safetensors");
        Files.write(bogus, "not a safetensors file at all".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> SafetensorsFile.read(bogus)).hasMessageContaining("header length");

        Path truncated = dir.resolve("truncated.safetensors");
        SafetensorsFile.write(truncated, List.of(random("w", new long[]{64}, 4)), Map.of());
        byte[] bytes = Files.readAllBytes(truncated);
        Files.write(truncated, java.util.Arrays.copyOf(bytes, bytes.length - 16));
        assertThatThrownBy(() -> SafetensorsFile.read(truncated)).hasMessageContaining("outside the");
    }

    @Test
    void largeModelsAreShardedWithAnIndexAndReadBackWhole() throws Exception {
        List<Tensor> tensors = List.of(random("a", new long[]{100}, 5), random("b", new long[]{100}, 6),
                random("c", new long[]{300}, 7), random("d", new long[]{10}, 8));
        Path sharded = dir.resolve("sharded");
        ShardedCheckpoint.write(sharded, tensors, 1000);

        var index = new ObjectMapper().readTree(sharded.resolve(ShardedCheckpoint.INDEX_FILE).toFile());
        assertThat(index.path("metadata").path("total_size").asLong()).isEqualTo(510 * 4);
        assertThat(index.path("weight_map").path("c").asText()).isEqualTo("model-00002-of-00003.safetensors");
        assertThat(Files.exists(sharded.resolve(ShardedCheckpoint.SINGLE_FILE))).isFalse();

        Map<String, Tensor> back = ShardedCheckpoint.read(sharded);
        assertThat(back.values()).containsExactlyInAnyOrderElementsOf(tensors);

        Path single = dir.resolve("single");
        ShardedCheckpoint.write(single, tensors, 1 << 20);
        assertThat(Files.exists(single.resolve(ShardedCheckpoint.SINGLE_FILE))).isTrue();
        assertThat(ShardedCheckpoint.read(single).values()).containsExactlyInAnyOrderElementsOf(tensors);
    }
}
