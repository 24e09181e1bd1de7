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
        public void setCancelled(String runId, String principal) {
            boolean yes = principal != null;
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

        final Map<String, DatasetManifest> versions = new HashMap<>();

        @Override
        public Optional<DatasetManifest> datasetManifest(String dataset, int v) {
            if (dataset.equals("ds") && v == 1) {
                return Optional.of(version);
            }
            return Optional.ofNullable(versions.get(dataset + "/" + v));
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

        final Set<String> finals = new HashSet<>();

        @Override
        public boolean finalWritten(String runId) {
            return finals.contains(runId);
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
        public void shard(TrainingShard shard, RunSpec of) {
            if (down) {
                throw new Faults.TransientFault("broker unavailable", null);
            }
            shards.add(shard);
        }

        @Override
        public void checkpoint(Checkpoint checkpoint, RunSpec of) {
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
            store.finals.add(spec.runId());
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
        RunState cancelled = runs.cancel("r3", "tom");
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

    /** A version of a feedback round, with preference pairs beside its training examples. */
    private DatasetManifest roundVersion(int v, int round, long pairs) {
        Map<String, Long> splits = new HashMap<>(version.splitCounts());
        if (pairs > 0) {
            splits.put("preferences", pairs);
        }
        return new DatasetManifest("ds", v, round, version.spec(), version.templateLibrary(), List.of("b", "round-" + round),
                version.recordCount(), splits, version.taskCounts(), version.templateCounts(), Map.of(), Map.of(),
                version.shards(), "c" + v, Instant.EPOCH);
    }

    private static DatasetVersion announced(int v, int round) {
        return new DatasetVersion("ds", v, "datasets/ds/v" + v + "/manifest.json", 30, Map.of(), List.of(), "c", round,
                Instant.EPOCH);
    }

    private static RunSpec template(String json) {
        return EventJson.fromBytes(json.getBytes(), RunSpec.class);
    }

    @Test
    void roundsBuildOnTheirPreviousRoundAndPreferencePairsAreTrainedByADpoRunAfterSft() {
        RunSpec sft = template("""
                {"baseModel": "tiny", "mode": "full", "totalSteps": 4, "shardSteps": 2, "batchSize": 2}""");
        RunSpec dpo = template("""
                {"baseModel": "tiny", "mode": "full", "objective": "dpo", "dpo": {"beta": 0.2}, "totalSteps": 2,
                 "shardSteps": 2, "batchSize": 2}""");
        RunPolicies policies = new RunPolicies(Map.of("loop", new RunPolicies.Policy("ds", sft, dpo, true)), runs);

        // round 0: from the base; v1 has no pairs, so no DPO run follows
        policies.onDatasetVersion(announced(1, 0));
        drain();
        assertThat(store.specs).containsOnlyKeys("loop-ds-v1");
        assertThat(store.specs.get("loop-ds-v1").initFrom()).isNull();

        // round 1: SFT from round 0's final model, then DPO on the version's pairs from the SFT run's final model
        store.versions.put("ds/2", roundVersion(2, 1, 4));
        policies.onDatasetVersion(announced(2, 1));
        drain();
        assertThat(store.specs.get("loop-ds-v2").initFrom()).isEqualTo("loop-ds-v1");
        assertThat(store.specs.get("loop-ds-v2").preference()).isFalse();
        RunSpec preference = store.specs.get("loop-ds-v2-dpo");
        assertThat(preference.preference()).isTrue();
        assertThat(preference.initFrom()).isEqualTo("loop-ds-v2");
        assertThat(preference.dpo().beta()).isEqualTo(0.2);
        assertThat(preference.datasetVersion()).isEqualTo(2);
        assertThat(preference.round()).isEqualTo(1);
        assertThat(runs.run("loop-ds-v2-dpo").orElseThrow().state()).isEqualTo(RunPhase.SUCCEEDED);
        // its checkpoints are announced like any run's, so eval scores them and the round's final is the DPO run's
        assertThat(events.checkpoints).extracting(Checkpoint::runId).contains("loop-ds-v2-dpo");

        // round 2 continues from round 1's final model: the DPO run's
        store.versions.put("ds/3", roundVersion(3, 2, 0));
        policies.onDatasetVersion(announced(3, 2));
        assertThat(store.specs.get("loop-ds-v3").initFrom()).isEqualTo("loop-ds-v2-dpo");

        // a redelivered version starts nothing new; a redelivered last shard does not start a second DPO run
        int before = store.specs.size();
        policies.onDatasetVersion(announced(2, 1));
        runs.executeShard(events.shards.stream().filter(s -> s.runId().equals("loop-ds-v2") && s.shardIndex() == 1)
                .findFirst().orElseThrow());
        assertThat(store.specs).hasSize(before);
    }

    @Test
    void aContinuedRoundRunsTheRoundSpecOnTheFeedbackWithAReplay() {
        RunSpec sft = template("""
                {"baseModel": "tiny", "mode": "full", "totalSteps": 4, "shardSteps": 2, "batchSize": 2}""");
        RunSpec round = template("""
                {"baseModel": "tiny", "mode": "full", "totalSteps": 2, "shardSteps": 2, "batchSize": 2,
                 "feedbackShare": 0.5, "optimizer": {"learningRate": 0.0005}}""");
        RunPolicies policies = new RunPolicies(Map.of("loop", new RunPolicies.Policy("ds", sft, null, true, round)), runs);
        policies.onDatasetVersion(announced(1, 0));
        drain();
        assertThat(store.specs.get("loop-ds-v1").totalSteps()).isEqualTo(4); // round 0 runs the spec
        assertThat(store.specs.get("loop-ds-v1").feedbackShare()).isNull();

        store.versions.put("ds/2", roundVersion(2, 1, 0));
        policies.onDatasetVersion(announced(2, 1));
        drain();
        RunSpec continued = store.specs.get("loop-ds-v2");
        assertThat(continued.initFrom()).isEqualTo("loop-ds-v1");
        assertThat(continued.totalSteps()).isEqualTo(2);
        assertThat(continued.feedbackShare()).isEqualTo(0.5);
        assertThat(continued.optimizer().learningRate()).isEqualTo(0.0005);
        assertThat(continued.datasetVersion()).isEqualTo(2);
        assertThat(continued.round()).isEqualTo(1);
        assertThat(runs.run("loop-ds-v2").orElseThrow().state()).isEqualTo(RunPhase.SUCCEEDED);

        // a round spec only means something when rounds continue; DPO has its own spec
        assertThatThrownBy(() -> new RunPolicies.Policy("ds", sft, null, false, round))
                .hasMessageContaining("continue-rounds false");
        assertThatThrownBy(() -> template("""
                {"runId": "z", "baseModel": "tiny", "dataset": "ds", "datasetVersion": 1, "mode": "full",
                 "totalSteps": 2, "shardSteps": 1, "feedbackShare": 1.0}""").validated())
                .hasMessageContaining("feedbackShare must be in (0, 1)");
    }

    @Test
    void aPolicyCanRestartEveryRoundFromTheBase() {
        RunSpec sft = template("""
                {"baseModel": "tiny", "mode": "full", "totalSteps": 2, "shardSteps": 2, "batchSize": 2}""");
        RunPolicies policies = new RunPolicies(Map.of("fresh", new RunPolicies.Policy("ds", sft, null, false)), runs);
        policies.onDatasetVersion(announced(1, 0));
        drain();
        store.versions.put("ds/2", roundVersion(2, 1, 4));
        policies.onDatasetVersion(announced(2, 1));
        drain();
        assertThat(store.specs.get("fresh-ds-v2").initFrom()).isNull();
        assertThat(store.specs).doesNotContainKey("fresh-ds-v2-dpo"); // no preference spec: the pairs wait
        assertThatThrownBy(() -> template("""
                {"runId": "x", "baseModel": "tiny", "dataset": "ds", "datasetVersion": 1, "mode": "lora",
                 "initFrom": "loop-ds-v1", "totalSteps": 2, "shardSteps": 1}""").validated())
                .hasMessageContaining("initFrom needs mode full");
        assertThatThrownBy(() -> runs.start(template("""
                {"runId": "y", "baseModel": "tiny", "dataset": "ds", "datasetVersion": 1, "mode": "full",
                 "initFrom": "no-such-run", "totalSteps": 2, "shardSteps": 1}""")))
                .hasMessageContaining("initFrom names run no-such-run, which has no final model");
    }
}
