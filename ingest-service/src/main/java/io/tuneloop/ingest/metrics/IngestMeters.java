package io.tuneloop.ingest.metrics;

import io.micrometer.core.instrument.MeterRegistry;
import io.tuneloop.ingest.flow.Admission;
import io.tuneloop.ingest.flow.IngestPorts;

import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Ingest's figures as Micrometer meters ({@code tuneloop_ingest_*}, see docs/observability.md). */
public final class IngestMeters implements IngestPorts.Metrics {
    private final MeterRegistry meters;

    public IngestMeters(MeterRegistry meters) {
        this.meters = meters;
    }

    @Override
    public void phase(String name, long nanos) {
        meters.timer("tuneloop.ingest.upload.phase", "phase", name).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void upload(String dataset, long bytes) {
        meters.counter("tuneloop.ingest.uploads", "dataset", dataset).increment();
        meters.counter("tuneloop.ingest.bytes").increment(bytes);
    }

    @Override
    public void uploadTime(long nanos) {
        meters.timer("tuneloop.ingest.upload.duration").record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void repeated(String dataset) {
        meters.counter("tuneloop.ingest.uploads.repeated", "dataset", dataset).increment();
    }

    @Override
    public void records(Admission.Tally tally) {
        meters.counter("tuneloop.ingest.records", "outcome", "accepted").increment(tally.accepted());
        meters.counter("tuneloop.ingest.records", "outcome", "duplicate").increment(tally.duplicates());
        meters.counter("tuneloop.ingest.records", "outcome", "rejected").increment(tally.rejected());
    }

    /** A streamed message that is not a record (it goes to the dead-letter topic). */
    public void unreadable() {
        meters.counter("tuneloop.ingest.records", "outcome", "rejected").increment();
    }

    @Override
    public void rejection(String kind) {
        meters.counter("tuneloop.ingest.rejections", "reason", kind).increment();
    }

    @Override
    public void watchIncomplete(Map<String, ?> incomplete) {
        meters.gaugeMapSize("tuneloop.ingest.batches.incomplete", List.of(), incomplete);
    }
}
