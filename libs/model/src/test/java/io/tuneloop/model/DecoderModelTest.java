package io.tuneloop.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.nn.AttentionMasks;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.KvCache;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.safetensors.DType;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.assertj.core.api.Assertions.assertThat;

class DecoderModelTest extends EngineTest {
    @TempDir
    Path dir;

    static ModelConfig tiny(Architecture architecture) {
        return architecture == Architecture.GPT2
                ? new ModelConfig(Architecture.GPT2, "gpt2", 97, 32, 2, 4, 4, 128, 64, 1e-5, 0, true, true, 0, 1, "float32")
                : new ModelConfig(Architecture.LLAMA, "qwen2", 97, 32, 2, 4, 2, 64, 64, 1e-6, 10000, false, true, 0, 1, "float32");
    }

    private static DecoderModel model(Architecture architecture, long seed) {
        return Models.fromTensors(tiny(architecture), Models.initialise(tiny(architecture), seed), root, Device.cpu());
    }

    private static float[] logits(DecoderModel model, long[][] ids) {
        try (NDManager step = root.newSubManager()) {
            model.borrowParameters(step);
            int b = ids.length;
            int t = ids[0].length;
            boolean[][] valid = new boolean[b][t];
            for (boolean[] row : valid) {
                Arrays.fill(row, true);
            }
            NDArray input = step.create(Arrays.stream(ids).flatMapToLong(Arrays::stream).toArray(), new Shape(b, t));
            return model.forward(input, AttentionMasks.positions(step, valid, 0, t),
                    AttentionMasks.causal(step, valid, 0, t), null).toFloatArray();
        }
    }

