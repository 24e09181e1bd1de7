package io.tuneloop.trainer.run;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.tuneloop.events.Channels;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Topics;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.events.payload.TrainingProgress;
import io.tuneloop.events.payload.TrainingShard;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.service.messaging.Events;
import io.tuneloop.store.ArtifactLayout;
import io.tuneloop.service.resilience.Faults;
import io.tuneloop.trainer.store.RunArtifacts;
import io.tuneloop.trainer.training.ShardTrainer;
import io.tuneloop.trainer.training.StepRecord;
import io.tuneloop.trainer.training.TrainingData;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Runs: validated and planned from a spec, then trained shard by shard. A shard event is handled by
 * whichever trainer instance the consumer group gives it to: it resumes from the previous shard's
 * sealed checkpoint, trains its steps, seals its own checkpoint (manifest last), announces it on
 * {@code checkpoints}, and sends the next shard. A shard whose checkpoint is already sealed (a
 * redelivery after a crash between sealing and sending) is not trained again: its events are re-sent
 * with the same ids. A shard cut off by a crash left no manifest, so nobody reads its files; the
 * redelivered event trains it again from the same checkpoint, with the same data order and schedule.
 */
@ApplicationScoped
public class TrainerService {
    private static final Logger LOG = Logger.getLogger(TrainerService.class);
    private static final long CANCEL_CHECK_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RunArtifacts artifacts;
    private final MutinyEmitter<TrainingShard> shards;
    private final MutinyEmitter<TrainingProgress> progress;
    private final MutinyEmitter<Checkpoint> checkpoints;
    private final MeterRegistry meters;
    private final Map<String, RunState> runs = new ConcurrentHashMap<>();
    private final Map<String, DatasetVersion> datasetVersions = new ConcurrentHashMap<>();
    private final AtomicReference<Double> lastLoss = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> lastLearningRate = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> lastGradNorm = new AtomicReference<>(Double.NaN);
    private final AtomicReference<Double> lastTokensPerSecond = new AtomicReference<>(Double.NaN);
    private volatile long lastProgressEvent;

    public TrainerService(RunArtifacts artifacts,
                          @Channel(Channels.TRAINING_SHARDS_OUT) MutinyEmitter<TrainingShard> shards,
                          @Channel(Channels.TRAINING_PROGRESS_OUT) MutinyEmitter<TrainingProgress> progress,
                          @Channel(Channels.CHECKPOINTS_OUT) MutinyEmitter<Checkpoint> checkpoints,
                          MeterRegistry meters) {
        this.artifacts = artifacts;
        this.shards = shards;
        this.progress = progress;
        this.checkpoints = checkpoints;
        this.meters = meters;
        meters.gauge("tuneloop.trainer.loss", lastLoss, AtomicReference::get);
        meters.gauge("tuneloop.trainer.learning.rate", lastLearningRate, AtomicReference::get);
        meters.gauge("tuneloop.trainer.grad.norm", lastGradNorm, AtomicReference::get);
        meters.gauge("tuneloop.trainer.tokens.per.second", lastTokensPerSecond, AtomicReference::get);
        for (String state : List.of(RunState.PLANNED, RunState.RUNNING, RunState.SHARD_DONE, RunState.SUCCEEDED,
                RunState.FAILED, RunState.CANCELLED)) {
            meters.gauge("tuneloop.trainer.runs", Tags.of("state", state), runs,
                    r -> r.values().stream().filter(s -> s.state().equals(state)).count());
        }
    }

