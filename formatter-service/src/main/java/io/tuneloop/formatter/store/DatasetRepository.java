package io.tuneloop.formatter.store;

import io.tuneloop.events.EventJson;
import io.tuneloop.formatter.DatasetManifest;
import io.tuneloop.formatter.InstructionRecord;
import io.tuneloop.formatter.dataset.DatasetBuilder;
import io.tuneloop.store.ArtifactCommit;
import io.tuneloop.store.ArtifactLayout;
import io.tuneloop.store.ArtifactStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Dataset versions in the object store: {@code datasets/<name>/v<N>/} holds the shards and, written
 * last, {@code manifest.json}. A version whose manifest is missing does not exist (a crash between
 * shards and manifest leaves parts that the next seal of that number overwrites).
 */
@ApplicationScoped
public class DatasetRepository {
    private static final Pattern VERSION_PREFIX = Pattern.compile(".*/v(\\d+)/$");
    static final String MANIFEST = ArtifactLayout.MANIFEST;

    private final ArtifactStore store;

    public DatasetRepository(ArtifactStore store) {
        this.store = store;
    }

    public static String versionPrefix(String dataset, int version) {
        return ArtifactLayout.datasetVersionPrefix(dataset, version);
    }

    public static String manifestKey(String dataset, int version) {
        return ArtifactLayout.datasetManifest(dataset, version);
    }

    /** Sealed versions of a dataset, oldest first. */
    public List<DatasetManifest> versions(String dataset) {
        List<DatasetManifest> manifests = new ArrayList<>();
        for (String prefix : store.listPrefixes(ArtifactLayout.datasetPrefix(dataset))) {
            Matcher m = VERSION_PREFIX.matcher(prefix);
            if (m.matches()) {
                manifest(dataset, Integer.parseInt(m.group(1))).ifPresent(manifests::add);
            }
        }
        manifests.sort(Comparator.comparingInt(DatasetManifest::version));
        return manifests;
    }

    public Optional<DatasetManifest> manifest(String dataset, int version) {
        String key = manifestKey(dataset, version);
        if (!store.exists(key)) {
            return Optional.empty();
        }
        return Optional.of(EventJson.fromBytes(store.getBytes(key), DatasetManifest.class));
    }

    /** The sealed version that already holds {@code sourceId} (an ingest batch or round request), if any. */
    public Optional<DatasetManifest> versionContaining(String dataset, String sourceId) {
        return versions(dataset).stream().filter(m -> m.contains(sourceId)).findFirst();
    }

    /** Writes the shards, then the manifest, as the next version of the dataset. */
    public DatasetManifest seal(String dataset, int round, String templateId, double validationFraction,
                                List<String> sourceBatches, DatasetBuilder.Built built) {
        int version = versions(dataset).stream().mapToInt(DatasetManifest::version).max().orElse(0) + 1;
        ArtifactCommit commit = store.commit(versionPrefix(dataset, version));
        for (DatasetBuilder.Shard shard : built.shards()) {
            commit.putBytes(shard.entry().name(), shard.content(), "application/x-ndjson");
        }
        DatasetManifest manifest = new DatasetManifest(dataset, version, round, templateId, validationFraction,
                sourceBatches.stream().sorted().toList(), built.recordCount(), built.splitCounts(),
                built.taskCounts(), built.entries(), built.contentChecksum(), Instant.now());
        commit.seal(MANIFEST, EventJson.toBytes(manifest));
        return manifest;
    }

    /** Every instruction record of a sealed version. */
    public List<InstructionRecord> records(DatasetManifest manifest) {
        List<InstructionRecord> records = new ArrayList<>();
        for (DatasetManifest.ShardEntry shard : manifest.shards()) {
            records.addAll(DatasetBuilder.readShard(
                    store.getBytes(versionPrefix(manifest.dataset(), manifest.version()) + shard.name())));
        }
        return records;
    }

    /** Raw bytes of any object (feedback samples named by a round request). */
    public byte[] object(String key) {
        return store.getBytes(key);
    }
}
