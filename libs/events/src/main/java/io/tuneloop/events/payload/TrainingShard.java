package io.tuneloop.events.payload;

/**
 * A contiguous range of optimizer steps of one run. The shard after {@code shardIndex} starts
 * from this shard's checkpoint.
 *
 * @param runId      the run
 * @param shardIndex 0-based index of the shard
 * @param shardCount total shards of the run
 * @param fromStep   first optimizer step (inclusive, 0-based)
 * @param toStep     last optimizer step (exclusive)
 * @param specKey    object-store key of the run spec
 * @param resumeFrom object-store prefix of the checkpoint to resume from (null for shard 0)
 */
public record TrainingShard(String runId, int shardIndex, int shardCount, long fromStep, long toStep,
                            String specKey, String resumeFrom) {
    public TrainingShard {
        Require.texts("runId", runId, "specKey", specKey);
        Require.nonNegatives("shardIndex", shardIndex, "fromStep", fromStep);
        Require.positive(shardCount, "shardCount");
        if (shardIndex >= shardCount) {
            throw new InvalidPayloadException("shardIndex " + shardIndex + " must be < shardCount " + shardCount);
        }
        if (toStep <= fromStep) {
            throw new InvalidPayloadException("toStep " + toStep + " must be > fromStep " + fromStep);
        }
        if (shardIndex > 0 && (resumeFrom == null || resumeFrom.isBlank())) {
            throw new InvalidPayloadException("shard " + shardIndex + " needs resumeFrom (the previous checkpoint)");
        }
    }

    public String shardId() {
        return runId + "/shard-" + shardIndex;
    }
}
