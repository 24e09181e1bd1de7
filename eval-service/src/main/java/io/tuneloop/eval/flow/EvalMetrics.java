package io.tuneloop.eval.flow;

import io.tuneloop.events.payload.Checkpoint;

/** What the evaluations flow measures. */
public interface EvalMetrics {
    void evaluated(Checkpoint checkpoint, EvalReport report, long nanos);

    /** The base's scores were reused from an earlier checkpoint of the same comparison. */
    void baseReused();

    void checkpointReceived();

    void checkpointRedelivered();

    /** A review-pool file of {@code dataset} was left out: it is not a prompt file. */
    void reviewPoolFileRefused(String dataset);

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

        @Override
        public void reviewPoolFileRefused(String dataset) {
        }
    };
}
