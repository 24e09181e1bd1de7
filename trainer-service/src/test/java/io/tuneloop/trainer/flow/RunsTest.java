package io.tuneloop.trainer.flow;

import io.tuneloop.events.EventJson;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.events.payload.TrainingProgress;
import io.tuneloop.events.payload.TrainingShard;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.train.StepRecord;
import io.tuneloop.service.resilience.Faults;
import io.tuneloop.store.Artifacts.CheckpointManifest;
import io.tuneloop.trainer.TinyRuns;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The runs flow over in-memory ports: no broker, no store, no model library. */
class RunsTest {
    @TempDir
    static Path dir;
    static ModelConfig model;
    static DatasetManifest version;

    @BeforeAll
    static void modelAndVersion() {
        TinyRuns.model(dir);
        model = ModelConfig.read(dir.resolve("config.json"));
        version = TinyRuns.manifest("ds", 1, "tiny", new byte[0], new byte[0], 24, 6);
    }

    /** The store: maps. */
    static final class MemoryStore implements RunStore {
        final Map<String, RunSpec> specs = new HashMap<>();
        final Set<String> cancelled = new HashSet<>();
        final Map<String, CheckpointManifest> checkpoints = new HashMap<>();

        @Override
        public Optional<RunSpec> spec(String runId) {
            return Optional.ofNullable(specs.get(runId));
        }

        @Override
        public boolean createSpec(RunSpec spec) {
            return specs.putIfAbsent(spec.runId(), spec) == null;
        }

        @Override
        public void deleteSpec(String runId) {
            specs.remove(runId);
        }

        @Override
        public List<String> runIds() {
            return List.copyOf(specs.keySet());
        }

        @Override
        public boolean cancelled(String runId) {
            return cancelled.contains(runId);
        }

        @Override
        public void setCancelled(String runId, boolean yes) {
            if (yes) {
                cancelled.add(runId);
            } else {
                cancelled.remove(runId);
            }
        }

        @Override
        public Optional<CheckpointManifest> checkpoint(String runId, int shard) {
            return Optional.ofNullable(checkpoints.get(runId + "/" + shard));
        }

        @Override
        public List<StepRecord> steps(String runId, int shard) {
            CheckpointManifest m = checkpoints.get(runId + "/" + shard);
            return List.of(new StepRecord(m.step() - 1, m.trainLoss(), 0.01, 1, 10, 20, 1));
        }

        @Override
        public Optional<DatasetManifest> datasetManifest(String dataset, int v) {
            return dataset.equals("ds") && v == 1 ? Optional.of(version) : Optional.empty();
        }

        @Override
        public Optional<ModelConfig> modelConfig(String name) {
            return name.equals("tiny") ? Optional.of(model) : Optional.empty();
        }

        @Override
        public String checkpointPrefix(String runId, int shard) {
            return "runs/" + runId + "/shard-" + shard + "/";
        }

        @Override
        public String checkpointManifestKey(String runId, int shard) {
            return checkpointPrefix(runId, shard) + "manifest.json";
        }

        @Override
        public String specKey(String runId) {
            return "runs/" + runId + "/spec.json";
        }

        @Override
        public String modelPrefix(String name) {
            return "models/" + name + "/";
        }
    }

    /** The broker: lists, and a switch that makes the next send fail as an unreachable broker would. */
    static final class RecordingEvents implements RunEvents {
        final List<TrainingShard> shards = new ArrayList<>();
        final List<Checkpoint> checkpoints = new ArrayList<>();
        final List<TrainingProgress> progress = new ArrayList<>();
        boolean down;

        @Override
        public void shard(TrainingShard shard) {
            if (down) {
                throw new Faults.TransientFault("broker unavailable", null);
            }
            shards.add(shard);
        }

        @Override
        public void checkpoint(Checkpoint checkpoint) {
            checkpoints.add(checkpoint);
        }

        @Override
        public void progress(TrainingProgress update) {
            progress.add(update);
        }
    }

    /** Training: each step's loss is 1/(step+1); sealing puts the manifest into the store. */
    static final class FakeTraining implements ShardTraining {
        final MemoryStore store;
        final List<String> trained = new ArrayList<>();
        final List<String> finals = new ArrayList<>();
        RuntimeException failure;

