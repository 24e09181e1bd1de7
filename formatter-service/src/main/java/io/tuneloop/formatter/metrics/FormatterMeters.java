package io.tuneloop.formatter.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.formatter.flow.SealMetrics;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/** The sealing flow's figures as Micrometer meters ({@code tuneloop_formatter_*}, see docs/observability.md). */
public final class FormatterMeters implements SealMetrics {
    private final MeterRegistry meters;

    public FormatterMeters(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public void formatted(String dataset, long records, Map<String, Long> droppedByReason, long nanos) {
        meters.timer("tuneloop.formatter.format.duration").record(nanos, TimeUnit.NANOSECONDS);
        meters.counter("tuneloop.formatter.records.formatted", "dataset", dataset).increment(records);
        droppedByReason.forEach((reason, n) -> meters.counter("tuneloop.formatter.examples.dropped", "reason", reason)
                .increment(n));
    }

    @Override
    public void sealed(DatasetManifest manifest, long nanos) {
        String dataset = manifest.dataset();
        if (manifest.round() == 0) {
            meters.timer("tuneloop.formatter.seal.duration").record(nanos, TimeUnit.NANOSECONDS);
        }
        meters.counter("tuneloop.formatter.versions.sealed", "dataset", dataset).increment();
        meters.counter("tuneloop.formatter.records.sealed", "dataset", dataset).increment(manifest.recordCount());
        manifest.taskCounts().forEach((task, n) ->
                meters.counter("tuneloop.formatter.examples.sealed", "dataset", dataset, "task", task).increment(n));
        var contamination = manifest.contamination();
        if (contamination != null) {
            // training examples and pairs that overlap an eval prompt: left out, or (policy report) trained on
            meters.counter("tuneloop.formatter.examples.contaminated", "dataset", dataset, "outcome", "dropped")
                    .increment(contamination.dropped());
            meters.counter("tuneloop.formatter.examples.contaminated", "dataset", dataset, "outcome", "kept")
                    .increment(contamination.remaining());
        }
    }
}
