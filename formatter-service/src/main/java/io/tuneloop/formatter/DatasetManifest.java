package io.tuneloop.formatter;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * manifest.json of a dataset version, written after all its shards: the version exists when this
 * does. Everything but {@code sealedAt} is a function of the inputs and the spec.
 *
 * @param dataset            dataset name
 * @param version            version number
 * @param round              feedback round (0 = base data)
 * @param templateId         phrasing used
 * @param validationFraction share of records in the validation split
 * @param sourceBatches      ingest batches and round requests whose records it holds, sorted
 * @param recordCount        instruction records
 * @param splitCounts        records per split
 * @param taskCounts         records per task
 * @param shards             the shard files, with checksums
 * @param contentChecksum    sha256 over the shards' names and checksums
 * @param sealedAt           when it was sealed
 */
public record DatasetManifest(String dataset, int version, int round, String templateId, double validationFraction,
                              List<String> sourceBatches, long recordCount, Map<String, Long> splitCounts,
                              Map<String, Long> taskCounts, List<ShardEntry> shards, String contentChecksum,
                              Instant sealedAt) {

    /** One shard file of the version. */
    public record ShardEntry(String name, String split, long records, String sha256, long size) {
    }

    public boolean contains(String batchId) {
        return sourceBatches.contains(batchId);
    }
}
