package io.tuneloop.events.payload;

import java.time.Instant;

/**
 * A complete checkpoint in the object store (its manifest was written last).
 *
 * @param checkpointId   unique id ({@code <runId>/shard-<k>})
 * @param runId          the run
 * @param shardIndex     the shard that wrote it
 * @param step           optimizer steps done when it was written
 * @param prefix         object-store prefix holding the HF-layout model or PEFT adapter and trainer state
 * @param manifestKey    object-store key of its manifest
 * @param baseModel      object-store prefix of the base model
 * @param dataset        dataset name
 * @param datasetVersion dataset version trained on
 * @param round          feedback round (0 = first training on the base dataset)
 * @param trainLoss      mean training loss over the shard
 * @param validationLoss validation loss at the end of the shard, if measured
 * @param last           whether this is the run's final checkpoint
 * @param createdAt      when
 */
public record Checkpoint(String checkpointId, String runId, int shardIndex, long step, String prefix,
                         String manifestKey, String baseModel, String dataset, int datasetVersion, int round,
                         Double trainLoss, Double validationLoss, boolean last, Instant createdAt) {
    public Checkpoint {
        Require.texts("checkpointId", checkpointId, "runId", runId, "prefix", prefix, "manifestKey", manifestKey,
                "baseModel", baseModel, "dataset", dataset);
        Require.nonNegatives("shardIndex", shardIndex, "step", step, "round", round);
        Require.positive(datasetVersion, "datasetVersion");
        Require.present(createdAt, "createdAt");
    }
}
