package io.tuneloop.ingest.flow;

import io.tuneloop.events.Actor;

import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.ingest.dedup.DedupIndex;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** What the ingestion flow talks to. */
public final class IngestPorts {
    private IngestPorts() {
    }

    /** Raw uploads, quarantines and batch summaries in the object store. */
    public interface UploadStore {
        /** Stores a raw upload content-addressed; returns its key. */
        String storeRaw(Path file);

        /** The key a raw upload of this content has. */
        String rawKey(String sha256);

        /** Stores a batch's rejected records (JSON Lines already in {@code file}); returns their key. */
        String storeQuarantine(String dataset, String batchId, Path file);

        /** Makes a committed batch complete: its dedup entries, then its summary (the marker). */
        void complete(IngestBatch batch, Path dedupEntries);

        Optional<IngestBatch> batch(String dataset, String batchId);

        /** Datasets that have received at least one committed batch. */
        List<String> datasets();
    }

    /** Kafka transactions of uploads: records and their summary become visible together. */
    public interface RecordTransactions {
        /** A transaction whose events name {@code actor} (who uploaded, for which team); null for none. */
        Transaction begin(Actor actor);

        default Transaction begin() {
            return begin(null);
        }
    }

    /** One upload's transaction; closing it without a commit aborts it. */
    public interface Transaction extends AutoCloseable {
        void send(RawRecord record);

        /** Sends the summary last and commits; throws (after aborting) when any send failed. */
        void commit(IngestBatch summary);

        @Override
        void close();
    }

    /** Each dataset's dedup index and lock, shared by uploads, imports and streamed input. */
    public interface AdmissionIndexes {
        /** The dataset's lock: admissions to a dataset happen one batch or one streamed message at a time. */
        java.util.concurrent.locks.ReentrantLock lock(String dataset);

        /** The dataset's index, loaded on first use; only with the dataset's lock held. */
        DedupIndex index(String dataset);

        /** Drops the in-memory index: the next use loads it again from what is stored and unstored. */
        void forget(String dataset);

        void register(Unstored source);
    }

    /** Entries this process accepted but has not made durable yet: committed uploads, open stream batches. */
    public interface Unstored {
        /** Adds the dataset's unstored entries to {@code index}; called with the dataset's lock held. */
        void addTo(String dataset, DedupIndex index) throws IOException;

        /** Batch ids whose entries {@link #addTo} added (their stored entries, if any, are not read again). */
        Set<String> batchIds(String dataset);
    }

    /** What the ingestion flow measures. */
    public interface Metrics {
        /** One phase of an upload (receive, store, parse, commit, index). */
        void phase(String name, long nanos);

        /** An upload committed. */
        void upload(String dataset, long bytes);

        /** How long an upload took, whatever its outcome (a repeat, a refusal, a 503). */
        void uploadTime(long nanos);

        void repeated(String dataset);

        void records(Admission.Tally tally);

        void rejection(String kind);

        /** Counts the batches that are committed but not complete yet (the flow keeps the map). */
        void watchIncomplete(java.util.Map<String, ?> incomplete);

        Metrics NONE = new Metrics() {
            @Override
            public void phase(String name, long nanos) {
            }

            @Override
            public void upload(String dataset, long bytes) {
            }

            @Override
            public void uploadTime(long nanos) {
            }

            @Override
            public void repeated(String dataset) {
            }

            @Override
            public void records(Admission.Tally tally) {
            }

            @Override
            public void rejection(String kind) {
            }

            @Override
            public void watchIncomplete(java.util.Map<String, ?> incomplete) {
            }
        };
    }
}
