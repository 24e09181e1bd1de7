package io.tuneloop.trainer.flow;

import java.time.Instant;

/**
 * A run as the API shows it.
 *
 * @param spec            the resolved run spec
 * @param shardCount      shards in the plan
 * @param state           where the run is
 * @param completedShards shards whose checkpoint is sealed
 * @param step            optimizer steps done
 * @param loss            last training loss
 * @param validationLoss  last validation loss
 * @param tokensPerSecond throughput of the running shard
 * @param etaSeconds      estimated seconds to the end of the run
 * @param message         why it failed or was cancelled
 * @param updatedAt       last change
 */
public record RunState(RunSpec spec, int shardCount, RunPhase state, int completedShards, long step, Double loss,
                       Double validationLoss, Double tokensPerSecond, Double etaSeconds, String message,
                       Instant updatedAt) {
    /** A run just planned: nothing trained yet. */
    public static RunState planned(RunSpec spec, int shardCount, Instant at) {
        return new RunState(spec, shardCount, RunPhase.PLANNED, 0, 0, null, null, null, null, null, at);
    }

    /** A run as its sealed checkpoints show it: {@code completed} shards, the last one's figures (none before the first). */
    public static RunState stored(RunSpec spec, int shardCount, RunPhase phase, int completed,
                                  java.util.Optional<io.tuneloop.store.Artifacts.CheckpointManifest> last, Instant now) {
        return new RunState(spec, shardCount, phase, completed,
                last.map(io.tuneloop.store.Artifacts.CheckpointManifest::step).orElse(0L),
                last.map(io.tuneloop.store.Artifacts.CheckpointManifest::trainLoss).orElse(null),
                last.map(io.tuneloop.store.Artifacts.CheckpointManifest::validationLoss).orElse(null), null, null, null,
                last.map(io.tuneloop.store.Artifacts.CheckpointManifest::createdAt).orElse(now));
    }

    /** The run moved to {@code phase} (for the reason {@code why}, when it stopped). */
    public RunState in(RunPhase phase, String why, Instant at) {
        return new RunState(spec, shardCount, phase, completedShards, step, loss, validationLoss, tokensPerSecond,
                etaSeconds, why, at);
    }

    /** A step of the running shard finished. */
    public RunState stepped(long stepsDone, double stepLoss, double tokensPerSec, double eta, Instant at) {
        return new RunState(spec, shardCount, RunPhase.RUNNING, completedShards, stepsDone, stepLoss, validationLoss,
                tokensPerSec, eta, null, at);
    }

    /** Shard {@code completed - 1}'s checkpoint is sealed at {@code stepsDone} steps. */
    public RunState sealed(int completed, long stepsDone, Double trainLoss, Double shardValidationLoss, Instant at) {
        return new RunState(spec, shardCount, RunPhase.SHARD_DONE, completed, stepsDone, trainLoss,
                shardValidationLoss == null ? validationLoss : shardValidationLoss, null, null, null, at);
    }
}
