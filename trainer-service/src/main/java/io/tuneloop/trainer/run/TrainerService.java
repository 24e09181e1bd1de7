package io.tuneloop.trainer.run;

import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.tuneloop.events.Channels;
import io.tuneloop.events.EventJson;
import io.tuneloop.events.Topics;
import io.tuneloop.events.payload.DatasetVersion;
import io.tuneloop.events.payload.TrainingProgress;
import io.tuneloop.events.payload.TrainingShard;
import io.tuneloop.service.messaging.Events;
import io.tuneloop.store.ArtifactLayout;
import io.tuneloop.store.ArtifactStore;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.jboss.logging.Logger;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts runs and takes in their shards. A run is validated against what really exists in the
 * object store (the sealed dataset version, the base model), its spec is stored, and its first
 * shard is sent; later shards follow each checkpoint. Executing a shard (DJL training) is the
 * training engine's job and is not part of this walking skeleton: a received shard is QUEUED.
 */
@ApplicationScoped
public class TrainerService {
    private static final Logger LOG = Logger.getLogger(TrainerService.class);

    private final ArtifactStore store;
    private final MutinyEmitter<TrainingShard> shards;
    private final MutinyEmitter<TrainingProgress> progress;
    private final MeterRegistry meters;
    private final Map<String, RunState> runs = new ConcurrentHashMap<>();
    private final Map<String, DatasetVersion> datasetVersions = new ConcurrentHashMap<>();

    public TrainerService(ArtifactStore store,
                          @Channel(Channels.TRAINING_SHARDS_OUT) MutinyEmitter<TrainingShard> shards,
                          @Channel(Channels.TRAINING_PROGRESS_OUT) MutinyEmitter<TrainingProgress> progress,
                          MeterRegistry meters) {
        this.store = store;
        this.shards = shards;
        this.progress = progress;
        this.meters = meters;
        meters.gaugeMapSize("tuneloop.trainer.runs.known", List.of(), runs);
    }

    /** Validates and stores the spec, then sends the run's first shard. */
    public RunState startRun(RunSpec requested) {
        RunSpec spec = (requested.runId() == null ? requested.withRunId("run-" + UUID.randomUUID()) : requested)
                .validated();
        String manifest = ArtifactLayout.datasetManifest(spec.dataset(), spec.datasetVersion());
        if (!store.exists(manifest)) {
            throw new IllegalArgumentException("unknown dataset version: " + spec.dataset() + " v"
                    + spec.datasetVersion() + " has no sealed manifest");
        }
        if (!store.exists(ArtifactLayout.modelPrefix(spec.baseModel()) + "config.json")) {
            throw new IllegalArgumentException("unknown base model: " + ArtifactLayout.modelPrefix(spec.baseModel())
                    + "config.json does not exist");
        }
        String specKey = ArtifactLayout.runSpec(spec.runId());
        if (store.exists(specKey)) {
            throw new RunExistsException(spec.runId());
        }
        store.putBytes(specKey, EventJson.toBytes(spec), "application/json");

        List<ShardPlan.Range> plan = ShardPlan.of(spec.totalSteps(), spec.shardSteps());
        ShardPlan.Range first = plan.get(0);
        TrainingShard shard = new TrainingShard(spec.runId(), 0, plan.size(), first.fromStep(), first.toStep(),
                specKey, null);
        shards.sendMessageAndAwait(Events.message(Topics.TRAINING_SHARDS, spec.runId(), shard,
                "training-shard:" + shard.shardId()));
        RunState state = new RunState(spec, plan.size(), "PLANNED", -1, Instant.now());
        runs.put(spec.runId(), state);
        meters.counter("tuneloop.trainer.runs.started").increment();
        LOG.infof("run %s planned: %d steps in %d shards on %s v%d", spec.runId(), spec.totalSteps(), plan.size(),
                spec.dataset(), spec.datasetVersion());
        return state;
    }

    /** A shard arrived for this instance: check its spec exists and report it queued. */
    public void acceptShard(TrainingShard shard) {
        if (!store.exists(shard.specKey())) {
            throw new IllegalArgumentException("shard " + shard.shardId() + " names spec " + shard.specKey()
                    + ", which does not exist");
        }
        RunSpec spec = EventJson.fromBytes(store.getBytes(shard.specKey()), RunSpec.class);
        runs.put(shard.runId(), new RunState(spec, shard.shardCount(), "QUEUED", shard.shardIndex(), Instant.now()));
        progress.sendMessageAndAwait(Events.message(Topics.TRAINING_PROGRESS, shard.runId(),
                new TrainingProgress(shard.runId(), shard.shardIndex(), shard.fromStep(), spec.totalSteps(), null, null,
                        null, "QUEUED", Instant.now()), null));
        meters.counter("tuneloop.trainer.shards.received").increment();
    }

    /** A sealed dataset version was announced: check its manifest really exists, and remember it. */
    public void acceptDatasetVersion(DatasetVersion version) {
        if (!store.exists(version.manifestKey())) {
            throw new IllegalArgumentException("dataset version " + version.dataset() + " v" + version.version()
                    + " announced, but its manifest " + version.manifestKey() + " does not exist");
        }
        datasetVersions.put(version.dataset() + ":" + version.version(), version);
        meters.counter("tuneloop.trainer.dataset.versions.seen").increment();
        LOG.infof("dataset %s v%d available for training (%d records)", version.dataset(), version.version(),
                version.recordCount());
    }

    public Optional<RunState> run(String runId) {
        return Optional.ofNullable(runs.get(runId));
    }

    public Collection<RunState> runs() {
        return runs.values();
    }

    public Collection<DatasetVersion> datasetVersions() {
        return datasetVersions.values();
    }
}
