package io.tuneloop.events.payload;

import java.time.Instant;

/**
 * A progress report of a running shard.
 *
 * @param runId           the run
 * @param shardIndex      the shard reporting
 * @param step            optimizer steps done so far in the run
 * @param totalSteps      optimizer steps of the whole run
 * @param loss            last training loss (mean over unmasked tokens)
 * @param tokensPerSecond training throughput
 * @param etaSeconds      estimated seconds to the end of the run
 * @param state           RUNNING, SHARD_DONE, SUCCEEDED, FAILED, CANCELLED
 * @param reportedAt      when
 */
public record TrainingProgress(String runId, int shardIndex, long step, long totalSteps, Double loss,
                               Double tokensPerSecond, Double etaSeconds, String state, Instant reportedAt) {
    public TrainingProgress {
        Require.texts("runId", runId, "state", state);
        Require.nonNegative(step, "step");
        Require.present(reportedAt, "reportedAt");
    }
}
