package io.tuneloop.formatter.store;

import io.tuneloop.events.EventJson;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.dataset.PreferenceExample;
import io.tuneloop.events.dataset.Splits;
import io.tuneloop.formatter.dataset.DatasetBuilder;
import io.tuneloop.formatter.flow.DatasetStore;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.store.Artifact;
import io.tuneloop.store.ArtifactCommit;
import io.tuneloop.store.ArtifactStore;
import io.tuneloop.store.Artifacts;
import jakarta.enterprise.context.ApplicationScoped;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Datasets in the object store: {@code datasets/<name>/spec.json}, the raw records of each complete
 * ingest batch under {@code raw/}, and per version {@code v<N>/} with the shards and, written last,
 * {@code manifest.json}. A version whose manifest is missing does not exist (a crash between shards
 * and manifest leaves parts that the next seal of that number overwrites).
 */
@ApplicationScoped
public class DatasetRepository implements DatasetStore {
    private static final Artifact<Artifacts.Version, List<DatasetBuilder.Dropped>> DROPPED =
            Artifacts.VERSION_QUARANTINE.lines(DatasetBuilder.Dropped.class);

    private final ArtifactStore store;

    private final Map<Artifacts.Batch, Long> keptCounts = new ConcurrentHashMap<>();

    public DatasetRepository(ArtifactStore store) {
        this.store = store;
    }

    /** Sealed versions of a dataset, oldest first. */
    @Override
    public List<DatasetManifest> versions(String dataset) {
        List<DatasetManifest> manifests = new ArrayList<>();
        for (Artifacts.Version version : Artifacts.DATASET_VERSION.list(store, dataset)) {
            Artifacts.DATASET_MANIFEST.find(store, version).ifPresent(manifests::add);
        }
        manifests.sort(Comparator.comparingInt(DatasetManifest::version));
        return manifests;
    }

    @Override
    public Optional<DatasetManifest> manifest(String dataset, int version) {
        return Artifacts.DATASET_MANIFEST.find(store, new Artifacts.Version(dataset, version));
    }

    /** The sealed version that already holds {@code sourceId} (an ingest batch or round request), if any. */
    @Override
    public Optional<DatasetManifest> versionContaining(String dataset, String sourceId) {
        return versions(dataset).stream().filter(m -> m.contains(sourceId)).findFirst();
    }

    /** The dataset's spec, or the defaults when none was set. */
    @Override
    public DatasetSpec spec(String dataset) {
        return Artifacts.DATASET_SPEC.find(store, dataset).orElseGet(DatasetSpec::defaults);
    }

    @Override
    public void saveSpec(String dataset, DatasetSpec spec) {
        Artifacts.DATASET_SPEC.write(store, dataset, spec);
    }

    /** Keeps who set {@code spec} and when, beside every earlier change (never overwritten). */
    public void recordSpecChange(String dataset, String principal, DatasetSpec spec, java.time.Instant at) {
        String id = String.format("%020d-%s", at.toEpochMilli(), java.util.UUID.randomUUID().toString().substring(0, 8));
        Artifacts.DATASET_SPEC_CHANGE.write(store, new Artifacts.SpecChangeRef(dataset, id),
                new Artifacts.SpecChange(dataset, principal, at, spec));
    }

    /** Keeps a complete batch's raw records (sorted by id) so that versions can be rebuilt from them. */
    @Override
    public void saveRawBatch(String dataset, String batchId, List<RawRecord> records) {
        Artifacts.Batch batch = new Artifacts.Batch(dataset, batchId);
        Artifacts.RAW_BATCH.write(store, batch, records.stream().sorted(Comparator.comparing(RawRecord::recordId)).toList());
        Artifacts.RAW_BATCH_COUNT.write(store, batch, new Artifacts.KeptCount(batchId, records.size()));
    }

    /**
     * How many distinct records were kept of each batch of the dataset (read from the small count
     * objects; a batch kept before they existed is counted by reading its records).
     */
    public Map<String, Long> keptRecordCounts(String dataset) {
        Map<String, Long> counts = new TreeMap<>();
        for (Artifacts.Batch batch : Artifacts.RAW_BATCH.list(store, dataset)) {
            // a kept batch never changes (a redelivery keeps the same records): count it once
            long count = keptCounts.computeIfAbsent(batch, b -> Artifacts.RAW_BATCH_COUNT.find(store, b)
                    .map(Artifacts.KeptCount::records)
                    .orElseGet(() -> (long) Artifacts.RAW_BATCH.read(store, b).size()));
            counts.put(batch.batchId(), count);
        }
        return counts;
    }