    /** Validates the spec against the store, stores the resolved spec, then sends the run's first shard. */
    public RunState startRun(RunSpec requested) {
        RunSpec spec = (requested.runId() == null ? requested.withRunId("run-" + UUID.randomUUID()) : requested)
                .validated();
        DatasetManifest version = artifacts.datasetManifest(spec.dataset(), spec.datasetVersion())
                .orElseThrow(() -> new IllegalArgumentException("unknown dataset version: " + spec.dataset() + " v"
                        + spec.datasetVersion() + " has no sealed manifest"));
        if (!artifacts.modelExists(spec.baseModel())) {
            throw new IllegalArgumentException("unknown base model: " + ArtifactLayout.modelPrefix(spec.baseModel())
                    + "config.json does not exist");
        }
        ModelConfig model = modelConfig(spec.baseModel());
        RunSpec resolved = RunValidator.resolve(spec, model, version, availableMemory());
        String specKey = ArtifactLayout.runSpec(resolved.runId());
        if (artifacts.store().exists(specKey)) {
            throw new RunExistsException(resolved.runId());
        }
        artifacts.store().putBytes(specKey, EventJson.toBytes(resolved), "application/json");
        List<ShardPlan.Range> plan = ShardPlan.of(resolved.totalSteps(), resolved.shardSteps());
        try {
            send(shardEvent(resolved, plan, 0));
        } catch (RuntimeException e) {
            // not started: take the spec back so that the retry (a 503's client, a redelivered
            // dataset version of a policy) starts the run instead of finding it "exists"
            try {
                artifacts.store().delete(specKey);
            } catch (RuntimeException stillDown) {
                e.addSuppressed(stillDown);
            }
            throw e;
        }
        RunState state = new RunState(resolved, plan.size(), RunState.PLANNED, 0, 0, null, null, null, null, null,
                Instant.now());
        runs.put(resolved.runId(), state);
        meters.counter("tuneloop.trainer.runs.started").increment();
        LOG.infof("run %s planned: %d steps in %d shards, %s on %s v%d", resolved.runId(), resolved.totalSteps(),
                plan.size(), resolved.mode(), resolved.dataset(), resolved.datasetVersion());
        return state;
    }

    /** Trains one shard (or, when its checkpoint is already sealed, only re-sends what follows it). */
    public void executeShard(TrainingShard shard) {
        RunSpec spec = spec(shard.runId());
        List<ShardPlan.Range> plan = ShardPlan.of(spec.totalSteps(), spec.shardSteps());
        MDC.put("runId", shard.runId());
        MDC.put("shard", String.valueOf(shard.shardIndex()));
        try {
            Optional<RunArtifacts.CheckpointManifest> sealed = artifacts.checkpoint(shard.runId(), shard.shardIndex());
            if (sealed.isPresent()) {
                LOG.infof("shard %s already has a sealed checkpoint: re-sending what follows it", shard.shardId());
                meters.counter("tuneloop.trainer.shards.redelivered").increment();
                afterCheckpoint(spec, plan, shard, sealed.get());
                return;
            }
            if (cancelled(spec.runId())) {
                report(spec, shard, RunState.CANCELLED, null, "cancelled before shard " + shard.shardIndex());
                return;
            }
            train(spec, plan, shard);
        } catch (RuntimeException e) {
            if (Faults.isTransient(e)) {
                // the store or broker is away: the shard is retried from its last checkpoint, the run goes on
                LOG.warnf("shard %s interrupted by an outage: %s", shard.shardId(), e.getMessage());
                throw e;
            }
            LOG.errorf(e, "shard %s failed", shard.shardId());
            report(spec, shard, RunState.FAILED, null, e.getMessage());
            throw e;
        } finally {
            MDC.remove("runId");
            MDC.remove("shard");
        }
    }

