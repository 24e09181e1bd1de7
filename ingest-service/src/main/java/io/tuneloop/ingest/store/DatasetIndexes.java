package io.tuneloop.ingest.store;

import io.tuneloop.ingest.dedup.DedupIndex;
import io.tuneloop.ingest.flow.Admission;
import io.tuneloop.ingest.flow.IngestPorts;
import io.tuneloop.store.Artifacts;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.StoreException;
import io.tuneloop.store.StoreReadException;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Each dataset's dedup index and the lock that orders its admissions, shared by uploads, imports and
 * streamed input, so that every record of a dataset is checked against every other however it came.
 *
 * <p>The index is loaded on first use from the dedup entries of every complete batch (its summary is
 * stored: entries without one are of a batch that never committed or is still being completed),
 * plus the entries this process holds but has not stored yet (see {@link IngestPorts.Unstored}). Work that fails
 * part way {@link #forget}s the index, which is then loaded again: whatever the failed work added is
 * gone, whatever was accepted before it is not.
 */
public final class DatasetIndexes implements IngestPorts.AdmissionIndexes {
    private final ArtifactStore store;
    private final Admission admission;
    private final ConcurrentHashMap<String, DedupIndex> indexes = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();
    private final List<IngestPorts.Unstored> unstored = new CopyOnWriteArrayList<>();

    public DatasetIndexes(ArtifactStore store, Admission admission) {
        this.store = store;
        this.admission = admission;
    }

    @Override
    public void register(IngestPorts.Unstored source) {
        unstored.add(source);
    }

    /**
     * The dataset's lock: admissions to a dataset happen one batch or one streamed message at a
     * time, each against everything admitted before it.
     */
    @Override
    public ReentrantLock lock(String dataset) {
        return locks.computeIfAbsent(dataset, d -> new ReentrantLock());
    }

    /** The dataset's index, loaded on first use; only with the dataset's {@link #lock} held. */
    @Override
    public DedupIndex index(String dataset) {
        if (!lock(dataset).isHeldByCurrentThread()) {
            throw new IllegalStateException("the index of " + dataset + " is used without its lock");
        }
        return indexes.computeIfAbsent(dataset, this::load);
    }

    /** Drops the in-memory index: the next use loads it again from what is stored and unstored. */
    @Override
    public void forget(String dataset) {
        indexes.remove(dataset);
    }

    private DedupIndex load(String dataset) {
        DedupIndex index = admission.newIndex();
        Set<String> loaded = new HashSet<>();
        try {
            for (IngestPorts.Unstored source : unstored) {
                source.addTo(dataset, index);
                loaded.addAll(source.batchIds(dataset));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read unstored dedup entries of " + dataset, e);
        }
        Set<Artifacts.Batch> complete = new HashSet<>(Artifacts.INGEST_BATCH.list(store, dataset));
        for (Artifacts.Batch batch : Artifacts.INGEST_DEDUP.list(store, dataset)) {
            if (!complete.contains(batch) || loaded.contains(batch.batchId())) {
                continue;
            }
            try (InputStream in = Artifacts.INGEST_DEDUP.open(store, batch)) {
                index.readFrom(in);
            } catch (IOException e) {
                throw new StoreException("cannot read dedup entries of " + batch + ": " + e.getMessage(), e,
                        e instanceof StoreReadException);
            }
        }
        return index;
    }

    /** The entries of {@code index} as stored in a batch's dedup object. */
    public static byte[] bytes(DedupIndex index) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            index.writeTo(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory
        }
        return out.toByteArray();
    }

    /** Adds the entries of {@code from} to {@code to}. */
    public static void addAll(DedupIndex from, DedupIndex to) {
        try {
            to.readFrom(new ByteArrayInputStream(bytes(from)));
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory
        }
    }
}
