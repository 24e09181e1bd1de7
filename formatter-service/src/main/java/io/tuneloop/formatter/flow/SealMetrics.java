package io.tuneloop.formatter.flow;

import io.tuneloop.events.dataset.DatasetManifest;

import java.util.Map;

/** What the sealing flow measures. */
public interface SealMetrics {
    void formatted(String dataset, long records, Map<String, Long> droppedByReason, long nanos);

    void sealed(DatasetManifest manifest, long nanos);

    SealMetrics NONE = new SealMetrics() {
        @Override
        public void formatted(String dataset, long records, Map<String, Long> droppedByReason, long nanos) {
        }

        @Override
        public void sealed(DatasetManifest manifest, long nanos) {
        }
    };
}
