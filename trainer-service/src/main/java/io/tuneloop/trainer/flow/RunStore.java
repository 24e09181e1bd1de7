package io.tuneloop.trainer.flow;

import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.model.hf.ModelConfig;
import io.tuneloop.model.train.StepRecord;
import io.tuneloop.store.Artifacts.CheckpointManifest;

import java.util.List;
import java.util.Optional;

/** What the runs flow keeps in the object store: specs, cancellations, sealed checkpoints, what runs read. */
public interface RunStore {
    Optional<RunSpec> spec(String runId);

    /** Stores the spec of a new run; false when a run of that id exists. */
    boolean createSpec(RunSpec spec);

    /** Takes a spec back (a run whose first shard could not be sent was never started). */
    void deleteSpec(String runId);

    List<String> runIds();

    boolean cancelled(String runId);

    /** Marks the run cancelled by {@code principal} (kept with the marker), or not cancelled when null. */
    void setCancelled(String runId, String principal);

    Optional<CheckpointManifest> checkpoint(String runId, int shard);

    /** The steps a sealed checkpoint's shard took. */
    List<StepRecord> steps(String runId, int shard);

    Optional<DatasetManifest> datasetManifest(String dataset, int version);

    /** The base model's config.json, when the model is stored. */
    Optional<ModelConfig> modelConfig(String model);

    /** The object-store key of a checkpoint's folder, as events carry it. */
    String checkpointPrefix(String runId, int shard);

    /** The object-store key of a checkpoint's manifest, as events carry it. */
    String checkpointManifestKey(String runId, int shard);

    String specKey(String runId);

    /** Whether a run's final model is written (a run may start from it). */
    boolean finalWritten(String runId);

    String modelPrefix(String model);
}
