package io.tuneloop.trainer.run;

import java.time.Instant;

/**
 * A run as the API shows it.
 *
 * @param spec            the resolved run spec
 * @param shardCount      shards in the plan
 * @param state           PLANNED, RUNNING, SHARD_DONE, SUCCEEDED, FAILED, CANCELLED
 * @param completedShards shards whose checkpoint is sealed
 * @param step            optimizer steps done
 * @param loss            last training loss
 * @param validationLoss  last validation loss
 * @param tokensPerSecond throughput of the running shard
 * @param etaSeconds      estimated seconds to the end of the run
 * @param message         why it failed, when it did
 * @param updatedAt       last change
 */
public record RunState(RunSpec spec, int shardCount, String state, int completedShards, long step, Double loss,
                       Double validationLoss, Double tokensPerSecond, Double etaSeconds, String message,
                       Instant updatedAt) {
    public static final String PLANNED = "PLANNED";
    public static final String RUNNING = "RUNNING";
    public static final String SHARD_DONE = "SHARD_DONE";
    public static final String SUCCEEDED = "SUCCEEDED";
    public static final String FAILED = "FAILED";
    public static final String CANCELLED = "CANCELLED";

    public RunState with(String newState, String why) {
        return new RunState(spec, shardCount, newState, completedShards, step, loss, validationLoss, tokensPerSecond,
                etaSeconds, why, Instant.now());
    }
}
