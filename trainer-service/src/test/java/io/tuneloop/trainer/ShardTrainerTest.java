package io.tuneloop.trainer;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.tuneloop.events.EventJson;
import io.tuneloop.model.generate.GenerationConfig;
import io.tuneloop.model.generate.Generator;
import io.tuneloop.model.nn.DecoderModel;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.tokenizer.TextTokenizer;
import io.tuneloop.trainer.flow.RunSpec;
import io.tuneloop.trainer.training.ShardTrainer;
import io.tuneloop.model.train.StepRecord;
import io.tuneloop.trainer.flow.TrainingData;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

/** Shards chained through checkpoints train exactly like one uninterrupted shard. */
class ShardTrainerTest {
    @TempDir
    static Path dir;
    static Path model;
    static TrainingData data;

    @BeforeAll
    static void modelAndData() throws Exception {
        model = Files.createDirectories(dir.resolve("model"));
        TinyRuns.model(model);
        data = new TrainingData();
        data.addShard(TinyRuns.shard(model, "train", 0, 24), 64);
        data.addShard(TinyRuns.shard(model, "validation", 100, 8), 64);
    }

    private static RunSpec spec(String mode) {
        return EventJson.fromBytes(("""
                {"runId": "r", "baseModel": "tiny", "dataset": "d", "datasetVersion": 1, "mode": "%s",
                 "lora": {"rank": 4, "alpha": 8, "dropout": 0.1}, "totalSteps": 6, "batchSize": 4,
                 "gradientAccumulation": 2, "maxSeqLength": 64, "optimizer": {"learningRate": 0.01, "warmupSteps": 1},
                 "shardSteps": 2, "seed": 11, "evalExamples": 8}""").formatted(mode).getBytes(), RunSpec.class)
                .resolved(6, 64, mode.equals("lora") ? List.of("q_proj", "v_proj") : null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lora", "full"})
    void threeShardsThroughCheckpointsEqualOneUninterruptedShard(String mode) throws Exception {
        RunSpec spec = spec(mode);
        List<StepRecord> whole = new ArrayList<>();
        io.tuneloop.model.train.SftTrainer.Outcome uninterrupted = ShardTrainer.train(spec, model, null, data, 0, 6,
                Files.createDirectories(dir.resolve(mode + "-whole")), whole::add, () -> false);
        assertThat(uninterrupted.validationLoss()).isNotNull();

        List<StepRecord> sharded = new ArrayList<>();
        Path previous = null;
        for (int k = 0; k < 3; k++) {
            Path out = Files.createDirectories(dir.resolve(mode + "-shard-" + k));
            ShardTrainer.train(spec, model, previous, data, 2L * k, 2L * k + 2, out, sharded::add, () -> false);
            previous = out;
        }
        assertThat(sharded).hasSize(6);
        for (int i = 0; i < 6; i++) {
            assertThat(sharded.get(i).loss()).as("step " + i).isCloseTo(whole.get(i).loss(), within(1e-5));
            assertThat(sharded.get(i).learningRate()).isEqualTo(whole.get(i).learningRate());
        }
        assertThat(whole.get(5).loss()).isLessThan(whole.get(0).loss());

        // the final artifacts load in the model library and generate
        Path merged = dir.resolve(mode + "-final/merged");
        ShardTrainer.writeFinal(spec, model, previous, merged, dir.resolve(mode + "-final/adapter"));
        assertThat(TinyRuns.answer(merged, 3, 4)).isNotEmpty();
        try (TextTokenizer tokenizer = TextTokenizer.load(merged)) {
            assertThat(tokenizer.chatTemplate()).isPresent();
        }
        if (mode.equals("lora")) {
            assertThat(dir.resolve(mode + "-final/adapter/adapter_config.json")).exists();
            assertThat(dir.resolve(mode + "-final/adapter/tokenizer.json")).exists();
        }
    }

    @org.junit.jupiter.api.Test
    void aCancelledShardStopsWithoutWritingACheckpoint() throws Exception {
        Path out = Files.createDirectories(dir.resolve("cancelled"));
        int[] steps = {0};
        io.tuneloop.model.train.SftTrainer.Outcome outcome = ShardTrainer.train(spec("lora"), model, null, data, 0, 6, out, s -> steps[0]++,
                () -> steps[0] >= 2);
        assertThat(outcome.cancelled()).isTrue();
        assertThat(outcome.steps()).hasSize(2);
        try (var files = Files.list(out)) {
            assertThat(files).isEmpty();
        }
    }
}