    private void train(RunSpec spec, List<ShardPlan.Range> plan, TrainingShard shard) {
        long started = System.nanoTime();
        DatasetManifest version = artifacts.datasetManifest(spec.dataset(), spec.datasetVersion())
                .orElseThrow(() -> new IllegalArgumentException(spec.dataset() + " v" + spec.datasetVersion()
                        + " no longer exists"));
        TrainingData data = artifacts.trainingData(version, spec.maxSeqLength());
        Path base = artifacts.baseModel(spec.baseModel());
        ModelConfig model = ModelConfig.read(base.resolve("config.json"));
        if (data.maxTokenId() >= model.vocabSize()) {
            throw new IllegalArgumentException("the dataset has token id " + data.maxTokenId() + " but " + spec.baseModel()
                    + " has a vocabulary of " + model.vocabSize() + ": the version was tokenized for another model");
        }
        Path resume = shard.shardIndex() == 0 ? null : artifacts.checkpointFiles(spec.runId(), shard.shardIndex() - 1);
        Path output = artifacts.outputDirectory(spec.runId(), "shard-" + shard.shardIndex());
        report(spec, shard, RunState.RUNNING, null, null);

        long[] lastCheck = {System.nanoTime()};
        boolean[] cancelledFlag = {false};
        long runStart = System.nanoTime();
        ShardTrainer.Outcome outcome = ShardTrainer.train(spec, base, resume, data, shard.fromStep(), shard.toStep(),
                output, step -> onStep(spec, shard, step, runStart), () -> {
                    if (System.nanoTime() - lastCheck[0] > CANCEL_CHECK_NANOS) {
                        lastCheck[0] = System.nanoTime();
                        cancelledFlag[0] = cancelled(spec.runId());
                    }
                    return cancelledFlag[0];
                });
        if (outcome.cancelled()) {
            report(spec, shard, RunState.CANCELLED, null, "cancelled at step " + outcome.state().step());
            return;
        }
        long uploadStart = System.nanoTime();
        boolean last = shard.shardIndex() == plan.size() - 1;
        RunArtifacts.CheckpointManifest[] manifest = new RunArtifacts.CheckpointManifest[1];
        artifacts.upload(output, ArtifactLayout.checkpointPrefix(spec.runId(), shard.shardIndex()), files -> {
            manifest[0] = new RunArtifacts.CheckpointManifest(spec.runId(), shard.shardIndex(), shard.toStep(), spec.mode(),
                    spec.baseModel(), spec.dataset(), spec.datasetVersion(), outcome.meanLoss(), outcome.validationLoss(),
                    last, files, Instant.now());
            return manifest[0];
        });
        long checkpointBytes = manifest[0].files().stream().mapToLong(f -> f.size()).sum();
        meters.timer("tuneloop.trainer.checkpoint.write").record(System.nanoTime() - uploadStart, TimeUnit.NANOSECONDS);
        meters.summary("tuneloop.trainer.checkpoint.bytes").record(checkpointBytes);
        meters.timer("tuneloop.trainer.shard.duration").record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        LOG.infof("shard %s done: steps %d-%d, mean loss %.4f, validation loss %s, %.0f tokens/s; load %.0f ms,"
                        + " train %.0f ms, save %.0f ms, upload %.0f ms (%d bytes)", shard.shardId(), shard.fromStep(),
                shard.toStep() - 1, outcome.meanLoss(), outcome.validationLoss(),
                outcome.tokens() / (outcome.trainMillis() / 1000), outcome.loadMillis(), outcome.trainMillis(),
                outcome.saveMillis(), (System.nanoTime() - uploadStart) / 1e6, checkpointBytes);
        afterCheckpoint(spec, plan, shard, manifest[0]);
    }

    /** Announces a sealed checkpoint, then sends the next shard or writes the run's final artifacts. */
    private void afterCheckpoint(RunSpec spec, List<ShardPlan.Range> plan, TrainingShard shard,
                                 RunArtifacts.CheckpointManifest manifest) {
        String prefix = ArtifactLayout.checkpointPrefix(spec.runId(), shard.shardIndex());
        Checkpoint event = new Checkpoint(shard.shardId(), spec.runId(), shard.shardIndex(), manifest.step(), prefix,
                prefix + RunArtifacts.MANIFEST, ArtifactLayout.modelPrefix(spec.baseModel()), spec.dataset(),
                spec.datasetVersion(), spec.round(), manifest.trainLoss(), manifest.validationLoss(), manifest.last(),
                manifest.createdAt());
        checkpoints.sendMessageAndAwait(Events.message(Topics.CHECKPOINTS, spec.runId(), event, "checkpoint:" + shard.shardId()));
        update(spec, plan.size(), shard.shardIndex() + 1, manifest.step(), manifest.trainLoss(), manifest.validationLoss(),
                null, RunState.SHARD_DONE, null);
        if (manifest.last()) {
            writeFinal(spec, shard);
            report(spec, shard, RunState.SUCCEEDED, manifest.trainLoss(), null);
        } else {
            send(shardEvent(spec, plan, shard.shardIndex() + 1));
            report(spec, shard, RunState.SHARD_DONE, manifest.trainLoss(), null);
        }
    }

    private void writeFinal(RunSpec spec, TrainingShard lastShard) {
        String prefix = ArtifactLayout.runFinal(spec.runId());
        if (artifacts.store().exists(prefix + RunArtifacts.MANIFEST)) {
            return;
        }
        Path base = artifacts.baseModel(spec.baseModel());
        Path last = artifacts.checkpointFiles(spec.runId(), lastShard.shardIndex());
        Path out = artifacts.outputDirectory(spec.runId(), "final");
        ShardTrainer.writeFinal(spec, base, last, out.resolve("merged"), out.resolve("adapter"));
        artifacts.upload(out, prefix, files -> Map.of("runId", spec.runId(), "mode", spec.mode(), "step",
                spec.totalSteps(), "files", files, "createdAt", Instant.now().toString()));
        LOG.infof("run %s: final model written to %smerged/%s", spec.runId(), prefix,
                spec.mode().equals("lora") ? " and adapter to " + prefix + "adapter/" : "");
    }

