package io.tuneloop.trainer.flow;

import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.payload.Checkpoint;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.events.payload.TrainingProgress;
import io.tuneloop.events.payload.TrainingShard;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.train.StepRecord;
import io.tuneloop.service.idempotency.Idempotency;
import io.tuneloop.service.resilience.Faults;
import io.tuneloop.store.Artifacts.CheckpointManifest;
import org.jboss.logging.Logger;
import org.jboss.logging.MDC;

import java.time.Clock;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Runs: validated and planned from a spec, then trained shard by shard. A shard event is handled by
 * whichever trainer instance the consumer group gives it to: it resumes from the previous shard's
 * sealed checkpoint, trains its steps, seals its own checkpoint (manifest last), announces it, and
 * sends the next shard. A shard whose checkpoint is already sealed (a redelivery after a crash
 * between sealing and sending) is not trained again: its events are sent again with the same ids.
 * A shard cut off by a crash left no manifest, so nobody reads its files; the redelivered event
 * trains it again from the same checkpoint, with the same data order and schedule.
 *
 * <p>Plain Java over its ports: the store ({@link RunStore}), the events ({@link RunEvents}), the
 * training itself ({@link ShardTraining}), metrics and a clock.
 */
public final class Runs {
    private static final Logger LOG = Logger.getLogger(Runs.class);
    private static final long CANCEL_CHECK_NANOS = TimeUnit.SECONDS.toNanos(2);
    private static final long PROGRESS_EVERY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private final RunStore store;
    private final RunEvents events;
    private final ShardTraining training;
    private final RunMetrics metrics;
    private final Clock clock;
    private final long memoryBytes;
    private final Map<String, RunState> live = new ConcurrentHashMap<>();
    private final Map<String, DatasetVersion> datasetVersions = new ConcurrentHashMap<>();
    private volatile long lastProgressEvent;

    /** @param memoryBytes memory a run may use on this trainer (checked when a run is planned) */
    private final List<java.util.function.Consumer<RunSpec>> succeeded = new java.util.concurrent.CopyOnWriteArrayList<>();

    public Runs(RunStore store, RunEvents events, ShardTraining training, RunMetrics metrics, Clock clock,
                long memoryBytes) {
        this.store = store;
        this.events = events;
        this.training = training;
        this.metrics = metrics;
        this.clock = clock;
        this.memoryBytes = memoryBytes;
    }

    /** Called with a run's spec once its final model is written (a policy's next run starts from it). */
    public void onSucceeded(java.util.function.Consumer<RunSpec> listener) {
        succeeded.add(listener);
    }

    /** Validates the spec against the store, stores the resolved spec, then sends the run's first shard. */
    public RunState start(RunSpec requested) {
        RunSpec spec = (requested.runId() == null ? requested.withRunId("run-" + UUID.randomUUID()) : requested)
                .validated();
        DatasetManifest version = store.datasetManifest(spec.dataset(), spec.datasetVersion())
                .orElseThrow(() -> new IllegalArgumentException("unknown dataset version: " + spec.dataset() + " v"
                        + spec.datasetVersion() + " has no sealed manifest"));
        ModelConfig model = store.modelConfig(spec.baseModel()).orElseThrow(() -> new IllegalArgumentException(
                "unknown base model: " + store.modelPrefix(spec.baseModel()) + "config.json does not exist"));
        if (spec.initFrom() != null && !store.finalWritten(spec.initFrom())) {
            throw new IllegalArgumentException("initFrom names run " + spec.initFrom() + ", which has no final model"
                    + " (unknown, or not finished)");
        }
        RunSpec resolved = RunValidator.resolve(spec, model, version, memoryBytes);
        if (!store.createSpec(resolved)) {
            throw new RunExistsException(resolved.runId());
        }
        List<ShardPlan.Range> plan = plan(resolved);
        try {
            events.shard(shardEvent(resolved, plan, 0), resolved);
        } catch (RuntimeException e) {
            // not started: take the spec back so that the retry (a 503's client, a redelivered
            // dataset version of a policy) starts the run instead of finding it "exists"
            try {
                store.deleteSpec(resolved.runId());
            } catch (RuntimeException stillDown) {
                e.addSuppressed(stillDown);
            }
            throw e;
        }
        RunState state = RunState.planned(resolved, plan.size(), clock.instant());
        live.put(resolved.runId(), state);
        metrics.runStarted();
        LOG.infof("run %s planned: %d steps in %d shards, %s on %s v%d", resolved.runId(),
                resolved.totalSteps(), plan.size(), resolved.mode(), resolved.dataset(), resolved.datasetVersion());
        return state;
    }