    /** Ids of the batches kept for a dataset, sorted. */
    @Override
    public List<String> rawBatches(String dataset) {
        return Artifacts.RAW_BATCH.list(store, dataset).stream().map(Artifacts.Batch::batchId).sorted().toList();
    }

    @Override
    public List<RawRecord> rawRecords(String dataset, String batchId) {
        return Artifacts.RAW_BATCH.read(store, new Artifacts.Batch(dataset, batchId));
    }

    /** Writes the shards, then the manifest, as the next version of the dataset. */
    @Override
    public DatasetManifest seal(String dataset, int round, DatasetSpec spec, String templateLibrary,
                                List<String> sourceBatches, DatasetBuilder.Built built) {
        int version = versions(dataset).stream().mapToInt(DatasetManifest::version).max().orElse(0) + 1;
        Artifacts.Version address = new Artifacts.Version(dataset, version);
        ArtifactCommit commit = Artifacts.DATASET_VERSION.commit(store, address);
        for (DatasetBuilder.Shard shard : built.shards()) {
            commit.putBytes(shard.entry().name(), shard.content(), Artifacts.DATASET_SHARD.contentType());
        }
        if (!built.dropped().isEmpty()) {
            DROPPED.write(store, address, built.dropped());
        }
        DatasetManifest manifest = new DatasetManifest(dataset, version, round, spec, templateLibrary,
                sourceBatches.stream().sorted().toList(), built.recordCount(), built.splitCounts(),
                built.taskCounts(), built.templateCounts(), built.droppedByReason(), built.tokenStats(),
                built.entries(), built.contentChecksum(), Instant.now(), built.contamination());
        commit.seal(Artifacts.MANIFEST, EventJson.toBytes(manifest));
        return manifest;
    }

    /** What a sealed version left out, one entry per record or phrasing, with the reason (empty when nothing). */
    @Override
    public List<DatasetBuilder.Dropped> quarantine(DatasetManifest manifest) {
        return DROPPED.find(store, new Artifacts.Version(manifest.dataset(), manifest.version())).orElse(List.of());
    }

    /** Every example of a sealed version (its preference pairs are {@link #preferences}). */
    @Override
    public List<InstructionRecord> records(DatasetManifest manifest) {
        List<InstructionRecord> records = new ArrayList<>();
        Artifacts.Version version = new Artifacts.Version(manifest.dataset(), manifest.version());
        for (DatasetManifest.ShardEntry shard : manifest.shards()) {
            if (!shard.split().equals(Splits.PREFERENCES)) {
                records.addAll(Artifacts.DATASET_SHARD.read(store, new Artifacts.VersionFile(version, shard.name())));
            }
        }
        return records;
    }

    @Override
    public List<PreferenceExample> preferences(DatasetManifest manifest) {
        List<PreferenceExample> pairs = new ArrayList<>();
        Artifacts.Version version = new Artifacts.Version(manifest.dataset(), manifest.version());
        for (DatasetManifest.ShardEntry shard : manifest.shards()) {
            if (shard.split().equals(Splits.PREFERENCES)) {
                pairs.addAll(Artifacts.PREFERENCE_SHARD.read(store, new Artifacts.VersionFile(version, shard.name())));
            }
        }
        return pairs;
    }

    /**
     * The operator's eval suites ({@code eval/suites/<name>.jsonl}, which eval scores every checkpoint
     * on): their prompts must not become training data.
     */
    public java.util.Map<String, byte[]> evalSuites() {
        java.util.Map<String, byte[]> suites = new java.util.TreeMap<>();
        for (String name : Artifacts.EVAL_SUITE.list(store)) {
            suites.put(name, Artifacts.EVAL_SUITE.read(store, name));
        }
        return suites;
    }

    @Override
    public String manifestKey(String dataset, int version) {
        return Artifacts.DATASET_MANIFEST.key(new Artifacts.Version(dataset, version));
    }

    /** The samples of a feedback round that a round request names by their key. */
    @Override
    public List<RawRecord> roundSamples(String key) {
        Artifacts.Round round = Artifacts.ROUND_SAMPLES.address(key).orElseThrow(() ->
                new IllegalArgumentException(key + " is not the samples of a feedback round"));
        return Artifacts.ROUND_SAMPLES.read(store, round);
    }

    @Override
    public List<RawRecord> roundPreferences(String key) {
        Artifacts.Round round = Artifacts.ROUND_PREFERENCES.address(key).orElseThrow(() ->
                new IllegalArgumentException(key + " is not the preference pairs of a feedback round"));
        return Artifacts.ROUND_PREFERENCES.read(store, round);
    }
}