        FakeTraining(MemoryStore store) {
            this.store = store;
        }

        @Override
        public Trained train(RunSpec spec, TrainingShard shard, boolean last, Consumer<StepRecord> onStep,
                             BooleanSupplier cancelled) {
            if (failure != null) {
                throw failure;
            }
            trained.add(shard.shardId());
            for (long step = shard.fromStep(); step < shard.toStep(); step++) {
                if (cancelled.getAsBoolean()) {
                    return Trained.cancelledAt(step);
                }
                onStep.accept(new StepRecord(step, 1.0 / (step + 1), 0.01, 1, 10, 20, 1));
            }
            CheckpointManifest manifest = new CheckpointManifest(spec.runId(), shard.shardIndex(), shard.toStep(),
                    spec.mode(), spec.baseModel(), spec.dataset(), spec.datasetVersion(), 1.0 / shard.toStep(), 0.5,
                    last, List.of(), Instant.EPOCH);
            store.checkpoints.put(spec.runId() + "/" + shard.shardIndex(), manifest);
            return new Trained(manifest, shard.toStep(), 1, 1, 100);
        }

        @Override
        public void writeFinal(RunSpec spec, int lastShard) {
            finals.add(spec.runId() + "/" + lastShard);
        }
    }

    final MemoryStore store = new MemoryStore();
    final RecordingEvents events = new RecordingEvents();
    final FakeTraining training = new FakeTraining(store);
    final Runs runs = new Runs(store, events, training, RunMetrics.NONE, Clock.fixed(Instant.EPOCH, ZoneOffset.UTC),
            1L << 34);

    private static RunSpec spec(String runId) {
        return EventJson.fromBytes(("""
                {"runId": "%s", "baseModel": "tiny", "dataset": "ds", "datasetVersion": 1, "mode": "lora",
                 "lora": {"rank": 4, "alpha": 8}, "totalSteps": 6, "batchSize": 2, "shardSteps": 2, "seed": 3}""")
                .formatted(runId).getBytes(), RunSpec.class);
    }

    /** Handles shard events as the consumer group would hand them over, until none is left. */
    private void drain() {
        for (int handled = 0; handled < events.shards.size(); handled++) {
            runs.executeShard(events.shards.get(handled));
        }
    }

    @Test
    void aRunIsPlannedThenTrainedShardByShardThroughItsCheckpoints() {
        RunState planned = runs.start(spec("r1"));
        assertThat(planned.state()).isEqualTo(RunPhase.PLANNED);
        assertThat(planned.shardCount()).isEqualTo(3);
        assertThat(planned.spec().lora().targets()).containsExactly("q_proj", "v_proj"); // resolved against the model
        assertThat(events.shards).singleElement().satisfies(s -> {
            assertThat(s.shardIndex()).isZero();
            assertThat(s.resumeFrom()).isNull();
        });

        drain();
        assertThat(training.trained).containsExactly("r1/shard-0", "r1/shard-1", "r1/shard-2");
        assertThat(events.shards).extracting(TrainingShard::resumeFrom)
                .containsExactly(null, "runs/r1/shard-0/", "runs/r1/shard-1/");
        assertThat(events.checkpoints).extracting(Checkpoint::checkpointId)
                .containsExactly("r1/shard-0", "r1/shard-1", "r1/shard-2");
        assertThat(events.checkpoints.get(2).last()).isTrue();
        assertThat(training.finals).containsExactly("r1/2");
        RunState done = runs.run("r1").orElseThrow();
        assertThat(done.state()).isEqualTo(RunPhase.SUCCEEDED);
        assertThat(done.completedShards()).isEqualTo(3);
        assertThat(done.step()).isEqualTo(6);
        assertThat(events.progress.get(events.progress.size() - 1).state()).isEqualTo("SUCCEEDED");
        assertThat(runs.steps("r1")).extracting(StepRecord::step).containsExactly(1L, 3L, 5L);

        assertThatThrownBy(() -> runs.start(spec("r1"))).isInstanceOf(RunExistsException.class);
    }

