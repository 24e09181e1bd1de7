package io.tuneloop.formatter.flow;

import io.tuneloop.events.dataset.DatasetManifest;
import io.tuneloop.events.dataset.DatasetSpec;
import io.tuneloop.events.dataset.InstructionRecord;
import io.tuneloop.events.dataset.PreferenceExample;
import io.tuneloop.events.payload.RawRecord;
import io.tuneloop.formatter.dataset.DatasetBuilder;

import java.util.List;
import java.util.Optional;

/** What the sealing flow keeps in the object store: specs, kept raw batches, sealed versions. */
public interface DatasetStore {
    /** Sealed versions of a dataset, oldest first. */
    List<DatasetManifest> versions(String dataset);

    Optional<DatasetManifest> manifest(String dataset, int version);

    /** The sealed version that already holds {@code sourceId} (an ingest batch or round request), if any. */
    Optional<DatasetManifest> versionContaining(String dataset, String sourceId);

    /** The dataset's spec, or the defaults when none was set. */
    DatasetSpec spec(String dataset);

    void saveSpec(String dataset, DatasetSpec spec);

    /** Keeps a complete batch's raw records so that versions can be rebuilt from them. */
    void saveRawBatch(String dataset, String batchId, List<RawRecord> records);

    /** Ids of the batches kept for a dataset, sorted. */
    List<String> rawBatches(String dataset);

    List<RawRecord> rawRecords(String dataset, String batchId);

    /** Writes the shards, then the manifest, as the next version of the dataset. */
    DatasetManifest seal(String dataset, int round, DatasetSpec spec, String templateLibrary, List<String> sourceBatches,
                         DatasetBuilder.Built built);

    /** What a sealed version left out, with the reasons. */
    List<DatasetBuilder.Dropped> quarantine(DatasetManifest manifest);

    /** Every example of a sealed version, its preference pairs aside. */
    List<InstructionRecord> records(DatasetManifest manifest);

    /** The preference pairs of a sealed version. */
    List<PreferenceExample> preferences(DatasetManifest manifest);

    /** The samples of a feedback round that a round request names by their key. */
    List<RawRecord> roundSamples(String key);

    /** The agreed preference pairs of a feedback round (preference raw records) that a round request names. */
    List<RawRecord> roundPreferences(String key);

    /** The key of a version's manifest, as events carry it. */
    String manifestKey(String dataset, int version);
}