    private void onStep(RunSpec spec, TrainingShard shard, StepRecord step, long runStart) {
        lastLoss.set(step.loss());
        lastLearningRate.set(step.learningRate());
        lastGradNorm.set(step.gradNorm());
        double tokensPerSecond = step.tokens() / (step.millis() / 1000);
        lastTokensPerSecond.set(tokensPerSecond);
        meters.timer("tuneloop.trainer.step.duration").record((long) (step.millis() * 1e6), TimeUnit.NANOSECONDS);
        meters.counter("tuneloop.trainer.tokens").increment(step.tokens());
        long done = step.step() + 1 - shard.fromStep();
        double secondsPerStep = (System.nanoTime() - runStart) / 1e9 / done;
        double eta = secondsPerStep * (spec.totalSteps() - step.step() - 1);
        update(spec, -1, -1, step.step() + 1, step.loss(), null, tokensPerSecond, RunState.RUNNING, eta);
        long now = System.nanoTime();
        if (now - lastProgressEvent < PROGRESS_EVERY_NANOS && step.step() + 1 < shard.toStep()) {
            return; // one progress event a second is enough to watch a run; every step is in the checkpoint
        }
        lastProgressEvent = now;
        progress.sendMessageAndAwait(Events.message(Topics.TRAINING_PROGRESS, spec.runId(),
                new TrainingProgress(spec.runId(), shard.shardIndex(), step.step() + 1, spec.totalSteps(), step.loss(),
                        tokensPerSecond, eta, RunState.RUNNING, Instant.now()), null));
    }

    /** Marks the run cancelled; the shard in progress stops within seconds, without writing a checkpoint. */
    public RunState cancel(String runId) {
        RunSpec spec = spec(runId);
        artifacts.store().putBytes(ArtifactLayout.runCancelled(runId), new byte[0], "text/plain");
        return runs.compute(runId, (id, s) -> (s == null ? view(spec) : s).with(RunState.CANCELLED, "cancelled on request"));
    }

    /** Continues a cancelled or failed run from its last sealed checkpoint. */
    public RunState resume(String runId) {
        RunSpec spec = spec(runId);
        List<ShardPlan.Range> plan = ShardPlan.of(spec.totalSteps(), spec.shardSteps());
        int next = completedShards(runId, plan.size());
        if (next == plan.size()) {
            throw new IllegalArgumentException("run " + runId + " has completed all its " + plan.size() + " shards");
        }
        artifacts.store().delete(ArtifactLayout.runCancelled(runId));
        send(shardEvent(spec, plan, next));
        LOG.infof("run %s resumed at shard %d", runId, next);
        return runs.compute(runId, (id, s) -> (s == null ? view(spec) : s).with(RunState.PLANNED, null));
    }

    /** A run known to the store; live figures when this instance is training it. */
    public Optional<RunState> run(String runId) {
        RunState live = runs.get(runId);
        if (live != null) {
            return Optional.of(live);
        }
        if (!artifacts.store().exists(ArtifactLayout.runSpec(runId))) {
            return Optional.empty();
        }
        return Optional.of(view(spec(runId)));
    }

    /** Every run in the store. */
    public Collection<RunState> runs() {
        List<RunState> all = new ArrayList<>();
        for (String prefix : artifacts.store().listPrefixes("runs/")) {
            String runId = prefix.substring("runs/".length(), prefix.length() - 1);
            run(runId).ifPresent(all::add);
        }
        return all;
    }

    /** The per-step losses of a run so far, from its sealed checkpoints. */
    public List<StepRecord> steps(String runId) {
        RunSpec spec = spec(runId);
        List<StepRecord> steps = new ArrayList<>();
        int shardCount = ShardPlan.of(spec.totalSteps(), spec.shardSteps()).size();
        for (int k = 0; k < shardCount; k++) {
            String key = ArtifactLayout.checkpointPrefix(runId, k) + ShardTrainer.STEPS;
            if (artifacts.checkpoint(runId, k).isEmpty()) {
                break;
            }
            steps.addAll(io.tuneloop.trainer.training.StepsFile.read(artifacts.store().getBytes(key)));
        }
        return steps;
    }

