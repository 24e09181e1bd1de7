package io.tuneloop.trainer;

import io.tuneloop.events.EventJson;
import io.tuneloop.events.JsonLines;
import io.tuneloop.events.dataset.PreferenceExample;
import io.tuneloop.model.train.ReferenceLogProbs;
import io.tuneloop.model.train.StepRecord;
import io.tuneloop.trainer.flow.RunSpec;
import io.tuneloop.trainer.flow.RunValidator;
import io.tuneloop.trainer.flow.TrainingData;
import io.tuneloop.trainer.store.StepsFile;
import io.tuneloop.trainer.training.ShardTrainer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

/**
 * Runs of objective dpo, from the sealed preferences split to checkpoints: shards chained through
 * checkpoints (which carry the reference log-probabilities) train exactly like one uninterrupted
 * shard, with LoRA and fully, and the steps record the reward margin and accuracy.
 */
class PreferenceShardTest {
    @TempDir
    static Path dir;
    static Path model;
    static TrainingData data;

    @BeforeAll
    static void modelAndPairs() throws Exception {
        model = Files.createDirectories(dir.resolve("model"));
        TinyRuns.model(model);
        data = new TrainingData();
        JsonLines.read(TinyRuns.preferenceShard(model, 0, 16), PreferenceExample.class).forEach(p -> data.add(p, 64));
    }

    static RunSpec spec(String mode) {
        return EventJson.fromBytes(("""
                {"runId": "p", "baseModel": "tiny", "dataset": "d", "datasetVersion": 1, "mode": "%s", "objective": "dpo",
                 "dpo": {"beta": 0.5}, "lora": {"rank": 4, "alpha": 8}, "totalSteps": 6, "batchSize": 4,
                 "gradientAccumulation": 1, "maxSeqLength": 64, "optimizer": {"learningRate": %s, "warmupSteps": 1},
                 "shardSteps": 2, "seed": 11, "evalExamples": 0}""").formatted(mode, mode.equals("lora") ? "0.01" : "0.002").getBytes(), RunSpec.class)
                .validated().resolved(6, 64, mode.equals("lora") ? List.of("q_proj", "v_proj") : null);
    }

    @ParameterizedTest
    @ValueSource(strings = {"lora", "full"})
    void dpoShardsThroughCheckpointsEqualOneUninterruptedShard(String mode) throws Exception {
        assertThat(data.preferences()).hasSize(16);
        RunSpec spec = spec(mode);
        List<StepRecord> whole = new ArrayList<>();
        ShardTrainer.train(spec, model, null, data, 0, 6, Files.createDirectories(dir.resolve(mode + "-whole")), whole::add,
                () -> false);
        List<StepRecord> sharded = new ArrayList<>();
        Path previous = null;
        for (int k = 0; k < 3; k++) {
            Path out = Files.createDirectories(dir.resolve(mode + "-shard-" + k));
            ShardTrainer.train(spec, model, previous, data, 2L * k, 2L * k + 2, out, sharded::add, () -> false);
            assertThat(out.resolve(ReferenceLogProbs.FILE)).exists();
            previous = out;
        }
        for (int i = 0; i < 6; i++) {
            assertThat(sharded.get(i).loss()).as("step " + i).isCloseTo(whole.get(i).loss(), within(1e-5));
            assertThat(sharded.get(i).rewardMargin()).isCloseTo(whole.get(i).rewardMargin(), within(1e-5));
        }
        assertThat(whole.get(0).loss()).isCloseTo(Math.log(2), within(1e-3));
        // the policy starts as its reference (DpoTest shows margins rising over training pairs)
        assertThat(whole.get(0).rewardMargin()).isCloseTo(0, within(1e-4));

        // the steps file of a checkpoint keeps the preference figures
        List<StepRecord> written = StepsFile.read(Files.readAllBytes(previous.resolve("steps.json")));
        assertThat(written).extracting(StepRecord::rewardAccuracy).doesNotContainNull();

        Path merged = dir.resolve(mode + "-final/merged");
        ShardTrainer.writeFinal(spec, model, previous, merged, dir.resolve(mode + "-final/adapter"));
        assertThat(TinyRuns.answer(merged, 3, 4)).isNotEmpty();
    }

    @Test
    void aDpoRunNeedsPreferencePairsAndTakesNoPacking() {
        byte[] train = TinyRuns.shard(model, "train", 0, 4);
        byte[] validation = TinyRuns.shard(model, "validation", 4, 2);
        var version = TinyRuns.manifest("d", 1, "tiny", train, validation, 4, 2);
        var config = io.tuneloop.model.hf.ModelConfig.read(model.resolve("config.json"));
        assertThatThrownBy(() -> RunValidator.resolve(spec("lora"), config, version, Long.MAX_VALUE))
                .hasMessageContaining("has no preference pairs");
        assertThatThrownBy(() -> EventJson.fromBytes("""
                {"runId": "p", "baseModel": "tiny", "dataset": "d", "datasetVersion": 1, "objective": "dpo",
                 "packing": true, "totalSteps": 2, "shardSteps": 1}""".getBytes(), RunSpec.class).validated())
                .hasMessageContaining("packing is not supported with objective dpo");
        assertThatThrownBy(() -> EventJson.fromBytes("""
                {"runId": "p", "baseModel": "tiny", "dataset": "d", "datasetVersion": 1, "objective": "kto",
                 "totalSteps": 2, "shardSteps": 1}""".getBytes(), RunSpec.class).validated())
                .hasMessageContaining("objective must be sft or dpo");
    }
}
