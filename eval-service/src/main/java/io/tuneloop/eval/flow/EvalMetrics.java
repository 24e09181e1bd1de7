package io.tuneloop.eval.flow;

import io.tuneloop.events.payload.Checkpoint;

/** What the evaluations flow measures. */
public interface EvalMetrics {
    void evaluated(Checkpoint checkpoint, EvalReport report, long nanos);

    /** The base's scores were reused from an earlier checkpoint of the same comparison. */
    void baseReused();

    void checkpointReceived();

    void checkpointRedelivered();

    EvalMetrics NONE = new EvalMetrics() {
        @Override
        public void evaluated(Checkpoint checkpoint, EvalReport report, long nanos) {
        }

        @Override
        public void baseReused() {
        }

        @Override
        public void checkpointReceived() {
        }

        @Override
        public void checkpointRedelivered() {
        }
    };
}
