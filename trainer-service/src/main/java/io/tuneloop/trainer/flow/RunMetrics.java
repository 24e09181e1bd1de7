package io.tuneloop.trainer.flow;

import io.tuneloop.model.train.StepRecord;

/** What the runs flow measures. */
public interface RunMetrics {
    void runStarted();

    void step(StepRecord step, double tokensPerSecond);

    /** A shard's checkpoint was trained and sealed. */
    void shardSealed(long trainNanos, long uploadNanos, long checkpointBytes);

    /** A shard event came again for a checkpoint already sealed. */
    void shardRedelivered();

    void datasetVersionSeen();

    RunMetrics NONE = new RunMetrics() {
        @Override
        public void runStarted() {
        }

        @Override
        public void step(StepRecord step, double tokensPerSecond) {
        }

        @Override
        public void shardSealed(long trainNanos, long uploadNanos, long checkpointBytes) {
        }

        @Override
        public void shardRedelivered() {
        }

        @Override
        public void datasetVersionSeen() {
        }
    };
}
