package io.tuneloop.trainer.training;

import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.payload.TrainingShard;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.nn.Models;
import io.tuneloop.model.train.SftTrainer;
import io.tuneloop.model.train.StepRecord;
import io.tuneloop.store.Artifacts;
import io.tuneloop.trainer.flow.RunSpec;
import io.tuneloop.trainer.flow.ShardTraining;
import io.tuneloop.trainer.flow.TrainingData;
import io.tuneloop.trainer.store.RunArtifacts;
import jakarta.enterprise.context.ApplicationScoped;
import org.jboss.logging.Logger;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Shards trained on this machine from files copied out of the store: the base model and the
 * previous shard's checkpoint are copied into the work directory, the version's examples are read
 * into memory, the shard trains into a fresh local folder, which is then sealed in the store as the
 * shard's checkpoint (its files first, the manifest last).
 */
@ApplicationScoped
public class StoredShards implements ShardTraining {
    private static final Logger LOG = Logger.getLogger(StoredShards.class);

    private final RunArtifacts artifacts;

    public StoredShards(RunArtifacts artifacts) {
        this.artifacts = artifacts;
    }

    @Override
    public Trained train(RunSpec spec, TrainingShard shard, boolean last, Consumer<StepRecord> onStep,
                         BooleanSupplier cancelled) {
        long started = System.nanoTime();
        DatasetManifest version = artifacts.datasetManifest(spec.dataset(), spec.datasetVersion())
                .orElseThrow(() -> new IllegalArgumentException(spec.dataset() + " v" + spec.datasetVersion()
                        + " no longer exists"));
        TrainingData data = artifacts.trainingData(version, spec);
        if (spec.feedbackShare() != null) {
            LOG.infof("run %s: %d feedback samples drawn as %.0f%% of the training draws, the other %d examples replayed",
                    spec.runId(), data.feedbackExamples(), 100 * spec.feedbackShare(), data.train().size() - data.feedbackExamples());
        }
        Path base = artifacts.startingModel(spec);
        ModelConfig model = ModelConfig.read(base.resolve(Models.CONFIG));
        if (data.maxTokenId() >= model.vocabSize()) {
            throw new IllegalArgumentException("the dataset has token id " + data.maxTokenId() + " but " + spec.baseModel()
                    + " has a vocabulary of " + model.vocabSize() + ": the version was tokenized for another model");
        }
        Path resume = shard.shardIndex() == 0 ? null : artifacts.checkpointFiles(spec.runId(), shard.shardIndex() - 1);
        Path output = artifacts.outputDirectory(spec.runId(), "shard-" + shard.shardIndex());
        SftTrainer.Outcome outcome = ShardTrainer.train(spec, base, resume, data, shard.fromStep(), shard.toStep(), output,
                onStep, cancelled);
        if (outcome.cancelled()) {
            return Trained.cancelledAt(outcome.state().step());
        }
        long uploadStart = System.nanoTime();
        Artifacts.CheckpointManifest manifest = artifacts.upload(output, Artifacts.CHECKPOINT,
                new Artifacts.CheckpointRef(spec.runId(), shard.shardIndex()),
                files -> new Artifacts.CheckpointManifest(spec.runId(), shard.shardIndex(), shard.toStep(), spec.mode(),
                        spec.baseModel(), spec.dataset(), spec.datasetVersion(), outcome.meanLoss(),
                        outcome.validationLoss(), last, files, Instant.now()));
        long uploadNanos = System.nanoTime() - uploadStart;
        long bytes = manifest.files().stream().mapToLong(f -> f.size()).sum();
        LOG.infof("shard %s done: steps %d-%d, mean loss %.4f, validation loss %s, %.0f tokens/s; load %.0f ms,"
                        + " train %.0f ms, save %.0f ms, upload %.0f ms (%d bytes)", shard.shardId(), shard.fromStep(),
                shard.toStep() - 1, outcome.meanLoss(), outcome.validationLoss(),
                outcome.tokens() / (outcome.trainMillis() / 1000), outcome.loadMillis(), outcome.trainMillis(),
                outcome.saveMillis(), uploadNanos / 1e6, bytes);
        return new Trained(manifest, shard.toStep(), uploadStart - started, uploadNanos, bytes);
    }

    @Override
    public void writeFinal(RunSpec spec, int lastShard) {
        if (artifacts.finalWritten(spec.runId())) {
            return;
        }
        Path base = artifacts.startingModel(spec);
        Path last = artifacts.checkpointFiles(spec.runId(), lastShard);
        Path out = artifacts.outputDirectory(spec.runId(), "final");
        ShardTrainer.writeFinal(spec, base, last, out.resolve("merged"), out.resolve("adapter"));
        artifacts.upload(out, Artifacts.RUN_FINAL, spec.runId(), files -> Map.of("runId", spec.runId(), "mode",
                spec.mode(), "step", spec.totalSteps(), "files", files, "createdAt", Instant.now().toString()));
        String prefix = Artifacts.RUN_FINAL.prefix(spec.runId());
        LOG.infof("run %s: final model written to %smerged/%s", spec.runId(), prefix,
                spec.mode().equals("lora") ? " and adapter to " + prefix + "adapter/" : "");
    }
}
