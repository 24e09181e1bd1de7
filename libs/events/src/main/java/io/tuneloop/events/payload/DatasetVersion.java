package io.tuneloop.events.payload;

import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A sealed, immutable dataset version. Its manifest exists in the object store before this event.
 *
 * @param dataset         dataset name
 * @param version         version number, 1-based, increasing per dataset
 * @param manifestKey     object-store key of manifest.json (written last)
 * @param recordCount     instruction records in the version
 * @param splitCounts     records per split (train, validation, heldout-task, heldout-phrasing, ...)
 * @param sourceBatches   the ingest batches (and round requests) whose records it holds
 * @param contentChecksum sha256 over the shard checksums: equal inputs and spec give equal checksums
 * @param round           the feedback round it was built for (0 for the base dataset)
 * @param sealedAt        when it was sealed
 */
public record DatasetVersion(String dataset, int version, String manifestKey, long recordCount,
                             Map<String, Long> splitCounts, List<String> sourceBatches, String contentChecksum,
                             int round, Instant sealedAt) {
    public DatasetVersion {
        Require.texts("dataset", dataset, "manifestKey", manifestKey, "contentChecksum", contentChecksum);
        Require.nonNegatives("recordCount", recordCount, "round", round);
        Require.positive(version, "version");
        Require.present(sealedAt, "sealedAt");
        splitCounts = splitCounts == null ? Map.of() : Map.copyOf(splitCounts);
        sourceBatches = sourceBatches == null ? List.of() : List.copyOf(sourceBatches);
    }
}
