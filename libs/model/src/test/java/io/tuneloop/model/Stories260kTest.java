package io.tuneloop.model;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.tuneloop.model.generate.GenerationConfig;
import io.tuneloop.model.generate.Generator;
import io.tuneloop.model.nn.AttentionMasks;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.LoraAdapters;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.safetensors.DType;
import io.tuneloop.model.train.AdamW;
import io.tuneloop.model.train.Batch;
import io.tuneloop.model.train.SftExample;
import io.tuneloop.model.train.TrainStep;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/**
 * A real published checkpoint through the user path: llama2.c's TinyStories 260K model in Hugging
 * Face layout ({@code ../shared/data/stories260K}, see its README). Its greedy tokens and logits
 * were computed by independent implementations (llama2.c's run.c and a numpy forward); the model
 * library must reproduce them with and without the KV cache, left-padded in a batch, after a save
 * and load, and serve as the base of a LoRA run whose merged export loads back.
 */
class Stories260kTest extends EngineTest {
    static final Path CHECKPOINT = Path.of(System.getProperty("tuneloop.repo.root", ".")).resolve("../shared/data/stories260K");
    /** run.c and numpy: greedy decoding from BOS, 39 new tokens. */
    static final long[] GREEDY = {1, 461, 461, 401, 401, 401, 461, 378, 455, 473, 456, 435, 299, 362, 409, 283, 264, 283,
            452, 288, 13, 431, 431, 431, 431, 431, 431, 431, 431, 431, 431, 431, 431, 431, 293, 430, 417, 363, 416, 315};
    /** numpy (float64): the first 8 logits of 1,461,461,401 at its last position. */
    static final double[] LOGITS = {-4.52541, -0.04958, -4.52284, -4.52379, -4.52227, -4.52368, -4.52248, -4.52251};

    @TempDir
    Path dir;

    @BeforeAll
    static void checkpointIsThere() {
        assertThat(CHECKPOINT.resolve("model.safetensors")).as("the shared stories260K checkpoint").exists();
    }

    private static float[] lastLogits(DecoderModel model, long[] ids) {
        try (NDManager step = root.newSubManager()) {
            model.borrowParameters(step);
            boolean[][] valid = new boolean[1][ids.length];
            Arrays.fill(valid[0], true);
            float[] all = model.forward(step.create(ids, new Shape(1, ids.length)),
                    AttentionMasks.positions(step, valid, 0, ids.length), AttentionMasks.causal(step, valid, 0, ids.length),
                    null).toFloatArray();
            int vocab = model.config().vocabSize();
            return Arrays.copyOfRange(all, (ids.length - 1) * vocab, ids.length * vocab);
        }
    }

    private static long[] greedy(DecoderModel model, long[] prompt, int tokens, boolean kvCache) {
        GenerationConfig config = GenerationConfig.greedy(tokens, Set.of()).withKvCache(kvCache);
        return Generator.generate(model, List.of(prompt), config, null, root).get(0);
    }

    @Test
    void greedyDecodingFromBosMatchesLlama2cAndNumpyWithAndWithoutTheKvCache() {
        try (DecoderModel model = Models.load(CHECKPOINT, root, Device.cpu())) {
            assertThat(model.config().numKvHeads()).isEqualTo(4); // grouped-query attention, as published
            long[] expected = Arrays.copyOfRange(GREEDY, 1, GREEDY.length);
            assertThat(greedy(model, new long[]{1}, 39, true)).containsExactly(expected);
            assertThat(greedy(model, new long[]{1}, 39, false)).containsExactly(expected);
        }
    }

    @Test
    void logitsMatchTheNumpyForward() {
        try (DecoderModel model = Models.load(CHECKPOINT, root, Device.cpu())) {
            float[] logits = lastLogits(model, new long[]{1, 461, 461, 401});
            for (int i = 0; i < LOGITS.length; i++) {
                assertThat((double) logits[i]).as("logit " + i).isCloseTo(LOGITS[i], within(1e-4));
            }
            int argmax = 0;
            for (int i = 1; i < logits.length; i++) {
                argmax = logits[i] > logits[argmax] ? i : argmax;
            }
            assertThat(argmax).isEqualTo(401);
        }
    }

    @Test
    void leftPaddedPromptsOfDifferentLengthsDecodeAsIfAlone() {
        try (DecoderModel model = Models.load(CHECKPOINT, root, Device.cpu())) {
            List<long[]> out = Generator.generate(model, List.of(new long[]{1}, Arrays.copyOf(GREEDY, 4), Arrays.copyOf(GREEDY, 9)),
                    GenerationConfig.greedy(10, Set.of()), null, root);
            // greedy decoding is prefix-consistent: each continues the reference where its prompt ends
            assertThat(out.get(0)).containsExactly(Arrays.copyOfRange(GREEDY, 1, 11));
            assertThat(out.get(1)).containsExactly(Arrays.copyOfRange(GREEDY, 4, 14));
            assertThat(out.get(2)).containsExactly(Arrays.copyOfRange(GREEDY, 9, 19));
        }
    }

    @Test
    void aSavedAndReloadedCopyIsTheSameModelWithTheSameConfig() throws Exception {
        try (DecoderModel model = Models.load(CHECKPOINT, root, Device.cpu())) {
            Models.save(model, dir, DType.F32, Long.MAX_VALUE);
            ObjectMapper json = new ObjectMapper();
            assertThat(json.readTree(dir.resolve("config.json").toFile()))
                    .isEqualTo(json.readTree(CHECKPOINT.resolve("config.json").toFile()));
            try (DecoderModel reloaded = Models.load(dir, root, Device.cpu())) {
                assertThat(lastLogits(reloaded, GREEDY)).containsExactly(lastLogits(model, GREEDY));
            }
        }
    }

    @Test
    void aShortLoraRunOnItMergesIntoAnExportThatLoadsBack() throws Exception {
        boolean[] trained = new boolean[GREEDY.length];
        Arrays.fill(trained, 20, trained.length, true);
        SftExample example = new SftExample(GREEDY, trained);
        float[] base;
        float[] adapted;
        try (DecoderModel model = Models.load(CHECKPOINT, root, Device.cpu());
             LoraAdapters adapters = LoraAdapters.create(model, new LoraAdapters.Config(4, 8, List.of("q_proj", "v_proj")), 7, root)) {
            base = lastLogits(model, GREEDY);
            model.useAdapters(adapters);
            TrainStep.requireGradients(adapters.parameters());
            double first = 0;
            double last = 0;
            try (AdamW adamW = AdamW.defaults(root, 0.0)) {
                for (int i = 0; i < 8; i++) {
                    double loss = TrainStep.run(model, adapters.parameters(), adamW, List.of(Batch.of(List.of(example), 0)),
                            1e-2, 1.0, root).loss();
                    first = i == 0 ? loss : first;
                    last = loss;
                }
            }
            assertThat(last).as("the adapters learn").isLessThan(first);
            adapted = lastLogits(model, GREEDY);
            model.useAdapters(null);
            adapters.mergeInto(model);
            Models.save(model, dir, DType.F32, Long.MAX_VALUE);
        }
        try (DecoderModel merged = Models.load(dir, root, Device.cpu())) {
            float[] exported = lastLogits(merged, GREEDY);
            assertThat(exported).isNotEqualTo(base);
            for (int i = 0; i < exported.length; i++) {
                assertThat(exported[i]).isCloseTo(adapted[i], within(1e-4f));
            }
        }
        assertThat(Files.readString(dir.resolve("config.json"))).contains("\"rope_theta\"");
    }
}
