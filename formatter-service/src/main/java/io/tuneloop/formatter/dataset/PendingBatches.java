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
 * any order and more than once (redelivery); duplicates are counted once. A batch announced twice
 * waits for the larger announcement.
 *
 * @param <A> the handle used to acknowledge a delivery once its batch is sealed
 */
public final class PendingBatches<A> {

    /** A complete batch, with every delivery handle that must be acknowledged once it is sealed. */
    public record CompleteBatch<A>(IngestBatch summary, List<RawRecord> records, List<A> deliveries) {
    }

    private static final class Batch<A> {
        final String dataset;
        final String batchId;
        final Map<String, RawRecord> records = new LinkedHashMap<>();
        final List<A> deliveries = new ArrayList<>();
        IngestBatch summary;
        long touched = System.nanoTime();

        Batch(String dataset, String batchId) {
            this.dataset = dataset;
            this.batchId = batchId;
        }
    }

    private final Map<String, Batch<A>> batches = new HashMap<>();

    public synchronized Optional<CompleteBatch<A>> addRecord(RawRecord record, A delivery) {
        Batch<A> batch = batches.computeIfAbsent(key(record.dataset(), record.batchId()),
                id -> new Batch<>(record.dataset(), record.batchId()));
        batch.records.putIfAbsent(record.recordId(), record);
        batch.deliveries.add(delivery);
        batch.touched = System.nanoTime();
        return takeIfComplete(key(record.dataset(), record.batchId()));
    }

    /**
     * A summary of the batch. When one batch is announced more than once, the announcement that
     * accepted the most records wins: a later one that says fewer (a retry that found its own records
     * already sent) must never shrink what the batch waits for.
     */
    public synchronized Optional<CompleteBatch<A>> addSummary(IngestBatch summary, A delivery) {
        Batch<A> batch = batches.computeIfAbsent(key(summary.dataset(), summary.batchId()),
                id -> new Batch<>(summary.dataset(), summary.batchId()));
        if (batch.summary == null || summary.recordsAccepted() > batch.summary.recordsAccepted()) {
            batch.summary = summary;
        }
        batch.deliveries.add(delivery);
        batch.touched = System.nanoTime();
        return takeIfComplete(key(summary.dataset(), summary.batchId()));
    }

    /**
     * Removes batches nobody added to for {@code idleNanos} that {@code alreadySealed} says were
     * sealed before (a redelivery of part of a sealed batch, after a crash) and returns their deliveries
     * to acknowledge. {@code alreadySealed} may read the store: it is called outside the lock.
     */
    public List<A> dropSealed(long idleNanos, java.util.function.BiPredicate<String, String> alreadySealed) {
        Map<String, Batch<A>> idle = new java.util.TreeMap<>();
        synchronized (this) {
            long now = System.nanoTime();
            batches.forEach((key, batch) -> {
                if (now - batch.touched > idleNanos) {
                    idle.put(key, batch);
                }
            });
        }
        List<A> deliveries = new ArrayList<>();
        for (Map.Entry<String, Batch<A>> held : idle.entrySet()) {
            if (alreadySealed.test(held.getValue().batchId, held.getValue().dataset)) {
                synchronized (this) {
                    Batch<A> batch = batches.remove(held.getKey());
                    if (batch != null) {
                        deliveries.addAll(batch.deliveries);
                    }
                }
            }
        }
        return deliveries;
    }

    /**
     * Removes batches that never got a summary, nobody added to for {@code idleNanos}, whose id
     * {@code orphanable} accepts (stream batches whose ingest died before announcing them), and
     * returns their deliveries to acknowledge.
     */
    public synchronized List<A> dropOrphans(long idleNanos, java.util.function.Predicate<String> orphanable) {
        long now = System.nanoTime();
        List<A> deliveries = new ArrayList<>();
        batches.values().removeIf(batch -> {
            boolean orphan = batch.summary == null && now - batch.touched > idleNanos && orphanable.test(batch.batchId);
            if (orphan) {
                deliveries.addAll(batch.deliveries);
            }
            return orphan;
        });
        return deliveries;
    }

    /** Where each held batch is (for the reconciliation), by dataset/batch id. */
    public synchronized Map<String, Held> held() {
        Map<String, Held> held = new java.util.TreeMap<>();
        batches.values().forEach(batch -> held.put(key(batch.dataset, batch.batchId),
                new Held(batch.dataset, batch.batchId, batch.summary, batch.records.size())));
        return held;
    }

    /** Batch ids are unique within a dataset only. */
    private static String key(String dataset, String batchId) {
        return dataset + "/" + batchId;
    }

    /** A batch still held: its dataset and id, its summary (null until it arrives) and how many distinct records came. */
    public record Held(String dataset, String batchId, IngestBatch summary, int records) {
    }

    public synchronized int size() {
        return batches.size();
    }

    /** Records held in memory, over all batches (for metrics). */
    public synchronized long heldRecords() {
        return batches.values().stream().mapToLong(b -> b.records.size()).sum();
    }

    private Optional<CompleteBatch<A>> takeIfComplete(String key) {
        Batch<A> batch = batches.get(key);
        if (batch.summary == null || batch.records.size() < batch.summary.recordsAccepted()) {
            return Optional.empty();
        }
        batches.remove(key);
        return Optional.of(new CompleteBatch<>(batch.summary, List.copyOf(batch.records.values()),
                List.copyOf(batch.deliveries)));
    }
}