    /** Trains one shard (or, when its checkpoint is already sealed, only sends again what follows it). */
    public void executeShard(TrainingShard shard) {
        RunSpec spec = spec(shard.runId());
        List<ShardPlan.Range> plan = plan(spec);
        MDC.put("runId", shard.runId());
        MDC.put("shard", String.valueOf(shard.shardIndex()));
        try {
            Idempotency.once(() -> store.checkpoint(shard.runId(), shard.shardIndex()).map(sealed -> {
                LOG.infof("shard %s already has a sealed checkpoint: sending what follows it again", shard.shardId());
                metrics.shardRedelivered();
                return sealed;
            }), () -> train(spec, plan, shard), sealed -> {
                afterCheckpoint(spec, plan, shard, sealed);
                return sealed;
            });
        } catch (RuntimeException e) {
            if (Faults.isTransient(e)) {
                // the store or broker is away: the shard is trained again from its last checkpoint, the run goes on
                LOG.warnf("shard %s interrupted by an outage: %s", shard.shardId(), e.getMessage());
                throw e;
            }
            LOG.errorf(e, "shard %s failed", shard.shardId());
            report(spec, shard, RunPhase.FAILED, null, e.getMessage());
            throw e;
        } finally {
            MDC.remove("runId");
            MDC.remove("shard");
        }
    }

    /** Trains the shard and seals its checkpoint (the manifest last: the marker); null when it was cancelled. */
    private CheckpointManifest train(RunSpec spec, List<ShardPlan.Range> plan, TrainingShard shard) {
        if (store.cancelled(spec.runId())) {
            report(spec, shard, RunPhase.CANCELLED, null, "cancelled before shard " + shard.shardIndex());
            return null;
        }
        report(spec, shard, RunPhase.RUNNING, null, null);
        CancelPoll cancelled = new CancelPoll(spec.runId());
        long started = System.nanoTime();
        ShardTraining.Trained trained = training.train(spec, shard, shard.shardIndex() == plan.size() - 1,
                step -> onStep(spec, shard, step, started), cancelled);
        if (trained.cancelled()) {
            report(spec, shard, RunPhase.CANCELLED, null, "cancelled at step " + trained.stoppedAtStep());
            return null;
        }
        metrics.shardSealed(trained.trainNanos(), trained.uploadNanos(), trained.checkpointBytes());
        return trained.checkpoint();
    }

    /** Polls the store for a cancellation every few seconds, not every step. */
    private final class CancelPoll implements java.util.function.BooleanSupplier {
        private final String runId;
        private long lastCheck = System.nanoTime();
        private boolean cancelled;

        CancelPoll(String runId) {
            this.runId = runId;
        }

        @Override
        public boolean getAsBoolean() {
            if (System.nanoTime() - lastCheck > CANCEL_CHECK_NANOS) {
                lastCheck = System.nanoTime();
                cancelled = store.cancelled(runId);
            }
            return cancelled;
        }
    }