    private static final long[][] IDS = {{5, 17, 42, 3, 88, 9, 61}, {1, 2, 3, 4, 5, 6, 7}};

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void logitsHaveTheVocabularyShapeAndAreFinite(Architecture architecture) {
        try (DecoderModel model = model(architecture, 1)) {
            float[] out = logits(model, IDS);
            assertThat(out).hasSize(2 * 7 * 97);
            for (float v : out) {
                assertThat(Float.isFinite(v)).isTrue();
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void aSavedAndReloadedModelGivesIdenticalLogits(Architecture architecture) {
        try (DecoderModel model = model(architecture, 2)) {
            Models.save(model, dir, DType.F32, 20_000); // small shards: exercises the index
            assertThat(Files.exists(dir.resolve("model.safetensors.index.json"))).isTrue();
            try (DecoderModel reloaded = Models.load(dir, root, Device.cpu())) {
                assertThat(logits(reloaded, IDS)).containsExactly(logits(model, IDS));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void bf16WeightsLoadThroughTheSamePathWithSmallDifferences(Architecture architecture) throws Exception {
        try (DecoderModel model = model(architecture, 3)) {
            Models.save(model, dir, DType.BF16, Long.MAX_VALUE);
            assertThat(Files.readString(dir.resolve("config.json"))).contains("bfloat16");
            try (DecoderModel reloaded = Models.load(dir, root, Device.cpu())) {
                float[] a = logits(model, IDS);
                float[] b = logits(reloaded, IDS);
                double maxDiff = 0;
                for (int i = 0; i < a.length; i++) {
                    maxDiff = Math.max(maxDiff, Math.abs(a[i] - b[i]));
                }
                assertThat(maxDiff).isGreaterThan(0).isLessThan(0.05);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void halfPrecisionComputeStaysCloseToFloat32(Architecture architecture) {
        ModelConfig c = tiny(architecture);
        var weights = Models.initialise(c, 8);
        try (DecoderModel full = Models.fromTensors(c, weights, root, Device.cpu());
             DecoderModel half = Models.fromTensors(c, weights, root, Device.cpu(), ai.djl.ndarray.types.DataType.FLOAT16)) {
            assertThat(half.parameters().values().iterator().next().getDataType())
                    .isEqualTo(ai.djl.ndarray.types.DataType.FLOAT16);
            float[] a = logits(full, IDS);
            float[] b = logits(half, IDS);
            for (int i = 0; i < a.length; i++) {
                assertThat(b[i]).isCloseTo(a[i], org.assertj.core.api.Assertions.within(2e-2f));
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void decodingWithTheKvCacheMatchesRecomputingTheWholeSequence(Architecture architecture) {
        try (DecoderModel model = model(architecture, 4)) {
            long[] sequence = IDS[0];
            float[] full = logits(model, new long[][]{sequence});
            int v = 97;
            try (NDManager session = root.newSubManager(); KvCache cache = new KvCache(session, 2)) {
                model.borrowParameters(session);
                int prefix = 4;
                boolean[][] valid = new boolean[1][sequence.length];
                Arrays.fill(valid[0], true);
                for (int start = 0; start < sequence.length; ) {
                    int n = start == 0 ? prefix : 1;
                    NDArray ids = session.create(Arrays.copyOfRange(sequence, start, start + n), new Shape(1, n));
                    NDArray out = model.forward(ids, AttentionMasks.positions(session, valid, start, n),
                            AttentionMasks.causal(session, valid, start, n), cache);
                    float[] last = out.get(new NDIndex("0, -1")).toFloatArray();
                    int position = start + n - 1;
                    float[] expected = Arrays.copyOfRange(full, position * v, (position + 1) * v);
                    for (int i = 0; i < v; i++) {
                        assertThat(last[i]).isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-4f));
                    }
                    start += n;
                }
                assertThat(cache.length()).isEqualTo(sequence.length);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void leftPaddingInABatchDoesNotChangeASequencesLogits(Architecture architecture) {
        try (DecoderModel model = model(architecture, 5)) {
            long[] shortSeq = {8, 9, 10};
            float[] alone = logits(model, new long[][]{shortSeq});
            try (NDManager step = root.newSubManager()) {
                model.borrowParameters(step);
                boolean[][] valid = {{false, false, true, true, true}, {true, true, true, true, true}};
                NDArray ids = step.create(new long[]{0, 0, 8, 9, 10, 1, 2, 3, 4, 5}, new Shape(2, 5));
                float[] batched = model.forward(ids, AttentionMasks.positions(step, valid, 0, 5),
                        AttentionMasks.causal(step, valid, 0, 5), null).get(new NDIndex("0, 2:")).toFloatArray();
                for (int i = 0; i < alone.length; i++) {
                    assertThat(batched[i]).isCloseTo(alone[i], org.assertj.core.api.Assertions.within(1e-4f));
                }
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void packedExamplesDoNotSeeEachOther(Architecture architecture) {
        try (DecoderModel model = model(architecture, 6)) {
            float[] first = logits(model, new long[][]{{11, 12, 13}});
            float[] second = logits(model, new long[][]{{21, 22, 23, 24}});
            try (NDManager step = root.newSubManager()) {
                model.borrowParameters(step);
                int[][] segments = {{0, 0, 0, 1, 1, 1, 1}};
                NDArray ids = step.create(new long[]{11, 12, 13, 21, 22, 23, 24}, new Shape(1, 7));
                float[] packed = model.forward(ids, AttentionMasks.packedPositions(step, segments),
                        AttentionMasks.packed(step, segments), null).toFloatArray();
                for (int i = 0; i < first.length; i++) {
                    assertThat(packed[i]).isCloseTo(first[i], org.assertj.core.api.Assertions.within(1e-4f));
                }
                for (int i = 0; i < second.length; i++) {
                    assertThat(packed[first.length + i]).isCloseTo(second[i], org.assertj.core.api.Assertions.within(1e-4f));
                }
            }
        }
    }

    /** A Llama whose config exercises head_dim != hidden/heads and every bias, read as a user's config.json. */
    private static ModelConfig unusualLlama(int layers, int window) throws Exception {
        return ModelConfig.fromJson(new com.fasterxml.jackson.databind.ObjectMapper().readTree("""
                {"model_type": "%s", "vocab_size": 97, "hidden_size": 32, "num_hidden_layers": %d,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "head_dim": 12, "intermediate_size": 48,
                 "max_position_embeddings": 64, "attention_bias": %b, "mlp_bias": %b, "sliding_window": %d,
                 "rope_scaling": {"rope_type": "linear", "factor": 2.0}}""".formatted(window > 0 ? "mistral" : "llama",
                layers, window == 0, window == 0, window)));
    }

    @org.junit.jupiter.api.Test
    void headDimAndBiasesShapeTheParametersAndSurviveASaveAndLoad() throws Exception {
        ModelConfig c = unusualLlama(2, 0);
        try (DecoderModel model = Models.fromTensors(c, Models.initialise(c, 5), root, Device.cpu())) {
            assertThat(model.parameters().get("model.layers.0.self_attn.q_proj.weight").getShape())
                    .isEqualTo(new Shape(48, 32)); // 4 heads x head_dim 12
            assertThat(model.parameters().get("model.layers.0.self_attn.o_proj.weight").getShape()).isEqualTo(new Shape(32, 48));
            assertThat(model.parameters()).containsKeys("model.layers.1.self_attn.o_proj.bias", "model.layers.1.mlp.down_proj.bias");
            Models.save(model, dir, DType.F32, Long.MAX_VALUE);
            try (DecoderModel reloaded = Models.load(dir, root, Device.cpu())) {
                assertThat(reloaded.config().rope().type()).isEqualTo("linear");
                assertThat(logits(reloaded, IDS)).containsExactly(logits(model, IDS));
            }
        }
    }

    /**
     * With one layer and relative (rotary) positions, a token that attends within a window of W sees
     * exactly what the last token of its W-token suffix sees when that suffix is the whole input.
     */
    @org.junit.jupiter.api.Test
    void aSlidingWindowHidesEveryKeyFurtherBackThanTheWindow() throws Exception {
        int window = 3;
        ModelConfig windowed = unusualLlama(1, window);
        var weights = Models.initialise(windowed, 6);
        long[] sequence = IDS[0];
        try (DecoderModel model = Models.fromTensors(windowed, weights, root, Device.cpu())) {
            float[] all = logits(model, new long[][]{sequence});
            int vocab = 97;
            for (int t = window; t < sequence.length; t++) {
                long[] suffix = Arrays.copyOfRange(sequence, t - window + 1, t + 1);
                float[] alone = logits(model, new long[][]{suffix});
                float[] expected = Arrays.copyOfRange(alone, (window - 1) * vocab, window * vocab);
                float[] actual = Arrays.copyOfRange(all, t * vocab, (t + 1) * vocab);
                for (int v = 0; v < vocab; v++) {
                    assertThat(actual[v]).isCloseTo(expected[v], org.assertj.core.api.Assertions.within(1e-4f));
                }
            }
            // and the window matters: the same weights without it see the whole sequence
            ModelConfig unwindowed = ModelConfig.fromJson(windowed.toJson().put("sliding_window", (Integer) null));
            try (DecoderModel full = Models.fromTensors(unwindowed, weights, root, Device.cpu())) {
                float[] seesAll = logits(full, new long[][]{sequence});
                int last = sequence.length - 1;
                assertThat(Arrays.copyOfRange(seesAll, last * vocab, (last + 1) * vocab))
                        .isNotEqualTo(Arrays.copyOfRange(all, last * vocab, (last + 1) * vocab));
            }
        }
    }

    @org.junit.jupiter.api.Test
    void float16ComputeIsRefusedForABfloat16Checkpoint() {
        try (DecoderModel model = model(Architecture.LLAMA, 12)) {
            Models.save(model, dir, DType.BF16, Long.MAX_VALUE);
        }
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> Models.load(dir, root, Device.cpu(),
                ai.djl.ndarray.types.DataType.FLOAT16)).hasMessageContaining("FLOAT16 compute is refused for a bfloat16 checkpoint");
    }

    /**
     * Dynamic NTK scaling through the model, with HF's state: a sequence beyond max_position_embeddings
     * rotates with the larger base computed for its length; a later, shorter one still beyond it keeps
     * that base; one within max_position_embeddings gets the original frequencies back.
     */
    @org.junit.jupiter.api.Test
    void dynamicRopeScalesWithTheLongestSequenceSeenAsHuggingFaceDoes() throws Exception {
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        String config = """
                {"model_type": "llama", "vocab_size": 97, "hidden_size": 32, "num_hidden_layers": 2,
                 "num_attention_heads": 4, "num_key_value_heads": 2, "intermediate_size": 48,
                 "max_position_embeddings": 16, "rope_theta": %s %s}""";
        ModelConfig dynamic = ModelConfig.fromJson(json.readTree(config.formatted("10000.0",
                ", \"rope_scaling\": {\"rope_type\": \"dynamic\", \"factor\": 2.0}")));
        int dim = dynamic.headSize();
        double grown = 10000.0 * Math.pow(2.0 * 24 / 16 - 1, (double) dim / (dim - 2)); // HF's base for 24 tokens
        ModelConfig plainGrown = ModelConfig.fromJson(json.readTree(config.formatted(Double.toString(grown), "")));
        ModelConfig plain = ModelConfig.fromJson(json.readTree(config.formatted("10000.0", "")));
        var weights = Models.initialise(dynamic, 13);
        long[] ids = new long[24];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = (i * 7 + 3) % 97;
        }
        try (DecoderModel model = Models.fromTensors(dynamic, weights, root, Device.cpu());
             DecoderModel withGrownBase = Models.fromTensors(plainGrown, weights, root, Device.cpu());
             DecoderModel original = Models.fromTensors(plain, weights, root, Device.cpu())) {
            assertClose(logits(model, new long[][]{ids}), logits(withGrownBase, new long[][]{ids}));
            long[] twenty = Arrays.copyOf(ids, 20);
            assertClose(logits(model, new long[][]{twenty}), logits(withGrownBase, new long[][]{twenty}));
            long[] eight = Arrays.copyOf(ids, 8);
            assertClose(logits(model, new long[][]{eight}), logits(original, new long[][]{eight}));
            assertThat(logits(original, new long[][]{ids})).isNotEqualTo(logits(withGrownBase, new long[][]{ids}));
        }
    }

    private static void assertClose(float[] actual, float[] expected) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], org.assertj.core.api.Assertions.within(1e-4f));
        }
    }
}
