package io.tuneloop.trainer.flow;

/** Where a run is. */
public enum RunPhase {
    /** Planned, its next shard sent, not training yet. */
    PLANNED,
    /** A shard is training. */
    RUNNING,
    /** A shard's checkpoint is sealed and the next shard sent. */
    SHARD_DONE,
    /** Every shard's checkpoint and the final artifacts are written. */
    SUCCEEDED,
    /** Stopped by an error that is not an outage; resume it once the cause is fixed. */
    FAILED,
    /** Stopped on request; resume it to continue from its last checkpoint. */
    CANCELLED
}