    /** Announces a sealed checkpoint, then sends the next shard or writes the run's final artifacts. */
    private void afterCheckpoint(RunSpec spec, List<ShardPlan.Range> plan, TrainingShard shard,
                                 CheckpointManifest manifest) {
        events.checkpoint(new Checkpoint(shard.shardId(), spec.runId(), shard.shardIndex(), manifest.step(),
                store.checkpointPrefix(spec.runId(), shard.shardIndex()),
                store.checkpointManifestKey(spec.runId(), shard.shardIndex()), store.modelPrefix(spec.baseModel()),
                spec.dataset(), spec.datasetVersion(), spec.round(), manifest.trainLoss(), manifest.validationLoss(),
                manifest.last(), manifest.createdAt()), spec);
        live.compute(spec.runId(), (id, s) -> (s == null ? view(spec) : s).sealed(shard.shardIndex() + 1,
                manifest.step(), manifest.trainLoss(), manifest.validationLoss(), clock.instant()));
        if (manifest.last()) {
            training.writeFinal(spec, shard.shardIndex());
            report(spec, shard, RunPhase.SUCCEEDED, manifest.trainLoss(), null);
            // again on a redelivered last shard: what follows a run (a policy's next run) starts idempotently
            succeeded.forEach(listener -> listener.accept(spec));
        } else {
            events.shard(shardEvent(spec, plan, shard.shardIndex() + 1), spec);
            report(spec, shard, RunPhase.SHARD_DONE, manifest.trainLoss(), null);
        }
    }

    private void onStep(RunSpec spec, TrainingShard shard, StepRecord step, long shardStart) {
        double tokensPerSecond = step.tokens() / (step.millis() / 1000);
        metrics.step(step, tokensPerSecond);
        long done = step.step() + 1 - shard.fromStep();
        double secondsPerStep = (System.nanoTime() - shardStart) / 1e9 / done;
        double eta = secondsPerStep * (spec.totalSteps() - step.step() - 1);
        live.compute(spec.runId(), (id, s) -> (s == null ? view(spec) : s).stepped(step.step() + 1, step.loss(),
                tokensPerSecond, eta, clock.instant()));
        long now = System.nanoTime();
        if (now - lastProgressEvent < PROGRESS_EVERY_NANOS && step.step() + 1 < shard.toStep()) {
            return; // one progress event a second is enough to watch a run; every step is in the checkpoint
        }
        lastProgressEvent = now;
        events.progress(new TrainingProgress(spec.runId(), shard.shardIndex(), step.step() + 1, spec.totalSteps(),
                step.loss(), tokensPerSecond, eta, RunPhase.RUNNING.name(), clock.instant()));
    }

    /**
     * Marks the run cancelled by {@code principal}; the shard in progress stops within seconds, without
     * writing a checkpoint.
     */
    public RunState cancel(String runId, String principal) {
        RunSpec spec = spec(runId);
        store.setCancelled(runId, principal);
        LOG.infof("run %s cancelled by %s", runId, principal);
        return live.compute(runId, (id, s) -> (s == null ? view(spec) : s).in(RunPhase.CANCELLED,
                "cancelled on request by " + principal, clock.instant()));
    }

    /** Continues a cancelled or failed run from its last sealed checkpoint. */
    public RunState resume(String runId) {
        RunSpec spec = spec(runId);
        List<ShardPlan.Range> plan = plan(spec);
        int next = completedShards(runId, plan.size());
        if (next == plan.size()) {
            throw new IllegalArgumentException("run " + runId + " has completed all its " + plan.size() + " shards");
        }
        store.setCancelled(runId, null);
        events.shard(shardEvent(spec, plan, next), spec);
        LOG.infof("run %s resumed at shard %d", runId, next);
        return live.compute(runId, (id, s) -> (s == null ? view(spec) : s).in(RunPhase.PLANNED, null, clock.instant()));
    }

    /** A run known to the store; live figures when this instance is training it. */
    public Optional<RunState> run(String runId) {
        RunState known = live.get(runId);
        if (known != null) {
            return Optional.of(known);
        }
        return store.spec(runId).map(this::view);
    }

