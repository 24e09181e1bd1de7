package io.tuneloop.formatter.store;

import io.tuneloop.events.EventJson;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.formatter.dataset.DatasetBuilder;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.store.ArtifactCommit;
import io.tuneloop.store.ArtifactLayout;
import io.tuneloop.store.ArtifactStore;
import jakarta.enterprise.context.ApplicationScoped;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Datasets in the object store: {@code datasets/<name>/spec.json}, the raw records of each complete
 * ingest batch under {@code raw/}, and per version {@code v<N>/} with the shards and, written last,
 * {@code manifest.json}. A version whose manifest is missing does not exist (a crash between shards
 * and manifest leaves parts that the next seal of that number overwrites).
 */
@ApplicationScoped
public class DatasetRepository {
    private static final Pattern VERSION_PREFIX = Pattern.compile(".*/v(\\d+)/$");
    static final String MANIFEST = ArtifactLayout.MANIFEST;
    /** Beside the shards: every example a version left out, with its reason. */
    static final String QUARANTINE = "quarantine.jsonl";

    private final ArtifactStore store;

    private final java.util.Map<String, Long> keptCounts = new java.util.concurrent.ConcurrentHashMap<>();

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

    /** The dataset's spec, or the defaults when none was set. */
    public DatasetSpec spec(String dataset) {
        String key = ArtifactLayout.datasetSpec(dataset);
        return store.exists(key) ? EventJson.fromBytes(store.getBytes(key), DatasetSpec.class) : DatasetSpec.defaults();
    }

    public void saveSpec(String dataset, DatasetSpec spec) {
        store.putBytes(ArtifactLayout.datasetSpec(dataset), EventJson.toBytes(spec), "application/json");
    }

    /** Keeps a complete batch's raw records (sorted by id) so that versions can be rebuilt from them. */
    public void saveRawBatch(String dataset, String batchId, List<RawRecord> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        records.stream().sorted(Comparator.comparing(RawRecord::recordId)).forEach(r -> {
            out.writeBytes(EventJson.toBytes(r));
            out.write('\n');
        });
        store.putBytes(ArtifactLayout.datasetRawBatch(dataset, batchId), out.toByteArray(), "application/x-ndjson");
        store.putBytes(ArtifactLayout.datasetRawBatchCount(dataset, batchId),
                EventJson.toBytes(java.util.Map.of("batchId", batchId, "records", records.size())), "application/json");
    }

    /**
     * How many distinct records were kept of each batch of the dataset (read from the small count
     * objects; a batch kept before they existed is counted by reading its records).
     */
    public java.util.Map<String, Long> keptRecordCounts(String dataset) {
        java.util.Map<String, Long> counts = new java.util.TreeMap<>();
        for (String batchId : rawBatches(dataset)) {
            String countKey = ArtifactLayout.datasetRawBatchCount(dataset, batchId);
            // a kept batch never changes (a redelivery keeps the same records): count it once
            long count = keptCounts.computeIfAbsent(countKey, key -> store.exists(key)
                    ? EventJson.fromBytes(store.getBytes(key), com.fasterxml.jackson.databind.JsonNode.class)
                            .path("records").asLong()
                    : (long) rawRecords(dataset, batchId).size());
            counts.put(batchId, count);
        }
        return counts;
    }

    /** Ids of the batches kept for a dataset, sorted. */
    public List<String> rawBatches(String dataset) {
        String prefix = ArtifactLayout.datasetRawPrefix(dataset);
        return store.list(prefix).stream().map(o -> o.key().substring(prefix.length()))
                .filter(name -> name.endsWith(".jsonl")).map(name -> name.substring(0, name.length() - 6)).sorted().toList();
    }

    public List<RawRecord> rawRecords(String dataset, String batchId) {
        return readLines(store.getBytes(ArtifactLayout.datasetRawBatch(dataset, batchId)));
    }

    /** Writes the shards, then the manifest, as the next version of the dataset. */
    public DatasetManifest seal(String dataset, int round, DatasetSpec spec, String templateLibrary,
                                List<String> sourceBatches, DatasetBuilder.Built built) {
        int version = versions(dataset).stream().mapToInt(DatasetManifest::version).max().orElse(0) + 1;
        ArtifactCommit commit = store.commit(versionPrefix(dataset, version));
        for (DatasetBuilder.Shard shard : built.shards()) {
            commit.putBytes(shard.entry().name(), shard.content(), "application/x-ndjson");
        }
        if (!built.dropped().isEmpty()) {
            ByteArrayOutputStream quarantine = new ByteArrayOutputStream();
            built.dropped().forEach(d -> {
                quarantine.writeBytes(EventJson.toBytes(d));
                quarantine.write('\n');
            });
            commit.putBytes(QUARANTINE, quarantine.toByteArray(), "application/x-ndjson");
        }
        DatasetManifest manifest = new DatasetManifest(dataset, version, round, spec, templateLibrary,
                sourceBatches.stream().sorted().toList(), built.recordCount(), built.splitCounts(),
                built.taskCounts(), built.templateCounts(), built.droppedByReason(), built.tokenStats(),
                built.entries(), built.contentChecksum(), Instant.now());
        commit.seal(MANIFEST, EventJson.toBytes(manifest));
        return manifest;
    }

    /** What a sealed version left out, one entry per record or phrasing, with the reason (empty when nothing). */
    public List<DatasetBuilder.Dropped> quarantine(DatasetManifest manifest) {
        String key = versionPrefix(manifest.dataset(), manifest.version()) + QUARANTINE;
        if (!store.exists(key)) {
            return List.of();
        }
        List<DatasetBuilder.Dropped> dropped = new ArrayList<>();
        for (String line : new String(store.getBytes(key), StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                dropped.add(EventJson.fromBytes(line.getBytes(StandardCharsets.UTF_8), DatasetBuilder.Dropped.class));
            }
        }
        return dropped;
    }

    /** Every example of a sealed version. */
    public List<InstructionRecord> records(DatasetManifest manifest) {
        List<InstructionRecord> records = new ArrayList<>();
        for (DatasetManifest.ShardEntry shard : manifest.shards()) {
            records.addAll(DatasetBuilder.readShard(
                    store.getBytes(versionPrefix(manifest.dataset(), manifest.version()) + shard.name())));
        }
        return records;
    }

    /** Raw records in a JSON Lines object (feedback samples named by a round request). */
    public List<RawRecord> rawRecordsAt(String key) {
        return readLines(store.getBytes(key));
    }

    private static List<RawRecord> readLines(byte[] content) {
        List<RawRecord> records = new ArrayList<>();
        for (String line : new String(content, StandardCharsets.UTF_8).split("\n")) {
            if (!line.isBlank()) {
                records.add(EventJson.fromBytes(line.getBytes(StandardCharsets.UTF_8), RawRecord.class));
            }
        }
        return records;
    }
}
