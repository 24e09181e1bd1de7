package io.tuneloop.ingest.store;

import io.tuneloop.events.payload.IngestBatch;
import io.tuneloop.ingest.flow.IngestPorts;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.Artifacts;
import jakarta.enterprise.context.ApplicationScoped;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/** Ingest's side of the object store: raw uploads (content-addressed), quarantines, batch markers. */
@ApplicationScoped
public class UploadArtifacts implements IngestPorts.UploadStore {
    private final ArtifactStore store;

    public UploadArtifacts(ArtifactStore store) {
        this.store = store;
    }

    @Override
    public String storeRaw(Path file) {
        return store.putContentAddressed(Artifacts.RAW_UPLOADS, file, "application/octet-stream").key();
    }

    @Override
    public String rawKey(String sha256) {
        return Artifacts.RAW_UPLOADS + sha256;
    }

    @Override
    public String storeQuarantine(String dataset, String batchId, Path file) {
        Artifacts.Batch batch = new Artifacts.Batch(dataset, batchId);
        Artifacts.QUARANTINE.writeFile(store, batch, file);
        return Artifacts.QUARANTINE.key(batch);
    }

    @Override
    public void complete(IngestBatch batch, Path dedupEntries) {
        Artifacts.Batch address = new Artifacts.Batch(batch.dataset(), batch.batchId());
        Artifacts.INGEST_DEDUP.writeFile(store, address, dedupEntries);
        Artifacts.INGEST_BATCH.write(store, address, batch);
    }

    @Override
    public Optional<IngestBatch> batch(String dataset, String batchId) {
        return Artifacts.INGEST_BATCH.find(store, new Artifacts.Batch(dataset, batchId));
    }

    @Override
    public List<String> datasets() {
        return Artifacts.INGESTED_DATASETS.list(store);
    }
}