    /** A sealed dataset version was announced: check its manifest really exists, and remember it. */
    public void acceptDatasetVersion(DatasetVersion version) {
        if (!artifacts.store().exists(version.manifestKey())) {
            throw new IllegalArgumentException("dataset version " + version.dataset() + " v" + version.version()
                    + " announced, but its manifest " + version.manifestKey() + " does not exist");
        }
        datasetVersions.put(version.dataset() + ":" + version.version(), version);
        meters.counter("tuneloop.trainer.dataset.versions.seen").increment();
        LOG.infof("dataset %s v%d available for training (%d records)", version.dataset(), version.version(),
                version.recordCount());
    }

    public Collection<DatasetVersion> datasetVersions() {
        return datasetVersions.values();
    }

    private RunState view(RunSpec spec) {
        int shardCount = ShardPlan.of(spec.totalSteps(), spec.shardSteps()).size();
        int completed = completedShards(spec.runId(), shardCount);
        Optional<RunArtifacts.CheckpointManifest> last = completed == 0 ? Optional.empty()
                : artifacts.checkpoint(spec.runId(), completed - 1);
        String state = cancelled(spec.runId()) ? RunState.CANCELLED
                : completed == shardCount ? RunState.SUCCEEDED : completed == 0 ? RunState.PLANNED : RunState.SHARD_DONE;
        return new RunState(spec, shardCount, state, completed, last.map(RunArtifacts.CheckpointManifest::step).orElse(0L),
                last.map(RunArtifacts.CheckpointManifest::trainLoss).orElse(null),
                last.map(RunArtifacts.CheckpointManifest::validationLoss).orElse(null), null, null, null,
                last.map(RunArtifacts.CheckpointManifest::createdAt).orElse(Instant.now()));
    }

    private int completedShards(String runId, int shardCount) {
        int k = 0;
        while (k < shardCount && artifacts.checkpoint(runId, k).isPresent()) {
            k++;
        }
        return k;
    }

    private void update(RunSpec spec, int shardCount, int completed, long step, Double loss, Double validationLoss,
                        Double tokensPerSecond, String state, Double eta) {
        runs.compute(spec.runId(), (id, s) -> {
            RunState base = s == null ? view(spec) : s;
            return new RunState(spec, shardCount < 0 ? base.shardCount() : shardCount, state,
                    completed < 0 ? base.completedShards() : completed, step, loss,
                    validationLoss == null ? base.validationLoss() : validationLoss,
                    tokensPerSecond, eta, null, Instant.now());
        });
    }

    private void report(RunSpec spec, TrainingShard shard, String state, Double loss, String message) {
        runs.compute(spec.runId(), (id, s) -> (s == null ? view(spec) : s).with(state, message));
        long step = runs.get(spec.runId()).step();
        progress.sendMessageAndAwait(Events.message(Topics.TRAINING_PROGRESS, spec.runId(),
                new TrainingProgress(spec.runId(), shard.shardIndex(), step, spec.totalSteps(), loss, null, null, state,
                        Instant.now()), null));
    }

    private boolean cancelled(String runId) {
        return artifacts.store().exists(ArtifactLayout.runCancelled(runId));
    }

    private RunSpec spec(String runId) {
        String key = ArtifactLayout.runSpec(runId);
        if (!artifacts.store().exists(key)) {
            throw new IllegalArgumentException("no run " + runId + " (" + key + " does not exist)");
        }
        return EventJson.fromBytes(artifacts.store().getBytes(key), RunSpec.class);
    }

    private TrainingShard shardEvent(RunSpec spec, List<ShardPlan.Range> plan, int index) {
        ShardPlan.Range range = plan.get(index);
        return new TrainingShard(spec.runId(), index, plan.size(), range.fromStep(), range.toStep(),
                ArtifactLayout.runSpec(spec.runId()),
                index == 0 ? null : ArtifactLayout.checkpointPrefix(spec.runId(), index - 1));
    }

    private void send(TrainingShard shard) {
        shards.sendMessageAndAwait(Events.message(Topics.TRAINING_SHARDS, shard.runId(), shard,
                "training-shard:" + shard.shardId()));
    }

    private ModelConfig modelConfig(String model) {
        try {
            return ModelConfig.fromJson(EventJson.mapper().readTree(artifacts.store().getBytes(
                    ArtifactLayout.modelPrefix(model) + "config.json")));
        } catch (java.io.IOException | RuntimeException e) {
            throw new IllegalArgumentException("base model " + model + " has an unreadable config.json: " + e.getMessage(), e);
        }
    }

    private static long availableMemory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return os.getTotalMemorySize();
        }
        return Runtime.getRuntime().maxMemory();
    }
}
