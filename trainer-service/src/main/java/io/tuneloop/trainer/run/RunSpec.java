package io.tuneloop.trainer.run;

import java.util.regex.Pattern;

/**
 * What a run trains: a base model on a dataset version, for a number of optimizer steps split into
 * shards. (Hyper-parameters, LoRA and devices arrive with the training engine.)
 *
 * @param runId          unique id; chosen by the server when absent
 * @param baseModel      base model name (object-store {@code models/<name>/}, Hugging Face layout)
 * @param dataset        dataset name
 * @param datasetVersion sealed version to train on
 * @param totalSteps     optimizer steps of the whole run
 * @param shardSteps     optimizer steps per shard (each shard ends with a checkpoint)
 * @param round          feedback round this run belongs to (0 for the first)
 */
public record RunSpec(String runId, String baseModel, String dataset, int datasetVersion, long totalSteps,
                      long shardSteps, int round) {
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");

    /** Throws {@link IllegalArgumentException} naming the first invalid field. */
    public RunSpec validated() {
        check(runId != null && NAME.matcher(runId).matches(), "runId must be 1-63 characters of a-z, 0-9, '.', '_', '-'");
        check(baseModel != null && NAME.matcher(baseModel).matches(), "baseModel must name a model under models/");
        check(dataset != null && NAME.matcher(dataset).matches(), "dataset must be a dataset name");
        check(datasetVersion >= 1, "datasetVersion must be >= 1");
        check(totalSteps >= 1, "totalSteps must be >= 1");
        check(shardSteps >= 1, "shardSteps must be >= 1");
        check(round >= 0, "round must be >= 0");
        return this;
    }

    public RunSpec withRunId(String id) {
        return new RunSpec(id, baseModel, dataset, datasetVersion, totalSteps, shardSteps, round);
    }

    private static void check(boolean ok, String reason) {
        if (!ok) {
            throw new IllegalArgumentException(reason);
        }
    }
}
