package io.tuneloop.model;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.tuneloop.model.hf.Architecture;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.nn.AttentionMasks;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.LoraAdapters;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.nn.PeftFormat;
import io.tuneloop.model.safetensors.SafetensorsFile;
import io.tuneloop.model.train.AdamW;
import io.tuneloop.model.train.Batch;
import io.tuneloop.model.train.SftExample;
import io.tuneloop.model.train.TrainStep;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class LoraTest extends EngineTest {
    @TempDir
    Path dir;

    private static DecoderModel model(Architecture architecture) {
        ModelConfig c = DecoderModelTest.tiny(architecture);
        return Models.fromTensors(c, Models.initialise(c, 9), root, Device.cpu());
    }

    private static List<String> targets(Architecture architecture) {
        return architecture == Architecture.GPT2 ? List.of("c_attn", "c_fc") : List.of("q_proj", "v_proj", "down_proj");
    }

    private static float[] logits(DecoderModel model, long[] ids) {
        try (NDManager step = root.newSubManager()) {
            model.borrowParameters(step);
            boolean[][] valid = new boolean[1][ids.length];
            Arrays.fill(valid[0], true);
            return model.forward(step.create(ids, new Shape(1, ids.length)), AttentionMasks.positions(step, valid, 0, ids.length),
                    AttentionMasks.causal(step, valid, 0, ids.length), null).toFloatArray();
        }
    }

    private static void trainAdapters(DecoderModel model, LoraAdapters adapters) {
        TrainStep.requireGradients(adapters.parameters());
        SftExample example = new SftExample(new long[]{3, 14, 15, 92, 65, 35}, new boolean[]{false, false, false, true, true, true});
        try (AdamW adamW = AdamW.defaults(root, 0.0)) {
            for (int i = 0; i < 5; i++) {
                TrainStep.run(model, adapters.parameters(), adamW, List.of(Batch.of(List.of(example), 0)), 1e-2, 1.0, root);
            }
        }
    }

    private static void assertClose(float[] actual, float[] expected) {
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).isCloseTo(expected[i], within(1e-4f));
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void freshAdaptersChangeNothingAndTrainingLeavesTheBaseFrozen(Architecture architecture) {
        long[] ids = {5, 6, 7, 8};
        try (DecoderModel model = model(architecture)) {
            float[] base = logits(model, ids);
            float[] baseWeights = model.parameters().values().iterator().next().toFloatArray();
            try (LoraAdapters adapters = LoraAdapters.create(model, new LoraAdapters.Config(4, 8, targets(architecture)), 1, root)) {
                model.useAdapters(adapters);
                assertThat(logits(model, ids)).containsExactly(base);
                trainAdapters(model, adapters);
                assertThat(logits(model, ids)).isNotEqualTo(base);
                assertThat(model.parameters().values().iterator().next().toFloatArray()).containsExactly(baseWeights);
            }
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void aMergedModelGivesTheLogitsOfBasePlusAdapter(Architecture architecture) {
        long[] ids = {9, 10, 11, 12, 13};
        try (DecoderModel model = model(architecture);
             LoraAdapters adapters = LoraAdapters.create(model, new LoraAdapters.Config(4, 8, targets(architecture)), 2, root)) {
            model.useAdapters(adapters);
            trainAdapters(model, adapters);
            float[] adapted = logits(model, ids);
            model.useAdapters(null);
            adapters.mergeInto(model);
            assertClose(logits(model, ids), adapted);
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void adaptersExportInPeftLayoutAndLoadBack(Architecture architecture) throws Exception {
        long[] ids = {1, 2, 3};
        float[] adapted;
        try (DecoderModel model = model(architecture);
             LoraAdapters adapters = LoraAdapters.create(model, new LoraAdapters.Config(2, 4, targets(architecture)), 3, root)) {
            model.useAdapters(adapters);
            trainAdapters(model, adapters);
            adapted = logits(model, ids);
            PeftFormat.save(adapters, model, dir, "tiny-base");
        }
        String config = Files.readString(dir.resolve(PeftFormat.CONFIG));
        assertThat(config).contains("\"peft_type\" : \"LORA\"").contains("\"r\" : 2");
        String first = targets(architecture).get(0);
        String layer = architecture == Architecture.GPT2 ? "transformer.h.0.attn." : "model.layers.0.self_attn.";
        assertThat(SafetensorsFile.read(dir.resolve(PeftFormat.WEIGHTS)).tensors())
                .containsKey("base_model.model." + layer + first + ".lora_A.weight")
                .containsKey("base_model.model." + layer + first + ".lora_B.weight");
        try (DecoderModel fresh = model(architecture); LoraAdapters loaded = PeftFormat.load(dir, fresh, root)) {
            fresh.useAdapters(loaded);
            assertClose(logits(fresh, ids), adapted);
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void dropoutActsOnlyWhileTrainingAndFollowsTheEngineSeed(Architecture architecture) {
        long[] ids = {4, 5, 6, 7};
        try (DecoderModel model = model(architecture);
             LoraAdapters adapters = LoraAdapters.create(model, new LoraAdapters.Config(4, 8, 0.5, targets(architecture)), 4, root)) {
            model.useAdapters(adapters);
            trainAdapters(model, adapters); // B != 0, so the LoRA path matters
            float[] eval = logits(model, ids);
            adapters.training(true);
            ai.djl.engine.Engine.getInstance().setRandomSeed(1);
            float[] first = logits(model, ids);
            ai.djl.engine.Engine.getInstance().setRandomSeed(1);
            float[] again = logits(model, ids);
            ai.djl.engine.Engine.getInstance().setRandomSeed(2);
            float[] other = logits(model, ids);
            adapters.training(false);
            assertThat(again).containsExactly(first);
            assertThat(first).isNotEqualTo(eval);
            assertThat(other).isNotEqualTo(first);
            assertThat(logits(model, ids)).containsExactly(eval);
        }
    }

    @ParameterizedTest
    @EnumSource(Architecture.class)
    void unknownTargetsAreRefused(Architecture architecture) {
        try (DecoderModel model = model(architecture)) {
            assertThatThrownBy(() -> LoraAdapters.create(model, new LoraAdapters.Config(2, 4, List.of("nope_proj")), 1, root))
                    .hasMessageContaining("[nope_proj] match no projection");
        }
    }

    @org.junit.jupiter.api.Test
    void rankStabilisedLoraScalesBySqrtRankAndRoundTripsThroughPeft() throws Exception {
        assertThat(new LoraAdapters.Config(4, 8, 0, List.of("q_proj"), true).scale()).isEqualTo(4.0); // 8 / sqrt(4)
        assertThat(new LoraAdapters.Config(4, 8, 0, List.of("q_proj"), false).scale()).isEqualTo(2.0); // 8 / 4
        long[] ids = {2, 4, 6};
        float[] adapted;
        try (DecoderModel model = model(Architecture.LLAMA);
             LoraAdapters adapters = LoraAdapters.create(model, new LoraAdapters.Config(4, 8, 0, targets(Architecture.LLAMA), true),
                     5, root)) {
            model.useAdapters(adapters);
            trainAdapters(model, adapters);
            adapted = logits(model, ids);
            PeftFormat.save(adapters, model, dir, "tiny-base");
        }
        assertThat(Files.readString(dir.resolve(PeftFormat.CONFIG))).contains("\"use_rslora\" : true");
        try (DecoderModel fresh = model(Architecture.LLAMA); LoraAdapters loaded = PeftFormat.load(dir, fresh, root)) {
            assertThat(loaded.config().rsLora()).isTrue();
            fresh.useAdapters(loaded);
            assertClose(logits(fresh, ids), adapted);
        }
    }

    @org.junit.jupiter.api.Test
    void adapterSettingsThatWouldLoadSilentlyWrongAreRefusedByName() throws Exception {
        try (DecoderModel model = model(Architecture.LLAMA);
             LoraAdapters adapters = LoraAdapters.create(model, new LoraAdapters.Config(2, 4, targets(Architecture.LLAMA)), 6, root)) {
            PeftFormat.save(adapters, model, dir, "tiny-base");
        }
        com.fasterxml.jackson.databind.ObjectMapper json = new com.fasterxml.jackson.databind.ObjectMapper();
        String saved = Files.readString(dir.resolve(PeftFormat.CONFIG));
        java.util.Map<String, String> edits = java.util.Map.of(
                "use_dora", "true", "modules_to_save", "[\"lm_head\"]", "rank_pattern", "{\"q_proj\": 8}",
                "bias", "\"lora_only\"", "layers_to_transform", "[0]", "target_modules", "\".*proj\"");
        for (var edit : edits.entrySet()) {
            var config = (com.fasterxml.jackson.databind.node.ObjectNode) json.readTree(saved);
            config.set(edit.getKey(), json.readTree(edit.getValue()));
            json.writeValue(dir.resolve(PeftFormat.CONFIG).toFile(), config);
            try (DecoderModel model = model(Architecture.LLAMA)) {
                assertThatThrownBy(() -> PeftFormat.load(dir, model, root)).as(edit.getKey())
                        .hasMessageContaining(edit.getKey()).hasMessageContaining("does not support");
            }
        }
    }
}