    /** Every run in the store. */
    public Collection<RunState> runs() {
        List<RunState> all = new ArrayList<>();
        for (String runId : store.runIds()) {
            run(runId).ifPresent(all::add);
        }
        return all;
    }

    /** Runs this instance has touched, by phase (for the gauges). */
    public long liveIn(RunPhase phase) {
        return live.values().stream().filter(s -> s.state() == phase).count();
    }

    /** The per-step losses of a run so far, from its sealed checkpoints. */
    public List<StepRecord> steps(String runId) {
        RunSpec spec = spec(runId);
        List<StepRecord> steps = new ArrayList<>();
        int shardCount = plan(spec).size();
        for (int k = 0; k < shardCount && store.checkpoint(runId, k).isPresent(); k++) {
            steps.addAll(store.steps(runId, k));
        }
        return steps;
    }

    /** A sealed dataset version was announced: check its manifest really exists, and remember it. */
    public void acceptDatasetVersion(DatasetVersion version) {
        if (store.datasetManifest(version.dataset(), version.version()).isEmpty()) {
            throw new IllegalArgumentException("dataset version " + version.dataset() + " v" + version.version()
                    + " announced, but its manifest " + version.manifestKey() + " does not exist");
        }
        datasetVersions.put(version.dataset() + ":" + version.version(), version);
        metrics.datasetVersionSeen();
        LOG.infof("dataset %s v%d available for training (%d records)", version.dataset(),
                version.version(), version.recordCount());
    }

    /** Examples (or pairs) in one split of a sealed version; 0 when the version or split is unknown. */
    public long splitCount(String dataset, int version, String split) {
        return store.datasetManifest(dataset, version).map(m -> m.splitCounts().getOrDefault(split, 0L)).orElse(0L);
    }

    public Collection<DatasetVersion> datasetVersions() {
        return datasetVersions.values();
    }

    /** A run as the store shows it (another instance may be training it). */
    private RunState view(RunSpec spec) {
        int shardCount = plan(spec).size();
        int completed = completedShards(spec.runId(), shardCount);
        Optional<CheckpointManifest> last = completed == 0 ? Optional.empty() : store.checkpoint(spec.runId(), completed - 1);
        RunPhase phase = store.cancelled(spec.runId()) ? RunPhase.CANCELLED
                : completed == shardCount ? RunPhase.SUCCEEDED : completed == 0 ? RunPhase.PLANNED : RunPhase.SHARD_DONE;
        return RunState.stored(spec, shardCount, phase, completed, last, clock.instant());
    }

    private int completedShards(String runId, int shardCount) {
        int k = 0;
        while (k < shardCount && store.checkpoint(runId, k).isPresent()) {
            k++;
        }
        return k;
    }

    private void report(RunSpec spec, TrainingShard shard, RunPhase phase, Double loss, String message) {
        RunState state = live.compute(spec.runId(), (id, s) -> (s == null ? view(spec) : s).in(phase, message,
                clock.instant()));
        events.progress(new TrainingProgress(spec.runId(), shard.shardIndex(), state.step(), spec.totalSteps(), loss,
                null, null, phase.name(), clock.instant()));
    }

    private RunSpec spec(String runId) {
        return store.spec(runId).orElseThrow(() -> new IllegalArgumentException("no run " + runId + " ("
                + store.specKey(runId) + " does not exist)"));
    }

    private static List<ShardPlan.Range> plan(RunSpec spec) {
        return ShardPlan.of(spec.totalSteps(), spec.shardSteps());
    }

    private TrainingShard shardEvent(RunSpec spec, List<ShardPlan.Range> plan, int index) {
        ShardPlan.Range range = plan.get(index);
        return new TrainingShard(spec.runId(), index, plan.size(), range.fromStep(), range.toStep(),
                store.specKey(spec.runId()), index == 0 ? null : store.checkpointPrefix(spec.runId(), index - 1));
    }
}
