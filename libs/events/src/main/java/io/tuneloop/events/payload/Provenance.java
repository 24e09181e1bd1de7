package io.tuneloop.events.payload;

/**
 * Where a record came from, precisely enough to find it again.
 *
 * @param dataset   the dataset it was ingested into
 * @param batchId   the ingest batch (one upload, one object, or one stream window)
 * @param sourceKey the object-store key of the raw bytes (content-addressed), if stored
 * @param file      the file name as the user gave it
 * @param line      1-based line (JSON Lines), row (CSV) or element index (JSON array); 0 when unknown
 */
public record Provenance(String dataset, String batchId, String sourceKey, String file, long line) {
    public Provenance {
        Require.text(dataset, "provenance.dataset");
        Require.text(batchId, "provenance.batchId");
        Require.nonNegative(line, "provenance.line");
    }
}
