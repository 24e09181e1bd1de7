package io.tuneloop.formatter.dataset;

import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.events.payload.RawRecord;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Raw records waiting for their batch to be complete. A batch is complete when its summary has
 * arrived and as many distinct records as it says were accepted. Records and summaries may come in
 * any order and more than once (redelivery); duplicates are counted once.
 *
 * @param <A> the handle used to acknowledge a delivery once its batch is sealed
 */
public final class PendingBatches<A> {

    /** A complete batch, with every delivery handle that must be acknowledged once it is sealed. */
    public record CompleteBatch<A>(IngestBatch summary, List<RawRecord> records, List<A> deliveries) {
    }

    private static final class Batch<A> {
        final Map<String, RawRecord> records = new LinkedHashMap<>();
        final List<A> deliveries = new ArrayList<>();
        IngestBatch summary;
    }

    private final Map<String, Batch<A>> batches = new HashMap<>();

    public synchronized Optional<CompleteBatch<A>> addRecord(RawRecord record, A delivery) {
        Batch<A> batch = batches.computeIfAbsent(record.batchId(), id -> new Batch<>());
        batch.records.putIfAbsent(record.recordId(), record);
        batch.deliveries.add(delivery);
        return takeIfComplete(record.batchId());
    }

    public synchronized Optional<CompleteBatch<A>> addSummary(IngestBatch summary, A delivery) {
        Batch<A> batch = batches.computeIfAbsent(summary.batchId(), id -> new Batch<>());
        batch.summary = summary;
        batch.deliveries.add(delivery);
        return takeIfComplete(summary.batchId());
    }

    public synchronized int size() {
        return batches.size();
    }

    /** Records held in memory, over all batches (for metrics). */
    public synchronized long heldRecords() {
        return batches.values().stream().mapToLong(b -> b.records.size()).sum();
    }

    private Optional<CompleteBatch<A>> takeIfComplete(String batchId) {
        Batch<A> batch = batches.get(batchId);
        if (batch.summary == null || batch.records.size() < batch.summary.recordsAccepted()) {
            return Optional.empty();
        }
        batches.remove(batchId);
        return Optional.of(new CompleteBatch<>(batch.summary, List.copyOf(batch.records.values()),
                List.copyOf(batch.deliveries)));
    }
}