    @Test
    void aRedeliveredShardWhoseCheckpointIsSealedIsNotTrainedAgainButItsEventsAreSentAgain() {
        runs.start(spec("r2"));
        TrainingShard first = events.shards.get(0);
        runs.executeShard(first);
        runs.executeShard(first); // the consumer died after sealing, before committing
        assertThat(training.trained).containsExactly("r2/shard-0");
        assertThat(events.checkpoints).hasSize(2);
        assertThat(events.checkpoints.get(1)).isEqualTo(events.checkpoints.get(0));
        assertThat(events.shards).hasSize(3);
        assertThat(events.shards.get(2)).isEqualTo(events.shards.get(1)); // the same next shard, the same id downstream
    }

    @Test
    void aCancelledRunStopsAndResumesFromItsLastCheckpoint() {
        runs.start(spec("r3"));
        runs.executeShard(events.shards.get(0));
        RunState cancelled = runs.cancel("r3");
        assertThat(cancelled.state()).isEqualTo(RunPhase.CANCELLED);
        runs.executeShard(events.shards.get(1));
        assertThat(training.trained).containsExactly("r3/shard-0");
        assertThat(runs.run("r3").orElseThrow().message()).isEqualTo("cancelled before shard 1");

        RunState resumed = runs.resume("r3");
        assertThat(resumed.state()).isEqualTo(RunPhase.PLANNED);
        assertThat(store.cancelled).doesNotContain("r3");
        assertThat(events.shards.get(events.shards.size() - 1).shardIndex()).isEqualTo(1);
    }

    @Test
    void anOutageIsRethrownForRedeliveryButBadInputFailsTheRun() {
        runs.start(spec("r4"));
        training.failure = new Faults.TransientFault("store unavailable", null);
        assertThatThrownBy(() -> runs.executeShard(events.shards.get(0))).isInstanceOf(Faults.TransientFault.class);
        assertThat(runs.run("r4").orElseThrow().state()).isNotEqualTo(RunPhase.FAILED);

        training.failure = new IllegalArgumentException("the dataset has token id 999 but tiny has a vocabulary of 64");
        assertThatThrownBy(() -> runs.executeShard(events.shards.get(0))).isInstanceOf(IllegalArgumentException.class);
        RunState failed = runs.run("r4").orElseThrow();
        assertThat(failed.state()).isEqualTo(RunPhase.FAILED);
        assertThat(failed.message()).contains("vocabulary of 64");
    }

    @Test
    void aRunWhoseFirstShardCannotBeSentIsNotStartedAndItsRetryIs() {
        events.down = true;
        assertThatThrownBy(() -> runs.start(spec("r5"))).isInstanceOf(Faults.TransientFault.class);
        assertThat(store.specs).doesNotContainKey("r5");
        events.down = false;
        assertThat(runs.start(spec("r5")).state()).isEqualTo(RunPhase.PLANNED);
    }

    @Test
    void whatARunNeedsIsCheckedBeforeAnythingIsPlanned() {
        assertThatThrownBy(() -> runs.start(EventJson.fromBytes(("{\"baseModel\": \"tiny\", \"dataset\": \"ds\","
                + " \"datasetVersion\": 9, \"mode\": \"full\", \"totalSteps\": 2, \"shardSteps\": 1}").getBytes(), RunSpec.class)))
                .hasMessageContaining("unknown dataset version: ds v9");
        assertThatThrownBy(() -> runs.start(EventJson.fromBytes(("{\"baseModel\": \"nope\", \"dataset\": \"ds\","
                + " \"datasetVersion\": 1, \"mode\": \"full\", \"totalSteps\": 2, \"shardSteps\": 1}").getBytes(), RunSpec.class)))
                .hasMessageContaining("unknown base model: models/nope/config.json does not exist");
        assertThat(events.shards).isEmpty();
        assertThat(store.specs).isEmpty();
    }

    @Test
    void anAnnouncedVersionWithoutItsManifestIsRefused() {
        assertThatThrownBy(() -> runs.acceptDatasetVersion(new DatasetVersion("ds", 7, "datasets/ds/v7/manifest.json", 1,
                Map.of(), List.of(), "c", 0, Instant.EPOCH))).hasMessageContaining("does not exist");
        runs.acceptDatasetVersion(new DatasetVersion("ds", 1, "datasets/ds/v1/manifest.json", 30, Map.of(), List.of(),
                "c", 0, Instant.EPOCH));
        assertThat(runs.datasetVersions()).extracting(DatasetVersion::version).containsExactly(1);
    }
}
